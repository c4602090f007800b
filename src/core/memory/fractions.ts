/**
 * Which memory fraction each running model was started with, and so which scenario is running.
 * The containers' command lines are the truth: compose substitutes the scenario's
 * `--gpu-memory-utilization ${VAR:-default}`, so the resolved number is in `docker inspect`'s Args
 * whoever started them (the extension, the CLI or a person with `docker compose up`).
 */
import type { ScenarioFile, ScenarioSpec } from '../scenarios/file';
import type { FractionSource } from './types';

/** `--gpu-memory-utilization` from a command line (`--flag 0.3`, `--flag=0.3`, snake_case too). Pure. */
export function gpuMemoryUtilization(command: readonly string[]): number | undefined {
  for (let i = 0; i < command.length; i++) {
    const arg = command[i] ?? '';
    const match = /^--gpu[-_]memory[-_]utilization(?:=(.*))?$/.exec(arg);
    if (!match) continue;
    const value = Number(match[1] ?? command[i + 1]);
    if (Number.isFinite(value) && value > 0 && value <= 1) return value;
  }
  return undefined;
}


export interface ModelFraction {
  readonly fraction: number;
  readonly source: FractionSource;
}

/**
 * The scenario whose models are exactly the running ones (and whose fractions match the ones
 * the containers were started with, where known); undefined when none is. Pure.
 */
export function runningScenario(file: ScenarioFile, running: ReadonlyMap<string, number | undefined>): ScenarioSpec | undefined {
  if (running.size === 0) return undefined;
  const sameModels = file.scenarios.filter((s) => s.models.size === running.size && [...running.keys()].every((m) => s.models.has(m)));
  const close = (a: number, b: number) => Math.abs(a - b) < 1e-6;
  return (
    sameModels.find((s) => [...running].every(([m, f]) => f === undefined || close(f, s.models.get(m) ?? Number.NaN))) ??
    // Same models, fractions unknown or edited by hand: the first such scenario still names the set.
    sameModels.find(() => [...running.values()].every((f) => f === undefined))
  );
}

/**
 * Each model's fraction: the running container's, else the running scenario's, else its
 * `defaultFraction` (what `docker compose up` without a scenario would give it). Pure.
 */
export function modelFractions(file: ScenarioFile, running: ReadonlyMap<string, number | undefined>, scenario: ScenarioSpec | undefined): Map<string, ModelFraction> {
  const out = new Map<string, ModelFraction>();
  for (const model of file.models) {
    const fromContainer = running.get(model.name);
    const fromScenario = scenario?.models.get(model.name);
    out.set(
      model.name,
      fromContainer !== undefined ? { fraction: fromContainer, source: 'container' }
        : fromScenario !== undefined ? { fraction: fromScenario, source: 'scenario' }
          : { fraction: model.defaultFraction, source: 'default' },
    );
  }
  return out;
}
