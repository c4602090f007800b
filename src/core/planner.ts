/**
 * Will a scenario fit in memory? On a DGX Spark the GPU and CPU share one pool, and vLLM's
 * `--gpu-memory-utilization` is a fraction of *total* memory per instance, so the plan is simple
 * arithmetic that a user should be able to check by hand: every model's budget must hold its
 * weights, runtime overhead and a KV cache for at least one full-length request, and the budgets
 * together must leave the reserve for the OS, Docker and the gateway.
 */
import type { ModelSpec, ScenarioFile, ScenarioSpec } from './scenarios/file';
import { UnknownNameError } from './errors';

export const GIB = 1024 ** 3;

export interface ModelPlan {
  readonly model: string;
  readonly fraction: number;
  /** fraction × total: what vLLM will reserve for this instance. */
  readonly budgetBytes: number;
  readonly weightsBytes: number;
  readonly overheadBytes: number;
  /** KV cache for one request of `maxModelLen` tokens — vLLM refuses to start below this. */
  readonly minKvBytes: number;
  /** budget − weights − overhead: what is left for the KV cache. */
  readonly kvBudgetBytes: number;
  readonly fits: boolean;
  readonly reason?: string;
}

export interface ScenarioPlan {
  readonly scenario: string;
  readonly totalBytes: number;
  readonly reserveBytes: number;
  readonly plannedBytes: number;
  readonly freeAfterBytes: number;
  readonly models: readonly ModelPlan[];
  readonly fits: boolean;
  /** One reason per problem, empty when it fits. */
  readonly reasons: readonly string[];
}

/** Finds a scenario by name or throws {@link UnknownNameError} listing the known ones. */
export function findScenario(file: ScenarioFile, name: string): ScenarioSpec {
  const found = file.scenarios.find((s) => s.name === name);
  if (!found) throw new UnknownNameError('scenario', name, file.scenarios.map((s) => s.name));
  return found;
}

/** Plans one model at a memory fraction of `totalBytes`. Pure. */
export function planModel(model: ModelSpec, fraction: number, totalBytes: number): ModelPlan {
  const budgetBytes = fraction * totalBytes;
  const weightsBytes = model.weightsGiB * GIB;
  const overheadBytes = model.overheadGiB * GIB;
  const minKvBytes = model.kvBytesPerToken * model.maxModelLen;
  const kvBudgetBytes = budgetBytes - weightsBytes - overheadBytes;
  if (kvBudgetBytes >= minKvBytes) {
    return { model: model.name, fraction, budgetBytes, weightsBytes, overheadBytes, minKvBytes, kvBudgetBytes, fits: true };
  }
  const reason = kvBudgetBytes < 0
    ? `${model.name}: budget ${gib(budgetBytes)} (${fraction} × ${gib(totalBytes)}) is below its weights ${gib(weightsBytes)} + overhead ${gib(overheadBytes)}`
    : `${model.name}: KV cache budget ${gib(kvBudgetBytes)} cannot hold one ${model.maxModelLen}-token request (${gib(minKvBytes)})`;
  return { model: model.name, fraction, budgetBytes, weightsBytes, overheadBytes, minKvBytes, kvBudgetBytes, fits: false, reason };
}

/** Plans a whole scenario against `totalBytes` of memory. Pure. */
export function planScenario(file: ScenarioFile, scenario: ScenarioSpec, totalBytes: number): ScenarioPlan {
  const models = [...scenario.models].map(([name, fraction]) => {
    const spec = file.models.find((m) => m.name === name);
    if (!spec) throw new UnknownNameError('model', name, file.models.map((m) => m.name));
    return planModel(spec, fraction, totalBytes);
  });
  const reserveBytes = file.reserveGiB * GIB;
  const plannedBytes = models.reduce((sum, m) => sum + m.budgetBytes, 0);
  const freeAfterBytes = totalBytes - plannedBytes;
  const reasons = models.flatMap((m) => (m.reason ? [m.reason] : []));
  if (freeAfterBytes < reserveBytes) {
    reasons.push(`together the models take ${gib(plannedBytes)} of ${gib(totalBytes)}, leaving ${gib(freeAfterBytes)} — less than the ${gib(reserveBytes)} reserve for the system`);
  }
  return { scenario: scenario.name, totalBytes, reserveBytes, plannedBytes, freeAfterBytes, models, fits: reasons.length === 0, reasons };
}

/** Formats bytes as GiB with one decimal, the unit users see on a Spark. */
export function gib(bytes: number): string {
  return `${(bytes / GIB).toFixed(1)} GiB`;
}
