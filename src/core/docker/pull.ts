/**
 * Pulling images through the Docker Engine API (dockerode, loaded on first use) with one progress
 * figure per image and cancellation. A cancelled pull aborts the request; dockerd then stops the
 * pull and tags nothing — the tag is only written once every layer is in — so a cancelled image
 * is absent, never half there (the integration test checks it against a real registry).
 */
import { readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type Dockerode from 'dockerode';
import type { Cancellation } from '../process/cancellation';
import { CancelledError, isCancelled, onCancel } from '../process/cancellation';
import { SparkError } from '../errors';
import type { DockerEndpoint } from './endpoint';
import { resolveDockerEndpoint } from './endpoint';
import { classifyDockerError } from './errors';
import { enginePlatform, imageDownloadSize } from './image-size';
import type { PullMessage, PullProgress } from './pull-progress';
import { PullTracker } from './pull-progress';
import { dockerodeOptions } from './ssh-dial';

export type { PullProgress } from './pull-progress';

/** The pull failed (registry refused, image unknown, network): the message is dockerd's. */
export class PullFailedError extends SparkError {}

export interface ImagePuller {
  /** Whether the image is present in the engine. */
  exists(image: string): Promise<boolean>;
  /** Pulls one image; progress arrives as it changes. Throws CancelledError when cancelled. */
  pull(image: string, options?: { onProgress?: (progress: PullProgress) => void; cancellation?: Cancellation }): Promise<PullProgress>;
  /** The engine's data root (`docker info`'s DockerRootDir), where images are stored. */
  dataRoot(): Promise<string>;
  /** Whether the engine's registry access would give us the image (no download); the reason when not. */
  pullable(image: string): Promise<string | undefined>;
  /** The compressed bytes a pull of the image downloads, from its registry's manifest; throws when unknown. */
  downloadSize(image: string, cancellation?: Cancellation): Promise<number>;
}

/** A puller on the engine the Docker CLI would use (`DOCKER_HOST`, the current context). */
export function createImagePuller(env: NodeJS.ProcessEnv = process.env): ImagePuller {
  const endpoint = resolveDockerEndpoint({ env });
  let docker: Promise<Dockerode> | undefined;
  const engine = () => (docker ??= import('dockerode').then(({ default: Docker }) => new Docker(dockerodeOptions(endpoint, env) as Dockerode.DockerOptions)));
  return {
    async exists(image) {
      try {
        await (await engine()).getImage(image).inspect();
        return true;
      } catch (error) {
        if ((error as { statusCode?: number }).statusCode === 404) return false;
        throw classifyDockerError(error, endpoint);
      }
    },
    pull: async (image, options = {}) => pullImage(await engine(), endpoint, image, options),
    async pullable(image) {
      // dockerd's own registry client: it knows the daemon's insecure registries and mirrors.
      try {
        await (await engine()).getImage(image).distribution({ authconfig: registryAuth(image) });
        return undefined;
      } catch (error) {
        return (error as { json?: { message?: string } }).json?.message ?? (error instanceof Error ? error.message : String(error));
      }
    },
    async dataRoot() {
      const info = (await (await engine()).info()) as { DockerRootDir?: string };
      return info.DockerRootDir ?? '/var/lib/docker';
    },
    async downloadSize(image, cancellation) {
      const docker = await engine();
      const info = (await docker.info()) as { OSType?: string; Architecture?: string };
      // The layers of every local image: a pull skips them, so they take no new space.
      const localLayers = new Set<string>();
      for (const summary of await docker.listImages()) {
        const inspected = await docker.getImage(summary.Id).inspect().catch(() => undefined);
        for (const layer of inspected?.RootFS.Layers ?? []) localLayers.add(layer);
      }
      return imageDownloadSize(image, { auth: registryAuth(image), platform: enginePlatform(info), localLayers, cancellation });
    },
  };
}

async function pullImage(docker: Dockerode, endpoint: DockerEndpoint, image: string, options: { onProgress?: (progress: PullProgress) => void; cancellation?: Cancellation }): Promise<PullProgress> {
  if (isCancelled(options.cancellation)) throw new CancelledError();
  const controller = new AbortController();
  const detach = onCancel(options.cancellation, () => controller.abort());
  const tracker = new PullTracker(image);
  try {
    const auth = registryAuth(image);
    let stream: NodeJS.ReadableStream;
    try {
      stream = (await docker.pull(image, { abortSignal: controller.signal, ...(auth ? { authconfig: auth } : {}) })) as NodeJS.ReadableStream;
    } catch (error) {
      if (controller.signal.aborted) throw new CancelledError();
      const message = (error as { json?: { message?: string } }).json?.message;
      if (message) throw new PullFailedError(`cannot pull ${image}: ${message}`, pullFix(image));
      throw classifyDockerError(error, endpoint);
    }
    const failure = await readMessages(stream, controller.signal, (message) => {
      const error = tracker.push(message);
      if (error === undefined) options.onProgress?.(tracker.progress);
      return error;
    });
    if (controller.signal.aborted) throw new CancelledError();
    if (failure !== undefined) throw new PullFailedError(`cannot pull ${image}: ${failure}`, pullFix(image));
    return tracker.progress;
  } finally {
    detach();
  }
}

/** Reads the newline-delimited JSON stream until it ends; returns the first error message in it. */
function readMessages(stream: NodeJS.ReadableStream, signal: AbortSignal, take: (message: PullMessage) => string | undefined): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    let rest = '';
    let failure: string | undefined;
    const onAbort = () => {
      (stream as unknown as { destroy?: () => void }).destroy?.();
      resolve(undefined);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    stream.on('data', (chunk: Buffer | string) => {
      const lines = (rest + chunk.toString()).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) {
        if (line.trim() === '') continue;
        try {
          failure ??= take(JSON.parse(line) as PullMessage);
        } catch {
          // A line that is not JSON is not progress; the stream's end decides the outcome.
        }
      }
    });
    stream.on('end', () => {
      signal.removeEventListener('abort', onAbort);
      resolve(failure);
    });
    stream.on('error', (error: Error) => {
      signal.removeEventListener('abort', onAbort);
      if (signal.aborted) resolve(undefined);
      else reject(error);
    });
  });
}

function pullFix(image: string): string {
  return `Check the image name (set by its *_IMAGE variable in .env, or the pinned default), that its registry answers from this machine, and \`docker login ${registryOf(image)}\` for a private one`;
}

/** The registry host of an image reference (Docker Hub when the first part is not a host). */
export function registryOf(image: string): string {
  const first = image.split('/')[0] ?? '';
  return image.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost') ? first : 'docker.io';
}

/**
 * The credentials `docker login` stored for the image's registry in ~/.docker/config.json (the
 * Engine API does not read that file; the client sends them). Credential helpers are not asked.
 */
function registryAuth(image: string): { username: string; password: string; serveraddress: string } | undefined {
  try {
    const dir = process.env.DOCKER_CONFIG ?? path.join(os.homedir(), '.docker');
    const config = JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8')) as { auths?: Record<string, { auth?: string }> };
    const registry = registryOf(image);
    const keys = registry === 'docker.io' ? ['https://index.docker.io/v1/', 'docker.io'] : [registry, `https://${registry}`];
    const encoded = keys.map((k) => config.auths?.[k]?.auth).find((a) => a);
    if (!encoded) return undefined;
    const [username = '', ...password] = Buffer.from(encoded, 'base64').toString('utf8').split(':');
    return { username, password: password.join(':'), serveraddress: registry };
  } catch {
    return undefined;
  }
}
