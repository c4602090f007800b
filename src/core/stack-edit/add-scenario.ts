/**
 * `add-scenario` / *New Scenario…*: a scenario of existing models whose memory fractions are
 * computed to fit (or given by the user and checked), written to scenarios.yaml only when the
 * planner says it fits.
 */
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { SparkError } from '../errors';
import type { ScenarioFit } from '../scenario-fit';
import { autoFractions, fractionsFit } from '../scenario-fit';
import { SCENARIOS_FILE, loadStack, requireWritableStack } from '../stack/discovery';
import type { StackFs } from '../files';
import { applyStackChanges } from '../files';
import { addScenario } from './yaml-edits';

export interface NewScenario {
  readonly name: string;
  readonly models: readonly string[];
  /** `auto` (computed to fit with the reserve) or the user's model → fraction. */
  readonly fractions: 'auto' | ReadonlyMap<string, number>;
  /** The memory the plan is for (this machine's total, or `--total-gib`). */
  readonly totalBytes: number;
  /** KV-cache tokens each model must have room for (default: one request of its maxModelLen). */
  readonly contextTokens?: number;
  readonly title?: string;
}

export interface NewScenarioResult extends ScenarioFit {
  /** True when scenarios.yaml was written (only when it fits). */
  readonly written: boolean;
}

/** Scenario names are words people type in `up <scenario>`: lower case, digits, hyphens. */
const SCENARIO_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

/**
 * Plans the scenario and, when it fits, appends it to the stack's scenarios.yaml (comments
 * kept). A scenario that does not fit is returned with the planner's reasons and nothing written.
 * Usage: `const r = await addScenarioToStack(root, { name: 'pair', models: ['a', 'b'], fractions: 'auto', totalBytes })`.
 */
export async function addScenarioToStack(root: string, scenario: NewScenario, options: { fs?: Partial<StackFs> } = {}): Promise<NewScenarioResult> {
  if (!SCENARIO_NAME.test(scenario.name)) throw new SparkError(`"${scenario.name}" is not a scenario name`, 'Use lower-case letters, digits and hyphens, e.g. coder-pair');
  if (scenario.contextTokens !== undefined && (!Number.isInteger(scenario.contextTokens) || scenario.contextTokens < 1)) throw new SparkError(`--context must be a whole number of tokens, not ${scenario.contextTokens}`);
  requireWritableStack(root);
  const { scenarios: file } = await loadStack(root);
  if (file.scenarios.some((s) => s.name === scenario.name)) throw new SparkError(`the stack already has a scenario "${scenario.name}"`, 'Choose another name');
  const fit = scenario.fractions === 'auto'
    ? autoFractions(file, scenario.models, scenario.totalBytes, scenario.contextTokens)
    : fractionsFit(file, scenario.fractions, scenario.totalBytes, scenario.contextTokens);
  if (!fit.fits) return { ...fit, written: false };
  const target = path.join(root, SCENARIOS_FILE);
  const text = addScenario(await readFile(target, 'utf8'), target, {
    name: scenario.name,
    title: scenario.title ?? scenario.models.join(' + '),
    variant: 'spark',
    models: fit.fractions,
  });
  await applyStackChanges(root, [{ kind: 'write', file: SCENARIOS_FILE, content: text }], options);
  return { ...fit, written: true };
}
