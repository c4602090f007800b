/**
 * Wires the chat features into the extension: the gateway session, `@spark`, the model picker's
 * provider, *Ask @spark* and the set-key command. The composition root calls {@link registerChat} once.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Stack } from '../../core/stack/discovery';
import type { HostState } from '../../core/state/hosts-state';
import type { ServiceStatus } from '../../core/state/service-state';
import { COMMANDS } from './explain';
import { GatewaySession, setGatewayKey } from './gatewaySession';
import { GatewayModelProvider, VENDOR } from './modelProvider';
import { PARTICIPANT_ID, SparkParticipant } from './participant';

export interface ChatDeps {
  readonly stack: () => Stack | undefined;
  readonly log: vscode.LogOutputChannel;
  /** Live service states, when the state model runs. */
  readonly statuses?: () => readonly ServiceStatus[] | undefined;
  /** Every host's connection and machine, for `/status`. */
  readonly hosts?: () => readonly HostState[];
  /** Fires when services change (a model server came or went): the picker re-reads its models. */
  readonly onServicesChanged?: vscode.Event<void>;
}

/** Without a services event, how often the picker re-checks which models answer. */
const RECHECK_MS = 120_000;

/**
 * *Ask @spark*: opens the chat with `@spark ` typed and a Spark model selected. A participant runs
 * only when the chat input has a model selected, and a fresh profile selects "Auto" (a Copilot
 * choice that never resolves without a sign-in), so opening with an explicit model selector is
 * what makes the first message work (test/e2e/README.md, "Chat in this host").
 */
async function askSpark(provider: GatewayModelProvider): Promise<void> {
  const id = await provider.preferredModel();
  await vscode.commands.executeCommand('workbench.action.chat.open', {
    query: '@spark ',
    isPartialQuery: true,
    ...(id ? { modelSelector: { vendor: VENDOR, id } } : {}),
  });
}

/** Registers `@spark`, the `spark-gateway` model provider, *Ask @spark* and `sparkGateway.setGatewayKey`. */
export function registerChat(context: vscode.ExtensionContext, deps: ChatDeps): { session: GatewaySession; provider: GatewayModelProvider } {
  const session = new GatewaySession(context.secrets, deps.stack);
  const provider = new GatewayModelProvider({ session, log: deps.log, stack: deps.stack, statuses: deps.statuses ?? (() => undefined) });
  const participant = new SparkParticipant({ session, stack: deps.stack, memento: context.workspaceState, ...(deps.statuses ? { statuses: deps.statuses } : {}), ...(deps.hosts ? { hosts: deps.hosts } : {}) });
  const chat = vscode.chat.createChatParticipant(PARTICIPANT_ID, participant.handle);
  chat.iconPath = vscode.Uri.file(path.join(context.extensionPath, 'media', 'spark.svg'));
  chat.followupProvider = participant.followups;

  context.subscriptions.push(
    session,
    provider,
    chat,
    vscode.lm.registerLanguageModelChatProvider(VENDOR, provider),
    vscode.commands.registerCommand(COMMANDS.setGatewayKey, () => setGatewayKey(context.secrets)),
    vscode.commands.registerCommand(COMMANDS.askSpark, () => askSpark(provider)),
  );
  if (deps.onServicesChanged) {
    context.subscriptions.push(deps.onServicesChanged(() => session.refreshModels()));
  } else {
    const timer = setInterval(() => session.refreshModels(), RECHECK_MS);
    context.subscriptions.push({ dispose: () => clearInterval(timer) });
  }
  return { session, provider };
}
