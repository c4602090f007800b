/**
 * Follows a container's log across restarts. Docker ends a log stream when the container stops;
 * a user tailing a model server wants to see it come back (a crash, a restart policy, `docker
 * compose up` recreating it), so the follower waits for the next `start` event and resumes after
 * the last line it yielded — the container restarting does not end the log.
 */
import type { LogStream } from '../docker/demux';
import { LineSplitter } from '../docker/demux';
import { ContainerNotFoundError } from '../docker/errors';
import type { DockerClient } from '../docker/types';
import { sleep } from '../time';
import { stripAnsi } from './ansi';

export interface LogLine {
  readonly text: string;
  readonly stream: LogStream;
  /** Docker's RFC 3339 timestamp with 9 fraction digits, when known. */
  readonly time?: string;
}

export interface FollowOptions {
  /** Keep following (across restarts) until `signal` aborts; false: print what is there and end. */
  readonly follow: boolean;
  /** Only the last N lines of the existing log (the first attach only). */
  readonly tail?: number;
  readonly signal: AbortSignal;
  /** Told about gaps: the container stopped, started again, Docker went away. */
  readonly onNotice?: (text: string) => void;
  /** Longest wait between reconnection attempts when Docker is unreachable. */
  readonly maxRetryMs?: number;
}

const TIMESTAMP = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?Z /;

/** Splits Docker's timestamp prefix off a line; the time comes back with 9 fraction digits so it sorts as text. Pure. */
export function splitTimestamp(line: string): { time?: string; text: string } {
  const m = TIMESTAMP.exec(line);
  if (!m) return { text: line };
  return { time: `${m[1]}.${(m[2] ?? '').padEnd(9, '0')}Z`, text: line.slice(m[0].length) };
}

/** Lines of `container`'s log, colour codes removed. See the module comment for restarts. */
export async function* followLogs(docker: DockerClient, container: string, options: FollowOptions): AsyncGenerator<LogLine> {
  const { signal } = options;
  const notice = options.onNotice ?? (() => undefined);
  let lastTime = '';
  let firstAttach = true;
  let retryMs = 250;
  while (!signal.aborted) {
    let details;
    try {
      details = await docker.inspect(container);
    } catch (error) {
      if (!options.follow) throw error;
      notice(`Docker is not reachable (${error instanceof Error ? error.message : String(error)}); retrying`);
      await sleep(retryMs, signal);
      retryMs = Math.min(retryMs * 2, options.maxRetryMs ?? 10_000);
      continue;
    }
    if (!details) {
      if (!options.follow) throw new ContainerNotFoundError(container);
      notice(`${container} does not exist; waiting for it to start`);
      await waitForStart(docker, container, Date.now() / 1000 - 1, signal, options.maxRetryMs);
      continue;
    }
    // Events after this moment wake the wait below; taken before the log opens so none is missed.
    const attachedAt = Date.now() / 1000 - 1;
    const splitters: Record<LogStream, LineSplitter> = { stdout: new LineSplitter(), stderr: new LineSplitter() };
    const times: Record<LogStream, string | undefined> = { stdout: undefined, stderr: undefined };
    const since = lastTime ? Math.floor(Date.parse(lastTime) / 1000) : undefined;
    try {
      const chunks = docker.logs(container, { follow: options.follow, timestamps: true, ...(firstAttach && options.tail !== undefined ? { tail: options.tail } : {}), ...(since !== undefined ? { since } : {}) }, signal);
      for await (const chunk of chunks) {
        for (const raw of splitters[chunk.stream].push(chunk.data)) {
          const { time, text } = splitTimestamp(raw);
          // Lines after a carriage return (progress bar redraws) carry no timestamp of their own.
          if (time) times[chunk.stream] = time;
          const at = time ?? times[chunk.stream];
          if (at !== undefined && lastTime && (at < lastTime || (time !== undefined && at === lastTime))) continue;
          if (time) lastTime = time;
          yield { text: stripAnsi(text), stream: chunk.stream, ...(at !== undefined ? { time: at } : {}) };
        }
      }
      for (const stream of ['stdout', 'stderr'] as const) {
        for (const raw of splitters[stream].flush()) yield { text: stripAnsi(splitTimestamp(raw).text), stream };
      }
      retryMs = 250;
    } catch (error) {
      if (signal.aborted) return;
      if (!options.follow) throw error;
      notice(`the log stream broke (${error instanceof Error ? error.message : String(error)}); reattaching`);
      await sleep(retryMs, signal);
      retryMs = Math.min(retryMs * 2, options.maxRetryMs ?? 10_000);
      continue;
    } finally {
      firstAttach = false;
    }
    if (!options.follow || signal.aborted) return;
    notice(`${container} stopped; waiting for it to start again`);
    await waitForStart(docker, container, attachedAt, signal, options.maxRetryMs);
    if (!signal.aborted) notice(`${container} started again`);
  }
}

/** Resolves at the first `start` of `container` since `sinceSeconds` (replayed by Docker), or on abort. */
async function waitForStart(docker: DockerClient, container: string, sinceSeconds: number, signal: AbortSignal, maxRetryMs = 10_000): Promise<void> {
  let retryMs = 250;
  while (!signal.aborted) {
    const local = new AbortController();
    const stop = () => local.abort();
    signal.addEventListener('abort', stop, { once: true });
    try {
      for await (const event of docker.events({ since: Math.floor(sinceSeconds), filters: { container: [container], event: ['start'] } }, local.signal)) {
        if (event.action === 'start') return;
      }
      // The stream ended without a start: the daemon went away. Fall through to retry.
    } catch {
      // Docker unreachable; retry below.
    } finally {
      signal.removeEventListener('abort', stop);
      local.abort();
    }
    await sleep(retryMs, signal);
    retryMs = Math.min(retryMs * 2, maxRetryMs);
  }
}
