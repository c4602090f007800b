/**
 * The one progress figure of a first start, whichever phase it is in — an image pull, a weights
 * download, vLLM loading its shards — in the shape `status --json` prints (SPEC §9) and the tree,
 * the notification and the CLI line render. Bytes are decimal GB/MB as registries and the Hub
 * show them, so the figures match what the user sees elsewhere.
 */

export type ProgressPhase = 'pull' | 'download' | 'load';

export interface PhaseProgress {
  readonly phase: ProgressPhase;
  readonly doneBytes: number;
  readonly totalBytes: number;
  /** 0..1 (0 while the total is unknown). */
  readonly fraction: number;
  /** What a tree row shows, e.g. `downloading 23.4 / 65.0 GB · 112 MB/s · 6 min left`. */
  readonly text: string;
  /** Bytes per second over the last seconds, when known. */
  readonly bytesPerSecond?: number;
  /** Seconds left at that rate, when known. */
  readonly secondsLeft?: number;
}

/** `3.1 GB`, `512.0 MB`, `12 kB` — decimal units. Pure. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(1)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  if (bytes >= 1e3) return `${Math.round(bytes / 1e3)} kB`;
  return `${bytes} B`;
}

/**
 * `3.1 / 14.8 GB` in the larger value's unit; `33.6 MB / 14.5 GB` while the done part would read
 * as 0.0 in it (a figure that says nothing). Pure.
 */
export function formatDoneOfTotal(done: number, total: number): string {
  const [unit, scale] = total >= 1e9 ? ['GB', 1e9] : total >= 1e6 ? ['MB', 1e6] : ['kB', 1e3];
  if (done > 0 && done < scale / 20 && scale > 1e3) return `${formatBytes(done)} / ${(total / scale).toFixed(1)} ${unit}`;
  return `${(done / scale).toFixed(1)} / ${(total / scale).toFixed(1)} ${unit}`;
}

/** `6 min left`, `40 s left`, `2 h 5 min left`. Pure. */
export function formatTimeLeft(seconds: number): string {
  if (seconds < 60) return `${Math.max(1, Math.round(seconds))} s left`;
  const minutes = Math.round(seconds / 60);
  return minutes < 60 ? `${minutes} min left` : `${Math.floor(minutes / 60)} h ${minutes % 60} min left`;
}

/**
 * A byte-phase progress with its row text: `pulling image 3.1 / 14.8 GB`,
 * `downloading 23.4 / 65.0 GB · 112 MB/s · 6 min left`. Pure.
 */
export function byteProgress(phase: 'pull' | 'download', doneBytes: number, totalBytes: number, bytesPerSecond?: number): PhaseProgress {
  const fraction = totalBytes > 0 ? Math.min(1, doneBytes / totalBytes) : 0;
  const verb = phase === 'pull' ? 'pulling image' : 'downloading';
  const secondsLeft = bytesPerSecond && bytesPerSecond > 0 && totalBytes > doneBytes ? (totalBytes - doneBytes) / bytesPerSecond : undefined;
  const parts = [`${verb} ${totalBytes > 0 ? formatDoneOfTotal(doneBytes, totalBytes) : formatBytes(doneBytes)}`];
  if (bytesPerSecond !== undefined && bytesPerSecond > 0) parts.push(`${formatBytes(bytesPerSecond)}/s`);
  if (secondsLeft !== undefined) parts.push(formatTimeLeft(secondsLeft));
  return { phase, doneBytes, totalBytes, fraction, text: parts.join(' · '), ...(bytesPerSecond ? { bytesPerSecond } : {}), ...(secondsLeft !== undefined ? { secondsLeft } : {}) };
}

/**
 * The transfer rate over a sliding window of samples (bytes done at a time), so a stall shows
 * quickly and a burst does not promise a wrong time left.
 */
export class RateMeter {
  private readonly samples: { at: number; bytes: number }[] = [];

  constructor(private readonly windowMs = 5_000, private readonly now: () => number = () => Date.now()) {}

  /** Records `bytes` done now; returns bytes per second, or undefined until two samples span time. */
  sample(bytes: number): number | undefined {
    const at = this.now();
    this.samples.push({ at, bytes });
    while (this.samples.length > 2 && at - (this.samples[0]?.at ?? at) > this.windowMs) this.samples.shift();
    const first = this.samples[0];
    if (!first || at - first.at < 200) return undefined;
    return Math.max(0, ((bytes - first.bytes) * 1000) / (at - first.at));
  }
}
