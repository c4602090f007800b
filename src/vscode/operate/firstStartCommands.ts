/**
 * *Pull Images*, *Download Models* and *Free Disk Space*: the first start's steps on their own,
 * as notifications with one progress bar and Cancel. The work is the core's, shared with the
 * CLI's `pull` and `download`.
 */
import * as vscode from 'vscode';
import { CancelledError } from '../../core/process/cancellation';
import { createImagePuller } from '../../core/docker/pull';
import { pullMissing, startImages } from '../../core/lifecycle/scenario-images';
import type { PhaseProgress } from '../../core/progress/progress';
import { formatBytes } from '../../core/progress/progress';
import { reportFetch } from '../fetchProgress';
import type { ServerNode } from '../serversTree';
import { describeCachedModel, listCachedModels, removeCachedModel } from '../../core/weights/cache-list';
import { downloadDiskCheck, downloadPlans, modelsNamed, planModels, weightsContext } from '../../core/weights/models';
import { showErrorWithFix } from './fixes';
import type { ScenarioDeps } from './scenarioCommands';
import { requireStack, requireTrust } from './scenarioCommands';

/** A notification's bar driven by byte progress: VS Code takes increments, the core gives fractions. */
function barReporter(progress: vscode.Progress<{ message?: string; increment?: number }>): (p: PhaseProgress, detail?: string) => void {
  let shown = 0;
  return (p, detail) => {
    const percent = Math.floor(p.fraction * 100);
    progress.report({ message: `${detail ? `${detail}: ` : ''}${p.text}`, increment: Math.max(0, percent - shown) });
    shown = Math.max(shown, percent);
  };
}

async function pickModelOrScenario(deps: ScenarioDeps, node: unknown): Promise<string | undefined> {
  if (node && typeof node === 'object' && 'row' in node) return (node as Extract<ServerNode, { row: unknown }>).row.name;
  const stack = deps.stack();
  if (!stack) return undefined;
  const items = [
    ...stack.scenarios.scenarios.map((s) => ({ label: s.name, description: `scenario: ${[...s.models.keys()].join(', ')}` })),
    ...stack.scenarios.models.map((m) => ({ label: m.name, description: `model: ${m.hfModel}, about ${m.weightsGiB} GiB` })),
  ];
  return (await vscode.window.showQuickPick(items, { title: 'Download the weights of', placeHolder: 'a scenario or a model' }))?.label;
}

/** *Pull Images*: the missing images of a scenario (picked) or of every model and the gateway. */
export async function pullImagesCommand(deps: ScenarioDeps): Promise<void> {
  if (!(await requireTrust('Pulling images'))) return;
  const stack = requireStack(deps);
  if (!stack) return;
  try {
    const images = await startImages(stack, stack.scenarios.models, 'spark', false);
    const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Pulling images', cancellable: true }, (progress, token) => {
      const bar = barReporter(progress);
      return pullMissing(createImagePuller(), images, { cancellation: token, onProgress: (p, image) => bar(p, image) });
    });
    void vscode.window.showInformationMessage(result.pulled.length > 0 ? `Pulled ${result.pulled.join(', ')}.` : `All ${result.present.length} images are present.`);
  } catch (error) {
    if (error instanceof CancelledError) return void vscode.window.showWarningMessage('Pull cancelled; the image being pulled was not tagged. Pull again to continue.');
    await showErrorWithFix(`Cannot pull: ${error instanceof Error ? error.message : String(error)}`, error, stack.root);
  }
}

/** *Download Models*: the weights of a scenario or a model (the tree row's model) into the shared cache. */
export async function downloadModelsCommand(deps: ScenarioDeps, node?: unknown): Promise<void> {
  const stack = requireStack(deps);
  if (!stack) return;
  const name = await pickModelOrScenario(deps, node);
  if (!name) return;
  try {
    const context = await weightsContext(stack, process.env);
    const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Downloading ${name}`, cancellable: true }, async (progress, token) => {
      progress.report({ message: 'asking the Hub for the files' });
      const plans = await planModels(modelsNamed(stack, name), context, token);
      const disk = await downloadDiskCheck(plans, context);
      if (disk.status === 'fail') throw Object.assign(new Error(disk.detail), { fix: disk.fix });
      const bar = barReporter(progress);
      // The tree's rows of these models show the figure too, as during a start.
      const rows = (repo: string) => stack.scenarios.models.filter((m) => m.hfModel === repo).map((m) => m.name);
      // The title says "Downloading": the message is the figure (`23.4 / 65.0 GB · 112.0 MB/s · 6 min left`).
      return downloadPlans(plans, context, { cancellation: token, onProgress: (p, repo) => { bar({ ...p, text: p.text.replace(/^downloading /, '') }); reportFetch(rows(repo), p); } })
        .finally(() => reportFetch(plans.flatMap((p) => rows(p.repo)), undefined));
    });
    const fetched = result.reduce((n, r) => n + r.fetched.length, 0);
    void vscode.window.showInformationMessage(`${name}: ${fetched} file(s) downloaded into ${context.cacheDir}; ${result.reduce((n, r) => n + r.cached.length, 0)} were there already.`);
  } catch (error) {
    if (error instanceof CancelledError) return void vscode.window.showWarningMessage(`Download of ${name} paused; run Download Models again to continue where it stopped.`);
    await showErrorWithFix(`Cannot download ${name}: ${error instanceof Error ? error.message : String(error)}`, error, stack.root);
  }
}

/** *Free Disk Space*: the cached models, largest first; the picked ones are removed after a modal confirmation. */
export async function freeDiskSpaceCommand(deps: ScenarioDeps): Promise<void> {
  const stack = requireStack(deps);
  if (!stack) return;
  const { cacheDir } = await weightsContext(stack, process.env);
  const cached = await listCachedModels(cacheDir);
  if (cached.length === 0) return void vscode.window.showInformationMessage(`The Hugging Face cache ${cacheDir} holds no models.`);
  const inUse = new Set(stack.scenarios.models.map((m) => m.hfModel));
  const picked = await vscode.window.showQuickPick(
    cached.map((m) => ({ label: m.repo, description: describeCachedModel(m, Date.now(), formatBytes).slice(m.repo.length).trim(), detail: inUse.has(m.repo) ? 'used by this stack: a start downloads it again' : undefined, model: m })),
    { canPickMany: true, title: `Free disk space in ${cacheDir}`, placeHolder: 'Pick the models to remove from the cache' },
  );
  if (!picked || picked.length === 0) return;
  const bytes = picked.reduce((n, p) => n + p.model.sizeBytes, 0);
  const ok = await vscode.window.showWarningMessage(`Remove ${picked.map((p) => p.label).join(', ')} (${formatBytes(bytes)}) from ${cacheDir}?`, { modal: true }, 'Remove');
  if (ok !== 'Remove') return;
  for (const p of picked) await removeCachedModel(cacheDir, p.model.repo);
  void vscode.window.showInformationMessage(`Freed ${formatBytes(bytes)}.`);
}
