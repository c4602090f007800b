import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChatEvent, ChunkLike } from '../../src/core/gateway/stream';
import { ChatStreamAssembler, ToolCallFormatError, parseToolArguments } from '../../src/core/gateway/stream';

function run(chunks: readonly ChunkLike[]): ChatEvent[] {
  const assembler = new ChatStreamAssembler();
  return [...chunks.flatMap((c) => assembler.push(c)), ...assembler.finish()];
}

const text = (content: string): ChunkLike => ({ choices: [{ index: 0, delta: { content } }] });

describe('ChatStreamAssembler', () => {
  it('passes text deltas through in order and ends with the finish reason and usage', () => {
    const events = run([
      { choices: [{ index: 0, delta: { content: '' } }] },
      text('Hello'),
      text(' world'),
      { choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] },
      { choices: [], usage: { prompt_tokens: 3, completion_tokens: 2 } },
    ]);
    assert.deepEqual(events, [
      { type: 'text', text: 'Hello' },
      { type: 'text', text: ' world' },
      { type: 'done', finishReason: 'stop', usage: { promptTokens: 3, completionTokens: 2 } },
    ]);
  });

  it('reads reasoning from `reasoning` (vLLM 0.31), `reasoning_content` (0.11.0) or both (0.11.2), never as answer text', () => {
    const byVersion: Record<string, ChunkLike[]> = {
      '0.31.0': [{ choices: [{ delta: { reasoning: 'Think' } }] }, { choices: [{ delta: { reasoning: ' more' } }] }, text('Answer')],
      '0.11.0': [{ choices: [{ delta: { reasoning_content: 'Think' } }] }, { choices: [{ delta: { reasoning_content: ' more' } }] }, text('Answer')],
      '0.11.2': [
        { choices: [{ delta: { reasoning: 'Think', reasoning_content: 'Think' } }] },
        { choices: [{ delta: { reasoning: ' more', reasoning_content: ' more' } }] },
        { choices: [{ delta: { content: 'Answer', reasoning: null, reasoning_content: null } }] },
      ],
    };
    for (const [version, chunks] of Object.entries(byVersion)) {
      const events = run([...chunks, { choices: [{ delta: {}, finish_reason: 'stop' }] }]);
      assert.deepEqual(events, [
        { type: 'reasoning', text: 'Think' },
        { type: 'reasoning', text: ' more' },
        { type: 'text', text: 'Answer' },
        { type: 'done', finishReason: 'stop' },
      ], version);
    }
  });

  it('joins a tool call sent as id and name first and its arguments in pieces', () => {
    const events = run([
      { choices: [{ index: 0, delta: { tool_calls: [{ index: 0, id: 'call_1', function: { name: 'get_weather', arguments: '' } }] } }] },
      { choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] } }] },
      { choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '"Berlin"}' } }] } }] },
      { choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] },
    ]);
    assert.deepEqual(events, [
      { type: 'toolCall', call: { id: 'call_1', name: 'get_weather', arguments: { city: 'Berlin' }, rawArguments: '{"city":"Berlin"}' } },
      { type: 'done', finishReason: 'tool_calls' },
    ]);
  });

  it('keeps interleaved calls apart by index and reports them in index order', () => {
    const events = run([
      { choices: [{ delta: { tool_calls: [{ index: 1, id: 'b', function: { name: 'two', arguments: '{"x"' } }, { index: 0, id: 'a', function: { name: 'one', arguments: '{}' } }] } }] },
      { choices: [{ delta: { tool_calls: [{ index: 1, function: { arguments: ':1}' } }] } }] },
    ]);
    assert.deepEqual(events.filter((e) => e.type === 'toolCall').map((e) => e.type === 'toolCall' && [e.call.id, e.call.name, e.call.arguments]), [['a', 'one', {}], ['b', 'two', { x: 1 }]]);
  });

  it('gives a call without an id one, so history can refer to it', () => {
    const [event] = run([{ choices: [{ delta: { tool_calls: [{ index: 0, function: { name: 'f', arguments: '{}' } }] } }] }]);
    assert.ok(event?.type === 'toolCall' && event.call.id.length > 0);
  });
});

describe('parseToolArguments', () => {
  it('reads an empty string as a call without parameters', () => {
    assert.deepEqual(parseToolArguments('f', ''), {});
  });
  it('refuses arguments that are not a JSON object, naming the tool', () => {
    assert.throws(() => parseToolArguments('get_weather', '{"city": '), (e: unknown) => e instanceof ToolCallFormatError && /get_weather/.test(e.message));
    assert.throws(() => parseToolArguments('f', '[1]'), ToolCallFormatError);
  });
});
