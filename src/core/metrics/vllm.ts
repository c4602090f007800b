/** The few vLLM metrics a tree row shows: requests running and waiting, KV-cache use. */
import type { Sample } from './prometheus';
import { parsePrometheusText } from './prometheus';

export interface ModelLoad {
  readonly running: number;
  readonly waiting: number;
  /** KV-cache use 0..1, undefined when the server does not report it. */
  readonly kvCacheUsage?: number;
}

function sum(samples: readonly Sample[], name: string): number | undefined {
  const matching = samples.filter((s) => s.name === name && Number.isFinite(s.value));
  return matching.length === 0 ? undefined : matching.reduce((total, s) => total + s.value, 0);
}

function max(samples: readonly Sample[], name: string): number | undefined {
  const matching = samples.filter((s) => s.name === name && Number.isFinite(s.value));
  return matching.length === 0 ? undefined : Math.max(...matching.map((s) => s.value));
}

/**
 * Reads a vLLM `/metrics` body. Requests are summed over engines; KV-cache use is the fullest
 * engine's. The names are those of vLLM 0.11 and 0.31 alike (checked against the installed wheels
 * by test/integration/vllm-wheel-formats.test.ts); 0.31's `vllm:num_requests_waiting` already
 * counts the deferred requests that `vllm:num_requests_waiting_by_reason` splits out, so only the
 * former is read. `vllm:gpu_cache_usage_perc` (hidden from vLLM 0.11, gone in 0.31) is read when
 * `vllm:kv_cache_usage_perc` is missing, for older servers. Pure.
 */
export function vllmLoadFromMetrics(text: string): ModelLoad {
  const samples = parsePrometheusText(text);
  const kv = max(samples, 'vllm:kv_cache_usage_perc') ?? max(samples, 'vllm:gpu_cache_usage_perc');
  return {
    running: sum(samples, 'vllm:num_requests_running') ?? 0,
    waiting: sum(samples, 'vllm:num_requests_waiting') ?? 0,
    ...(kv !== undefined ? { kvCacheUsage: kv } : {}),
  };
}

/**
 * Fetches and reads `http://<address>:<port>/metrics` (127.0.0.1: this machine; another host's
 * cluster address for its servers); rejects on a network error or a non-2xx answer.
 */
export async function fetchModelLoad(hostPort: number, signal?: AbortSignal, address = '127.0.0.1'): Promise<ModelLoad> {
  const response = await fetch(`http://${address}:${hostPort}/metrics`, { signal: signal ?? AbortSignal.timeout(3000) });
  if (!response.ok) throw new Error(`GET /metrics on port ${hostPort} answered ${response.status}`);
  return vllmLoadFromMetrics(await response.text());
}
