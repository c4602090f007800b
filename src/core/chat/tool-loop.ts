/**
 * A chat turn that may call tools: stream the answer; when the model asks for tools, run them,
 * give it the results and let it continue — up to a few rounds so a confused model cannot loop
 * forever. Who runs the tools (VS Code's `lm.invokeTool`) is passed in, so this stays testable.
 */
import type { ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import type { Cancellation } from '../process/cancellation';
import type { ChatRequest } from '../gateway/client';
import type { ChatEvent, ToolCall } from '../gateway/stream';

export interface ToolRunner {
  readonly tools: readonly ChatCompletionTool[];
  /** Runs one call and returns its result as text for the model. */
  invoke(call: ToolCall): Promise<string>;
}

export type ToolLoopEvent = ChatEvent | { readonly type: 'toolResult'; readonly call: ToolCall; readonly result: string };

/** The part of the gateway client the loop needs. */
export interface ChatStreamer {
  chat(request: ChatRequest, cancellation?: Cancellation): AsyncIterable<ChatEvent>;
}

/** Rounds of tool calls before the loop stops asking (the model then answers without tools). */
export const MAX_TOOL_ROUNDS = 5;

/**
 * Streams `request`'s answer, running the tool calls it makes through `runner` and continuing
 * with their results. Without a runner (or tools), a tool call is reported and the turn ends.
 */
export async function* chatWithTools(client: ChatStreamer, request: ChatRequest, runner: ToolRunner | undefined, cancellation?: Cancellation): AsyncGenerator<ToolLoopEvent> {
  const messages: ChatCompletionMessageParam[] = [...request.messages];
  const tools = runner && runner.tools.length > 0 ? runner.tools : undefined;
  for (let round = 0; ; round++) {
    const lastRound = round >= MAX_TOOL_ROUNDS;
    const calls: ToolCall[] = [];
    let text = '';
    for await (const event of client.chat({ ...request, messages, ...(tools && !lastRound ? { tools } : { tools: [] }) }, cancellation)) {
      if (event.type === 'toolCall') calls.push(event.call);
      if (event.type === 'text') text += event.text;
      yield event;
    }
    if (!runner || !tools || calls.length === 0 || lastRound) return;
    messages.push({ role: 'assistant', content: text || null, tool_calls: calls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.rawArguments } })) });
    for (const call of calls) {
      const result = await runner.invoke(call);
      yield { type: 'toolResult', call, result };
      messages.push({ role: 'tool', tool_call_id: call.id, content: result });
    }
  }
}
