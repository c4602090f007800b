/**
 * How far a vLLM server is in its start-up, read from its log. vLLM prints the same milestones in
 * the same order on every start (FACTS.md): the checkpoint shards are most of the wait on a
 * Spark, so they get most of the bar; the later milestones are quick but tell the user what is
 * happening ("KV cache", "starting API server").
 */

export interface LoadProgress {
  /** 0..1 */
  readonly fraction: number;
  /** Short text for a tree row: `loading model`, `shard 3/5`, `KV cache`, `starting API server`. */
  readonly text: string;
  /** True once `Application startup complete.` was logged: the server accepts requests. */
  readonly ready: boolean;
}

export const INITIAL_PROGRESS: LoadProgress = { fraction: 0, text: 'starting', ready: false };

const SHARD_START = 0.1;
const SHARD_END = 0.7;
const SHARDS = /Loading safetensors checkpoint shards:\s*(\d+)%[^|]*\|\s*(\d+)\/(\d+)/;

const MILESTONES: readonly { readonly pattern: RegExp; readonly fraction: number; readonly text: string; readonly ready?: boolean }[] = [
  // A new process starts over (a restart appends to the same log).
  { pattern: /vLLM API server version/, fraction: 0.02, text: 'starting' },
  { pattern: /Starting to load model/, fraction: 0.05, text: 'loading model' },
  { pattern: /Loading weights took/, fraction: SHARD_END, text: 'weights loaded' },
  { pattern: /Model loading took/, fraction: 0.72, text: 'weights loaded' },
  { pattern: /GPU KV cache size:/, fraction: 0.8, text: 'KV cache' },
  { pattern: /Maximum concurrency for/, fraction: 0.82, text: 'KV cache' },
  { pattern: /init engine \(profile, create kv cache, warmup model\) took/, fraction: 0.9, text: 'engine ready' },
  { pattern: /Starting vLLM API server/, fraction: 0.95, text: 'starting API server' },
  { pattern: /Waiting for application startup/, fraction: 0.97, text: 'starting API server' },
  { pattern: /Application startup complete/, fraction: 1, text: 'API server up', ready: true },
];

/** The progress after one more log line. Pure; fold it over the lines of one start. */
export function advanceProgress(current: LoadProgress, line: string): LoadProgress {
  const shards = SHARDS.exec(line);
  if (shards) {
    const done = Number(shards[2]);
    const total = Number(shards[3]);
    if (total > 0) return { fraction: SHARD_START + ((SHARD_END - SHARD_START) * Math.min(done, total)) / total, text: `shard ${done}/${total}`, ready: false };
  }
  for (const m of MILESTONES) {
    if (m.pattern.test(line)) {
      if (m.fraction === 0.02) return { fraction: m.fraction, text: m.text, ready: false };
      // Out-of-order lines (a late progress redraw) must not move the bar backwards.
      return m.fraction >= current.fraction ? { fraction: m.fraction, text: m.text, ready: m.ready ?? false } : current;
    }
  }
  return current;
}

/** The progress after all of `lines` (the log since the container last started). Pure. */
export function progressFromLog(lines: Iterable<string>, start: LoadProgress = INITIAL_PROGRESS): LoadProgress {
  let progress = start;
  for (const line of lines) progress = advanceProgress(progress, line);
  return progress;
}
