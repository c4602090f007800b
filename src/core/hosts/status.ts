/**
 * The services of every host at one moment, for `status` (and anything else that wants a
 * one-shot picture): the main host's rows as before, and on another host the models placed on it
 * by any scenario, read from that host's engine. A host that cannot be reached is reported with
 * its reason and fix instead of failing the whole picture.
 */
import { createDockerClient } from '../docker/client';
import { fetchModelLoad } from '../metrics/vllm';
import type { ServiceRow } from '../services';
import { serviceRows } from '../services';
import type { HostSpec } from '../scenarios';
import type { Stack } from '../stack';
import type { ServiceStatus } from '../state/service-state';
import { StackStateModel } from '../state/stack-state';
import { hostDockerEnv } from './endpoint';
import type { HostProbe } from './engines';
import { probeHost } from './engines';
import { placements } from './placement';

export interface HostServices {
  readonly host: HostSpec;
  /** Undefined when the host could not be read; then `problem` says why. */
  readonly services?: readonly ServiceStatus[];
  readonly problem?: Pick<HostProbe, 'reason' | 'fix'>;
}

/**
 * The rows of `host`: every row on the main host; on another host, the models some scenario
 * places there (listing the others as absent on each host would only be noise). Pure.
 */
export function hostServiceRows(stack: Stack, host: HostSpec): readonly ServiceRow[] {
  const rows = serviceRows(stack);
  if (host.main) return rows;
  const placed = new Set(stack.scenarios.scenarios.flatMap((s) => placements(s)).filter((p) => p.host === host.name).map((p) => p.model));
  return rows.filter((r) => r.kind === 'model' && placed.has(r.name));
}

/** Reads the services of `hosts` (in parallel), each from its own engine. */
export async function readHostServices(stack: Stack, hosts: readonly HostSpec[], env: NodeJS.ProcessEnv = process.env): Promise<HostServices[]> {
  return Promise.all(hosts.map(async (host): Promise<HostServices> => {
    if (!host.main) {
      const probe = await probeHost(host);
      if (!probe.reachable) return { host, problem: { reason: probe.reason, fix: probe.fix } };
    }
    const model = new StackStateModel(hostServiceRows(stack, host), stack.root, createDockerClient({ ...env, ...hostDockerEnv(host) }), {
      followProgress: false,
      // A model's /metrics on its own host's address, not this machine's port of the same number.
      ...(host.address !== undefined ? { fetchLoad: (port: number) => fetchModelLoad(port, undefined, host.address) } : {}),
    });
    // A one-shot reader is a "view" for the moment it reads: it wants the load of healthy models too.
    const watch = model.watchMetrics();
    try {
      return { host, services: await model.syncOnce() };
    } catch (error) {
      if (host.main) throw error;
      // The docker CLI reached it (the probe) but the Engine API client did not: over ssh:// that
      // client logs in through an SSH agent only.
      return { host, problem: { reason: error instanceof Error ? error.message : String(error), fix: 'Load the key into an SSH agent (eval "$(ssh-agent)"; ssh-add), or give the host a tcp:// endpoint with TLS' } };
    } finally {
      watch.dispose();
      model.dispose();
    }
  }));
}
