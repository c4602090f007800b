/**
 * The shared cache as `hf cache ls` shows it — one row per repository with its size on disk and
 * when it was last used — and removing a repository from it (*Free Disk Space*). Sizes count
 * each blob once (snapshots only link to blobs); "last used" is the newest access or change of
 * any blob, the figure huggingface_hub's own cache scan reports. The same one read of a
 * repository's blobs ({@link readRepoBlobs}) also says whether a download into it is under way,
 * for the progress of a model vLLM downloads by itself (model-progress.ts).
 */
import { readFile, readdir, rm, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { SparkError } from '../errors';
import { checkRepoId } from '../hub/ids';
import { repoFolder, repoOfFolder } from './cache-dir';

export interface CachedModel {
  readonly repo: string;
  readonly folder: string;
  readonly sizeBytes: number;
  /** Milliseconds since the epoch; 0 when the folder has no blobs. */
  readonly lastUsedMs: number;
  /** Partial downloads (`*.incomplete`) among the blobs, in bytes. */
  readonly partialBytes: number;
}

/** What the blobs of one repository's cache folder hold, read in one pass. */
export interface RepoBlobs {
  /** Bytes of its blobs, partial downloads included. */
  readonly sizeBytes: number;
  /** Milliseconds since the epoch; 0 when the folder has no blobs. */
  readonly lastUsedMs: number;
  /** Partial downloads (`*.incomplete`) among the blobs, in bytes. */
  readonly partialBytes: number;
  /**
   * How many partial blobs (huggingface_hub's `<etag>.incomplete`) there are: more than 0 while a
   * download into the folder is under way (or one was cut off), even before its first byte.
   */
  readonly partialBlobs: number;
}

/** Reads the blobs of a repository's cache folder (`hub/models--org--name`); all 0 when it has none. */
export async function readRepoBlobs(folder: string): Promise<RepoBlobs> {
  let sizeBytes = 0;
  let partialBytes = 0;
  let partialBlobs = 0;
  let lastUsedMs = 0;
  for (const blob of await readdir(path.join(folder, 'blobs')).catch(() => [])) {
    const info = await stat(path.join(folder, 'blobs', blob)).catch(() => undefined);
    if (!info?.isFile()) continue;
    sizeBytes += info.size;
    if (blob.endsWith('.incomplete')) {
      partialBytes += info.size;
      partialBlobs++;
    }
    lastUsedMs = Math.max(lastUsedMs, info.atimeMs, info.mtimeMs);
  }
  return { sizeBytes, lastUsedMs, partialBytes, partialBlobs };
}

/**
 * Whether `repo` sits complete in the cache, read offline: its `refs/main` names a snapshot that
 * holds a config.json and at least one weights file, and no blob is partial. What vLLM with
 * HF_HUB_OFFLINE would load, so a start needs nothing from the Hub (and no token) for it.
 */
export async function repoInCache(cacheDir: string, repo: string): Promise<boolean> {
  const folder = repoFolder(cacheDir, repo);
  const sha = await readFile(path.join(folder, 'refs', 'main'), 'utf8').then((t) => t.trim(), () => '');
  if (!/^[0-9a-f]{40}$/.test(sha)) return false;
  const files = await readdir(path.join(folder, 'snapshots', sha)).catch(() => [] as string[]);
  if (!files.includes('config.json') || !files.some((f) => /\.(safetensors|bin|gguf|pt)$/.test(f))) return false;
  return (await readRepoBlobs(folder)).partialBlobs === 0;
}

/** The repositories in `<cacheDir>/hub`, largest first; empty when there is no cache yet. */
export async function listCachedModels(cacheDir: string): Promise<CachedModel[]> {
  const hub = path.join(cacheDir, 'hub');
  const entries = await readdir(hub, { withFileTypes: true }).catch(() => []);
  const models: CachedModel[] = [];
  for (const entry of entries) {
    const repo = entry.isDirectory() ? repoOfFolder(entry.name) : undefined;
    if (!repo) continue;
    const folder = path.join(hub, entry.name);
    const { sizeBytes, lastUsedMs, partialBytes } = await readRepoBlobs(folder);
    models.push({ repo, folder, sizeBytes, lastUsedMs, partialBytes });
  }
  return models.sort((a, b) => b.sizeBytes - a.sizeBytes);
}

/** Removes one repository (all its revisions) from the cache. */
export async function removeCachedModel(cacheDir: string, repo: string): Promise<void> {
  checkRepoId(repo);
  const folder = repoFolder(cacheDir, repo);
  if (path.dirname(folder) !== path.join(cacheDir, 'hub') || repoOfFolder(path.basename(folder)) !== repo) {
    throw new SparkError(`"${repo}" is not a repository of the cache ${cacheDir}`, 'Pick one from the cache listing');
  }
  await rm(folder, { recursive: true, force: true });
}

/** `openai/gpt-oss-120b  65.3 GB  last used 3 days ago` rows. Pure. */
export function describeCachedModel(model: CachedModel, now: number, format: (bytes: number) => string): string {
  const days = model.lastUsedMs > 0 ? Math.floor((now - model.lastUsedMs) / 86_400_000) : undefined;
  const used = days === undefined ? 'never used' : days === 0 ? 'last used today' : `last used ${days} day${days === 1 ? '' : 's'} ago`;
  return `${model.repo}  ${format(model.sizeBytes)}  ${used}${model.partialBytes > 0 ? ` (${format(model.partialBytes)} partial)` : ''}`;
}
