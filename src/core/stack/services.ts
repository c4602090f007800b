/**
 * The services of a stack as the user sees them: the gateway's four containers and one row per
 * model in `scenarios.yaml`, whether or not its container exists. Views render these rows.
 */
import { placements } from '../scenarios/placement';
import type { HostSpec } from '../scenarios/file';
import type { Stack } from './discovery';
import { GATEWAY_SERVICES } from './discovery';

export type ServiceKind = 'model' | 'gateway';

export interface ServiceRow {
  readonly kind: ServiceKind;
  /** Model name (`gpt-oss-20b`) or gateway service (`nginx`, `litellm`, `redis`, `postgres`). */
  readonly name: string;
  readonly label: string;
  readonly container: string;
  /** Folder of its compose files, relative to the stack root. */
  readonly folder: string;
  readonly hostPort?: number;
  readonly detail: string;
}

/** The rows of a stack, gateway first (in start order), then models (in file order). Pure. */
export function serviceRows(stack: Stack): readonly ServiceRow[] {
  const gateway: ServiceRow[] = GATEWAY_SERVICES.map((s) => ({
    kind: 'gateway',
    name: s.name,
    label: s.label,
    container: s.container,
    folder: s.folder,
    detail: `container ${s.container}`,
  }));
  const models: ServiceRow[] = stack.scenarios.models.map((m) => ({
    kind: 'model',
    name: m.name,
    label: m.name,
    container: m.container,
    folder: m.folder,
    hostPort: m.hostPort,
    detail: `${m.hfModel} · port ${m.hostPort} · ~${m.weightsGiB} GiB weights`,
  }));
  return [...gateway, ...models];
}

/** The rows one host runs: the main host the gateway's and its models', another host its models'. */
export interface HostRows {
  readonly host: HostSpec;
  readonly rows: readonly ServiceRow[];
}

/**
 * The rows per host of `scenarios.yaml`'s `hosts:` (the main host first, then the file's order):
 * a model is on every host some scenario places it on, and on the main host when a scenario
 * places it there or none places it anywhere. A host no scenario uses has no rows (its engine is
 * still followed, for its memory). Pure.
 */
export function hostServiceRows(stack: Stack): readonly HostRows[] {
  const rows = serviceRows(stack);
  const placedOn = new Map<string, Set<string>>();
  for (const scenario of stack.scenarios.scenarios) {
    for (const p of placements(scenario)) {
      const models = placedOn.get(p.host) ?? new Set<string>();
      models.add(p.model);
      placedOn.set(p.host, models);
    }
  }
  const placedAnywhere = new Set([...placedOn.values()].flatMap((models) => [...models]));
  return stack.scenarios.hosts.map((host) => ({
    host,
    rows: rows.filter((row) => (row.kind === 'gateway' ? host.main : placedOn.get(host.name)?.has(row.name) === true || (host.main && !placedAnywhere.has(row.name)))),
  }));
}
