/**
 * Where a scenario's models run: one placement per (model, host) pair, so a model placed on two
 * hosts is two model servers (replicas) behind the one LiteLLM name. Pure functions over a
 * parsed `scenarios.yaml`.
 */
import { UnknownNameError } from '../errors';
import type { HostSpec, ModelSpec, ScenarioFile, ScenarioSpec } from './file';
import { MAIN_HOST } from './hosts';

/** One model server of a scenario: a model on a host, with the scenario's memory fraction. */
export interface Placement {
  readonly model: string;
  readonly host: string;
  readonly fraction: number;
}

/** A placement with its model's and host's entries. */
export interface ResolvedPlacement {
  readonly model: ModelSpec;
  readonly host: HostSpec;
  readonly fraction: number;
}

/**
 * The scenario's placements in file order (each model, then each of its hosts); a model without
 * `hosts` is on the main host. Usage: `placements(scenario)` → `[{ model: 'gpt-oss-20b', host: 'spark-2', fraction: 0.25 }, …]`.
 */
export function placements(scenario: ScenarioSpec): Placement[] {
  return [...scenario.models].flatMap(([model, fraction]) => (scenario.hosts?.get(model) ?? [MAIN_HOST]).map((host) => ({ model, host, fraction })));
}

/** {@link placements} with the model and host entries looked up; throws for a name the file lacks. */
export function resolvePlacements(file: ScenarioFile, scenario: ScenarioSpec): ResolvedPlacement[] {
  return placements(scenario).map((p) => ({ model: findModel(file, p.model), host: findHost(file, p.host), fraction: p.fraction }));
}

/** The hosts a scenario uses, in the file's order (the main host first when it is used). */
export function scenarioHosts(file: ScenarioFile, scenario: ScenarioSpec): HostSpec[] {
  const used = new Set(placements(scenario).map((p) => p.host));
  return file.hosts.filter((h) => used.has(h.name));
}

/**
 * The part of a scenario that runs on one host, as a scenario of its own, so the planner, the
 * memory check and compose's memory variables work per host unchanged.
 */
export function scenarioOnHost(scenario: ScenarioSpec, host: string): ScenarioSpec {
  const models = new Map(placements(scenario).filter((p) => p.host === host).map((p) => [p.model, p.fraction]));
  return { name: scenario.name, title: scenario.title, variant: scenario.variant, models };
}

/** The host entry named `name`; throws {@link UnknownNameError} listing the known hosts. */
export function findHost(file: ScenarioFile, name: string): HostSpec {
  const host = file.hosts.find((h) => h.name === name);
  if (!host) throw new UnknownNameError('host', name, file.hosts.map((h) => h.name));
  return host;
}

/** Whether a scenario places anything off the main host. */
export function usesOtherHosts(scenario: ScenarioSpec): boolean {
  return placements(scenario).some((p) => p.host !== MAIN_HOST);
}

function findModel(file: ScenarioFile, name: string): ModelSpec {
  const model = file.models.find((m) => m.name === name);
  if (!model) throw new UnknownNameError('model', name, file.models.map((m) => m.name));
  return model;
}
