/**
 * `@spark`: answers with the gateway's models and operates the stack. Slash commands: `/models`
 * (availability and memory), `/model <name>` (choose), `/status` (the services), `/start`
 * (scenarios as buttons). Plain prompts stream the chosen model's answer; tools the user
 * attached with `#` are run through VS Code and their results given back to the model.
 */
import * as vscode from 'vscode';
import { chooseChatModel, modelsMarkdown, stackModelsMarkdown } from '../../core/chat/model-choice';
import { startOffer } from '../../core/chat/start-offer';
import { hostsStatusMarkdown } from '../../core/chat/status-report';
import type { ToolRunner } from '../../core/chat/tool-loop';
import { chatWithTools } from '../../core/chat/tool-loop';
import { SparkError } from '../../core/errors';
import { CancelledError } from '../../core/process/cancellation';
import type { ModelAvailability } from '../../core/gateway/client';
import { GatewayDownError } from '../../core/gateway/errors';
import type { GatewayModel } from '../../core/gateway/models';
import { readMemInfo } from '../../core/meminfo';
import { gib } from '../../core/planner';
import { textTurns, toOpenAiMessages, toOpenAiTools } from '../../core/gateway/messages';
import type { ToolCall } from '../../core/gateway/stream';
import { hostServiceRows } from '../../core/stack/services';
import type { HostState } from '../../core/state/hosts-state';
import type { Stack } from '../../core/stack/discovery';
import type { ServiceStatus } from '../../core/state/service-state';
import { COMMANDS, availableCommands, explainError } from './explain';
import type { GatewaySession } from './gatewaySession';
import { historyTurns, toolSpecs } from './parts';

export const PARTICIPANT_ID = 'spark-gateway.spark';
const SELECTED_MODEL_KEY = 'sparkGateway.chat.selectedModel';

export interface ParticipantDeps {
  readonly session: GatewaySession;
  readonly stack: () => Stack | undefined;
  /** Live service states when the state model runs; undefined before it has synced. */
  readonly statuses?: () => readonly ServiceStatus[] | undefined;
  /** Every host's connection and machine (for `/status` of a stack with several hosts). */
  readonly hosts?: () => readonly HostState[];
  /** Where `/model` keeps the choice (per workspace). */
  readonly memento: vscode.Memento;
}

interface SparkResultMetadata {
  readonly command?: string;
  readonly model?: string;
  readonly failed?: boolean;
}

export class SparkParticipant {
  constructor(private readonly deps: ParticipantDeps) {}

  readonly handle: vscode.ChatRequestHandler = async (request, context, stream, token) => {
    try {
      switch (request.command) {
        case 'models':
          return await this.models(stream, token);
        case 'model':
          return await this.chooseModel(request.prompt.trim(), stream, token);
        case 'status':
          return this.status(stream);
        case 'start':
          return await this.start(stream);
        default:
          return await this.answer(request, context, stream, token);
      }
    } catch (error) {
      if (error instanceof CancelledError) return { metadata: { command: request.command } };
      await explainError(stream, error, this.deps.stack(), this.deps.statuses?.());
      return { metadata: { command: request.command, failed: true } satisfies SparkResultMetadata };
    }
  };

  readonly followups: vscode.ChatFollowupProvider = {
    provideFollowups: (result) => {
      const metadata = (result.metadata ?? {}) as SparkResultMetadata;
      if (metadata.failed) return [{ prompt: 'What is running?', label: 'Show the stack\'s status', command: 'status' }, { prompt: 'Start a scenario', label: 'Start a scenario', command: 'start' }];
      if (metadata.command === 'models') return [{ prompt: '', label: 'Choose a model', command: 'model' }];
      if (metadata.model) return [{ prompt: '', label: 'Which models are available?', command: 'models' }];
      return [];
    },
  };

  private selected(): string | undefined {
    return this.deps.memento.get<string>(SELECTED_MODEL_KEY);
  }

  private async answer(request: vscode.ChatRequest, context: vscode.ChatContext, stream: vscode.ChatResponseStream, token: vscode.CancellationToken): Promise<vscode.ChatResult> {
    const { session } = this.deps;
    const client = await session.client();
    const models = await session.models(token);
    const configured = vscode.workspace.getConfiguration('sparkGateway').get<string>('chatModel')?.trim();
    const needsProbe = !models.some((m) => m.name === this.selected() || m.name === configured);
    const choice = chooseChatModel({ selected: this.selected(), configured, models, ...(needsProbe ? { availability: await session.availability(token) } : {}) });
    if (!choice.model) {
      stream.markdown('The gateway lists no models. Check `litellm/config.yaml` in the stack.');
      return { metadata: { failed: true } };
    }
    stream.progress(`Asking ${choice.model} through the Spark Gateway…`);
    const turns = [...historyTurns(context.history, PARTICIPANT_ID), ...textTurns([{ role: 'user', text: request.prompt }])];
    const runner = this.toolRunner(request, token);
    let thinking = false;
    for await (const event of chatWithTools(client, { model: choice.model, messages: toOpenAiMessages(turns) }, runner, token)) {
      if (event.type === 'text') stream.markdown(event.text);
      // Reasoning is not the answer: say that the model thinks, once, and show only its answer.
      else if (event.type === 'reasoning' && !thinking) {
        thinking = true;
        stream.progress(`${choice.model} is thinking…`);
      }
      else if (event.type === 'toolCall' && !runner) stream.markdown(`\n\nThe model asked to call \`${event.call.name}\` with \`${event.call.rawArguments}\`, but no tool of that name is attached to this request.\n`);
      else if (event.type === 'toolCall') stream.progress(`Running ${event.call.name}…`);
    }
    return { metadata: { model: choice.model } satisfies SparkResultMetadata };
  }

  /** Tools the user attached to the request (`#tool`), run through VS Code with the chat's token. */
  private toolRunner(request: vscode.ChatRequest, token: vscode.CancellationToken): ToolRunner | undefined {
    const names = new Set(request.toolReferences.map((t) => t.name));
    const tools = vscode.lm.tools.filter((t) => names.has(t.name));
    if (tools.length === 0) return undefined;
    return {
      tools: toOpenAiTools(toolSpecs(tools)),
      invoke: async (call: ToolCall) => {
        const result = await vscode.lm.invokeTool(call.name, { input: call.arguments, toolInvocationToken: request.toolInvocationToken }, token);
        return result.content.map((part) => (part instanceof vscode.LanguageModelTextPart ? part.value : JSON.stringify(part))).join('');
      },
    };
  }

  private async models(stream: vscode.ChatResponseStream, token: vscode.CancellationToken): Promise<vscode.ChatResult> {
    stream.progress('Asking the gateway which models answer…');
    let models: GatewayModel[];
    let availability: ModelAvailability[];
    try {
      [models, availability] = await Promise.all([this.deps.session.models(token), this.deps.session.availability(token)]);
    } catch (error) {
      const stack = this.deps.stack();
      if (!(error instanceof SparkError) || !stack) throw error;
      // No gateway (or no key for it): the stack's own models and their containers still answer the question.
      stream.markdown(`${error instanceof GatewayDownError ? 'The gateway is not answering' : 'The gateway cannot be asked'}, so no model can be asked now. The stack's models (\`scenarios.yaml\`):\n\n${stackModelsMarkdown(stack.scenarios.models, this.deps.statuses?.())}\n\n`);
      await explainError(stream, error, stack, this.deps.statuses?.());
      return { metadata: { command: 'models' } satisfies SparkResultMetadata };
    }
    const configured = vscode.workspace.getConfiguration('sparkGateway').get<string>('chatModel')?.trim();
    const current = chooseChatModel({ selected: this.selected(), configured, models, availability }).model;
    stream.markdown(`${modelsMarkdown(models, availability, this.deps.stack()?.scenarios.models ?? [], current)}\n\n`);
    const down = availability.filter((a) => !a.available);
    if (down.length > 0) stream.markdown(`Not loaded: ${down.map((a) => `\`${a.model}\``).join(', ')}. \`/start\` offers the scenarios that load them.\n`);
    return { metadata: { command: 'models' } satisfies SparkResultMetadata };
  }

  private async chooseModel(name: string, stream: vscode.ChatResponseStream, token: vscode.CancellationToken): Promise<vscode.ChatResult> {
    const models = await this.deps.session.models(token);
    if (!name) {
      const current = this.selected();
      stream.markdown(`${current ? `\`@spark\` answers with \`${current}\`.` : 'No model chosen: `@spark` uses the `sparkGateway.chatModel` setting, else the first model that answers.'}\n\nChoose one with \`/model <name>\`: ${models.map((m) => `\`${m.name}\``).join(', ')}.`);
      return { metadata: { command: 'model' } satisfies SparkResultMetadata };
    }
    if (!models.some((m) => m.name === name)) {
      stream.markdown(`The gateway has no model \`${name}\`. It has ${models.map((m) => `\`${m.name}\``).join(', ')}.`);
      return { metadata: { command: 'model', failed: true } satisfies SparkResultMetadata };
    }
    await this.deps.memento.update(SELECTED_MODEL_KEY, name);
    stream.markdown(`\`@spark\` now answers with \`${name}\` in this workspace.`);
    return { metadata: { command: 'model' } satisfies SparkResultMetadata };
  }

  private status(stream: vscode.ChatResponseStream): vscode.ChatResult {
    const stack = this.deps.stack();
    if (!stack) {
      stream.markdown('No stack is loaded (a folder with `scenarios.yaml`). Set `sparkGateway.stackPath` or open a workspace with a `stack/` folder.');
      return { metadata: { command: 'status', failed: true } satisfies SparkResultMetadata };
    }
    stream.markdown(`Stack at \`${stack.root}\`:\n\n${hostsStatusMarkdown(hostServiceRows(stack), this.deps.statuses?.(), this.deps.hosts?.() ?? [])}\n`);
    return { metadata: { command: 'status' } satisfies SparkResultMetadata };
  }

  private async start(stream: vscode.ChatResponseStream): Promise<vscode.ChatResult> {
    const stack = this.deps.stack();
    if (!stack) {
      stream.markdown('No stack is loaded, so there are no scenarios to start.');
      return { metadata: { command: 'start', failed: true } satisfies SparkResultMetadata };
    }
    const canStart = (await availableCommands()).has(COMMANDS.startScenario);
    const totalBytes = (await readMemInfo()).totalBytes;
    // Buttons only for what the planner says fits: a button for a start the pre-flight refuses only fails again.
    const offer = startOffer(stack.scenarios, totalBytes);
    stream.markdown(`Scenarios in \`scenarios.yaml\` that fit this machine (${gib(totalBytes)}):\n\n`);
    for (const scenario of offer.fitting) {
      stream.markdown(`- **${scenario.title}** (\`${scenario.name}\`): ${[...scenario.models.keys()].map((m) => `\`${m}\``).join(', ')}\n`);
    }
    if (offer.fitting.length === 0) stream.markdown('- none\n');
    if (offer.notFitting.length > 0) {
      stream.markdown(`\nDo not fit ${gib(totalBytes)}:\n\n${offer.notFitting.map((n) => `- \`${n.scenario.name}\`: ${n.reason}`).join('\n')}\n`);
    }
    if (canStart) {
      for (const scenario of offer.fitting) stream.button({ command: COMMANDS.startScenario, title: `Start ${scenario.name}`, arguments: [scenario.name] });
    } else {
      stream.markdown('\nStart one from a terminal: `spark-gateway up <scenario>`.\n');
    }
    return { metadata: { command: 'start' } satisfies SparkResultMetadata };
  }
}
