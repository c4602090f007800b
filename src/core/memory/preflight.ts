/**
 * "Will this scenario fit now?" — the planner's arithmetic against total memory, plus the live
 * question: do the budgets of the models this start would add fit in what is available right
 * now? Both the memory view's scenario picture and the start pre-flight call
 * {@link checkScenarioMemory}, so what the user sees and what the start refuses never disagree.
 */
import { findScenario, gib, planScenario } from '../planner';
import type { CheckResult } from '../checks';
import type { ScenarioFile, ScenarioSpec } from '../scenarios/file';
import type { MemorySources } from './read';
import { readMemorySnapshot } from './read';
import { HOLDING_MEMORY } from './snapshot';
import type { MemoryCheck, MemorySnapshot, MemoryVerdict, ModelNeed } from './types';

export type { MemoryCheck, MemoryVerdict } from './types';

export interface CheckOptions {
  /** Models the caller stops before starting the scenario: their memory counts as available. */
  readonly stopping?: readonly string[];
}

export const DROP_CACHES = 'sync; echo 3 | sudo tee /proc/sys/vm/drop_caches';

/** Checks `scenario` against the plan and the live memory in `snapshot`. Pure. */
export function checkScenarioMemory(file: ScenarioFile, scenario: ScenarioSpec, snapshot: MemorySnapshot, options: CheckOptions = {}): MemoryCheck {
  const plan = planScenario(file, scenario, snapshot.totalBytes);
  const stopping = new Set(options.stopping ?? []);
  const live = new Map(snapshot.models.filter((m) => HOLDING_MEMORY.has(m.state)).map((m) => [m.name, m]));

  let releasedBytes = 0;
  for (const name of stopping) releasedBytes += live.get(name)?.usedBytes ?? 0;
  const models = plan.models.map((m): ModelNeed => {
    const running = live.get(m.model);
    const alreadyRunning = running !== undefined && !stopping.has(m.model) && Math.abs(running.fraction - m.fraction) < 1e-6;
    // A model running at another fraction is restarted with the scenario's: it gives back what it holds.
    if (running && !alreadyRunning && !stopping.has(m.model)) releasedBytes += running.usedBytes;
    return {
      name: m.model,
      fraction: m.fraction,
      budgetBytes: m.budgetBytes,
      minimumBytes: m.weightsBytes + m.overheadBytes + m.minKvBytes,
      weightsBytes: m.weightsBytes,
      alreadyRunning,
    };
  });

  const neededBytes = models.filter((m) => !m.alreadyRunning).reduce((sum, m) => sum + m.budgetBytes, 0);
  const availableBytes = snapshot.availableBytes + releasedBytes;
  // Free without the page cache: the pool bar's "free", plus what restarted models give back, so
  // the scenario picture and the pool bar beside it show the same split.
  const freeBytes = Math.min(availableBytes, snapshot.parts.freeBytes + releasedBytes);
  if (models.length > 0 && models.every((m) => m.alreadyRunning)) {
    // It runs: "does not fit" beside running models would contradict what the user sees. What the
    // plan says still matters on this machine (a restart, or real weights where the simulator runs).
    const notes = plan.reasons.length > 0
      ? [`it runs now, but on this machine (${gib(plan.totalBytes)}) its plan does not fit: ${plan.reasons.join('; ')} — a restart with real weights would fail here`]
      : [];
    return { scenario: scenario.name, title: scenario.title, verdict: 'running', fits: true, plan: { totalBytes: plan.totalBytes, reserveBytes: plan.reserveBytes, plannedBytes: plan.plannedBytes, freeAfterBytes: plan.freeAfterBytes }, models, neededBytes: 0, availableBytes, freeBytes, reasons: [], warnings: notes };
  }
  const reasons = [...plan.reasons];
  if (neededBytes > availableBytes) {
    const holders = [...live.values()].filter((m) => !scenario.models.has(m.name) && !stopping.has(m.name)).map((m) => `${m.name} (${gib(m.usedBytes)})`);
    reasons.push(
      `the models to start need ${gib(neededBytes)} but only ${gib(availableBytes)} is available now` +
        (holders.length > 0 ? `; running outside this scenario: ${holders.join(', ')} — stop them first` : ''),
    );
  }
  const warnings: string[] = [];
  if (reasons.length === 0 && neededBytes > freeBytes) {
    warnings.push(`${gib(neededBytes - freeBytes)} of it is page cache, which vLLM counts as used at start-up: drop it first (${DROP_CACHES})`);
  }
  const verdict: MemoryVerdict = reasons.length > 0 ? 'does-not-fit' : warnings.length > 0 ? 'fits-after-dropping-cache' : 'fits';
  return { scenario: scenario.name, title: scenario.title, verdict, fits: verdict !== 'does-not-fit', plan: { totalBytes: plan.totalBytes, reserveBytes: plan.reserveBytes, plannedBytes: plan.plannedBytes, freeAfterBytes: plan.freeAfterBytes }, models, neededBytes, availableBytes, freeBytes, reasons, warnings };
}

/**
 * The start pre-flight's memory check: reads the live memory now and checks the named scenario
 * (throws `UnknownNameError` for an unknown one). A refusal's text is `reasons.join('; ')`.
 */
export async function preflightMemory(file: ScenarioFile, scenarioName: string, sources: MemorySources, options: CheckOptions = {}): Promise<MemoryCheck> {
  const scenario = findScenario(file, scenarioName);
  return checkScenarioMemory(file, scenario, await readMemorySnapshot(file, sources), options);
}

/**
 * The check as a pre-flight / doctor row (`CheckResult`, id `memory`): `fail` when it does not
 * fit, `warn` when the page cache must be dropped first. With the simulator backend nothing is
 * loaded, so a misfit is a `warn` and the start goes on.
 */
export function memoryCheckResult(check: MemoryCheck, options: { simulator?: boolean } = {}): CheckResult {
  const title = 'Memory';
  if (check.verdict === 'running') return { id: 'memory', title, status: 'ok', detail: `${check.scenario} runs already: starting it needs no more memory${check.warnings.length > 0 ? ` (${check.warnings.join('; ')})` : ''}` };
  const sizes = `needs ${gib(check.neededBytes)} more, ${gib(check.availableBytes)} available (${gib(check.freeBytes)} without page cache); budgets ${gib(check.plan.plannedBytes)} of ${gib(check.plan.totalBytes)}`;
  if (check.verdict === 'fits') return { id: 'memory', title, status: 'ok', detail: `${check.scenario} fits: ${sizes}` };
  if (check.verdict === 'fits-after-dropping-cache') {
    return { id: 'memory', title, status: 'warn', detail: `${check.scenario} fits once the page cache is dropped: ${check.warnings.join('; ')}`, fix: `Run \`${DROP_CACHES}\`` };
  }
  const detail = `${check.scenario} does not fit: ${check.reasons.join('; ')}`;
  if (options.simulator) return { id: 'memory', title, status: 'warn', detail: `${detail}; the simulator loads no weights, so it starts anyway` };
  return { id: 'memory', title, status: 'fail', detail, fix: 'Stop other models or choose a smaller scenario (the Memory view and `spark-gateway plan <scenario>` show the arithmetic)' };
}
