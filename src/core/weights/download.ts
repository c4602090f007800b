/**
 * Downloads a model's checkpoint into the shared Hugging Face cache in the layout vLLM reads
 * (blobs, refs, snapshots), resumably. The Hub library (`@huggingface/hub`, loaded on first use)
 * lists the commit and its files; the bytes are written here rather than by its
 * `downloadFileToCacheDir`, which restarts a file from zero, reports no progress and checks no
 * hash (read in its source, 2.17.5). A file is fetched into `blobs/<etag>.incomplete` — the name
 * huggingface_hub itself uses — and continued with an HTTP Range request after a cancel or a
 * broken connection; a finished file is checked against the size and hash the Hub lists (sha256
 * for LFS files, the git blob id for small ones) before it is moved into place and linked.
 * Every path of the listing, blob name and commit is checked before anything is written
 * (`hub/ids.ts`), and each write lands on a path proven to stay inside the repository's folder
 * (`resolveInside`), so neither a hostile listing nor a symbolic link planted in the cache can
 * carry a write out of it.
 */
import { createHash } from 'node:crypto';
import type { Hash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { lstat, mkdir, open, readFile, readdir, readlink, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { Cancellation } from '../process/cancellation';
import { CancelledError, isCancelled, onCancel } from '../process/cancellation';
import { SparkError } from '../errors';
import { HubNetworkError, HubTimeoutError } from '../hub/errors';
import { checkCommitSha, checkListedEntry, checkRepoId, checkRevision, isCommitSha } from '../hub/ids';
import { toHubError } from '../hub/model-files';
import { resolveInside } from '../inputs';
import type { HubSettings } from '../hub/transport';
import { hubTransport } from '../hub/transport';
import type { PhaseProgress } from '../progress/progress';
import { RateMeter, byteProgress } from '../progress/progress';
import { repoFolder } from './cache-dir';
import { filesVllmReads } from './select';

export interface WeightFile {
  readonly path: string;
  readonly size: number;
  /** The blob's name: the LFS sha256, or the git blob id of a small file. */
  readonly etag: string;
  readonly lfs: boolean;
  /** Bytes already in the cache: the whole size when the blob is there, else the partial's size. */
  readonly cachedBytes: number;
  readonly complete: boolean;
}

export interface WeightsPlan {
  readonly repo: string;
  readonly revision: string;
  readonly sha: string;
  /** `<cache>/hub/models--org--name`. */
  readonly folder: string;
  readonly files: readonly WeightFile[];
  readonly totalBytes: number;
  /** What a download still has to fetch. */
  readonly missingBytes: number;
  /** The Hub could not be reached and the plan was made from the cache's own snapshot. */
  readonly offline?: boolean;
}

export interface PlanOptions {
  readonly settings: HubSettings;
  readonly cacheDir: string;
  readonly revision?: string;
  readonly cancellation?: Cancellation;
}

/** The weights download failed (a hash or size that does not match, a file the Hub does not give). */
export class DownloadFailedError extends SparkError {}

/**
 * What a download of `repo` would fetch: the files vLLM reads at the revision's commit and how
 * much of each is cached. Without the Hub, a complete snapshot in the cache is enough.
 */
export async function planWeights(repo: string, options: PlanOptions): Promise<WeightsPlan> {
  checkRepoId(repo);
  const revision = options.revision ?? 'main';
  checkRevision(revision);
  const folder = repoFolder(options.cacheDir, repo);
  const { settings } = options;
  const transport = hubTransport(settings, options.cancellation);
  try {
    const hub = await import('@huggingface/hub');
    const common = { hubUrl: settings.endpoint, accessToken: settings.token, fetch: transport.fetch };
    const info = await hub.modelInfo({ ...common, name: repo, revision, additionalFields: ['sha'] });
    const sha = checkCommitSha(repo, settings.endpoint, info.sha);
    const listed: { path: string; size: number; etag: string; lfs: boolean }[] = [];
    for await (const entry of hub.listFiles({ ...common, repo, revision: sha, recursive: true })) {
      // All entries, before any is selected or written: one bad path or hash refuses the listing.
      checkListedEntry(repo, settings.endpoint, entry, true);
      if (entry.type !== 'file') continue;
      // The check proved the oid a hex string (sha256 for LFS files, the git blob id otherwise).
      listed.push({ path: entry.path, size: entry.lfs?.size ?? entry.size, etag: (entry.lfs ? entry.lfs.oid : entry.oid) as string, lfs: Boolean(entry.lfs) });
    }
    const files = await Promise.all(filesVllmReads(listed).map(async (f) => withCached(folder, f)));
    return summarise({ repo, revision, sha, folder, files });
  } catch (error) {
    if (isCancelled(options.cancellation)) throw new CancelledError();
    const mapped = toHubError(error, repo, settings, transport, revision);
    if (mapped instanceof HubNetworkError || mapped instanceof HubTimeoutError) {
      const local = await localSnapshot(folder, repo, revision);
      if (local) return local;
    }
    throw mapped;
  }
}

export interface DownloadOptions {
  readonly settings: HubSettings;
  readonly onProgress?: (progress: PhaseProgress, file: string) => void;
  readonly cancellation?: Cancellation;
}

export interface DownloadResult {
  /** Files fetched (or continued) by this call. */
  readonly fetched: readonly string[];
  /** Files that were already complete in the cache. */
  readonly cached: readonly string[];
  readonly totalBytes: number;
}

/**
 * Fetches what `plan` lacks, file by file, continuing partial files; progress counts the cached
 * bytes as done, so a resumed download starts where the last one stopped. Throws CancelledError
 * when cancelled (the partial file stays for the next run).
 */
export async function downloadWeights(plan: WeightsPlan, options: DownloadOptions): Promise<DownloadResult> {
  const fetched: string[] = [];
  const cached: string[] = [];
  const meter = new RateMeter();
  let done = plan.totalBytes - plan.missingBytes;
  const report = (file: string) => options.onProgress?.(byteProgress('download', done, plan.totalBytes, meter.sample(done)), file);
  report(plan.files[0]?.path ?? '');
  for (const file of plan.files) {
    if (file.complete) {
      await linkSnapshot(plan, file);
      cached.push(file.path);
      continue;
    }
    if (isCancelled(options.cancellation)) throw new CancelledError();
    done -= file.cachedBytes;
    await fetchFile(plan, file, options, (bytes) => {
      done += bytes;
      report(file.path);
    });
    await linkSnapshot(plan, file);
    fetched.push(file.path);
  }
  if (plan.revision !== plan.sha) {
    // A branch may hold slashes (refs/pr/1): huggingface_hub nests it the same way.
    const ref = await resolveInside(plan.folder, `refs/${plan.revision}`);
    await mkdir(path.dirname(ref), { recursive: true });
    await writeFile(ref, plan.sha);
  }
  report(plan.files.at(-1)?.path ?? '');
  return { fetched, cached, totalBytes: plan.totalBytes };
}

/** One file into `blobs/<etag>`: continued from its partial, hashed, checked, moved into place. */
async function fetchFile(plan: WeightsPlan, file: WeightFile, options: DownloadOptions, onBytes: (bytes: number) => void): Promise<void> {
  await mkdir(plan.folder, { recursive: true });
  await mkdir(await resolveInside(plan.folder, 'blobs'), { recursive: true });
  // Resolved through any symbolic link: a planted `blobs/<etag>.incomplete` → elsewhere is refused, not truncated.
  const blob = await resolveInside(plan.folder, `blobs/${file.etag}`);
  const partial = await resolveInside(plan.folder, `blobs/${file.etag}.incomplete`);
  let have = existsSync(partial) ? (await stat(partial)).size : 0;
  if (have > file.size) {
    await rm(partial);
    have = 0;
  }
  const transport = hubTransport({ ...options.settings, timeoutMs: Math.max(options.settings.timeoutMs, 60_000) }, options.cancellation);
  const url = `${options.settings.endpoint}/${plan.repo}/resolve/${plan.sha}/${file.path.split('/').map(encodeURIComponent).join('/')}`;
  const headers: Record<string, string> = have > 0 ? { range: `bytes=${have}-` } : {};
  if (options.settings.token) headers.authorization = `Bearer ${options.settings.token}`;
  let response: Response;
  try {
    response = have < file.size ? await transport.fetch(url, { headers }) : new Response(null, { status: 206 });
  } catch (error) {
    if (isCancelled(options.cancellation)) throw new CancelledError();
    throw toHubError(error, plan.repo, options.settings, transport, plan.sha, file.path);
  }
  if (response.status === 200) have = 0; // the server ignored the Range: start over.
  else if (response.status !== 206 && response.status !== 416) {
    throw toHubError(await errorOf(response, url), plan.repo, options.settings, transport, plan.sha, file.path);
  }
  const hash = file.lfs ? createHash('sha256') : gitBlobHash(file.size);
  if (have > 0) await hashFile(partial, hash);
  onBytes(have);
  const handle = await open(partial, have > 0 ? 'a' : 'w', 0o644);
  const detach = onCancel(options.cancellation, () => void response.body?.cancel().catch(() => undefined));
  let written = have;
  try {
    if (have < file.size && response.body) {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        if (isCancelled(options.cancellation)) break;
        await handle.write(chunk);
        hash.update(chunk);
        written += chunk.length;
        onBytes(chunk.length);
      }
    }
  } catch (error) {
    if (!isCancelled(options.cancellation)) {
      throw new DownloadFailedError(`the download of ${plan.repo}/${file.path} broke off at ${written} of ${file.size} bytes: ${error instanceof Error ? error.message : String(error)}`, 'Run the download again: it continues where it stopped');
    }
  } finally {
    detach();
    await handle.close();
  }
  if (isCancelled(options.cancellation)) throw new CancelledError();
  if (written < file.size) {
    throw new DownloadFailedError(`the download of ${plan.repo}/${file.path} broke off at ${written} of ${file.size} bytes`, 'Run the download again: it continues where it stopped');
  }
  const digest = hash.digest('hex');
  if (written !== file.size || digest !== file.etag) {
    await rm(partial, { force: true });
    throw new DownloadFailedError(`${plan.repo}/${file.path} does not match the Hub's listing (${written} bytes, hash ${digest.slice(0, 12)}…; expected ${file.size} bytes, ${file.etag.slice(0, 12)}…); the partial file was removed`, 'Run the download again; if it fails the same way, the mirror at HF_ENDPOINT serves different files than it lists');
  }
  await rename(partial, blob);
}

/**
 * `snapshots/<sha>/<file>` → `../../blobs/<etag>` (relative, as huggingface_hub links it). The
 * folder the link goes in is proven to stay inside the repository's folder after resolving
 * symbolic links; the link itself is replaced, never followed (`rm` removes a link, not its target).
 */
async function linkSnapshot(plan: WeightsPlan, file: WeightFile): Promise<void> {
  const rel = `snapshots/${plan.sha}/${file.path}`;
  const lexical = path.join(plan.folder, ...rel.split('/'));
  const target = path.relative(path.dirname(lexical), path.join(plan.folder, 'blobs', file.etag));
  await mkdir(plan.folder, { recursive: true });
  const dir = await resolveInside(plan.folder, path.posix.dirname(rel));
  await mkdir(dir, { recursive: true });
  const pointer = path.join(dir, path.basename(lexical));
  const current = await readlink(pointer).catch(() => undefined);
  if (current === target) return;
  await rm(pointer, { force: true });
  await symlink(target, pointer);
}

async function withCached(folder: string, file: { path: string; size: number; etag: string; lfs: boolean }): Promise<WeightFile> {
  const blob = path.join(folder, 'blobs', file.etag);
  // lstat: a blob is a plain file; a link planted in its place is not a cached blob.
  const whole = await lstat(blob).catch(() => undefined);
  if (whole?.isFile() && whole.size === file.size) return { ...file, cachedBytes: file.size, complete: true };
  const partial = await stat(`${blob}.incomplete`).catch(() => undefined);
  return { ...file, cachedBytes: partial && partial.size <= file.size ? partial.size : 0, complete: false };
}

function summarise(plan: Omit<WeightsPlan, 'totalBytes' | 'missingBytes'>): WeightsPlan {
  const totalBytes = plan.files.reduce((n, f) => n + f.size, 0);
  return { ...plan, totalBytes, missingBytes: plan.files.reduce((n, f) => n + f.size - f.cachedBytes, 0) };
}

/** The cache's own snapshot of `revision` (no Hub): complete by definition, or undefined. */
async function localSnapshot(folder: string, repo: string, revision: string): Promise<WeightsPlan | undefined> {
  const sha = isCommitSha(revision) ? revision : (await readText(path.join(folder, 'refs', revision)))?.trim();
  if (!sha || !isCommitSha(sha)) return undefined;
  const root = path.join(folder, 'snapshots', sha);
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
  const files: WeightFile[] = [];
  for (const entry of entries) {
    const full = path.join(entry.parentPath, entry.name);
    if (!(await lstat(full)).isSymbolicLink()) continue;
    const size = (await stat(full).catch(() => undefined))?.size;
    if (size === undefined) return undefined; // a dangling link: the snapshot is not complete
    const etag = path.basename(await readlink(full));
    // Only links into blobs/ by hash are the cache's own; anything else makes the snapshot unusable offline.
    if (!/^[0-9a-f]{40}(?:[0-9a-f]{24})?$/.test(etag)) return undefined;
    files.push({ path: path.relative(root, full).split(path.sep).join('/'), size, etag, lfs: true, cachedBytes: size, complete: true });
  }
  return files.length > 0 ? { ...summarise({ repo, revision, sha, folder, files }), offline: true } : undefined;
}

function readText(file: string): Promise<string | undefined> {
  return readFile(file, 'utf8').catch(() => undefined);
}

/** git's blob id: sha1 of `blob <size>\0` and the content — the oid the Hub lists for small files. */
function gitBlobHash(size: number): Hash {
  return createHash('sha1').update(`blob ${size}\0`);
}

function hashFile(file: string, hash: Hash): Promise<void> {
  return new Promise((resolve, reject) => {
    createReadStream(file).on('data', (chunk) => hash.update(chunk)).on('end', () => resolve()).on('error', reject);
  });
}

async function errorOf(response: Response, url: string): Promise<Error> {
  const text = await response.text().catch(() => '');
  return Object.assign(new Error(text || `HTTP ${response.status}`), { statusCode: response.status, url });
}
