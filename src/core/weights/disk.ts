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

/** An image a start still has to pull, with its download size when the registry told it. */
export interface MissingImage {
  readonly image: string;
  /** Compressed bytes of its layers (the registry's manifest); undefined when it could not be read. */
  readonly downloadBytes?: number;
}

/** Images take about this many times their download once unpacked into the data root (an estimate). */
export const UNPACK_FACTOR = 2.5;

/**
 * The images' check: the compressed sizes of the images still to pull (what the pull downloads,
 * from the registries' manifests) against the free space of Docker's data root. Less free than
 * the download itself is refused; less than the unpacked estimate is a warning. Pure.
 */
export function imagesDiskCheck(input: { dataRoot: string; freeBytes: number; missing: readonly MissingImage[] }): CheckResult {
  const base = { id: 'disk-images', title: `Disk for images (${input.dataRoot})` };
  if (input.missing.length === 0) return { ...base, status: 'ok', detail: `all images present; ${formatBytes(input.freeBytes)} free` };
  const download = input.missing.reduce((n, m) => n + (m.downloadBytes ?? 0), 0);
  const unknown = input.missing.filter((m) => m.downloadBytes === undefined).map((m) => m.image);
  const listing = input.missing.map((m) => `${m.image} ${m.downloadBytes === undefined ? 'size unknown' : formatBytes(m.downloadBytes)}`).join(', ');
  const unknownNote = unknown.length > 0 ? ` (the registry did not give the size of ${unknown.join(', ')})` : '';
  const fix = 'Free space there: `docker image prune -a` removes images no container uses, `docker system df` shows what uses it';
  const required = download + DISK_MARGIN_BYTES;
  if (input.freeBytes < required || (download === 0 && input.freeBytes < 2 * DISK_MARGIN_BYTES)) {
    return { ...base, status: 'fail', detail: `${formatBytes(download)} of images to download (${listing}) + ${formatBytes(DISK_MARGIN_BYTES)} margin, but only ${formatBytes(input.freeBytes)} free in Docker's data root: ${formatBytes(Math.max(0, required - input.freeBytes))} short${unknownNote}`, fix };
  }
  const unpacked = download * UNPACK_FACTOR + DISK_MARGIN_BYTES;
  if (input.freeBytes < unpacked) {
    return { ...base, status: 'warn', detail: `${formatBytes(download)} of images to download (${listing}), about ${formatBytes(download * UNPACK_FACTOR)} unpacked, and ${formatBytes(input.freeBytes)} free: the pull may fill the disk${unknownNote}`, fix };
  }
  return { ...base, status: 'ok', detail: `${formatBytes(download)} of images to download (${listing}); ${formatBytes(input.freeBytes)} free${unknownNote}` };
}
