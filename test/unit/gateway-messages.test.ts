import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { estimateTokens, textTurns, toOpenAiMessages, toOpenAiTools } from '../../src/core/gateway/messages';
import { CancelledError, toAbortSignal } from '../../src/core/process/cancellation';

describe('toOpenAiMessages', () => {
  it('maps plain history to alternating user and assistant messages, dropping empty user turns', () => {
    const turns = [...textTurns([{ role: 'user', text: 'hi' }, { role: 'assistant', text: 'hello' }]), { role: 'user' as const, parts: [] }];
    assert.deepEqual(toOpenAiMessages(turns), [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'hello' }]);
  });

  it('maps an assistant tool call and the user\'s tool result to the OpenAI pair, result before new text', () => {
    const messages = toOpenAiMessages([
      { role: 'system', parts: [{ kind: 'text', text: 'be brief' }] },
      { role: 'assistant', parts: [{ kind: 'toolCall', callId: 'c1', name: 'get_weather', input: { city: 'Berlin' } }] },
      { role: 'user', parts: [{ kind: 'text', text: 'and now?' }, { kind: 'toolResult', callId: 'c1', text: 'sunny' }] },
    ]);
    assert.deepEqual(messages, [
      { role: 'system', content: 'be brief' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Berlin"}' } }] },
      { role: 'tool', tool_call_id: 'c1', content: 'sunny' },
      { role: 'user', content: 'and now?' },
    ]);
  });

  it('maps tools to OpenAI function tools, an empty object schema when none is given', () => {
    assert.deepEqual(toOpenAiTools([{ name: 'f', description: 'd' }]), [{ type: 'function', function: { name: 'f', description: 'd', parameters: { type: 'object', properties: {} } } }]);
  });

  it('estimates about four characters per token, rounding up', () => {
    assert.equal(estimateTokens(''), 0);
    assert.equal(estimateTokens('abcde'), 2);
  });
});

describe('toAbortSignal', () => {
  it('aborts when a VS Code-shaped token is cancelled, and detaches on dispose', () => {
    let listener: (() => unknown) | undefined;
    let disposed = false;
    const token = { isCancellationRequested: false, onCancellationRequested: (l: () => unknown) => ((listener = l), { dispose: () => (disposed = true) }) };
    const { signal, dispose } = toAbortSignal(token);
    assert.equal(signal.aborted, false);
    listener?.();
    assert.ok(signal.aborted && signal.reason instanceof CancelledError);
    dispose();
    assert.ok(disposed);
  });

  it('is already aborted for a token cancelled before the request', () => {
    const token = { isCancellationRequested: true, onCancellationRequested: () => ({ dispose: () => undefined }) };
    assert.ok(toAbortSignal(token).signal.aborted);
  });

  it('passes an AbortSignal through unchanged', () => {
    const controller = new AbortController();
    assert.equal(toAbortSignal(controller.signal).signal, controller.signal);
  });
});
