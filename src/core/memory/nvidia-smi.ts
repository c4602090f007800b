/**
 * `nvidia-smi` as a memory source. On a DGX Spark (GB10, unified memory) the per-GPU memory query
 * answers `[N/A]` / "Not Supported" because NVML cannot split the shared pool, while the
 * per-process query still works; on discrete GPUs (H100 …) both work. So the parsers treat
 * every field as optional and the callers fall back to `/proc/meminfo` and Docker stats.
 */
import { execFile } from 'node:child_process';
import type { GpuMemory } from './types';

const MIB = 1024 ** 2;

/** Arguments of the two queries (CSV without header or units, so values are plain MiB). */
export const GPU_QUERY_ARGS = ['--query-gpu=index,memory.used,memory.total', '--format=csv,noheader,nounits'] as const;
export const APPS_QUERY_ARGS = ['--query-compute-apps=pid,used_memory', '--format=csv,noheader,nounits'] as const;

export type { GpuMemory } from './types';

export interface GpuProcessMemory {
  readonly pid: number;
  /** Undefined where the driver does not report it. */
  readonly usedBytes?: number;
}

/** What one round of `nvidia-smi` queries told us; `undefined` fields mean the query failed. */
export interface NvidiaSmiReport {
  readonly gpus?: readonly GpuMemory[];
  readonly processes?: readonly GpuProcessMemory[];
}

/**
 * A MiB field of nvidia-smi's CSV, or undefined for its "no value" answers
 * (`[N/A]`, `N/A`, `[Not Supported]`, `Not Supported`, `[Unknown Error]` …).
 */
function mib(field: string | undefined): number | undefined {
  const text = field?.trim() ?? '';
  if (!/^\d+(\.\d+)?$/.test(text)) return undefined;
  return Number(text) * MIB;
}

function rows(text: string): string[][] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('No running'))
    .map((line) => line.split(',').map((f) => f.trim()));
}

/** Parses `nvidia-smi --query-gpu=index,memory.used,memory.total --format=csv,noheader,nounits`. Pure. */
export function parseGpuMemory(text: string): GpuMemory[] {
  const out: GpuMemory[] = [];
  for (const [index, used, total] of rows(text)) {
    if (index === undefined || !/^\d+$/.test(index)) continue;
    const usedBytes = mib(used);
    const totalBytes = mib(total);
    out.push({ index: Number(index), ...(usedBytes !== undefined ? { usedBytes } : {}), ...(totalBytes !== undefined ? { totalBytes } : {}) });
  }
  return out;
}

/** Parses `nvidia-smi --query-compute-apps=pid,used_memory --format=csv,noheader,nounits`. Pure. */
export function parseComputeApps(text: string): GpuProcessMemory[] {
  const out: GpuProcessMemory[] = [];
  for (const [pid, used] of rows(text)) {
    if (pid === undefined || !/^\d+$/.test(pid)) continue;
    const usedBytes = mib(used);
    out.push({ pid: Number(pid), ...(usedBytes !== undefined ? { usedBytes } : {}) });
  }
  return out;
}

/** True when at least one GPU reported its own memory: a discrete GPU, not unified memory. */
export function hasPerGpuMemory(report: NvidiaSmiReport): boolean {
  return (report.gpus ?? []).some((g) => g.totalBytes !== undefined);
}

/** Runs a program with an argument array and returns stdout; rejects with the error (code ENOENT when absent). */
export type RunFile = (file: string, args: readonly string[], timeoutMs: number) => Promise<string>;

export const runFile: RunFile = (file, args, timeoutMs) =>
  new Promise((resolve, reject) => {
    execFile(file, [...args], { timeout: timeoutMs, encoding: 'utf8', maxBuffer: 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) {
        reject(Object.assign(error, { message: `${error.message}${stderr ? `: ${stderr.trim()}` : ''}` }));
      } else {
        resolve(stdout);
      }
    });
  });

/**
 * Queries `nvidia-smi` (found on the PATH, or `binary`), once per call. Returns undefined when
 * the program is not installed, and remembers that, so a machine without NVIDIA tools pays for
 * one failed spawn, not one per refresh.
 */
export class NvidiaSmi {
  private absent = false;

  constructor(
    private readonly binary = 'nvidia-smi',
    private readonly run: RunFile = runFile,
    private readonly timeoutMs = 5000,
  ) {}

  async query(): Promise<NvidiaSmiReport | undefined> {
    if (this.absent) return undefined;
    const [gpus, processes] = await Promise.allSettled([this.run(this.binary, GPU_QUERY_ARGS, this.timeoutMs), this.run(this.binary, APPS_QUERY_ARGS, this.timeoutMs)]);
    if ([gpus, processes].every((r) => r.status === 'rejected' && (r.reason as NodeJS.ErrnoException).code === 'ENOENT')) {
      this.absent = true;
      return undefined;
    }
    return {
      ...(gpus.status === 'fulfilled' ? { gpus: parseGpuMemory(gpus.value) } : {}),
      ...(processes.status === 'fulfilled' ? { processes: parseComputeApps(processes.value) } : {}),
    };
  }
}
