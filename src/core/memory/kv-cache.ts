/**
 * vLLM's KV-cache fill from its Prometheus `/metrics`: `vllm:kv_cache_usage_perc` (0..1; the
 * older `vllm:gpu_cache_usage_perc` is read too, for servers before 0.11 that only have it).
 */

const NAMES = ['vllm:kv_cache_usage_perc', 'vllm:gpu_cache_usage_perc'];

/**
 * The KV-cache usage (0..1) in a `/metrics` text, the highest over engines; undefined when the
 * server exports neither gauge. Pure.
 */
export function parseKvCacheUsage(text: string): number | undefined {
  for (const name of NAMES) {
    let highest: number | undefined;
    for (const line of text.split('\n')) {
      if (!line.startsWith(name)) continue;
      const rest = line.slice(name.length);
      if (rest[0] !== '{' && rest[0] !== ' ') continue; // another metric sharing the prefix
      const value = Number(rest.slice(rest.lastIndexOf('}') + 1).trim().split(/\s+/)[0]);
      if (Number.isFinite(value)) highest = Math.max(highest ?? 0, value);
    }
    if (highest !== undefined) return Math.min(1, Math.max(0, highest));
  }
  return undefined;
}

/**
 * Fetches `http://127.0.0.1:<port>/metrics` and returns the KV-cache usage, or undefined when
 * the server does not answer in time (still loading, stopped): a memory picture must not wait
 * for one slow model.
 */
export async function fetchKvCacheUsage(port: number, timeoutMs = 1000): Promise<number | undefined> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) return undefined;
    return parseKvCacheUsage(await response.text());
  } catch {
    return undefined;
  }
}
