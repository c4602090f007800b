/**
 * The few Docker engine questions starting and stopping a scenario asks — is the daemon there,
 * the network, an image, a container's state and health — answered with the `docker` CLI through
 * argument arrays. Kept behind the {@link Engine} interface so the start sequence can be tested
 * with a fake and can move to the shared Docker client without changing.
 */
import type { Cancellation } from '../process/cancellation';
import type { LineSink, ProcessCommand, ProcessResult } from '../process/run';
import { ProcessFailedError, runProcess } from '../process/run';
import { SparkError } from '../errors';

export interface ContainerState {
  /** Docker's status: created, running, restarting, exited, paused, dead. */
  readonly status: string;
  /** Healthcheck status when the container has one: starting, healthy, unhealthy. */
  readonly health?: string;
  readonly exitCode: number;
  readonly restartCount: number;
  /** The folder of the compose project that created it (label com.docker.compose.project.working_dir). */
  readonly projectDir?: string;
}

/** The compose label naming the project's folder. */
export const COMPOSE_WORKING_DIR_LABEL = 'com.docker.compose.project.working_dir';

export interface Engine {
  /** Throws {@link DockerNotReachableError} with the fix when the daemon cannot be reached. */
  ping(): Promise<void>;
  networkExists(name: string): Promise<boolean>;
  createNetwork(name: string): Promise<void>;
  imageExists(ref: string): Promise<boolean>;
  /** Whether a registry would give us `ref` (no download); the reason when not. */
  imagePullable(ref: string, cancellation?: Cancellation): Promise<string | undefined>;
  /** The container's state, undefined when it does not exist. */
  container(name: string): Promise<ContainerState | undefined>;
  /** Running containers by name with the host ports they publish. */
  publishedPorts(): Promise<ReadonlyMap<number, string>>;
  /** The last lines of a container's log (for a failure message). */
  logTail(name: string, lines: number): Promise<string>;
  /** The engine's machine memory (`docker info` MemTotal), for a host whose /proc/meminfo is not ours. */
  memTotalBytes?(): Promise<number>;
}

export class DockerNotReachableError extends SparkError {}

type Run = (cmd: ProcessCommand, options?: { okCodes?: readonly number[]; cancellation?: Cancellation; sink?: LineSink }) => Promise<ProcessResult>;

/**
 * An {@link Engine} over the `docker` CLI. `env` is added to each `docker` process's environment:
 * `hostDockerEnv(host)` (src/core/docker/host-endpoint.ts) points it at another host's engine. Every
 * name and image reference follows `--` (each of these subcommands takes it), so none is read as
 * an option: `--help` as a container would print usage and exit 0 — "not running".
 */
export function dockerCliEngine(run: Run = runProcess, env: Readonly<Record<string, string>> = {}): Engine {
  const docker = (...args: string[]): ProcessCommand => ({ command: 'docker', args, ...(Object.keys(env).length > 0 ? { env } : {}) });
  return {
    async ping() {
      try {
        await run(docker('info', '--format', '{{.ServerVersion}}'));
      } catch (error) {
        const text = error instanceof ProcessFailedError ? error.stderr : error instanceof Error ? error.message : String(error);
        const fix = /permission denied/i.test(text)
          ? 'Add your user to the docker group (sudo usermod -aG docker $USER) and log in again'
          : /not installed/.test(text)
            ? 'Install Docker (docker.io or Docker Engine)'
            : 'Start the Docker daemon (sudo systemctl start docker)';
        throw new DockerNotReachableError(`Docker is not reachable: ${text.trim().split('\n').pop() ?? ''}`, fix);
      }
    },
    async networkExists(name) {
      return (await run(docker('network', 'inspect', '--format', '{{.Name}}', '--', name), { okCodes: [1] })).code === 0;
    },
    async createNetwork(name) {
      await run(docker('network', 'create', '--', name));
    },
    async imageExists(ref) {
      return (await run(docker('image', 'inspect', '--format', '{{.Id}}', '--', ref), { okCodes: [1] })).code === 0;
    },
    async imagePullable(ref, cancellation) {
      try {
        await run(docker('manifest', 'inspect', '--', ref), { cancellation });
        return undefined;
      } catch (error) {
        const text = error instanceof ProcessFailedError ? error.stderr : error instanceof Error ? error.message : String(error);
        return text.trim().split('\n').pop() || 'the registry did not answer';
      }
    },
    async container(name) {
      const result = await run(docker('container', 'inspect', '--format', '{{json .State}}\t{{.RestartCount}}\t{{json .Config.Labels}}', '--', name), { okCodes: [1] });
      if (result.code !== 0) return undefined;
      const [json, restarts, labels] = result.stdout.trim().split('\t');
      const state = JSON.parse(json ?? '{}') as { Status?: string; ExitCode?: number; Health?: { Status?: string } };
      const projectDir = (JSON.parse(labels || '{}') as Record<string, string> | null)?.[COMPOSE_WORKING_DIR_LABEL];
      return { status: state.Status ?? 'unknown', health: state.Health?.Status, exitCode: state.ExitCode ?? 0, restartCount: Number(restarts ?? 0), projectDir };
    },
    async publishedPorts() {
      const result = await run(docker('ps', '--format', '{{.Names}}\t{{.Ports}}'));
      const ports = new Map<number, string>();
      for (const line of result.stdout.split('\n')) {
        const [name, published] = line.split('\t');
        if (!name || !published) continue;
        // e.g. "127.0.0.1:8001->8000/tcp, [::1]:443->443/tcp"
        for (const match of published.matchAll(/:(\d+)->/g)) ports.set(Number(match[1]), name);
      }
      return ports;
    },
    async logTail(name, lines) {
      const result = await run(docker('logs', '--tail', String(lines), '--', name), { okCodes: [1] });
      return `${result.stdout}${result.stderr}`.trim();
    },
    async memTotalBytes() {
      return Number((await run(docker('info', '--format', '{{.MemTotal}}'))).stdout.trim());
    },
  };
}
