/**
 * Conversations in the terms chat views use — turns made of text, tool calls and tool results —
 * mapped to OpenAI chat messages. The VS Code layer converts its part classes to {@link ChatPart}
 * and everything else happens here, where it is unit-tested without VS Code.
 */
import type { ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';

export type ChatPart =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'toolCall'; readonly callId: string; readonly name: string; readonly input: unknown }
  | { readonly kind: 'toolResult'; readonly callId: string; readonly text: string };

export interface ChatTurn {
  readonly role: 'system' | 'user' | 'assistant';
  readonly parts: readonly ChatPart[];
}

/** A tool the model may call: name, description, JSON schema of its input. */
export interface ToolSpec {
  readonly name: string;
  readonly description: string;
  readonly inputSchema?: object;
}

/** One turn becomes one or more messages: tool results are messages of their own (`role: tool`). */
function turnToMessages(turn: ChatTurn): ChatCompletionMessageParam[] {
  const text = turn.parts.flatMap((p) => (p.kind === 'text' ? [p.text] : [])).join('');
  if (turn.role === 'system') return [{ role: 'system', content: text }];
  if (turn.role === 'assistant') {
    const calls = turn.parts.flatMap((p) => (p.kind === 'toolCall' ? [p] : []));
    if (calls.length === 0) return [{ role: 'assistant', content: text }];
    return [{
      role: 'assistant',
      // OpenAI wants null, not "", beside tool calls.
      content: text || null,
      tool_calls: calls.map((c) => ({ id: c.callId, type: 'function' as const, function: { name: c.name, arguments: JSON.stringify(c.input ?? {}) } })),
    }];
  }
  // The answers to the previous assistant turn's calls must come right after it, before any user text.
  const results: ChatCompletionMessageParam[] = turn.parts.flatMap((p) => (p.kind === 'toolResult' ? [{ role: 'tool' as const, tool_call_id: p.callId, content: p.text }] : []));
  return text ? [...results, { role: 'user', content: text }] : results;
}

/** Maps a conversation to OpenAI messages, dropping turns that carry nothing. Pure. */
export function toOpenAiMessages(turns: readonly ChatTurn[]): ChatCompletionMessageParam[] {
  return turns.flatMap(turnToMessages).filter((m) => m.role !== 'user' || (typeof m.content === 'string' && m.content.length > 0));
}

/** Maps tool specs to OpenAI function tools; a tool without a schema takes an empty object. */
export function toOpenAiTools(tools: readonly ToolSpec[]): ChatCompletionTool[] {
  return tools.map((t) => ({
    type: 'function',
    function: { name: t.name, description: t.description, parameters: (t.inputSchema ?? { type: 'object', properties: {} }) as Record<string, unknown> },
  }));
}

/** Plain question-and-answer history (what `@spark` keeps) as turns. */
export function textTurns(history: readonly { role: 'user' | 'assistant'; text: string }[]): ChatTurn[] {
  return history.map((h) => ({ role: h.role, parts: [{ kind: 'text', text: h.text }] }));
}

/**
 * A rough token count — about four characters per token for English text and code — used where
 * VS Code asks for one before sending (budgeting the prompt). The gateway counts exactly.
 */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}
