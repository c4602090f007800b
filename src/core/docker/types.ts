/**
 * What the core needs to know about containers, in its own small types: views and tests depend on
 * these, not on dockerode's large generated ones.
 */
import type { DockerEndpoint } from './endpoint';
import type { LogChunk } from './demux';

/** `State.Status` of the Engine API. */
export type ContainerStatus = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';

export interface PortBinding {
  readonly hostIp: string;
  readonly hostPort: number;
  readonly containerPort: number;
  readonly protocol: string;
}

export interface ContainerSummary {
  readonly id: string;
  /** Without the leading slash. */
  readonly name: string;
  readonly image: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly status: ContainerStatus;
}

export interface ContainerHealth {
  readonly status: 'starting' | 'healthy' | 'unhealthy' | 'none';
  readonly failingStreak: number;
  /** Output of the last health probe (trimmed), useful when it fails. */
  readonly lastOutput?: string;
}

export interface ContainerDetails extends ContainerSummary {
  readonly exitCode: number;
  /** ISO time; Docker's zero time `0001-01-01T00:00:00Z` when it never started. */
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly restartCount: number;
  readonly restartPolicy: string;
  /** Undefined when the image or run defines no healthcheck. */
  readonly health?: ContainerHealth;
  readonly ports: readonly PortBinding[];
  /** The GPU request in words (`all GPUs`, `GPU 0,1`), undefined without one. */
  readonly gpus?: string;
  /** The command line (entrypoint and args). */
  readonly command: readonly string[];
}

/** One container event from `GET /events`. */
export interface DockerEvent {
  /** `create`, `start`, `die`, `stop`, `destroy`, `restart`, `pause`, `unpause`, `health_status: healthy` ... */
  readonly action: string;
  readonly id: string;
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  /** Nanoseconds since the epoch. */
  readonly timeNano: bigint;
}

export interface LogOptions {
  readonly follow: boolean;
  /** Lines from the end; undefined = all. */
  readonly tail?: number;
  /** Unix seconds (fractions allowed); only entries at or after it. */
  readonly since?: number;
  /** Prefix each line with its RFC 3339 nano timestamp (the follower needs it to resume). */
  readonly timestamps?: boolean;
}

export interface ContainerStatsSummary {
  readonly memoryBytes: number;
  readonly memoryLimitBytes: number;
  readonly cpuPercent: number;
}

/** What an engine says about its machine (`GET /info`). */
export interface EngineInfo {
  /** The machine's host name. */
  readonly name: string;
  readonly memTotalBytes: number;
  readonly cpus: number;
  readonly serverVersion: string;
}

/** The Docker engine as the core uses it. One implementation talks to the engine through dockerode. */
export interface DockerClient {
  readonly endpoint: DockerEndpoint;
  /** Engine API requests made so far (streams count once, when opened). */
  readonly requestCount: number;
  ping(): Promise<void>;
  /** The engine's machine: name, memory, CPUs. */
  info(): Promise<EngineInfo>;
  /** All containers, running or not. */
  listContainers(): Promise<ContainerSummary[]>;
  /** The container, or undefined when there is none by that name or id. */
  inspect(nameOrId: string): Promise<ContainerDetails | undefined>;
  /** Container events until `signal` aborts or the connection ends (then the iteration ends or throws). */
  events(options: { since?: number; filters?: Readonly<Record<string, readonly string[]>> }, signal: AbortSignal): AsyncIterable<DockerEvent>;
  /** Demultiplexed log chunks. */
  logs(nameOrId: string, options: LogOptions, signal: AbortSignal): AsyncIterable<LogChunk>;
  stats(nameOrId: string): Promise<ContainerStatsSummary>;
  start(nameOrId: string): Promise<void>;
  stop(nameOrId: string, timeoutSeconds?: number): Promise<void>;
  restart(nameOrId: string, timeoutSeconds?: number): Promise<void>;
}
