/**
 * Which container is which service. Users start containers in three ways — the extension, `docker
 * compose` by hand as the seed describes, or `docker run --name vllm-gpt-oss-20b ...` — so a
 * container is recognised by its SPEC §2 name first, and by its compose labels (service name and
 * project folder inside the stack) when it was renamed.
 */
import * as path from 'node:path';
import type { ServiceRow } from '../stack/services';

export const COMPOSE_SERVICE = 'com.docker.compose.service';
export const COMPOSE_WORKING_DIR = 'com.docker.compose.project.working_dir';

/** Compose service names of the gateway's containers (the stack's compose files). */
const GATEWAY_COMPOSE_SERVICES: Readonly<Record<string, string>> = { nginx: 'nginx', litellm: 'litellm', redis: 'redis', postgres: 'postgres' };

/**
 * The row a container belongs to, or undefined. `name` is without the leading slash; `labels`
 * are the container's labels (events carry them as attributes). Pure.
 */
export function matchService(rows: readonly ServiceRow[], stackRoot: string, name: string, labels: Readonly<Record<string, string>>): ServiceRow | undefined {
  const byName = rows.find((r) => r.container === name);
  if (byName) return byName;
  const service = labels[COMPOSE_SERVICE];
  const workingDir = labels[COMPOSE_WORKING_DIR];
  if (!service || !workingDir) return undefined;
  return rows.find((r) => {
    const composeName = r.kind === 'gateway' ? GATEWAY_COMPOSE_SERVICES[r.name] : r.name;
    return composeName === service && path.resolve(workingDir) === path.resolve(stackRoot, r.folder);
  });
}
