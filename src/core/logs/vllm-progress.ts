/**
 * How far a vLLM server is in its start-up, read from its log. vLLM prints the same milestones in
 * the same order on every start, in wording that changed between versions (FACTS.md "vLLM across
 * versions"); the patterns below know 0.11.x and 0.31.x, and
 * test/integration/vllm-wheel-formats.test.ts checks them against the format strings of the
 * installed vLLM wheels. The checkpoint shards are most of the wait on a Spark, so they get most of
 * the bar; the later milestones are quick but tell the user what is happening ("KV cache",
 * "starting API server").
 *
 * While vLLM downloads the weights it prints nothing at all (its download bars are disabled), so
 * the phase after the load starts is named "downloading weights" until the first checkpoint line.
 */

/** The start-up phases in the order vLLM goes through them. */
export type LoadPhase = 'starting' | 'download' | 'shards' | 'weights' | 'compile' | 'kv-cache' | 'cuda-graphs' | 'engine' | 'api-server' | 'up';

export interface LoadProgress {
  /** 0..1 */
  readonly fraction: number;
  /** Short text for a tree row: `downloading weights`, `shard 3/5`, `KV cache`, `starting API server`. */
  readonly text: string;
  /** True once `Application startup complete.` was logged: the server accepts requests. */
  readonly ready: boolean;
  readonly phase: LoadPhase;
}

export const INITIAL_PROGRESS: LoadProgress = { fraction: 0, text: 'starting', ready: false, phase: 'starting' };

const SHARD_START = 0.1;
const SHARD_END = 0.7;
const SHARDS = /Loading safetensors checkpoint shards:\s*(\d+)%[^|]*\|\s*(\d+)\/(\d+)/;

/**
 * Lines a vLLM process prints first, once per start: a restart appends to the same log, so each of
 * them begins a new start-up (0.11's banner; 0.31's logo line with the version, or its one-line
 * form with VLLM_DISABLE_LOG_LOGO=1; the non-default args of every version).
 */
const START_MARKERS: readonly RegExp[] = [
  /vLLM API server version \S/,
  /vLLM server version \S+, serving model/,
  /[█▀▄]\s+version\s+\S/,
  /non-default args: \{/,
];

interface Milestone {
  readonly pattern: RegExp;
  readonly fraction: number;
  readonly text: string;
  readonly phase: LoadPhase;
}

const MILESTONES: readonly Milestone[] = [
  // 0.31 (Model Runner V2, the default on CUDA): the worker is set up, then the load starts.
  { pattern: /Using V2 Model Runner/, fraction: 0.04, text: 'loading model', phase: 'starting' },
  // The load starts with the download (0.11 "Starting to load model M...", 0.31 "Loading model from scratch...").
  { pattern: /Starting to load model |Loading model from scratch/, fraction: 0.05, text: 'downloading weights', phase: 'download' },
  { pattern: /Time spent downloading weights for /, fraction: 0.09, text: 'weights downloaded', phase: 'download' },
  // 0.31, just before the shard bar.
  { pattern: /Filesystem type for checkpoints: /, fraction: SHARD_START, text: 'reading checkpoint', phase: 'shards' },
  { pattern: /Loading weights took /, fraction: SHARD_END, text: 'weights loaded', phase: 'weights' },
  { pattern: /Model loading took /, fraction: 0.72, text: 'weights loaded', phase: 'weights' },
  // The compile warm-up is the long silent stretch after the weights (torch.compile on a GPU; on
  // a CPU vLLM's own "Warming up model for the compilation...", ~45 s of nothing on 2 cores):
  // named, so the row does not say "weights loaded" for a minute.
  { pattern: /Dynamo bytecode transform time: |Compiling a graph for compile range |Warming up model for the compilation/, fraction: 0.74, text: 'compiling', phase: 'compile' },
  { pattern: /torch\.compile took [\d.]+ s in total|Warming up done\./, fraction: 0.76, text: 'compiled', phase: 'compile' },
  { pattern: /Available KV cache memory: /, fraction: 0.78, text: 'KV cache', phase: 'kv-cache' },
  // 0.11 "GPU KV cache size: N tokens"; 0.31 "GPU KV cache size: N tokens, Maximum concurrency ..." on one line.
  { pattern: /\bKV cache size: [\d,]+ tokens/, fraction: 0.8, text: 'KV cache', phase: 'kv-cache' },
  { pattern: /Maximum concurrency for [\d,]+ tokens per request/, fraction: 0.82, text: 'KV cache', phase: 'kv-cache' },
  // 0.11 "... took X seconds", 0.31 "... took X s".
  // CUDA graphs are captured after the KV cache is sized (a bar, then one summary line).
  { pattern: /Capturing CUDA graphs/, fraction: 0.84, text: 'capturing CUDA graphs', phase: 'cuda-graphs' },
  { pattern: /Graph capturing finished in /, fraction: 0.86, text: 'CUDA graphs captured', phase: 'cuda-graphs' },
  { pattern: /init engine \(profile, create kv cache, warmup model\) took /, fraction: 0.9, text: 'engine ready', phase: 'engine' },
  // 0.11 "Starting vLLM API server 0 on URL", 0.31 "Starting vLLM server on URL".
  { pattern: /Starting vLLM (?:API )?server (?:\d+ )?on /, fraction: 0.95, text: 'starting API server', phase: 'api-server' },
  { pattern: /Waiting for application startup/, fraction: 0.97, text: 'starting API server', phase: 'api-server' },
  { pattern: /Application startup complete/, fraction: 1, text: 'API server up', phase: 'up' },
];

const STARTED: LoadProgress = { fraction: 0.02, text: 'starting', ready: false, phase: 'starting' };

/** Whether `line` is one a vLLM process prints at the very beginning of a start (any known version). */
export function isStartLine(line: string): boolean {
  return START_MARKERS.some((m) => m.test(line));
}

/** The progress after one more log line. Pure; fold it over the lines of one start. */
export function advanceProgress(current: LoadProgress, line: string): LoadProgress {
  if (isStartLine(line)) return STARTED;
  const shards = SHARDS.exec(line);
  if (shards) {
    const done = Number(shards[2]);
    const total = Number(shards[3]);
    if (total > 0) return { fraction: SHARD_START + ((SHARD_END - SHARD_START) * Math.min(done, total)) / total, text: `shard ${done}/${total}`, ready: false, phase: 'shards' };
  }
  // The first match: 0.31's one KV-cache line also names the maximum concurrency.
  const m = MILESTONES.find((milestone) => milestone.pattern.test(line));
  // Out-of-order lines (a late progress redraw) must not move the bar backwards.
  if (!m || m.fraction < current.fraction) return current;
  return { fraction: m.fraction, text: m.text, ready: m.phase === 'up', phase: m.phase };
}

/**
 * The lines of the latest start: from the last start line on (all of them when there is none, e.g.
 * a log tail that begins after the banner), so markers of an earlier run never count.
 */
export function linesOfLatestStart(lines: readonly string[]): readonly string[] {
  for (let i = lines.length - 1; i >= 0; i--) if (isStartLine(lines[i] ?? '')) return lines.slice(i);
  return lines;
}

/** The progress after all of `lines` (the log since the container last started). Pure. */
export function progressFromLog(lines: Iterable<string>, start: LoadProgress = INITIAL_PROGRESS): LoadProgress {
  let progress = start;
  for (const line of lines) progress = advanceProgress(progress, line);
  return progress;
}
