/**
 * The stack's models in VS Code's model picker (vendor `spark-gateway`), so every chat
 * participant and agent can use them. Every model of the stack is listed whether or not it
 * answers — a participant such as `@spark` runs only with a model selected, and the moment
 * nothing runs is when a user needs it most. Those that do not answer say so in the picker, and
 * a request to one answers with the reason and the fix instead of failing without a word.
 */
import * as vscode from 'vscode';
import type { GatewayView, PickerEntry } from '../../core/chat/unavailable';
import { explainUnavailable, pickerEntries } from '../../core/chat/unavailable';
import { SparkError } from '../../core/errors';
import { CancelledError } from '../../core/process/cancellation';
import { GatewayDownError, ModelNotLoadedError } from '../../core/gateway/errors';
import { estimateTokens, toOpenAiMessages, toOpenAiTools } from '../../core/gateway/messages';
import type { Stack } from '../../core/stack/discovery';
import type { ServiceStatus } from '../../core/state/service-state';
import type { GatewaySession } from './gatewaySession';
import { messageToTurn, toolSpecs } from './parts';

export const VENDOR = 'spark-gateway';

/** "gpt-oss-120b (Spark)": recognisable beside other vendors' models in the picker. */
export function pickerName(model: string): string {
  return `${model} (Spark)`;
}

function information(entry: PickerEntry): vscode.LanguageModelChatInformation {
  const route = `${entry.name} through the Spark Gateway (NGINX → LiteLLM → vLLM)`;
  return {
    id: entry.name,
    name: pickerName(entry.name),
    family: entry.name,
    version: '1',
    detail: entry.answering ? 'Spark Gateway' : `Spark Gateway · not answering${entry.unavailable?.reason === 'gateway-down' ? ' (gateway down)' : ''}`,
    tooltip: entry.answering
      ? `${route}${entry.latencyMs !== undefined ? `, answered a probe in ${entry.latencyMs} ms` : ''}`
      : `${route}: not answering now — ${entry.unavailable ? `${entry.unavailable.message}. Fix: ${entry.unavailable.fix}` : 'the gateway did not answer its probe'}. @spark /status and /start work without it.`,
    maxInputTokens: entry.maxInputTokens,
    maxOutputTokens: entry.maxOutputTokens,
    capabilities: { toolCalling: entry.toolCalling, imageInput: false },
  };
}

export interface ProviderDeps {
  readonly session: GatewaySession;
  readonly log: vscode.LogOutputChannel;
  readonly stack: () => Stack | undefined;
  /** Live service states, when the state model runs. */
  readonly statuses: () => readonly ServiceStatus[] | undefined;
}

export class GatewayModelProvider implements vscode.LanguageModelChatProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeLanguageModelChatInformation = this.changed.event;
  /** What the picker was last given, to fire the change event only when it differs. */
  private lastListed = '';
  private readonly subscription: vscode.Disposable;

  private readonly session: GatewaySession;

  constructor(private readonly deps: ProviderDeps) {
    this.session = deps.session;
    this.subscription = deps.session.onDidChange(() => void this.recheck());
  }

  async provideLanguageModelChatInformation(_options: vscode.PrepareLanguageModelChatModelOptions, token: vscode.CancellationToken): Promise<vscode.LanguageModelChatInformation[]> {
    const list = await this.entries(token);
    this.lastListed = signature(list);
    return list.map(information);
  }

  /** The model the picker should select for `@spark`: the first that answers, else the stack's first. */
  async preferredModel(): Promise<string | undefined> {
    const list = await this.entries();
    return (list.find((e) => e.answering) ?? list[0])?.name;
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
      const file = this.deps.stack()?.scenarios;
      if (file && (error instanceof GatewayDownError || (error instanceof ModelNotLoadedError && !error.unknownToGateway))) {
        // Any participant shows the answer as the model's reply: the reason and the fix, in words.
        const why = explainUnavailable(file, model.id, this.deps.statuses(), error instanceof GatewayDownError ? 'down' : 'answers');
        progress.report(new vscode.LanguageModelTextPart(`**Spark Gateway:** ${why.message}.\n\n**Fix:** ${why.fix}.\n`));
        return;
      }
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

  /** Re-reads the models and fires the change event when what the picker shows differs. */
  async recheck(): Promise<void> {
    const listed = signature(await this.entries());
    if (listed !== this.lastListed) {
      this.lastListed = listed;
      this.changed.fire();
    }
  }

  private async entries(token?: vscode.CancellationToken): Promise<PickerEntry[]> {
    let gateway: GatewayView | undefined;
    try {
      const [models, availability] = await Promise.all([this.session.models(token), this.session.availability(token)]);
      gateway = { models, availability };
    } catch (error) {
      // No gateway: the stack's models are still listed, marked; the reason goes to the log (never the key).
      this.deps.log.warn(`model picker: ${error instanceof Error ? error.message : String(error)}`);
    }
    return pickerEntries(this.deps.stack()?.scenarios, gateway, this.deps.statuses());
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}

/** What the picker shows, to tell whether it changed. */
function signature(list: readonly PickerEntry[]): string {
  return list.map((e) => `${e.name}:${e.answering ? 'up' : e.unavailable?.reason ?? 'down'}`).join(',');
}
