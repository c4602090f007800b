/**
 * The disk pre-flight of a first start: what the weights still need against the free space of
 * the cache's filesystem, and the images' data root, refused before anything starts — a download
 * that fills the disk half-way through is the common late failure. A refusal gives the numbers
 * and what could be deleted (the cache's models, largest first).
 */
import { statfs } from 'node:fs/promises';
import * as path from 'node:path';
import type { CheckResult } from '../checks';
import { formatBytes } from '../progress/progress';
import type { CachedModel } from './cache-list';
import { describeCachedModel } from './cache-list';

/** Space kept free beyond the files themselves (temporary files, logs, the OS). */
export const DISK_MARGIN_BYTES = 1024 ** 3;

/** Free bytes for an unprivileged writer on the filesystem of `dir` (its nearest existing ancestor). */
export async function freeBytesAt(dir: string): Promise<{ path: string; freeBytes: number }> {
  let at = path.resolve(dir);
  for (;;) {
    try {
      const fs = await statfs(at);
      return { path: at, freeBytes: fs.bavail * fs.bsize };
    } catch (error) {
      const parent = path.dirname(at);
      if (parent === at || (error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      at = parent;
    }
  }
}

/**
 * The weights' check: `needBytes` (files not yet cached) plus the margin against `freeBytes` of
 * the cache's filesystem. Pure.
 */
export function weightsDiskCheck(input: { cacheDir: string; freeBytes: number; needBytes: number; cached: readonly CachedModel[]; keep: readonly string[]; now: number }): CheckResult {
  const base = { id: 'disk-weights', title: `Disk for weights (${input.cacheDir})` };
  if (input.needBytes === 0) return { ...base, status: 'ok', detail: `all weights are in the cache; ${formatBytes(input.freeBytes)} free` };
  const required = input.needBytes + DISK_MARGIN_BYTES;
  if (input.freeBytes >= required) return { ...base, status: 'ok', detail: `${formatBytes(input.needBytes)} to download, ${formatBytes(input.freeBytes)} free` };
  const candidates = input.cached.filter((m) => !input.keep.includes(m.repo));
  const listing = candidates.slice(0, 5).map((m) => describeCachedModel(m, input.now, formatBytes)).join('; ');
  return {
    ...base,
    status: 'fail',
    detail: `${formatBytes(input.needBytes)} of weights still to download (+ ${formatBytes(DISK_MARGIN_BYTES)} margin) but only ${formatBytes(input.freeBytes)} free on the filesystem of ${input.cacheDir}: ${formatBytes(required - input.freeBytes)} short`,
    fix: candidates.length > 0
      ? `Free ${formatBytes(required - input.freeBytes)}: remove cached models you do not need (Spark Gateway: Free Disk Space, or \`hf cache delete\`) — ${listing}; or set HF_CACHE_DIR in .env to a larger disk`
      : `Free ${formatBytes(required - input.freeBytes)} on that filesystem, or set HF_CACHE_DIR in .env to a larger disk`,
  };
}

/**
 * The images' check: Docker's data root must have room; the pulled sizes are not known before
 * the pull (registries list compressed layers, and dockerd does not report them ahead), so the
 * check fails only on a nearly full data root and otherwise shows the free space. Pure.
 */
export function imagesDiskCheck(input: { dataRoot: string; freeBytes: number; missing: readonly string[] }): CheckResult {
  const base = { id: 'disk-images', title: `Disk for images (${input.dataRoot})` };
  if (input.missing.length === 0) return { ...base, status: 'ok', detail: `all images present; ${formatBytes(input.freeBytes)} free` };
  if (input.freeBytes < 2 * DISK_MARGIN_BYTES) {
    return { ...base, status: 'fail', detail: `${input.missing.length} image(s) to pull (${input.missing.join(', ')}) but only ${formatBytes(input.freeBytes)} free in Docker's data root`, fix: 'Free space there: `docker image prune` removes unused images, `docker system df` shows what uses it' };
  }
  return { ...base, status: 'ok', detail: `${input.missing.length} image(s) to pull; ${formatBytes(input.freeBytes)} free (a vLLM image needs about 10–20 GB)` };
}
