/**
 * The services of a stack as the user sees them: the gateway's four containers and one row per
 * model in `scenarios.yaml`, whether or not its container exists. Views render these rows.
 */
import type { Stack } from './stack';
import { GATEWAY_SERVICES } from './stack';

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
