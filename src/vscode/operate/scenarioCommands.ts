/**
 * Start and stop a scenario from the command palette: quick picks with the planner's verdict,
 * a cancellable progress notification with a line per model, compose output in its own channel.
 * Containers are started only in a trusted workspace (the stack's compose files run as the user).
 */
import * as vscode from 'vscode';
import { formatCheck } from '../../core/checks';
import { CancelledError } from '../../core/process/cancellation';
import type { Engine } from '../../core/compose/engine';
import type { DockerClient } from '../../core/docker/types';
import type { StartPhase } from '../../core/lifecycle/scenario-start';
import { startScenario } from '../../core/lifecycle/scenario-start';
import { stopScenario } from '../../core/lifecycle/scenario-stop';
import { reportFetch } from '../fetchProgress';
import { readMemInfo } from '../../core/meminfo';
import { gib, planScenario } from '../../core/planner';
import type { Backend } from '../../core/preflight/preflight';
import { PreflightError, onlyGatewayFailed } from '../../core/preflight/preflight';
import type { ComposeVariant } from '../../core/scenarios/file';
import type { Stack } from '../../core/stack/discovery';
import type { ServiceStatus } from '../../core/state/service-state';
import type { FixButton } from './fixes';
import { buttonsForFix, fixRunsCommand, showErrorWithFix } from './fixes';

export interface ScenarioDeps {
  readonly stack: () => Stack | undefined;
  readonly engine: () => Engine;
  readonly docker: DockerClient;
  readonly compose: vscode.OutputChannel;
  readonly log: vscode.LogOutputChannel;
  /** Live service states, when the state model has synced. */
  readonly statuses?: () => readonly ServiceStatus[] | undefined;
}

/** Refuses (with a button to manage trust) when the workspace is not trusted. */
export async function requireTrust(what: string): Promise<boolean> {
  if (vscode.workspace.isTrusted) return true;
  const chosen = await vscode.window.showErrorMessage(`${what} needs a trusted workspace: it runs the stack's docker compose files.`, 'Manage Workspace Trust');
  if (chosen) await vscode.commands.executeCommand('workbench.trust.manage');
  return false;
}

/** The loaded stack, or an error message with the fix. */
export function requireStack(deps: ScenarioDeps): Stack | undefined {
  const stack = deps.stack();
  if (!stack) void vscode.window.showErrorMessage('Spark Gateway has no stack loaded (see the Servers view).');
  return stack;
}

interface Choice<T> extends vscode.QuickPickItem {
  readonly value: T;
}

async function pick<T>(items: readonly Choice<T>[], title: string, placeHolder: string): Promise<T | undefined> {
  return (await vscode.window.showQuickPick(items, { title, placeHolder, matchOnDescription: true, matchOnDetail: true, ignoreFocusOut: true }))?.value;
}

/** Answers a start may be given instead of asking (@spark's "Start the gateway", a refusal's "Models only"). */
export interface StartPreset {
  readonly variant?: ComposeVariant;
  readonly backend?: Backend;
  readonly modelsOnly?: boolean;
}

function presetOf(value: unknown): StartPreset {
  if (typeof value !== 'object' || value === null) return {};
  const v = value as Record<string, unknown>;
  return {
    ...(v.variant === 'spark' || v.variant === 'multi-gpu' ? { variant: v.variant } : {}),
    ...(v.backend === 'vllm' || v.backend === 'simulator' ? { backend: v.backend } : {}),
    ...(typeof v.modelsOnly === 'boolean' ? { modelsOnly: v.modelsOnly } : {}),
  };
}

/**
 * Starts a scenario. `scenarioName` (from @spark's buttons, or another extension) skips the
 * first pick; the variant, backend and scope are asked unless `preset` gives them.
 */
export async function startScenarioCommand(deps: ScenarioDeps, scenarioName?: unknown, presetArg?: unknown): Promise<void> {
  const preset = presetOf(presetArg);
  if (!(await requireTrust('Starting a scenario'))) return;
  const stack = requireStack(deps);
  if (!stack) return;
  const totalBytes = (await readMemInfo()).totalBytes;
  const named = typeof scenarioName === 'string' ? stack.scenarios.scenarios.find((s) => s.name === scenarioName) : undefined;
  const scenario = named ?? await pick(
    stack.scenarios.scenarios.map((s) => {
      const plan = planScenario(stack.scenarios, s, totalBytes);
      return {
        value: s,
        label: s.name,
        description: s.title,
        detail: `${plan.fits ? '$(check) fits' : '$(warning) does not fit'} ${gib(totalBytes)} · plans ${gib(plan.plannedBytes)} · ${plan.models.map((m) => `${m.model} ${m.fraction} (needs ${gib(m.weightsBytes + m.overheadBytes + m.minKvBytes)})`).join(', ')}`,
      };
    }),
    'Start scenario (1/4)',
    'Which models to run together',
  );
  if (!scenario) return;
  const variants: ComposeVariant[] = scenario.variant === 'spark' ? ['spark', 'multi-gpu'] : ['multi-gpu', 'spark'];
  const variant = preset.variant ?? await pick(
    variants.map((v) => ({ value: v, label: v, description: v === 'spark' ? 'docker-compose.yml — DGX Spark, unified memory' : 'docker-compose-gpu.yml — explicit GPU assignment', detail: v === scenario.variant ? "the scenario's default" : undefined })),
    'Start scenario (2/4)',
    'Compose variant',
  );
  if (!variant) return;
  const backend = preset.backend ?? await pick<Backend>(
    [
      { value: 'vllm', label: 'vllm', description: 'the real vLLM images (downloads the models; needs HF_TOKEN)' },
      { value: 'simulator', label: 'simulator', description: 'the vLLM simulator under the vLLM tags (no GPU; simulator/build-image.sh)' },
    ],
    'Start scenario (3/4)',
    'Backend',
  );
  if (!backend) return;
  const modelsOnly = preset.modelsOnly ?? await pick(
    [
      { value: false, label: 'Models and gateway', description: 'models, LiteLLM, NGINX, then an end-to-end check over HTTPS' },
      { value: true, label: 'Models only', description: 'the model servers, no gateway' },
    ],
    'Start scenario (4/4)',
    'What to start',
  );
  if (modelsOnly === undefined) return;

  deps.compose.show(true);
  deps.compose.appendLine(`── start ${scenario.name} (${variant}, ${backend}${modelsOnly ? ', models only' : ''}) ──`);
  try {
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Starting ${scenario.name}`, cancellable: true },
      (progress, token) => {
        let shown = 0;
        return startScenario({
          stack,
          scenario: scenario.name,
          variant,
          backend,
          modelsOnly,
          docker: deps.docker,
          engine: deps.engine(),
          cancellation: token,
          sink: (line) => deps.compose.appendLine(line),
          // The checks go to the channel as soon as they ran, before compose's own output.
          onPreflight: (report) => {
            deps.compose.appendLine('Pre-flight:');
            for (const check of report.checks) deps.compose.appendLine(`  ${formatCheck(check)}`);
          },
          onProgress: (p) => {
            if (!p.bytes) deps.log.info(`${scenario.name}: ${p.message}`);
            const fetchingModels = p.phase === 'pull' ? [...scenario.models.keys()] : stack.scenarios.models.filter((m) => m.hfModel === p.model).map((m) => m.name);
            if (p.bytes) reportFetch(fetchingModels, p.bytes);
            else if (p.phase === 'models') reportFetch([...scenario.models.keys()], undefined);
            // One bar across the phases: pull, download, then vLLM's load of the weights.
            const percent = startPercent(p.phase, p.bytes?.fraction ?? loadFraction(p.message));
            // With one model the title names it already: "Starting gpt-oss-20b: loading: shard 2/5", not "…: gpt-oss-20b: loading…".
            const message = scenario.models.size === 1 && p.model && scenario.models.has(p.model) ? p.message.replace(`${p.model}: `, '') : p.message;
            progress.report({ message, increment: Math.max(0, percent - shown) });
            shown = Math.max(shown, percent);
          },
        // The rows stop showing the fetch when the start ends or is cancelled, not once its
        // closing message (which waits for a button) is dismissed.
        }).finally(() => reportFetch([...scenario.models.keys()], undefined));
      },
    );
    const where = result.gatewayUrl ? ` behind ${result.gatewayUrl}` : ' (models only)';
    const open = result.gatewayUrl ? ['Open Admin UI'] : [];
    const chosen = await vscode.window.showInformationMessage(`${scenario.name} is up: ${result.models.join(', ')}${where}.`, ...open);
    if (chosen) await vscode.commands.executeCommand('sparkGateway.openAdminUi');
  } catch (error) {
    if (error instanceof CancelledError) {
      const chosen = await vscode.window.showWarningMessage(`Start of ${scenario.name} cancelled. Containers already started are left as they are (the Servers view shows them).`, 'Stop scenario');
      if (chosen) await vscode.commands.executeCommand('sparkGateway.stopScenario', scenario.name);
      return;
    }
    deps.log.error(error instanceof Error ? error.message : String(error));
    const showOutput = { title: 'Show output', run: async () => deps.compose.show() };
    if (error instanceof PreflightError) {
      // A refusal lists every failed check; a notification holds a line or two: it names them,
      // the details and fixes are in the Compose channel, and the buttons are what can be done now.
      const failed = error.report.checks.filter((c) => c.status === 'fail');
      const names = failed.slice(0, 3).map((c) => c.title).join(', ') + (failed.length > 3 ? ` and ${failed.length - 3} more` : '');
      const buttons: FixButton[] = [];
      if (!modelsOnly && onlyGatewayFailed(error.report.checks)) buttons.push({ title: 'Models only', run: () => startScenarioCommand(deps, scenario.name, { variant, backend, modelsOnly: true }) });
      const firstFix = failed.find((c) => c.fix)?.fix;
      if (firstFix && fixRunsCommand(firstFix, stack.root)) buttons.push(...buttonsForFix(firstFix, stack.root));
      buttons.push(showOutput);
      const what = failed.length === 1 ? '1 pre-flight check failed' : `${failed.length} pre-flight checks failed`;
      const gatewayNote = buttons[0]?.title === 'Models only' ? ' Only the gateway needs them: "Models only" starts the model servers.' : '';
      const chosen = await vscode.window.showErrorMessage(`Cannot start ${scenario.name}: ${what} (${names}). Details and fixes in the Compose output.${gatewayNote}`, ...buttons.map((b) => b.title));
      await buttons.find((b) => b.title === chosen)?.run();
      return;
    }
    await showErrorWithFix(`Cannot start ${scenario.name}: ${shorten(error instanceof Error ? error.message : String(error))}`, error, stack.root, [showOutput]);
  }
}

/** Notifications show a line or two: longer text belongs in the output channel. */
function shorten(text: string, max = 160): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** States in which stopping has something to do. */
const STOPPABLE: ReadonlySet<ServiceStatus['state']> = new Set(['created', 'starting', 'loading', 'running', 'healthy', 'unhealthy', 'restarting', 'paused']);

/**
 * Stops a scenario. The pick starts on what runs (the scenarios holding running models, most
 * first); with nothing running it says so instead of offering stops that do nothing.
 */
export async function stopScenarioCommand(deps: ScenarioDeps, name?: string): Promise<void> {
  if (!(await requireTrust('Stopping a scenario'))) return;
  const stack = requireStack(deps);
  if (!stack) return;
  const statuses = deps.statuses?.();
  const live = statuses?.filter((s) => STOPPABLE.has(s.state)) ?? [];
  if (typeof name !== 'string' && statuses !== undefined && live.length === 0) {
    const leftovers = statuses.filter((s) => s.state === 'exited').map((s) => s.container);
    if (leftovers.length === 0) {
      void vscode.window.showInformationMessage('Nothing of the stack is running: there is nothing to stop.');
      return;
    }
    const chosen = await vscode.window.showInformationMessage(`Nothing of the stack is running. Stopped containers remain: ${leftovers.join(', ')}.`, 'Remove them');
    if (chosen) await runStop(deps, stack, null);
    return;
  }
  const runningModels = new Set(live.filter((s) => s.kind === 'model').map((s) => s.name));
  const gatewayRuns = live.some((s) => s.kind === 'gateway');
  const ranked = stack.scenarios.scenarios
    .map((s) => ({ s, hits: [...s.models.keys()].filter((m) => runningModels.has(m)) }))
    .sort((a, b) => b.hits.length - a.hits.length);
  const scenarioItems = ranked.map(({ s, hits }) => ({
    value: s.name as string | null,
    label: s.name,
    description: hits.length > 0 ? `$(play) runs now: ${hits.join(', ')}` : s.title,
    detail: `stops ${[...s.models.keys()].join(', ')}${gatewayRuns ? ', and the gateway when no other model runs' : ''}`,
  }));
  const everything = { value: null, label: 'Everything', description: live.length > 0 ? `$(play) runs now: ${live.map((s) => s.name).join(', ')}` : 'every model and the gateway' };
  const running = scenarioItems.filter((_, i) => (ranked[i]?.hits.length ?? 0) > 0);
  const idle = scenarioItems.filter((_, i) => (ranked[i]?.hits.length ?? 0) === 0);
  // What runs comes first, so Enter stops it; with only the gateway running, "Everything" is first.
  const items = [...running, everything, ...idle];
  const scenario = typeof name === 'string' ? name : await pick<string | null>(items, 'Stop scenario', 'What to stop (what runs now is first)');
  if (scenario === undefined) return;
  await runStop(deps, stack, scenario);
}

async function runStop(deps: ScenarioDeps, stack: Stack, scenario: string | null): Promise<void> {
  deps.compose.appendLine(`── stop ${scenario ?? 'everything'} ──`);
  try {
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Stopping ${scenario ?? 'everything'}`, cancellable: true },
      (progress, token) =>
        stopScenario({ stack, scenario: scenario ?? undefined, engine: deps.engine(), cancellation: token, sink: (line) => deps.compose.appendLine(line), onProgress: (message) => progress.report({ message }) }),
    );
    const kept = result.gatewayKept ? ` The gateway keeps serving ${result.keptRunning.join(', ')}.` : '';
    void vscode.window.showInformationMessage(result.stopped.length > 0 ? `Stopped ${result.stopped.join(', ')}.${kept}` : `Nothing of ${scenario ?? 'the stack'} was running.`);
  } catch (error) {
    if (error instanceof CancelledError) return;
    await showErrorWithFix(`Cannot stop ${scenario ?? 'the stack'}: ${error instanceof Error ? error.message : String(error)}`, error, stack.root, [{ title: 'Show output', run: async () => deps.compose.show() }]);
  }
}

/** Where a start is on its one bar, in percent: each phase owns a stretch of it. */
const STRETCHES: Partial<Record<StartPhase, readonly [number, number]>> = {
  preflight: [0, 2], network: [2, 3], pull: [3, 30], download: [30, 60], models: [60, 62], health: [62, 92], gateway: [92, 96], nginx: [96, 98], check: [98, 100],
};

function startPercent(phase: StartPhase, fraction: number | undefined): number {
  const [from, to] = STRETCHES[phase] ?? [0, 0];
  return Math.floor(from + (to - from) * Math.min(1, Math.max(0, fraction ?? 0)));
}

/** `gpt-oss-20b: loading: shard 2/3 (46%)` → 0.46 (the health wait's message). */
function loadFraction(message: string): number | undefined {
  const match = /\((\d+)%\)$/.exec(message);
  return match ? Number(match[1]) / 100 : /healthy$/.test(message) ? 1 : undefined;
}
