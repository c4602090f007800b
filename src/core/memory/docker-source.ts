/**
 * Docker as the memory model's {@link ContainerSource}, on the project's one Docker client. The
 * containers are inspected on each read (the memory view reads only while visible), so states and
 * stats are taken together and a stopped model never shows memory. Where the window's state
 * model knows a container in the same run (same id), its state wins: it has read the vLLM log and
 * `/health`, which inspect alone cannot, so the view never says "starting" where the tree says "healthy".
 */
import type { DockerClient } from '../docker/types';
import { deriveState } from '../state/service-state';
import type { ContainerSource } from './snapshot';
import type { ServiceState } from '../state/service-state';

/** The state model's view of a container: its id (to tell runs apart) and state. */
export type LiveState = (container: string) => { readonly containerId?: string; readonly state: ServiceState } | undefined;

export function dockerContainerSource(client: DockerClient, liveState?: LiveState): ContainerSource {
  return {
    async containers(names) {
      const found = await Promise.all(names.map((name) => client.inspect(name)));
      return found.flatMap((d) => {
        if (!d) return [];
        const live = liveState?.(d.name);
        const state = live && live.containerId === d.id && d.status === 'running' ? live.state : deriveState('model', d);
        return [{ container: d.name, id: d.id, state, command: d.command }];
      });
    },
    async memoryUsage(containers) {
      const pairs = await Promise.all(containers.map(async (name) => [name, (await client.stats(name)).memoryBytes] as const));
      return new Map(pairs);
    },
  };
}
