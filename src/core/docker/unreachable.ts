/**
 * A Docker client for an engine that cannot even be addressed (its Docker context is missing or
 * broken): every call fails with that error, so the state model reports the host unreachable with
 * the error's fix like any other unreachable engine, and the other hosts carry on.
 */
import type { DockerEndpoint } from './endpoint';
import type { DockerClient } from './types';

/** A client whose every call rejects with `error`. */
export function unreachableDockerClient(endpoint: DockerEndpoint, error: Error): DockerClient {
  const fail = (): Promise<never> => Promise.reject(error);
  return {
    endpoint,
    requestCount: 0,
    ping: fail,
    info: fail,
    listContainers: fail,
    inspect: fail,
    events: () => ({ [Symbol.asyncIterator]: () => ({ next: fail }) }),
    logs: () => ({ [Symbol.asyncIterator]: () => ({ next: fail }) }),
    stats: fail,
    start: fail,
    stop: fail,
    restart: fail,
  };
}
