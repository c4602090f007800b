/**
 * `/proc/meminfo`, the one memory source that works on a DGX Spark (GB10's `nvidia-smi` cannot
 * report memory use; CPU and GPU share this pool).
 */
import { readFile } from 'node:fs/promises';

export interface MemInfo {
  readonly totalBytes: number;
  readonly availableBytes: number;
  readonly freeBytes: number;
  /** Page cache the kernel can drop (Cached); vLLM's free-memory check counts it as used. */
  readonly cachedBytes: number;
}

/** Parses the text of `/proc/meminfo` (values in kB). Pure. */
export function parseMemInfo(text: string): MemInfo {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = /^(\w+(?:\(\w+\))?):\s+(\d+)(?:\s+kB)?/.exec(line);
    if (match?.[1] && match[2]) values.set(match[1], Number(match[2]) * 1024);
  }
  const total = values.get('MemTotal');
  if (total === undefined) throw new Error('/proc/meminfo has no MemTotal line');
  const free = values.get('MemFree') ?? 0;
  return {
    totalBytes: total,
    freeBytes: free,
    availableBytes: values.get('MemAvailable') ?? free,
    cachedBytes: values.get('Cached') ?? 0,
  };
}

/** Reads this machine's memory. */
export async function readMemInfo(path = '/proc/meminfo'): Promise<MemInfo> {
  return parseMemInfo(await readFile(path, 'utf8'));
}
