/**
 * The start/stop {@link Engine} on the shared Docker client ([live]'s dockerode client with its
 * typed "unreachable" errors): daemon, container state and logs come from it, whether an image
 * can be pulled from the Engine API; networks, images
 * and published ports — which that client does not cover — stay on the `docker` CLI.
 */
import { createImagePuller } from '../docker/pull';
import type { DockerClient } from '../docker/types';
import { LineSplitter } from '../docker/demux';
import type { Engine } from './engine';
import { COMPOSE_WORKING_DIR_LABEL, dockerCliEngine } from './engine';

/**
 * An {@link Engine} that asks `client` about the daemon, containers and logs; `env` is the
 * environment that names the same engine (for the image puller), the caller's by default.
 */
export function liveEngine(client: DockerClient, cli: Engine = dockerCliEngine(), env: NodeJS.ProcessEnv = process.env): Engine {
  return {
    ...cli,
    ping: () => client.ping(),
    // The Engine API's distribution endpoint rather than `docker manifest inspect`: it uses the
    // daemon's registry settings (loopback registries over HTTP, mirrors) as the pull will.
    imagePullable: (ref) => createImagePuller(env).pullable(ref),
    async container(name) {
      const details = await client.inspect(name);
      if (!details) return undefined;
      const health = details.health?.status;
      return { status: details.status, health: health === 'none' ? undefined : health, exitCode: details.exitCode, restartCount: details.restartCount, projectDir: details.labels[COMPOSE_WORKING_DIR_LABEL] };
    },
    async logTail(name, lines) {
      const controller = new AbortController();
      const splitter = new LineSplitter();
      const out: string[] = [];
      try {
        for await (const chunk of client.logs(name, { follow: false, tail: lines }, controller.signal)) out.push(...splitter.push(chunk.data));
      } finally {
        controller.abort();
      }
      return [...out, ...splitter.flush()].join('\n');
    },
  };
}
