/**
 * VS Code's chat classes to the core's plain conversation types (the mapping to OpenAI is in
 * src/core/gateway/messages.ts, where it is unit-tested).
 */
import * as vscode from 'vscode';
import type { ChatPart, ChatTurn, ToolSpec } from '../../core/gateway/messages';

function toolResultText(content: readonly unknown[]): string {
  return content.map((c) => (c instanceof vscode.LanguageModelTextPart ? c.value : typeof c === 'string' ? c : JSON.stringify(c))).join('');
}

/** One message the picker's caller sent, as a core turn. Unknown parts (images, data) are left out. */
export function messageToTurn(message: vscode.LanguageModelChatRequestMessage): ChatTurn {
  const parts: ChatPart[] = [];
  for (const part of message.content) {
    if (part instanceof vscode.LanguageModelTextPart) parts.push({ kind: 'text', text: part.value });
    else if (part instanceof vscode.LanguageModelToolCallPart) parts.push({ kind: 'toolCall', callId: part.callId, name: part.name, input: part.input });
    else if (part instanceof vscode.LanguageModelToolResultPart) parts.push({ kind: 'toolResult', callId: part.callId, text: toolResultText(part.content) });
  }
  return { role: message.role === vscode.LanguageModelChatMessageRole.Assistant ? 'assistant' : 'user', parts };
}

/** The tools a caller offers, as core specs. */
export function toolSpecs(tools: readonly vscode.LanguageModelChatTool[] | undefined): ToolSpec[] {
  return (tools ?? []).map((t) => ({ name: t.name, description: t.description, ...(t.inputSchema ? { inputSchema: t.inputSchema } : {}) }));
}

/** `@spark`'s own earlier exchanges in this chat, as text turns (other participants' are not ours to replay). */
export function historyTurns(history: readonly (vscode.ChatRequestTurn | vscode.ChatResponseTurn)[], participantId: string): ChatTurn[] {
  const turns: ChatTurn[] = [];
  for (const turn of history) {
    if (turn.participant !== participantId) continue;
    if (turn instanceof vscode.ChatRequestTurn) {
      // Slash commands (/models, /status…) are about the stack, not the conversation.
      if (!turn.command) turns.push({ role: 'user', parts: [{ kind: 'text', text: turn.prompt }] });
    } else {
      // Answers to slash commands and explanations of failures are not part of the conversation.
      const metadata = turn.result.metadata as { command?: string; failed?: boolean } | undefined;
      if (metadata?.command !== undefined || metadata?.failed) continue;
      const text = turn.response.flatMap((p) => (p instanceof vscode.ChatResponseMarkdownPart ? [p.value.value] : [])).join('');
      if (text) turns.push({ role: 'assistant', parts: [{ kind: 'text', text }] });
    }
  }
  return turns;
}
