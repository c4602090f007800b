/**
 * The doctor's rows for each host other than the main one (scenarios.yaml's `hosts:`): its engine
 * reachable (the fix says what to do on that host or in its Docker context), the stack's network
 * there, and the images of the models placed on it — the start's pre-flight asks the same of it.
 */
import * as path from 'node:path';
import type { CheckResult } from '../checks';
import { composeFileFor } from '../compose/commands';
import type { Run } from '../compose/detect';
import type { Engine } from '../compose/engine';
import { dockerCliEngine } from '../compose/engine';
import { liveEngine } from '../compose/live-engine';
import { readableImageRefs } from './compose-files';
import { runProcess } from '../process/run';
import type { DockerClient } from '../docker/types';
import { SparkError } from '../errors';
import { hostDockerEnv } from '../docker/host-endpoint';

import type { HostSpec } from '../scenarios/file';
import type { Stack } from '../stack/discovery';
import type { HostEngine } from '../state/hosts-state';
import { NETWORK } from '../stack/layout';

/** One other host to check: which one, its rows, and an {@link Engine} on its Docker engine. */
export interface HostToCheck {
  readonly host: HostSpec;
  readonly engine: Pick<HostEngine, 'name' | 'reach' | 'rows'>;
  readonly docker: Engine;
}

/** The `docker` command line prefix that reaches `host` (for fixes the user types). Pure. */
function dockerOn(host: HostSpec): string {
  if (host.docker === undefined) return 'docker';
  return host.docker.includes('://') ? `docker -H ${host.docker}` : `docker --context ${host.docker}`;
}

/**
 * An {@link Engine} on `host`'s Docker engine: the Engine API through `client` (the host's own),
 * the `docker` CLI with the host's `DOCKER_HOST` / `DOCKER_CONTEXT` (hosts-core's hostDockerEnv).
 */
export function hostEngine(host: HostSpec, client: DockerClient, run: Run = runProcess): Engine {
  const env = hostDockerEnv(host);
  return liveEngine(client, dockerCliEngine((cmd) => run({ ...cmd, env: { ...cmd.env, ...env } })));
}

/** Runs the checks of every other host; a host that does not answer gets its one failing row and skips. */
export async function runHostChecks(stack: Stack, hosts: readonly HostToCheck[]): Promise<CheckResult[]> {
  const rows = await Promise.all(hosts.map((host) => checkHost(stack, host)));
  return rows.flat();
}

async function checkHost(stack: Stack, { host, engine, docker }: HostToCheck): Promise<CheckResult[]> {
  const id = (what: string) => `host-${engine.name}-${what}`;
  const title = (what: string) => `${engine.name}: ${what}`;
  try {
    await docker.ping();
  } catch (error) {
    return [
      { id: id('docker'), title: title('Docker reachable'), status: 'fail', detail: `${engine.reach}: ${error instanceof Error ? error.message : String(error)}`, fix: error instanceof SparkError && error.fix ? error.fix : `Check \`${dockerOn(host)} info\`` },
      { id: id('network'), title: title(`Network ${NETWORK}`), status: 'skip', detail: 'its Docker is not reachable' },
    ];
  }
  const out: CheckResult[] = [{ id: id('docker'), title: title('Docker reachable'), status: 'ok', detail: `${engine.reach} answers` }];
  out.push((await docker.networkExists(NETWORK))
    ? { id: id('network'), title: title(`Network ${NETWORK}`), status: 'ok', detail: 'present' }
    : { id: id('network'), title: title(`Network ${NETWORK}`), status: 'fail', detail: `Network ${NETWORK} not found on ${engine.name}`, fix: `Start a scenario that uses ${engine.name} (it creates it), or create it there: \`${dockerOn(host)} network create ${NETWORK}\`` });
  const models = engine.rows.filter((r) => r.kind === 'model');
  const files = models.map((m) => path.join(stack.root, m.folder, composeFileFor('spark')));
  const images = new Set((await readableImageRefs(files)).map((r) => r.image));
  for (const image of images) {
    out.push((await docker.imageExists(image))
      ? { id: id(`image-${image}`), title: title(`Image ${image}`), status: 'ok', detail: 'present' }
      : { id: id(`image-${image}`), title: title(`Image ${image}`), status: 'warn', detail: `not present on ${engine.name}; its start pulls it (that host needs the registry)`, fix: `Pull it there, or copy it: \`docker save ${image} | ${dockerOn(host)} load\`` });
  }
  if (models.length === 0) out.push({ id: id('models'), title: title('Models placed'), status: 'skip', detail: 'no scenario places a model on this host' });
  return out;
}

/** The other hosts of `engines` (from stackHostEngines) as doctor inputs, each on its own client. */
export function hostsToCheck(stack: Stack, engines: readonly HostEngine[], clientOf: (engine: HostEngine) => DockerClient): HostToCheck[] {
  return engines.flatMap((engine) => {
    const host = stack.scenarios.hosts.find((h) => h.name === engine.name);
    return host && !host.main ? [{ host, engine, docker: hostEngine(host, clientOf(engine)) }] : [];
  });
}
