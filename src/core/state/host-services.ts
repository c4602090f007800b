/**
 * The services of every host at one moment, for `status` (and anything else that wants a
 * one-shot picture): the main host's rows as before, and on another host the models placed on it
 * by any scenario, read from that host's engine. A host that cannot be reached is reported with
 * its reason and fix instead of failing the whole picture. The rows per host are the tree's
 * (`hostServiceRows`), so `status` and the view list the same services on the same hosts.
 */
import { createDockerClient } from '../docker/client';
import { SparkError } from '../errors';
import { fetchModelLoad } from '../metrics/vllm';
import { hostServiceRows } from '../stack/services';
import type { HostSpec } from '../scenarios/file';
import type { Stack } from '../stack/discovery';
import type { ServiceStatus } from './service-state';
import { StackStateModel } from './stack-state';
import { hostDockerEnv } from '../docker/host-endpoint';
import type { HostProbe } from '../compose/hosts';
import { probeHost } from '../compose/hosts';

export interface HostServices {
  readonly host: HostSpec;
  /** Undefined when the host could not be read; then `problem` says why. */
  readonly services?: readonly ServiceStatus[];
  readonly problem?: Pick<HostProbe, 'reason' | 'fix'>;
}

/** Reads the services of `hosts` (in parallel), each from its own engine. */
export async function readHostServices(stack: Stack, hosts: readonly HostSpec[], env: NodeJS.ProcessEnv = process.env): Promise<HostServices[]> {
  return Promise.all(hosts.map(async (host): Promise<HostServices> => {
    if (!host.main) {
      const probe = await probeHost(host);
      if (!probe.reachable) return { host, problem: { reason: probe.reason, fix: probe.fix } };
    }
    const model = new StackStateModel(hostServiceRows(stack).find((h) => h.host.name === host.name)?.rows ?? [], stack.root, createDockerClient({ ...env, ...hostDockerEnv(host) }), {
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
      // The docker CLI reached it (the probe) but the Engine API client did not (it went down
      // between the two, or Docker there does not answer the API): the client's error says which.
      return { host, problem: { reason: error instanceof Error ? error.message : String(error), fix: error instanceof SparkError && error.fix ? error.fix : 'Run `spark-gateway hosts` to see whether it is reachable, then try again' } };
    } finally {
      watch.dispose();
      model.dispose();
    }
  }));
}
