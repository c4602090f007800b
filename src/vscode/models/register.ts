/**
 * *Remove Model* (the Servers tree row's context menu) and *New Scenario…*: thin adapters over
 * src/core/stack-edit, which does the work all files or none and is shared with the CLI.
 * After a write the stack is reloaded, so the tree and the Memory view's scenario picker show
 * the change at once (even for a stack outside the workspace, where no file watcher sees it).
 */
import * as vscode from 'vscode';
import { readMemInfo } from '../../core/meminfo';
import { gib } from '../../core/planner';
import type { ScenarioFit } from '../../core/scenario-fit';
import { autoFractions } from '../../core/scenario-fit';
import type { Stack } from '../../core/stack/discovery';
import { addScenarioToStack } from '../../core/stack-edit/add-scenario';
import { removeModelFromStack } from '../../core/stack-edit/remove-model';
import { showErrorWithFix } from '../operate/fixes';
import { requireTrust } from '../operate/scenarioCommands';
import type { ServerNode } from '../serversTree';

export interface ModelCommandDeps {
  readonly stack: () => Stack | undefined;
  readonly reload: () => Promise<void>;
  readonly log: vscode.LogOutputChannel;
}

/** Registers the model and scenario editing commands. */
export function registerModelCommands(context: vscode.ExtensionContext, deps: ModelCommandDeps): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('sparkGateway.removeModel', (node?: ServerNode) => removeModelCommand(deps, node)),
    vscode.commands.registerCommand('sparkGateway.newScenario', () => newScenarioCommand(deps)),
  );
}

function loadedStack(deps: ModelCommandDeps): Stack | undefined {
  const stack = deps.stack();
  if (!stack) void vscode.window.showErrorMessage('Spark Gateway has no stack loaded (see the Servers view).');
  return stack;
}

async function removeModelCommand(deps: ModelCommandDeps, node?: ServerNode): Promise<void> {
  if (!(await requireTrust('Removing a model'))) return;
  const stack = loadedStack(deps);
  if (!stack) return;
  const fromRow = node && 'row' in node && node.row.kind === 'model' ? node.row.name : undefined;
  const name = fromRow ?? (await vscode.window.showQuickPick(stack.scenarios.models.map((m) => ({ label: m.name, description: m.hfModel })), { title: 'Remove Model', placeHolder: 'Which model to remove from the stack' }))?.label;
  if (!name) return;
  const model = stack.scenarios.models.find((m) => m.name === name);
  if (!model) return;
  const choice = await vscode.window.showWarningMessage(
    `Remove ${name} from the stack?`,
    {
      modal: true,
      detail: `Its folder ${model.folder}/, its scenarios.yaml entry with its one-model scenario and its LiteLLM entry are removed (all or none). Its downloaded weights are kept unless you remove them too.`,
    },
    'Remove',
    'Remove with Weights',
  );
  if (!choice) return;
  const purge = choice === 'Remove with Weights';
  try {
    const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Removing ${name}…` }, () => removeModelFromStack(stack.root, name, { purge }));
    deps.log.info(`remove-model ${name}: ${result.changes.map((c) => `${c.kind} ${c.kind === 'mkdir' ? c.dir : c.file}`).join(', ')}${result.removedVolumes.length ? `; removed ${result.removedVolumes.join(', ')}` : ''}`);
    await deps.reload();
    const kept = result.keptVolumes.length > 0 ? ` Its weights stay in ${result.keptVolumes.join(', ')}.` : '';
    void vscode.window.showInformationMessage(`Removed ${name}.${kept} Restart LiteLLM to drop it from the gateway.`);
  } catch (error) {
    const stop = /is (running|restarting|paused)/.test(error instanceof Error ? error.message : '')
      ? [{ title: 'Stop Scenario…', run: () => vscode.commands.executeCommand('sparkGateway.stopScenario', name) }]
      : [];
    await showErrorWithFix(`Cannot remove ${name}: ${error instanceof Error ? error.message : String(error)}`, error, stack.root, stop);
  }
}

/** One line per model: its fraction, budget and what it needs at least. */
function fitLines(fit: ScenarioFit): string[] {
  return fit.plan.models.map((m) => `${m.model}: ${m.fraction} × ${gib(fit.plan.totalBytes)} = ${gib(m.budgetBytes)} (needs ≥ ${gib(m.weightsBytes + m.overheadBytes + m.minKvBytes)})`);
}

async function newScenarioCommand(deps: ModelCommandDeps): Promise<void> {
  if (!(await requireTrust('Adding a scenario'))) return;
  const stack = loadedStack(deps);
  if (!stack) return;
  const picked = await vscode.window.showQuickPick(
    stack.scenarios.models.map((m) => ({ label: m.name, description: m.hfModel, detail: `needs ≥ ${gib((m.weightsGiB + m.overheadGiB) * 1024 ** 3 + m.kvBytesPerToken * m.maxModelLen)} (weights, overhead, one ${m.maxModelLen}-token request)` })),
    { title: 'New Scenario (1/3)', placeHolder: 'Which models run together', canPickMany: true, ignoreFocusOut: true },
  );
  if (!picked || picked.length === 0) return;
  const models = picked.map((p) => p.label);
  const taken = new Set(stack.scenarios.scenarios.map((s) => s.name));
  const name = await vscode.window.showInputBox({
    title: 'New Scenario (2/3)',
    prompt: 'Scenario name (what `spark-gateway up <name>` takes)',
    value: models.join('-').slice(0, 63),
    ignoreFocusOut: true,
    validateInput: (value) => (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(value) ? 'Lower-case letters, digits and hyphens' : taken.has(value) ? `The stack already has a scenario "${value}"` : undefined),
  });
  if (!name) return;
  try {
    const totalBytes = (await readMemInfo()).totalBytes;
    const fit = autoFractions(stack.scenarios, models, totalBytes);
    if (!fit.fits) {
      void vscode.window.showWarningMessage(`${name} does not fit in ${gib(totalBytes)}, so it was not saved.`, { modal: true, detail: [...fitLines(fit), '', ...fit.reasons.map((r) => `✗ ${r}`)].join('\n') });
      return;
    }
    const save = await vscode.window.showInformationMessage(
      `New Scenario (3/3): ${name} fits in ${gib(totalBytes)}.`,
      { modal: true, detail: [...fitLines(fit), `Together ${gib(fit.plan.plannedBytes)}; ${gib(fit.plan.freeAfterBytes)} left (reserve ${gib(fit.plan.reserveBytes)}).`].join('\n') },
      'Save',
    );
    if (save !== 'Save') return;
    const result = await addScenarioToStack(stack.root, { name, models, fractions: fit.fractions, totalBytes });
    if (!result.written) throw new Error(result.reasons.join('; '));
    deps.log.info(`new scenario ${name}: ${[...result.fractions].map(([m, f]) => `${m} ${f}`).join(', ')}`);
    await deps.reload();
    const start = await vscode.window.showInformationMessage(`Saved scenario ${name} to scenarios.yaml.`, 'Start Scenario…');
    if (start) await vscode.commands.executeCommand('sparkGateway.startScenario', name);
  } catch (error) {
    await showErrorWithFix(`Cannot add scenario ${name}: ${error instanceof Error ? error.message : String(error)}`, error, stack.root);
  }
}
