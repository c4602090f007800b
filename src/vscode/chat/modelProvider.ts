/**
 * The gateway's models in VS Code's model picker (vendor `spark-gateway`), so every chat
 * participant and agent can use them. Only models that answer their probe are listed; the list
 * is re-read when the session changes (settings, key, stack) and the picker told when it differs.
 */
import * as vscode from 'vscode';
import { SparkError } from '../../core/errors';
import { CancelledError } from '../../core/gateway/cancellation';
import { estimateTokens, toOpenAiMessages, toOpenAiTools } from '../../core/gateway/messages';
import type { GatewayModel } from '../../core/gateway/models';
import type { GatewaySession } from './gatewaySession';
import { messageToTurn, toolSpecs } from './parts';

export const VENDOR = 'spark-gateway';

/** "gpt-oss-120b (Spark)": recognisable beside other vendors' models in the picker. */
export function pickerName(model: string): string {
  return `${model} (Spark)`;
}

function information(model: GatewayModel, latencyMs: number | undefined): vscode.LanguageModelChatInformation {
  return {
    id: model.name,
    name: pickerName(model.name),
    family: model.name,
    version: '1',
    detail: 'Spark Gateway',
    tooltip: `${model.name} through the Spark Gateway (NGINX → LiteLLM → vLLM)${latencyMs !== undefined ? `, answered a probe in ${latencyMs} ms` : ''}`,
    maxInputTokens: model.maxInputTokens,
    maxOutputTokens: model.maxOutputTokens,
    capabilities: { toolCalling: model.toolCalling, imageInput: false },
  };
}

export class GatewayModelProvider implements vscode.LanguageModelChatProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeLanguageModelChatInformation = this.changed.event;
  /** What the picker was last given, to fire the change event only when it differs. */
  private lastListed = '';
  private readonly subscription: vscode.Disposable;

  constructor(private readonly session: GatewaySession, private readonly log: vscode.LogOutputChannel) {
    this.subscription = session.onDidChange(() => void this.recheck());
  }

  async provideLanguageModelChatInformation(_options: vscode.PrepareLanguageModelChatModelOptions, token: vscode.CancellationToken): Promise<vscode.LanguageModelChatInformation[]> {
    const list = await this.healthyModels(token);
    this.lastListed = list.map((m) => m.id).join(',');
    return list;
  }

  async provideLanguageModelChatResponse(
    model: vscode.LanguageModelChatInformation,
    messages: readonly vscode.LanguageModelChatRequestMessage[],
    options: vscode.ProvideLanguageModelChatResponseOptions,
    progress: vscode.Progress<vscode.LanguageModelResponsePart>,
    token: vscode.CancellationToken,
  ): Promise<void> {
    const tools = toOpenAiTools(toolSpecs(options.tools));
    try {
      const client = await this.session.client();
      for await (const event of client.chat({
        model: model.id,
        messages: toOpenAiMessages(messages.map(messageToTurn)),
        tools,
        toolChoice: options.toolMode === vscode.LanguageModelChatToolMode.Required ? 'required' : 'auto',
      }, token)) {
        if (event.type === 'text') progress.report(new vscode.LanguageModelTextPart(event.text));
        else if (event.type === 'toolCall') progress.report(new vscode.LanguageModelToolCallPart(event.call.id, event.call.name, event.call.arguments));
      }
    } catch (error) {
      if (error instanceof CancelledError) return;
      // The caller shows the message; the fix belongs in it so the user can act.
      if (error instanceof SparkError) throw new Error(`${error.message}${error.fix ? ` — ${error.fix}` : ''}`);
      throw error;
    }
  }

  /** An estimate of about four characters per token: vLLM's tokenizers are not available here, and VS Code only budgets with it. */
  async provideTokenCount(_model: vscode.LanguageModelChatInformation, text: string | vscode.LanguageModelChatRequestMessage): Promise<number> {
    if (typeof text === 'string') return estimateTokens(text);
    const parts = messageToTurn(text).parts.map((p) => (p.kind === 'text' ? p.text : p.kind === 'toolResult' ? p.text : JSON.stringify(p.input)));
    return estimateTokens(parts.join(''));
  }

  /** Re-reads the models and fires the change event when the healthy set differs from what the picker has. */
  async recheck(): Promise<void> {
    const list = await this.healthyModels();
    const listed = list.map((m) => m.id).join(',');
    if (listed !== this.lastListed) {
      this.lastListed = listed;
      this.changed.fire();
    }
  }

  private async healthyModels(token?: vscode.CancellationToken): Promise<vscode.LanguageModelChatInformation[]> {
    try {
      const [models, availability] = await Promise.all([this.session.models(token), this.session.availability(token)]);
      return models.flatMap((m) => {
        const probe = availability.find((a) => a.model === m.name);
        return probe?.available ? [information(m, probe.latencyMs)] : [];
      });
    } catch (error) {
      // No gateway, no models: the picker shows none; the reason goes to the log (never the key).
      this.log.warn(`model picker: ${error instanceof Error ? error.message : String(error)}`);
      return [];
    }
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
