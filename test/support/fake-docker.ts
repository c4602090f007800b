/**
 * A scripted Docker engine for unit tests of the state models: containers are set by the test,
 * events are emitted by it, and `kill()` ends the event stream as a stopping daemon does. The
 * real engine is exercised in test/integration/live-*.test.ts.
 */
import type { LogChunk } from '../../src/core/docker/demux';
import type { DockerEndpoint } from '../../src/core/docker/endpoint';
import { DockerDaemonDownError } from '../../src/core/docker/errors';
import type { ContainerDetails, ContainerSummary, DockerClient, DockerEvent, EngineInfo } from '../../src/core/docker/types';

export class FakeDocker implements DockerClient {
  constructor(readonly endpoint: DockerEndpoint = { source: 'test', url: 'unix:///fake', modemOptions: { host: undefined } }) {}
  requestCount = 0;
  containers = new Map<string, ContainerDetails>();
  logText = '';
  down = false;
  private push: ((e: DockerEvent | undefined) => void) | undefined;
  private queue: (DockerEvent | undefined)[] = [];

  emit(action: string, name = 'vllm-gpt-oss-20b', attributes: Record<string, string> = {}): void {
    const event = { action, id: 'id1', name, attributes: { name, ...attributes }, timeNano: 0n };
    if (this.push) this.push(event);
    else this.queue.push(event);
  }

  /** Ends the event stream as a stopping daemon does. */
  kill(): void {
    this.down = true;
    if (this.push) this.push(undefined);
    else this.queue.push(undefined);
  }

  async ping(): Promise<void> {}
  /** What `/info` answers. */
  engineInfo: EngineInfo = { name: 'fake', memTotalBytes: 128 * 2 ** 30, cpus: 20, serverVersion: '28.0.0' };
  async info(): Promise<EngineInfo> {
    this.requestCount++;
    if (this.down) throw this.downError();
    return this.engineInfo;
  }
  /** The error a down engine answers with (a stopped daemon; an ssh host overrides it). */
  downError: () => Error = () => new DockerDaemonDownError(this.endpoint.url);
  /** Brings a killed engine back (the next connection attempt succeeds). */
  revive(): void {
    this.down = false;
  }
  async listContainers(): Promise<ContainerSummary[]> {
    this.requestCount++;
    if (this.down) throw this.downError();
    return [...this.containers.values()];
  }
  /** While set, inspects wait for it (a slow daemon). */
  inspectGate: Promise<void> | undefined;
  async inspect(name: string): Promise<ContainerDetails | undefined> {
    this.requestCount++;
    await this.inspectGate;
    if (this.down) throw this.downError();
    return this.containers.get(name) ?? [...this.containers.values()].find((c) => c.id === name);
  }
  /** Event streams opened so far. */
  eventStreams = 0;
  async *events(_o: unknown, signal: AbortSignal): AsyncIterable<DockerEvent> {
    this.requestCount++;
    this.eventStreams++;
    if (this.down) throw this.downError();
    while (!signal.aborted) {
      const next = this.queue.shift() ?? (await new Promise<DockerEvent | undefined>((resolve) => {
        this.push = resolve;
        signal.addEventListener('abort', () => resolve(undefined), { once: true });
      }));
      this.push = undefined;
      if (next === undefined) return;
      yield next;
    }
  }
  async *logs(): AsyncIterable<LogChunk> {
    this.requestCount++;
    yield { stream: 'stdout', data: Buffer.from(this.logText) };
  }
  async stats() {
    return { memoryBytes: 0, memoryLimitBytes: 0, cpuPercent: 0 };
  }
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  async restart(): Promise<void> {}
}


/** A container as inspect answers it, running gpt-oss-20b unless `over` says otherwise. */
export function details(over: Partial<ContainerDetails>): ContainerDetails {
  return { id: 'id1', name: 'vllm-gpt-oss-20b', image: 'img', labels: {}, status: 'running', exitCode: 0, startedAt: '2026-11-26T20:00:00Z', finishedAt: '', restartCount: 0, restartPolicy: 'unless-stopped', ports: [], command: [], ...over };
}

/** Waits until `check` holds (polling every 10 ms), failing after `ms`. */
export async function until(check: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 10));
  }
}
