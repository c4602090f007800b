/**
 * Docker as the memory model's {@link ContainerSource}, on the project's one Docker client.
 * A container's command line never changes, so its `--gpu-memory-utilization` is read by one
 * inspect per container id; at 1 Hz the view then costs one stats call per running model.
 */
import type { DockerClient } from '../docker/types';
import { deriveState } from '../state/service-state';
import type { ServiceStatus } from '../state/service-state';
import type { ContainerSource, ModelContainer } from './snapshot';

export interface DockerSourceOptions {
  /**
   * The states the extension's state model already keeps from Docker's events; without it
   * (the CLI) each call inspects the containers.
   */
  readonly statuses?: () => readonly ServiceStatus[];
}

export function dockerContainerSource(client: DockerClient, options: DockerSourceOptions = {}): ContainerSource {
  const commands = new Map<string, readonly string[]>();

  const commandOf = async (id: string): Promise<readonly string[]> => {
    const known = commands.get(id);
    if (known) return known;
    const command = (await client.inspect(id))?.command ?? [];
    commands.set(id, command);
    return command;
  };

  return {
    async containers(names) {
      if (options.statuses) {
        const wanted = options.statuses().filter((s) => names.includes(s.container) && s.state !== 'absent' && s.containerId !== undefined);
        return Promise.all(wanted.map(async (s): Promise<ModelContainer> => ({ container: s.container, id: s.containerId as string, state: s.state, command: await commandOf(s.containerId as string) })));
      }
      const found = await Promise.all(names.map((name) => client.inspect(name)));
      return found.flatMap((d) => {
        if (!d) return [];
        commands.set(d.id, d.command);
        return [{ container: d.name, id: d.id, state: deriveState('model', d), command: d.command }];
      });
    },
    async memoryUsage(containers) {
      const pairs = await Promise.all(containers.map(async (name) => [name, (await client.stats(name)).memoryBytes] as const));
      return new Map(pairs);
    },
  };
}
