/**
 * Reads what the estimate needs from a Hub repository — `config.json`, the root file listing with
 * sizes, the safetensors index's `metadata.total_size` — through the Hub's own library
 * (`@huggingface/hub`, loaded on first use), and caches the answer per commit in the stack.
 */
import type { Cancellation } from '../process/cancellation';
import { CancelledError, isCancelled } from '../process/cancellation';
import { SparkError } from '../errors';
import { readCachedModel, writeCachedModel } from './cache';
import { HubAuthError, HubError, HubGatedError, HubNetworkError, HubNotFoundError, HubPrivateError, HubRateLimitedError, HubResponseError, HubTimeoutError } from './errors';
import { checkCommitSha, checkListedEntry, checkRepoId, checkRevision, isCommitSha } from './ids';
import type { HubSettings, HubTransport } from './transport';
import { hubTransport } from './transport';

export const SAFETENSORS_INDEX = 'model.safetensors.index.json';

export interface HubFile {
  readonly path: string;
  readonly size: number;
}

/** What the Hub said about one commit of a repository. */
export interface HubModelFiles {
  readonly repo: string;
  /** The revision asked for (branch, tag or commit). */
  readonly revision: string;
  /** The commit it resolved to. */
  readonly sha: string;
  readonly endpoint: string;
  readonly gated: false | 'auto' | 'manual';
  readonly private: boolean;
  /** Files at the repository's root with their sizes in bytes. */
  readonly files: readonly HubFile[];
  /** `config.json` as text (parsed by the estimate, which reports its line on a syntax error); undefined when the repository has none (GGUF-only ones). */
  readonly configText?: string;
  /** `metadata.total_size` of `model.safetensors.index.json`, when the repository has one. */
  readonly indexTotalSize?: number;
  /** True when this answer came from the stack's cache instead of the network. */
  readonly fromCache?: boolean;
}

export interface ReadOptions {
  readonly settings: HubSettings;
  readonly revision?: string;
  /** The stack's Hub cache folder; without one nothing is cached. */
  readonly cacheDir?: string;
  /** Read the cache but never write it (`add-model --dry-run` writes nothing in the stack). */
  readonly cacheReadOnly?: boolean;
  readonly cancellation?: Cancellation;
  /** Called before each request with what is being read, for a progress notification. */
  readonly onStep?: (text: string) => void;
}

export { checkRepoId } from './ids';

/**
 * Reads `repo` at `revision` (default `main`). A commit already cached is answered from the
 * cache; when the network fails, the last cached answer for the revision is used. Throws a
 * {@link HubError} subclass naming the cause and the fix.
 */
export async function readHubModel(repo: string, options: ReadOptions): Promise<HubModelFiles> {
  checkRepoId(repo);
  const revision = options.revision ?? 'main';
  checkRevision(revision);
  const cached = options.cacheDir ? await readCachedModel(options.cacheDir, repo, revision) : undefined;
  if (cached && isCommitSha(revision)) return cached;
  try {
    const fresh = await readFromHub(repo, revision, options);
    if (options.cacheDir && !options.cacheReadOnly) {
      // Best effort: a read-only stack still gets its estimate, just no offline copy.
      await writeCachedModel(options.cacheDir, fresh).catch(() => undefined);
    }
    return fresh;
  } catch (error) {
    if (cached && (error instanceof HubNetworkError || error instanceof HubTimeoutError)) return cached;
    throw error;
  }
}

async function readFromHub(repo: string, revision: string, options: ReadOptions): Promise<HubModelFiles> {
  const { settings } = options;
  const transport = hubTransport(settings, options.cancellation);
  const hub = await import('@huggingface/hub');
  const common = { hubUrl: settings.endpoint, accessToken: settings.token, fetch: transport.fetch };
  const step = async <T>(text: string, run: () => Promise<T>, path?: string): Promise<T> => {
    if (isCancelled(options.cancellation)) throw new CancelledError();
    options.onStep?.(text);
    try {
      return await run();
    } catch (error) {
      // The transport aborts in-flight requests on cancel; whatever fetch then throws means "cancelled".
      if (isCancelled(options.cancellation)) throw new CancelledError();
      throw toHubError(error, repo, settings, transport, revision, path);
    }
  };

  const info = await step('model info', () => hub.modelInfo({ ...common, name: repo, revision, additionalFields: ['sha'] }));
  const sha = checkCommitSha(repo, settings.endpoint, info.sha);
  const files = await step('file list', async () => {
    const out: HubFile[] = [];
    for await (const entry of hub.listFiles({ ...common, repo, revision: sha })) {
      // Every entry is checked, not only the files kept: one bad name refuses the whole answer.
      checkListedEntry(repo, settings.endpoint, entry, false);
      if (entry.type === 'file') out.push({ path: entry.path, size: entry.lfs?.size ?? entry.size });
    }
    return out;
  });
  const download = (path: string) =>
    step(path, async () => {
      const blob = await hub.downloadFile({ ...common, repo, path, revision: sha, xet: false });
      if (!blob) throw new HubResponseError(repo, `${repo} has no ${path}`);
      return blob.text();
    }, path);
  const configText = files.some((f) => f.path === 'config.json') ? await download('config.json') : undefined;
  let indexTotalSize: number | undefined;
  if (files.some((f) => f.path === SAFETENSORS_INDEX)) {
    const text = await download(SAFETENSORS_INDEX);
    const total = (safeJson(text) as { metadata?: { total_size?: unknown } } | undefined)?.metadata?.total_size;
    if (typeof total === 'number' && Number.isFinite(total) && total > 0) indexTotalSize = total;
  }
  return { repo, revision, sha, endpoint: settings.endpoint, gated: info.gated, private: info.private, files, configText, indexTotalSize };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

interface ApiErrorShape {
  statusCode: number;
  url: string;
  message: string;
}

function isApiError(error: unknown): error is ApiErrorShape {
  return error instanceof Error && typeof (error as Partial<ApiErrorShape>).statusCode === 'number';
}

/** Maps whatever the library or fetch threw to one {@link HubError} with its fix (the weights download uses it too). */
export function toHubError(error: unknown, repo: string, settings: HubSettings, transport: HubTransport, revision: string, path?: string): Error {
  if (error instanceof HubError || error instanceof SparkError || error instanceof CancelledError) return error;
  const endpoint = settings.endpoint;
  if (isApiError(error)) {
    const failure = transport.failures.get(error.url) ?? {};
    const code = failure.code ?? '';
    const status = error.statusCode;
    if (code === 'GatedRepo') return new HubGatedError(repo, endpoint, settings.token !== undefined);
    if (status === 429) return new HubRateLimitedError(repo, failure.retryAfter && /^\d+$/.test(failure.retryAfter) ? Number(failure.retryAfter) : undefined);
    if (code === 'RevisionNotFound') return new HubNotFoundError(repo, endpoint, revision);
    if (code === 'RepoNotFound' || status === 404 || (status === 401 && !/invalid (credentials|token)/i.test(error.message))) {
      return settings.token === undefined ? new HubPrivateError(repo) : new HubNotFoundError(repo, endpoint);
    }
    if (status === 401) return new HubAuthError(repo);
    return new HubResponseError(repo, `${endpoint} answered ${status} for ${path ?? repo}`);
  }
  if (error instanceof Error && (error.name === 'TimeoutError' || (error.cause as Error | undefined)?.name === 'TimeoutError')) {
    return new HubTimeoutError(repo, endpoint, Math.round(settings.timeoutMs / 1000));
  }
  if (error instanceof Error && error.name === 'AbortError') return new CancelledError();
  if (error instanceof TypeError || (error instanceof Error && /terminated|socket|ECONN|ENOTFOUND|EAI_AGAIN/i.test(`${error.message} ${String((error.cause as Error | undefined)?.message)}`))) {
    const cause = (error.cause as { code?: string; message?: string } | undefined);
    return new HubNetworkError(repo, endpoint, cause?.code ?? cause?.message ?? error.message);
  }
  return new HubResponseError(repo, `reading ${path ?? repo} from ${endpoint} failed: ${error instanceof Error ? error.message : String(error)}`);
}
