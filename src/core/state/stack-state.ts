/**
 * THE model of the stack's services (SPEC §8: Docker events → state model → views). Docker's
 * event stream drives it: what an event itself says (started, exited with code N, paused,
 * health) is published at once, and the event marks that container dirty; the dirty
 * containers are inspected in batches — the first event of a quiet period after a few
 * milliseconds (so the view is fresh), later ones at most once per debounce window (200 ms) — so
 * bursts (`compose up` of four services, die+stop+restart) cost one or two inspects each, and
 * unrelated containers cost nothing. A slow reconciliation (one list
 * call a minute) is the safety net for a missed event; when the daemon goes away the model
 * reconnects with exponential back-off and resyncs everything.
 *
 * Two things are read beyond Docker's own state, and only while they matter: the vLLM log of a
 * model server that is up but not healthy yet (its loading progress), and the `/metrics` of a
 * healthy model while some view that shows them is visible ({@link StackStateModel.watchMetrics}).
 * Given a {@link StackStateOptions.progressSource} (the window's), each model's status also
 * carries SPEC §9's progress, `phaseProgress`, from the one function `status` prints it with
 * (weights/model-progress.ts), re-read after each change and every second while following —
 * a download that vLLM does by itself, or a start in another process, says nothing to Docker.
 */
import { LineSplitter } from '../docker/demux';
import { DockerUnreachableError } from '../docker/errors';
import type { ContainerDetails, ContainerSummary, DockerClient, DockerEvent } from '../docker/types';
import { splitTimestamp } from '../logs/follower';
import { stripAnsi } from '../logs/ansi';
import type { LoadProgress } from '../logs/vllm-progress';
import { INITIAL_PROGRESS, advanceProgress } from '../logs/vllm-progress';
import type { ModelLoad } from '../metrics/vllm';
import { fetchModelLoad } from '../metrics/vllm';
import type { PhaseProgress } from '../progress/progress';
import type { ServiceRow } from '../stack/services';
import { sleep } from '../time';
import type { ModelProgressSource } from '../weights/model-progress';
import { modelProgress } from '../weights/model-progress';
import { Backoff } from './backoff';
import { patchFromEvent } from './event-patch';
import { matchService } from './recognise';
import type { ServiceStatus } from './service-state';
import { statusOf } from './service-state';

export type Connection =
  | { readonly status: 'connecting' }
  | { readonly status: 'connected' }
  | { readonly status: 'unreachable'; readonly error: Error; readonly retryInMs: number };

export interface StackStateOptions {
  /** At most one batch of inspects per this many ms while events keep coming. */
  readonly debounceMs?: number;
  /** Safety-net reconciliation period. */
  readonly reconcileMs?: number;
  /** `/metrics` period while watched. */
  readonly metricsMs?: number;
  /** Follow the log of loading models for their progress (the CLI's one-shot status reads it once instead). */
  readonly followProgress?: boolean;
  readonly backoff?: Backoff;
  /** Reads a healthy model's load; tests and benchmarks replace it. */
  readonly fetchLoad?: (hostPort: number) => Promise<ModelLoad>;
  /**
   * The stack's models and cache folder, asked for at each read of the models' SPEC §9 progress
   * (`phaseProgress`); undefined, or no option, reads none (the CLI's `status` computes it itself).
   */
  readonly progressSource?: () => ModelProgressSource | undefined;
  /** How often `phaseProgress` is re-read while following (ms). */
  readonly phaseProgressMs?: number;
}

interface Entry {
  details?: ContainerDetails;
  progress?: LoadProgress;
  /** The start (StartedAt) the progress belongs to. */
  progressOf?: string;
  load?: ModelLoad;
  lastLogLine?: string;
  lastLogOf?: string;
  progressReader?: AbortController;
  /** SPEC §9's progress of a model, as last read ({@link StackStateOptions.progressSource}). */
  phaseProgress?: PhaseProgress;
}

/** Events within this long of the first one are inspected together. */
const LEADING_MS = 15;

/** Events that change what `inspect` says. Others (exec_*, attach, top ...) are ignored. */
const STATE_ACTIONS = /^(create|start|restart|die|kill|oom|stop|destroy|pause|unpause|rename|update|health_status)/;

export class StackStateModel {
  private readonly entries = new Map<string, Entry>();
  private readonly listeners = new Set<() => void>();
  private snapshot: readonly ServiceStatus[];
  private conn: Connection = { status: 'connecting' };
  private readonly dirty = new Set<string>();
  private debounceTimer: NodeJS.Timeout | undefined;
  private lastFlushAt = 0;
  private reconcileTimer: NodeJS.Timeout | undefined;
  private metricsTimer: NodeJS.Timeout | undefined;
  private phaseProgressTimer: NodeJS.Timeout | undefined;
  /** A read of the models' `phaseProgress` is under way; `again`: another change came meanwhile. */
  private phaseProgressRead: { again: boolean } | undefined;
  private metricsDemand = 0;
  private readonly lifetime = new AbortController();
  private running = false;
  private syncedOnce: Promise<void>;
  private resolveSynced: () => void = () => undefined;
  private hasSynced = false;
  private readonly backoff: Backoff;
  /** Time of the last state change (ms since the epoch), for freshness measurements. */
  lastChangeAt = 0;

  constructor(
    private rows: readonly ServiceRow[],
    private stackRoot: string,
    readonly docker: DockerClient,
    private readonly options: StackStateOptions = {},
  ) {
    this.backoff = options.backoff ?? new Backoff();
    this.snapshot = this.compute();
    this.syncedOnce = new Promise((resolve) => (this.resolveSynced = resolve));
  }

  /** The services in row order (gateway, then models). */
  get services(): readonly ServiceStatus[] {
    return this.snapshot;
  }

  /** False until the model first read Docker: until then every service looks absent, which it may not be. */
  get synced(): boolean {
    return this.hasSynced;
  }

  get connection(): Connection {
    return this.conn;
  }

  /** Called after every change of {@link services} or {@link connection}. */
  onDidChange(listener: () => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** Resolves once the model holds Docker's state (after the first successful sync). */
  whenSynced(): Promise<void> {
    return this.syncedOnce;
  }

  /** Starts following Docker. Idempotent. */
  start(): void {
    if (this.running) return;
    this.running = true;
    void this.eventLoop();
    this.reconcileTimer = setInterval(() => void this.reconcile(), this.options.reconcileMs ?? 60_000);
    this.reconcileTimer.unref?.();
    if (this.options.progressSource) {
      this.phaseProgressTimer = setInterval(() => this.readPhaseProgress(), this.options.phaseProgressMs ?? 1000);
      this.phaseProgressTimer.unref?.();
    }
  }

  /** Replaces the rows (the stack was reloaded) and resyncs. */
  setRows(rows: readonly ServiceRow[], stackRoot: string): void {
    this.rows = rows;
    this.stackRoot = stackRoot;
    for (const entry of this.entries.values()) entry.progressReader?.abort();
    this.entries.clear();
    this.hasSynced = false;
    this.publish();
    if (this.running) {
      void this.resync().then(() => {
        this.hasSynced = true;
        this.notify();
      }, () => undefined);
    }
  }

  /**
   * Asks for `/metrics` of healthy models until the returned handle is disposed (a view is
   * visible). Reference-counted: nothing is fetched while no one watches.
   */
  watchMetrics(): { dispose(): void } {
    this.metricsDemand++;
    if (this.metricsDemand === 1) {
      void this.pollMetrics();
      this.metricsTimer = setInterval(() => void this.pollMetrics(), this.options.metricsMs ?? 5000);
      this.metricsTimer.unref?.();
    }
    let disposed = false;
    return {
      dispose: () => {
        if (disposed) return;
        disposed = true;
        this.metricsDemand--;
        if (this.metricsDemand === 0 && this.metricsTimer) {
          clearInterval(this.metricsTimer);
          this.metricsTimer = undefined;
        }
      },
    };
  }

  /** Reads everything once, without following events (the CLI's `status`). */
  async syncOnce(): Promise<readonly ServiceStatus[]> {
    await this.resync();
    this.hasSynced = true;
    return this.snapshot;
  }

  dispose(): void {
    this.running = false;
    this.lifetime.abort();
    clearTimeout(this.debounceTimer);
    clearInterval(this.reconcileTimer);
    clearInterval(this.metricsTimer);
    clearInterval(this.phaseProgressTimer);
    for (const entry of this.entries.values()) entry.progressReader?.abort();
    this.listeners.clear();
  }

  private async eventLoop(): Promise<void> {
    const signal = this.lifetime.signal;
    while (!signal.aborted) {
      const attempt = new AbortController();
      const stop = () => attempt.abort();
      signal.addEventListener('abort', stop, { once: true });
      try {
        const events = this.docker.events({}, attempt.signal)[Symbol.asyncIterator]();
        // Open the stream first, then resync: an event during the resync is not lost.
        const first = events.next();
        first.catch(() => undefined);
        await this.resync();
        this.backoff.reset();
        this.hasSynced = true;
        this.setConnection({ status: 'connected' });
        this.resolveSynced();
        for (let next = await first; !next.done; next = await events.next()) this.onEvent(next.value);
        if (signal.aborted) return;
        throw new Error('the Docker event stream ended');
      } catch (error) {
        if (signal.aborted) return;
        const retryInMs = this.backoff.next();
        this.setConnection({ status: 'unreachable', error: error instanceof Error ? error : new Error(String(error)), retryInMs });
        await sleep(retryInMs, signal);
      } finally {
        signal.removeEventListener('abort', stop);
        attempt.abort();
      }
    }
  }

  private onEvent(event: DockerEvent): void {
    if (!STATE_ACTIONS.test(event.action)) return;
    const row = matchService(this.rows, this.stackRoot, event.name, event.attributes);
    if (!row) return;
    // What the event itself says is shown at once; the inspect below fills in the rest.
    const entry = this.entry(row.name);
    const patched = patchFromEvent(entry.details, event);
    if (patched !== undefined) {
      entry.details = patched ?? undefined;
      this.publish();
    }
    this.dirty.add(row.name);
    if (this.debounceTimer !== undefined) return; // a batch is scheduled; this event joins it
    // Leading edge after a few ms (events of one action arrive together), then one batch per window.
    const wait = Math.max(LEADING_MS, this.lastFlushAt + (this.options.debounceMs ?? 200) - Date.now());
    this.debounceTimer = setTimeout(() => {
      this.debounceTimer = undefined;
      this.lastFlushAt = Date.now();
      void this.flushDirty();
    }, wait);
  }

  private async flushDirty(): Promise<void> {
    const names = [...this.dirty];
    this.dirty.clear();
    await Promise.all(names.map(async (name) => {
      const row = this.rows.find((r) => r.name === name);
      if (!row) return;
      const entry = this.entry(name);
      try {
        // By id first: a renamed container (recognised by its labels) keeps its id.
        entry.details = (entry.details && (await this.docker.inspect(entry.details.id))) || (await this.docker.inspect(row.container));
      } catch (error) {
        if (error instanceof DockerUnreachableError) return; // the event loop reconnects and resyncs
        throw error;
      }
    }));
    await this.afterUpdate();
  }

  /** The safety net: one list call; inspects only containers whose listed state differs. */
  private async reconcile(): Promise<void> {
    if (this.conn.status !== 'connected') return;
    try {
      const list = await this.docker.listContainers();
      const changed = this.rows.some((row) => {
        const found = this.findIn(list, row);
        const known = this.entries.get(row.name)?.details;
        return found?.id !== known?.id || (found && known && found.status !== known.status);
      });
      if (changed) await this.resync(list);
    } catch {
      // The event loop notices an unreachable daemon and reports it.
    }
  }

  private findIn(list: readonly ContainerSummary[], row: ServiceRow): ContainerSummary | undefined {
    return list.find((c) => c.name === row.container) ?? list.find((c) => matchService([row], this.stackRoot, c.name, c.labels) === row);
  }

  /** Lists and inspects every stack container. */
  private async resync(known?: readonly ContainerSummary[]): Promise<void> {
    const list = known ?? (await this.docker.listContainers());
    await Promise.all(this.rows.map(async (row) => {
      const found = this.findIn(list, row);
      const entry = this.entry(row.name);
      entry.details = found ? await this.docker.inspect(found.id) : undefined;
    }));
    await this.afterUpdate();
  }

  /** After inspecting: start or stop progress readers, fetch last log lines of failures, publish. */
  private async afterUpdate(): Promise<void> {
    const reads: Promise<void>[] = [];
    for (const row of this.rows) {
      const entry = this.entry(row.name);
      const d = entry.details;
      const up = d?.status === 'running' && d.health?.status !== 'healthy' && d.health?.status !== 'unhealthy';
      if (row.kind === 'model' && up && d) {
        if (entry.progressOf !== d.startedAt) {
          entry.progressReader?.abort();
          entry.progressReader = undefined;
          entry.progress = undefined;
          entry.progressOf = d.startedAt;
          reads.push(this.readProgress(row.name, d));
        }
      } else if (entry.progressReader) {
        entry.progressReader.abort();
        entry.progressReader = undefined;
      }
      if (row.kind === 'model' && d?.health?.status === 'healthy' && entry.load === undefined && this.metricsDemand > 0 && row.hostPort !== undefined) {
        reads.push(this.readLoad(row));
      }
      const failed = d && ((d.status === 'exited' && d.exitCode !== 0) || d.status === 'restarting' || d.health?.status === 'unhealthy');
      const failureKey = d ? `${d.id}/${d.finishedAt}/${d.health?.status ?? ''}` : '';
      if (failed && entry.lastLogOf !== failureKey) {
        entry.lastLogOf = failureKey;
        reads.push(this.readLastLine(entry, d.id));
      }
    }
    // Progress readers resolve after their first read (the log so far); following goes on in the background.
    await Promise.all(reads);
    this.publish();
  }

  private async readProgress(name: string, details: ContainerDetails): Promise<void> {
    const entry = this.entry(name);
    const follow = this.options.followProgress ?? true;
    const controller = new AbortController();
    if (follow) entry.progressReader = controller;
    const since = Math.floor(Date.parse(details.startedAt) / 1000);
    // `since` is in whole seconds, so the previous run's last lines of that second come too (a crash
    // restart within the second of its last line): lines stamped before this start are skipped.
    const startedAt = splitTimestamp(`${details.startedAt} `).time;
    const splitter = new LineSplitter();
    let progress: LoadProgress = INITIAL_PROGRESS;
    let firstReadDone: () => void = () => undefined;
    const firstRead = new Promise<void>((resolve) => (firstReadDone = resolve));
    const run = async () => {
      try {
        for await (const chunk of this.docker.logs(details.id, { follow, timestamps: true, since }, controller.signal)) {
          let moved = false;
          for (const line of splitter.push(chunk.data)) {
            const { time, text } = splitTimestamp(line);
            if (time !== undefined && startedAt !== undefined && time < startedAt) continue;
            const next = advanceProgress(progress, stripAnsi(text));
            if (next !== progress) moved = true;
            progress = next;
          }
          // Without a healthcheck nothing else ends the loading state; stop reading once vLLM is up.
          if (progress.ready && !details.health) controller.abort();
          if (moved && entry.progressOf === details.startedAt) {
            entry.progress = progress;
            if (follow) this.publish();
          }
          if (follow) firstReadDone();
        }
      } catch {
        // The container stopped or Docker went away: its events update the state.
      } finally {
        firstReadDone();
      }
    };
    const done = run();
    // One-shot readers finish before the snapshot; followers only need their first chunk.
    await (follow ? Promise.race([firstRead, done, sleep(1500, controller.signal)]) : done);
  }

  private async readLoad(row: ServiceRow): Promise<void> {
    if (row.hostPort === undefined) return;
    try {
      this.entry(row.name).load = await (this.options.fetchLoad ?? fetchModelLoad)(row.hostPort);
    } catch {
      this.entry(row.name).load = undefined;
    }
  }

  private async pollMetrics(): Promise<void> {
    const healthy = this.rows.filter((r) => r.kind === 'model' && this.entries.get(r.name)?.details?.health?.status === 'healthy');
    if (healthy.length === 0) return;
    await Promise.all(healthy.map((row) => this.readLoad(row)));
    this.publish();
  }

  private async readLastLine(entry: Entry, id: string): Promise<void> {
    try {
      const splitter = new LineSplitter();
      let last: string | undefined;
      const controller = new AbortController();
      for await (const chunk of this.docker.logs(id, { follow: false, tail: 20 }, controller.signal)) {
        for (const line of splitter.push(chunk.data)) if (line.trim()) last = stripAnsi(line).trim();
      }
      for (const line of splitter.flush()) if (line.trim()) last = stripAnsi(line).trim();
      entry.lastLogLine = last;
    } catch {
      entry.lastLogLine = undefined;
    }
  }

  /**
   * Reads every model's SPEC §9 progress ({@link modelProgress}) from the statuses just published
   * and publishes again if it moved. One read at a time; a change during one reads once more after it.
   */
  private readPhaseProgress(): void {
    if (!this.options.progressSource || !this.running) return;
    if (this.phaseProgressRead) {
      this.phaseProgressRead.again = true;
      return;
    }
    const read = { again: false };
    this.phaseProgressRead = read;
    const run = async () => {
      const source = this.options.progressSource?.();
      const services = this.snapshot;
      const figures = await Promise.all(services.map((s) => (source && s.kind === 'model' ? modelProgress(s, source).catch(() => undefined) : undefined)));
      if (this.lifetime.signal.aborted) return;
      services.forEach((s, i) => {
        // The rows may have been replaced meanwhile (a reloaded stack): only theirs are kept.
        if (!this.rows.some((r) => r.name === s.name)) return;
        this.entry(s.name).phaseProgress = figures[i];
      });
      // Not a change that asks for another read (a moving download would read without pause).
      this.publish(false);
    };
    void run().finally(() => {
      this.phaseProgressRead = undefined;
      if (read.again) this.readPhaseProgress();
    });
  }

  private entry(name: string): Entry {
    let entry = this.entries.get(name);
    if (!entry) {
      entry = {};
      this.entries.set(name, entry);
    }
    return entry;
  }

  private compute(): readonly ServiceStatus[] {
    return this.rows.map((row) => {
      const e = this.entries.get(row.name);
      const progress = e?.progressOf === e?.details?.startedAt ? e?.progress : undefined;
      const status = statusOf(row, e?.details, { ...(progress ? { progress } : {}), ...(e?.load ? { load: e.load } : {}), ...(e?.lastLogLine ? { lastLogLine: e.lastLogLine } : {}) });
      return e?.phaseProgress ? { ...status, phaseProgress: e.phaseProgress } : status;
    });
  }

  /** `readFigures`: re-read the models' `phaseProgress` after a change (not after such a read itself). */
  private publish(readFigures = true): void {
    const next = this.compute();
    if (JSON.stringify(next) === JSON.stringify(this.snapshot)) return;
    this.snapshot = next;
    this.notify();
    // The figure follows the state at once (a load that began, a container that appeared).
    if (readFigures) this.readPhaseProgress();
  }

  private notify(): void {
    this.lastChangeAt = Date.now();
    for (const listener of [...this.listeners]) listener();
  }

  private setConnection(conn: Connection): void {
    const changed = conn.status !== this.conn.status || (conn.status === 'unreachable' && this.conn.status === 'unreachable' && conn.error.message !== this.conn.error.message);
    this.conn = conn;
    if (changed) this.notify();
  }
}
