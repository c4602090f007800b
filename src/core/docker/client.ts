/**
 * The Docker engine through dockerode (an ssh:// engine through the user's `ssh`: ssh-dial.ts).
 * dockerode is loaded on first use, not at import, so activating the extension stays cheap until
 * Docker is actually needed.
 */
import type Dockerode from 'dockerode';
import { FrameDemuxer, LineSplitter } from './demux';
import type { LogChunk } from './demux';
import type { DockerEndpoint } from './endpoint';
import { resolveDockerEndpoint } from './endpoint';
import { classifyDockerError } from './errors';
import { dockerodeOptions } from './ssh-dial';
import type { ContainerDetails, ContainerStatsSummary, ContainerStatus, ContainerSummary, DockerClient, DockerEvent, EngineInfo, LogOptions, PortBinding } from './types';
import { SparkError } from '../errors';
import { printable } from '../inputs';

type Dial = (options: unknown, callback: (error: unknown, data: unknown) => void) => void;

export interface DockerClientOptions {
  /** Told about every Engine API request (method and path without the query), e.g. to tally them in a benchmark. */
  readonly onRequest?: (method: string, path: string) => void;
}

/** Creates a client for the engine the Docker CLI would use (`DOCKER_HOST`, the current context). */
export function createDockerClient(env: NodeJS.ProcessEnv = process.env, options: DockerClientOptions = {}): DockerClient {
  return new DockerodeClient(resolveDockerEndpoint({ env }), options, env);
}

/** Creates a client for one given engine (a host of the stack's `hosts:` list). */
export function createDockerClientFor(endpoint: DockerEndpoint, options: DockerClientOptions = {}): DockerClient {
  return new DockerodeClient(endpoint, options);
}

class DockerodeClient implements DockerClient {
  private docker: Promise<Dockerode> | undefined;
  private requests = 0;

  constructor(
    readonly endpoint: DockerEndpoint,
    private readonly options: DockerClientOptions = {},
    /** The environment the `ssh` of an ssh:// engine runs in (its PATH finds `ssh`). */
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  get requestCount(): number {
    return this.requests;
  }

  private engine(): Promise<Dockerode> {
    return (this.docker ??= import('dockerode').then(({ default: Docker }) => {
      const docker = new Docker(dockerodeOptions(this.endpoint, this.env) as Dockerode.DockerOptions);
      // Every Engine API request goes through modem.dial: count them here (bench/ reports the
      // idle request rate, the figure that tells "event-driven" from "polling").
      const modem = docker.modem as { dial: Dial };
      const dial = modem.dial.bind(modem);
      modem.dial = (options, callback) => {
        this.requests++;
        const { method, path } = options as { method?: string; path?: string };
        this.options.onRequest?.(method ?? 'GET', (path ?? '').split('?')[0] ?? '');
        dial(options, callback);
      };
      return docker;
    }));
  }

  private async call<T>(work: (docker: Dockerode) => Promise<T>): Promise<T> {
    try {
      return await work(await this.engine());
    } catch (error) {
      throw classifyDockerError(error, this.endpoint);
    }
  }

  async ping(): Promise<void> {
    await this.call((d) => d.ping());
  }

  async info(): Promise<EngineInfo> {
    const info = (await this.call((d) => d.info())) as { Name?: string; MemTotal?: number; NCPU?: number; ServerVersion?: string };
    return { name: info.Name ?? '', memTotalBytes: info.MemTotal ?? 0, cpus: info.NCPU ?? 0, serverVersion: info.ServerVersion ?? '' };
  }

  async listContainers(): Promise<ContainerSummary[]> {
    const list = await this.call((d) => d.listContainers({ all: true }));
    return list.map((c) => ({
      id: c.Id,
      name: (c.Names[0] ?? '').replace(/^\//, ''),
      image: c.Image,
      labels: c.Labels ?? {},
      status: c.State as ContainerStatus,
    }));
  }

  async inspect(nameOrId: string): Promise<ContainerDetails | undefined> {
    try {
      return toDetails(await this.call((d) => d.getContainer(containerRef(nameOrId)).inspect()));
    } catch (error) {
      if ((error as { statusCode?: unknown }).statusCode === 404) return undefined;
      throw error;
    }
  }

  async *events(options: { since?: number; filters?: Readonly<Record<string, readonly string[]>> }, signal: AbortSignal): AsyncIterable<DockerEvent> {
    const filters = { type: ['container'], ...options.filters };
    const stream = await this.call((d) => d.getEvents({ filters: filters as Record<string, string[]>, ...(options.since !== undefined ? { since: options.since } : {}), abortSignal: signal }));
    const lines = new LineSplitter();
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        for (const line of lines.push(chunk)) {
          if (line.trim() === '') continue;
          const event = parseEvent(line);
          if (event) yield event;
        }
      }
    } catch (error) {
      if (signal.aborted) return;
      throw classifyDockerError(error, this.endpoint);
    } finally {
      (stream as unknown as { destroy?: () => void }).destroy?.();
    }
  }

  async *logs(nameOrId: string, options: LogOptions, signal: AbortSignal): AsyncIterable<LogChunk> {
    const container = (await this.engine()).getContainer(containerRef(nameOrId));
    const query = {
      stdout: true,
      stderr: true,
      timestamps: options.timestamps ?? false,
      ...(options.tail !== undefined ? { tail: options.tail } : {}),
      ...(options.since !== undefined ? { since: options.since } : {}),
      abortSignal: signal,
    };
    // With follow the answer is a stream; without it dockerode buffers the whole log.
    const source: AsyncIterable<Buffer> | Iterable<Buffer> = options.follow
      ? ((await this.call(() => container.logs({ ...query, follow: true }))) as unknown as AsyncIterable<Buffer>)
      : [await this.call(() => container.logs({ ...query, follow: false }))];
    const demux = new FrameDemuxer();
    try {
      for await (const chunk of source) yield* demux.push(chunk);
    } catch (error) {
      if (signal.aborted) return;
      throw classifyDockerError(error, this.endpoint);
    } finally {
      (source as { destroy?: () => void }).destroy?.();
    }
  }

  async stats(nameOrId: string): Promise<ContainerStatsSummary> {
    const s = await this.call((d) => d.getContainer(containerRef(nameOrId)).stats({ stream: false }));
    const cpuDelta = s.cpu_stats.cpu_usage.total_usage - s.precpu_stats.cpu_usage.total_usage;
    const systemDelta = (s.cpu_stats.system_cpu_usage ?? 0) - (s.precpu_stats.system_cpu_usage ?? 0);
    const cpus = s.cpu_stats.online_cpus ?? s.cpu_stats.cpu_usage.percpu_usage?.length ?? 1;
    return {
      memoryBytes: s.memory_stats.usage ?? 0,
      memoryLimitBytes: s.memory_stats.limit ?? 0,
      cpuPercent: systemDelta > 0 && cpuDelta > 0 ? (cpuDelta / systemDelta) * cpus * 100 : 0,
    };
  }

  async start(nameOrId: string): Promise<void> {
    await this.call((d) => d.getContainer(containerRef(nameOrId)).start());
  }

  async stop(nameOrId: string, timeoutSeconds = 10): Promise<void> {
    await this.call((d) => d.getContainer(containerRef(nameOrId)).stop({ t: timeoutSeconds }));
  }

  async restart(nameOrId: string, timeoutSeconds = 10): Promise<void> {
    await this.call((d) => d.getContainer(containerRef(nameOrId)).restart({ t: timeoutSeconds }));
  }
}

interface RawEvent {
  readonly Type?: string;
  readonly Action?: string;
  readonly status?: string;
  readonly id?: string;
  readonly Actor?: { readonly ID?: string; readonly Attributes?: Record<string, string> };
  readonly timeNano?: number;
  readonly time?: number;
}

/** Parses one line of `GET /events`; undefined for lines that are not container events. Pure. */
export function parseEvent(line: string): DockerEvent | undefined {
  let raw: RawEvent;
  try {
    raw = JSON.parse(line) as RawEvent;
  } catch {
    return undefined;
  }
  if (raw.Type !== undefined && raw.Type !== 'container') return undefined;
  const action = raw.Action ?? raw.status;
  const id = raw.Actor?.ID ?? raw.id;
  if (!action || !id) return undefined;
  const attributes = raw.Actor?.Attributes ?? {};
  // timeNano is beyond 2^53 and loses its last digits in JSON.parse; read it from the text.
  const nano = /"timeNano":(\d+)/.exec(line)?.[1];
  return { action, id, name: attributes.name ?? '', attributes, timeNano: nano ? BigInt(nano) : BigInt(raw.time ?? 0) * 1_000_000_000n };
}

function toDetails(info: Dockerode.ContainerInspectInfo): ContainerDetails {
  const health = info.State.Health as { Status?: string; FailingStreak?: number; Log?: { Output?: string }[] } | undefined;
  const lastProbe = health?.Log?.[health.Log.length - 1]?.Output?.trim();
  return {
    id: info.Id,
    name: info.Name.replace(/^\//, ''),
    image: info.Config.Image,
    labels: info.Config.Labels ?? {},
    status: info.State.Status as ContainerStatus,
    exitCode: info.State.ExitCode,
    startedAt: info.State.StartedAt,
    finishedAt: info.State.FinishedAt,
    restartCount: info.RestartCount,
    restartPolicy: info.HostConfig.RestartPolicy?.Name ?? '',
    health: health?.Status ? { status: health.Status as 'starting' | 'healthy' | 'unhealthy' | 'none', failingStreak: health.FailingStreak ?? 0, ...(lastProbe ? { lastOutput: lastProbe } : {}) } : undefined,
    ports: portsOf(info),
    gpus: gpusOf(info),
    command: [info.Path, ...info.Args],
  };
}

type PortMap = Record<string, { HostIp?: string; HostPort?: string }[] | null | undefined>;

function portsOf(info: Dockerode.ContainerInspectInfo): PortBinding[] {
  // While running, NetworkSettings has the bound ports; before that, HostConfig has what was asked for.
  const live = info.NetworkSettings.Ports as PortMap | undefined;
  const asked = info.HostConfig.PortBindings as PortMap | undefined;
  const map = live && Object.values(live).some((v) => v && v.length > 0) ? live : asked ?? {};
  const out: PortBinding[] = [];
  for (const [key, bindings] of Object.entries(map)) {
    const [port, protocol = 'tcp'] = key.split('/');
    for (const b of bindings ?? []) {
      if (!b.HostPort) continue;
      const binding = { hostIp: b.HostIp || '0.0.0.0', hostPort: Number(b.HostPort), containerPort: Number(port), protocol };
      if (!out.some((o) => o.hostIp === binding.hostIp && o.hostPort === binding.hostPort)) out.push(binding);
    }
  }
  return out;
}

function gpusOf(info: Dockerode.ContainerInspectInfo): string | undefined {
  const requests = (info.HostConfig as { DeviceRequests?: { Driver?: string; Count?: number; DeviceIDs?: string[] | null; Capabilities?: string[][] | null }[] | null }).DeviceRequests ?? [];
  const gpu = requests.find((r) => r.Driver === 'nvidia' || r.Capabilities?.some((c) => c.includes('gpu')));
  if (!gpu) return undefined;
  if (gpu.DeviceIDs && gpu.DeviceIDs.length > 0) return `GPU ${gpu.DeviceIDs.join(',')}`;
  return gpu.Count === -1 || gpu.Count === undefined ? 'all GPUs' : `${gpu.Count} GPU${gpu.Count === 1 ? '' : 's'}`;
}

/**
 * A container name or id as the Engine API path takes it. dockerode puts it into the URL as it
 * is, so `../..` would reach another endpoint; callers pass checked names, and this is the second
 * guard: Docker's own rule for names (`[a-zA-Z0-9][a-zA-Z0-9_.-]*`), which ids also meet.
 */
function containerRef(nameOrId: string): string {
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(nameOrId) || nameOrId.includes('..')) {
    throw new SparkError(`"${printable(nameOrId)}" is not a container name or id`, 'Use the container name shown by `docker ps` (letters, digits, "_", ".", "-")');
  }
  return nameOrId;
}
