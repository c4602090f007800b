/**
 * `sparkGateway.adoptStack`: a guide-style folder turned into a stack. Every change is shown in
 * VS Code's diff editor (the file as it is against the proposed content, served read-only by a
 * content provider) before anything is written; Apply writes them with backups, Cancel nothing.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { AdoptPlan } from '../core/adopt/plan';
import type { PlannedChange } from '../core/adopt/types';
import { SparkError } from '../core/errors';

const SCHEME = 'spark-gateway-adopt';

/** Serves the proposed content of each change (and an empty file for created ones), read-only. */
class ProposedContent implements vscode.TextDocumentContentProvider {
  private readonly texts = new Map<string, string>();
  set(key: string, text: string): vscode.Uri {
    this.texts.set(key, text);
    return vscode.Uri.from({ scheme: SCHEME, path: `/${key}` });
  }
  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.path.slice(1)) ?? '';
  }
}

export interface AdoptDeps {
  readonly extensionPath: string;
  readonly output: vscode.LogOutputChannel;
  /** The folder to adopt when the command is run without one (the window's guide folder). */
  readonly candidate: () => string | undefined;
  readonly reload: () => Promise<void>;
}

/** Registers the command and its content provider. */
export function registerAdoptStack(context: vscode.ExtensionContext, deps: AdoptDeps): void {
  const content = new ProposedContent();
  context.subscriptions.push(
    vscode.workspace.registerTextDocumentContentProvider(SCHEME, content),
    vscode.commands.registerCommand('sparkGateway.adoptStack', (folder?: vscode.Uri) => adopt(content, deps, folder?.fsPath)),
  );
}

async function pickFolder(): Promise<string | undefined> {
  const picked = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, canSelectMany: false, openLabel: 'Adopt this folder', title: "Spark Gateway: a folder laid out as the guide's llms/vllm/" });
  return picked?.[0]?.fsPath;
}

function describeChange(change: PlannedChange): string {
  return change.action === 'rename' ? `rename ${change.from} → ${change.file}` : change.action === 'create' ? `create ${change.file}` : `modify ${change.file}`;
}

async function showDiff(content: ProposedContent, plan: AdoptPlan, change: PlannedChange, index: number): Promise<void> {
  const left = change.action === 'create' ? content.set(`${index}/empty/${change.file}`, '') : vscode.Uri.file(path.join(plan.stack, change.from));
  const right = content.set(`${index}/proposed/${change.file}`, change.after);
  await vscode.commands.executeCommand('vscode.diff', left, right, `${change.file}: now ↔ after adopting`, { preview: false });
}

async function adopt(content: ProposedContent, deps: AdoptDeps, given?: string): Promise<void> {
  const root = given ?? deps.candidate() ?? (await pickFolder());
  if (!root) return;
  // The adopt core (and yaml's Document API) load on first use, not at activation.
  const [{ planAdoption }, { applyAdoption }] = await Promise.all([import('../core/adopt/plan'), import('../core/adopt/apply')]);
  let plan: AdoptPlan;
  try {
    plan = planAdoption(root, path.join(deps.extensionPath, 'stack'));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    void vscode.window.showErrorMessage(`Cannot adopt ${root}: ${message}${error instanceof SparkError && error.fix ? ` — ${error.fix}` : ''}`);
    return;
  }
  deps.output.info(`adopt ${plan.stack}: ${plan.problems.length} problems, ${plan.changes.length} changes`);
  for (const p of plan.problems) deps.output.info(`  ${p.file}:${p.line}: ${p.message} — fix: ${p.fix}`);
  if (plan.changes.length === 0) {
    void vscode.window.showInformationMessage(`${plan.stack} is adopted already: nothing to do.`);
    return;
  }
  const first = plan.changes[0];
  if (first) await showDiff(content, plan, first, 0);
  type Item = vscode.QuickPickItem & { run: 'apply' | 'cancel' | number };
  const items: Item[] = [
    { label: `$(check) Apply all ${plan.changes.length} changes`, detail: 'Each changed file is copied to backup-<time>/ beside it first; running containers are not touched.', run: 'apply' },
    { label: '$(close) Cancel', detail: 'Write nothing.', run: 'cancel' },
    { label: 'Changes (select one to see its diff)', kind: vscode.QuickPickItemKind.Separator, run: 'cancel' },
    ...plan.changes.map((change, i): Item => {
      const problems = plan.problems.filter((p) => p.file === change.from || p.file === change.file);
      return { label: `$(diff) ${describeChange(change)}`, detail: problems.map((p) => `line ${p.line}: ${p.message}`).join(' · ') || undefined, run: i };
    }),
  ];
  for (;;) {
    const choice = await vscode.window.showQuickPick(items, { title: `Adopt ${plan.stack}: ${plan.problems.length} problems found`, placeHolder: 'Apply the changes, or select one to see its diff', ignoreFocusOut: true });
    if (!choice || choice.run === 'cancel') {
      deps.output.info('adopt cancelled: nothing was written');
      return;
    }
    if (choice.run === 'apply') break;
    const change = plan.changes[choice.run];
    if (change) await showDiff(content, plan, change, choice.run);
  }
  let applied: Awaited<ReturnType<typeof applyAdoption>>;
  try {
    applied = await applyAdoption(plan);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    void vscode.window.showErrorMessage(`Adopting ${plan.stack} failed: ${message}${error instanceof SparkError && error.fix ? ` — ${error.fix}` : ''}`);
    return;
  }
  for (const a of applied) deps.output.info(`  ${a.action} ${a.file}${a.backup ? ` (backup ${a.backup})` : ''}`);
  // Close the previews (only ours): they showed proposals that are now the files.
  const previews = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputTextDiff && t.input.modified.scheme === SCHEME);
  await vscode.window.tabGroups.close(previews);
  await deps.reload();
  const next = await vscode.window.showInformationMessage(`Adopted ${plan.stack}: ${applied.length} files written, the old ones kept in backup-… folders beside them.`, 'Sync Env', 'Show scenarios.yaml');
  if (next === 'Sync Env') await vscode.commands.executeCommand('sparkGateway.syncEnv');
  else if (next === 'Show scenarios.yaml') await vscode.window.showTextDocument(vscode.Uri.file(path.join(plan.stack, 'scenarios.yaml')));
}
