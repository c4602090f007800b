/**
 * `@spark /start`: the scenarios offered as buttons are the ones the planner says fit this
 * machine's memory; the others are listed with the planner's reason, so no button leads to a
 * start the pre-flight would refuse on memory.
 */
import { planScenario } from '../planner';
import type { ScenarioFile, ScenarioSpec } from '../scenarios/file';

export interface StartOffer {
  readonly fitting: readonly ScenarioSpec[];
  readonly notFitting: readonly { readonly scenario: ScenarioSpec; readonly reason: string }[];
}

/** Splits the scenarios by the planner's verdict against `totalBytes`. Pure. */
export function startOffer(file: ScenarioFile, totalBytes: number): StartOffer {
  const fitting: ScenarioSpec[] = [];
  const notFitting: { scenario: ScenarioSpec; reason: string }[] = [];
  for (const scenario of file.scenarios) {
    const plan = planScenario(file, scenario, totalBytes);
    if (plan.fits) fitting.push(scenario);
    else notFitting.push({ scenario, reason: plan.reasons.join('; ') });
  }
  return { fitting, notFitting };
}
