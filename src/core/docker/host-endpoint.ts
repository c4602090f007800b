/**
 * How each host's Docker engine is reached. The main host keeps today's resolution
 * (`DOCKER_HOST`, `DOCKER_CONTEXT`, the current context); another host's `docker:` value is
 * handed to the same resolver as the Docker CLI would take it — a URL as `DOCKER_HOST`, a name as
 * `DOCKER_CONTEXT` — so a host reached by `docker --context spark-2` is reached the same here.
 */
import type { DockerEndpoint, EndpointInputs } from './endpoint';
import { resolveDockerEndpoint } from './endpoint';
import type { HostSpec } from '../scenarios/file';

/**
 * The variables a `docker` or `docker compose` process needs on top of its environment to talk to
 * `host`'s engine (a `ProcessCommand`'s `env`): none for the main host; else `DOCKER_HOST`
 * (an endpoint) or `DOCKER_CONTEXT` (a context name), with the other set empty — the Docker CLI
 * treats an empty one as unset, and a `DOCKER_HOST` inherited from the caller would otherwise
 * win over the context. Pure.
 */
export function hostDockerEnv(host: HostSpec): Record<string, string> {
  if (host.main || host.docker === undefined) return {};
  return host.docker.includes('://') ? { DOCKER_HOST: host.docker, DOCKER_CONTEXT: '' } : { DOCKER_HOST: '', DOCKER_CONTEXT: host.docker };
}

/**
 * The Engine API endpoint of `host` (for dockerode: events, inspect, /info). Throws
 * `FileFormatError` when the named Docker context is missing or broken.
 * Usage: `createDockerClientFor(hostEndpoint(host))` or `hostEndpoint(host).url` in messages.
 */
export function hostEndpoint(host: HostSpec, inputs: EndpointInputs = { env: process.env }): DockerEndpoint {
  return resolveDockerEndpoint({ ...inputs, env: { ...inputs.env, ...hostDockerEnv(host) } });
}

/** How a host is reached, in words: `ssh://me@spark-2`, `context "spark-2"`, or the main host's source. */
export function hostReach(host: HostSpec): string {
  if (host.main || host.docker === undefined) return 'this machine (DOCKER_HOST / current Docker context)';
  return host.docker.includes('://') ? host.docker : `Docker context "${host.docker}"`;
}
