/**
 * *Spark Gateway: Add Model…*: a Hub repository id → the Hub read under a cancellable progress
 * notification → a Markdown preview of the estimate with its working, the flags and whether it
 * fits alone and beside what runs → confirm → the files written all or none. The tree shows the
 * new row when scenarios.yaml changes (the extension reloads on it). The work is in src/core.
 */
import * as vscode from 'vscode';
import { CancelledError } from '../core/process/cancellation';
import type { DockerClient } from '../core/docker/types';
import { checkRepoId } from '../core/hub/model-files';
import { readMemInfo } from '../core/meminfo';
import { dockerContainerSource } from '../core/memory/docker-source';
import { readMemorySnapshot, systemMemorySources } from '../core/memory/read';
import type { MemoryCheck } from '../core/memory/types';
import { fitsBesideRunning } from '../core/models/beside';
import type { ModelProposal } from '../core/models/propose';
import { proposeModel, writeProposal } from '../core/models/propose';
import { describeProposal } from '../core/models/working';
import { gib } from '../core/planner';
import type { Stack } from '../core/stack/discovery';
import { showErrorWithFix } from './operate/fixes';
import { requireTrust } from './operate/scenarioCommands';
import { stackHubSettings } from '../core/hub/transport';

export interface AddModelDeps {
  readonly stack: () => Stack | undefined;
  readonly docker: DockerClient;
  readonly log: vscode.LogOutputChannel;
  readonly reload: () => Promise<void>;
}

const PREVIEW_SCHEME = 'spark-gateway-model';

/** Registers the command and the read-only documents its previews show. */
export function registerAddModel(context: vscode.ExtensionContext, deps: AddModelDeps): void {
  const previews = new Map<string, string>();
  const changed = new vscode.EventEmitter<vscode.Uri>();
  context.subscriptions.push(
    changed,
    vscode.workspace.registerTextDocumentContentProvider(PREVIEW_SCHEME, { onDidChange: changed.event, provideTextDocumentContent: (uri) => previews.get(uri.toString()) ?? '' }),
    vscode.commands.registerCommand('sparkGateway.addModel', (repo?: unknown) => addModel(deps, previews, typeof repo === 'string' ? repo : undefined)),
  );
}

async function addModel(deps: AddModelDeps, previews: Map<string, string>, given?: string): Promise<void> {
  if (!(await requireTrust('Adding a model'))) return;
  const stack = deps.stack();
  if (!stack) {
    void vscode.window.showErrorMessage('Add Model: no stack is loaded (see the Servers view).');
    return;
  }
  const repo = given ?? (await vscode.window.showInputBox({
    title: 'Add Model from the Hugging Face Hub',
    prompt: 'Repository id (owner/name); its memory is worked out from its own files before anything is written',
    placeHolder: 'Qwen/Qwen3-4B',
    ignoreFocusOut: true,
    validateInput: (value) => {
      try {
        checkRepoId(value.trim());
        return undefined;
      } catch (error) {
        return error instanceof Error ? error.message : String(error);
      }
    },
  }))?.trim();
  if (!repo) return;
  try {
    const settings = await stackHubSettings(stack.root, process.env);
    const totalBytes = (await readMemInfo()).totalBytes;
    const proposal = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Reading ${repo} from ${settings.endpoint}`, cancellable: true },
      (progress, token) => proposeModel(stack, { repo, kvCacheDtype: 'auto', totalBytes }, { settings, cancellation: token, onStep: (step) => progress.report({ message: step }) }),
    );
    const beside = await besideLines(deps, stack, proposal);
    const uri = vscode.Uri.from({ scheme: PREVIEW_SCHEME, path: `/${proposal.spec.name}.md` });
    previews.set(uri.toString(), [...describeProposal(proposal, beside), ''].join('\n'));
    await vscode.commands.executeCommand('markdown.showPreview', uri);
    const confirm = await vscode.window.showQuickPick(
      [
        { label: `$(add) Add ${proposal.spec.name}`, description: `${proposal.files.length} files, scenario ${proposal.scenario.name}`, detail: `needs ${gib(proposal.estimate.need.value)} to start; fraction ${proposal.spec.defaultFraction}; port ${proposal.spec.hostPort}`, add: true },
        { label: 'Cancel', description: 'nothing is written', add: false },
      ],
      { title: `Add ${proposal.repo} to the stack?`, ignoreFocusOut: true },
    );
    if (!confirm?.add) return;
    await writeProposal(stack, proposal);
    deps.log.info(`add-model: ${proposal.repo} → ${proposal.files.join(', ')}`);
    await deps.reload();
    const next = await vscode.window.showInformationMessage(`Added ${proposal.spec.name} (${proposal.files.join(', ')}). Sync env writes its .env; restart LiteLLM to route it.`, 'Sync Env', 'Start Scenario…');
    if (next === 'Sync Env') await vscode.commands.executeCommand('sparkGateway.syncEnv');
    if (next === 'Start Scenario…') await vscode.commands.executeCommand('sparkGateway.startScenario', proposal.scenario.name);
  } catch (error) {
    if (error instanceof CancelledError) return;
    deps.log.error(`add-model ${repo}: ${error instanceof Error ? error.message : String(error)}`);
    await showErrorWithFix(`Add Model: ${error instanceof Error ? error.message : String(error)}.`, error, stack.root);
  }
}

const VERDICT: Readonly<Record<MemoryCheck['verdict'], string>> = { running: 'already runs (it needs nothing new)', fits: 'fits', 'fits-after-dropping-cache': 'fits after dropping the page cache', 'does-not-fit': 'does NOT fit' };

/** The live verdict, in words; a memory source that fails is named instead. */
async function besideLines(deps: AddModelDeps, stack: Stack, proposal: ModelProposal): Promise<string[]> {
  try {
    const snapshot = await readMemorySnapshot(stack.scenarios, systemMemorySources(dockerContainerSource(deps.docker)));
    const check = fitsBesideRunning(stack.scenarios, proposal, snapshot);
    const running = snapshot.models.filter((m) => m.usedBytes > 0).map((m) => `${m.name} (${gib(m.usedBytes)})`);
    return [
      `- **Beside what runs now**: ${VERDICT[check.verdict]} — its budget ${gib(check.neededBytes)} against ${gib(check.availableBytes)} available (${gib(snapshot.reclaimableBytes)} of it page cache)${running.length > 0 ? `; running: ${running.join(', ')}` : '; no model is running'}`,
      ...check.reasons.map((r) => `  - ${r}`),
      ...check.warnings.map((w) => `  - ${w}`),
      ...snapshot.problems.map((p) => `  - (${p})`),
    ];
  } catch (error) {
    return [`- **Beside what runs now**: not known (${error instanceof Error ? error.message : String(error)})`];
  }
}
