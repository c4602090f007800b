/**
 * Memory fractions for a new scenario: the least each model needs (its weights, overhead and KV
 * cache for the context asked for) rounded up to a hundredth, then what the reserve leaves
 * shared out in proportion — or the planner's refusal with its reasons when even the least
 * does not fit. The verdict is always the planner's own (`planScenario`), never a second opinion.
 */
import type { ScenarioPlan } from './planner';
import { planScenario } from './planner';
import type { ModelSpec, ScenarioFile, ScenarioSpec } from './scenarios/file';
import { SparkError, UnknownNameError } from './errors';
import { gib } from './planner';

export interface ScenarioFit {
  readonly fractions: ReadonlyMap<string, number>;
  readonly plan: ScenarioPlan;
  /** True when the planner says the fractions fit and every model has room for the context. */
  readonly fits: boolean;
  /** The planner's reasons plus any model without room for `contextTokens`. */
  readonly reasons: readonly string[];
}

/** The models named, in order, or {@link UnknownNameError}; a model named twice is refused. */
export function scenarioModels(file: ScenarioFile, names: readonly string[]): ModelSpec[] {
  if (names.length === 0) throw new SparkError('a scenario needs at least one model');
  return names.map((name, i) => {
    if (names.indexOf(name) !== i) throw new SparkError(`model "${name}" is named twice`);
    const model = file.models.find((m) => m.name === name);
    if (!model) throw new UnknownNameError('model', name, file.models.map((m) => m.name));
    return model;
  });
}

/** KV-cache tokens a model's budget must hold: `contextTokens`, but never less than one full request. */
function kvTokens(model: ModelSpec, contextTokens: number | undefined): number {
  return Math.max(model.maxModelLen, contextTokens ?? 0);
}

/** Bytes a model needs at least: weights + overhead + KV for its tokens. */
function leastBytes(model: ModelSpec, contextTokens: number | undefined): number {
  return model.weightsGiB * 1024 ** 3 + model.overheadGiB * 1024 ** 3 + model.kvBytesPerToken * kvTokens(model, contextTokens);
}

/**
 * Fractions computed so the models fit with the reserve. Pure.
 * Usage: `const fit = autoFractions(stack.scenarios, ['gpt-oss-20b', 'qwen-30b'], 128 * GIB)`;
 * `fit.fits ? fit.fractions : fit.reasons`.
 */
export function autoFractions(file: ScenarioFile, names: readonly string[], totalBytes: number, contextTokens?: number): ScenarioFit {
  const models = scenarioModels(file, names);
  // Hundredths, as people write fractions; rounding the least up keeps every budget ≥ its need.
  const least = models.map((m) => Math.ceil((leastBytes(m, contextTokens) / totalBytes) * 100 - 1e-9));
  const usable = Math.floor(((totalBytes - file.reserveGiB * 1024 ** 3) / totalBytes) * 100 + 1e-9);
  const spare = usable - least.reduce((a, b) => a + b, 0);
  const weight = least.reduce((a, b) => a + b, 0);
  const hundredths = spare > 0 ? least.map((l) => l + Math.floor((spare * l) / weight)) : least;
  return fractionsFit(file, new Map(models.map((m, i) => [m.name, Math.min(100, hundredths[i] ?? 0) / 100])), totalBytes, contextTokens);
}

/**
 * Plans given fractions (model → fraction) as a scenario and adds a reason for each model whose
 * KV budget cannot hold `contextTokens`. Pure.
 */
export function fractionsFit(file: ScenarioFile, fractions: ReadonlyMap<string, number>, totalBytes: number, contextTokens?: number): ScenarioFit {
  const models = scenarioModels(file, [...fractions.keys()]);
  const scenario: ScenarioSpec = { name: 'new', title: 'new', variant: 'spark', models: fractions };
  const plan = planScenario(file, scenario, totalBytes);
  const reasons = [...plan.reasons];
  if (contextTokens !== undefined) {
    for (const m of plan.models) {
      const model = models.find((x) => x.name === m.model) as ModelSpec;
      const want = model.kvBytesPerToken * kvTokens(model, contextTokens);
      if (m.fits && m.kvBudgetBytes < want) reasons.push(`${m.model}: KV cache budget ${gib(m.kvBudgetBytes)} cannot hold ${kvTokens(model, contextTokens)} tokens (${gib(want)})`);
    }
  }
  return { fractions, plan, fits: reasons.length === 0, reasons };
}

/** Parses `--fractions m=f,m2=f2` (every model of the scenario, each in (0, 1]). */
export function parseFractions(text: string, names: readonly string[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [name, value, extra] = part.split('=');
    const fraction = Number(value);
    if (!name || value === undefined || extra !== undefined || !Number.isFinite(fraction) || fraction <= 0 || fraction > 1) {
      throw new SparkError(`--fractions: "${part}" is not model=fraction with a fraction in (0, 1]`, 'Write e.g. --fractions gpt-oss-20b=0.25,qwen-30b=0.45, or --fractions auto');
    }
    if (!names.includes(name)) throw new SparkError(`--fractions names "${name}", which is not one of the scenario's models (${names.join(', ')})`);
    out.set(name, fraction);
  }
  const missing = names.filter((n) => !out.has(n));
  if (missing.length > 0) throw new SparkError(`--fractions gives no fraction for ${missing.join(', ')}`, 'Give every model a fraction, or use --fractions auto');
  // The scenario lists its models in the order the user named them.
  return new Map(names.map((n) => [n, out.get(n) as number]));
}
