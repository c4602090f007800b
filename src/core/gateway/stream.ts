/**
 * Streamed chat completions, piece by piece: text deltas pass straight through, tool calls
 * arrive as an id and name first and their JSON arguments in fragments, keyed by `index`.
 * Reasoning (gpt-oss thinks before it answers) arrives in its own field — `reasoning_content` in
 * vLLM 0.11.0, both `reasoning` and `reasoning_content` in 0.11.2, `reasoning` in 0.31 — and
 * becomes a `reasoning` event, never answer text. {@link ChatStreamAssembler} turns chunks into
 * the events a chat view can show. Pure.
 */

/** The part of an OpenAI `chat.completion.chunk` this module reads. */
export interface ChunkLike {
  readonly choices?: readonly {
    readonly index?: number;
    readonly delta?: {
      readonly content?: string | null;
      /** vLLM ≥ 0.11.2 (the only field in 0.31). */
      readonly reasoning?: string | null;
      /** vLLM 0.11 (and LiteLLM's name for it). */
      readonly reasoning_content?: string | null;
      readonly tool_calls?: readonly {
        readonly index: number;
        readonly id?: string | null;
        readonly function?: { readonly name?: string | null; readonly arguments?: string | null } | null;
      }[] | null;
    } | null;
    readonly finish_reason?: string | null;
  }[];
  readonly usage?: { readonly prompt_tokens?: number; readonly completion_tokens?: number } | null;
}

/** A finished tool call: the arguments are the model's JSON, parsed. */
export interface ToolCall {
  readonly id: string;
  readonly name: string;
  readonly arguments: Record<string, unknown>;
  /** The arguments as the model sent them (kept for history, which must echo them exactly). */
  readonly rawArguments: string;
}

export type ChatEvent =
  | { readonly type: 'text'; readonly text: string }
  /** The model's reasoning before (or between) answer text: show it apart, never as the answer. */
  | { readonly type: 'reasoning'; readonly text: string }
  | { readonly type: 'toolCall'; readonly call: ToolCall }
  | { readonly type: 'done'; readonly finishReason: string | undefined; readonly usage?: { promptTokens: number; completionTokens: number } };

interface PendingCall {
  id: string;
  name: string;
  args: string;
}

/** Raised when a tool call's arguments are not a JSON object: the model broke the protocol. */
export class ToolCallFormatError extends Error {}

/** Parses tool-call arguments; an empty string is an empty object (a call without parameters). */
export function parseToolArguments(name: string, raw: string): Record<string, unknown> {
  if (!raw.trim()) return {};
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new ToolCallFormatError(`the model's call of ${name} has arguments that are not JSON: ${raw.slice(0, 200)}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ToolCallFormatError(`the model's call of ${name} has arguments that are not a JSON object`);
  return value as Record<string, unknown>;
}

/**
 * Feeds on chunks and yields events: text at once, each tool call once it is complete (when the
 * stream finishes, since fragments of one call may interleave with others').
 */
export class ChatStreamAssembler {
  private readonly calls = new Map<number, PendingCall>();
  private finishReason: string | undefined;
  private usage: { promptTokens: number; completionTokens: number } | undefined;
  private generatedIds = 0;

  /** The events one chunk produces (text only; tool calls come from {@link finish}). */
  push(chunk: ChunkLike): ChatEvent[] {
    const events: ChatEvent[] = [];
    if (chunk.usage) this.usage = { promptTokens: chunk.usage.prompt_tokens ?? 0, completionTokens: chunk.usage.completion_tokens ?? 0 };
    // n = 1: only the first choice is ours.
    const choice = chunk.choices?.[0];
    if (!choice) return events;
    const delta = choice.delta;
    // 0.11.2 sends the same reasoning in both fields: take one, `reasoning` first.
    const reasoning = delta?.reasoning || delta?.reasoning_content;
    if (reasoning) events.push({ type: 'reasoning', text: reasoning });
    if (delta?.content) events.push({ type: 'text', text: delta.content });
    for (const part of delta?.tool_calls ?? []) {
      const pending = this.calls.get(part.index) ?? { id: '', name: '', args: '' };
      if (part.id) pending.id = part.id;
      if (part.function?.name) pending.name += part.function.name;
      if (part.function?.arguments) pending.args += part.function.arguments;
      this.calls.set(part.index, pending);
    }
    if (choice.finish_reason) this.finishReason = choice.finish_reason;
    return events;
  }

  /** The tool calls in index order, then `done`. Throws {@link ToolCallFormatError} on bad arguments. */
  finish(): ChatEvent[] {
    const events: ChatEvent[] = [];
    for (const [, call] of [...this.calls].sort(([a], [b]) => a - b)) {
      if (!call.name) continue;
      const id = call.id || `call_${++this.generatedIds}`;
      events.push({ type: 'toolCall', call: { id, name: call.name, arguments: parseToolArguments(call.name, call.args), rawArguments: call.args || '{}' } });
    }
    events.push({ type: 'done', finishReason: this.finishReason, ...(this.usage ? { usage: this.usage } : {}) });
    return events;
  }
}
