/**
 * Docker as the memory model's {@link ContainerSource}, on the project's one Docker client.
 * States come from inspecting the model containers on each read rather than from the state
 * model: the memory view reads only while visible, and a picture whose states and stats are
 * taken together never shows a stopped model with memory or a running one without.
 */
import type { DockerClient } from '../docker/types';
import { deriveState } from '../state/service-state';
import type { ContainerSource } from './snapshot';

export function dockerContainerSource(client: DockerClient): ContainerSource {
  return {
    async containers(names) {
      const found = await Promise.all(names.map((name) => client.inspect(name)));
      return found.flatMap((d) => (d ? [{ container: d.name, id: d.id, state: deriveState('model', d), command: d.command }] : []));
    },
    async memoryUsage(containers) {
      const pairs = await Promise.all(containers.map(async (name) => [name, (await client.stats(name)).memoryBytes] as const));
      return new Map(pairs);
    },
  };
}
