/**
 * Where the shared Hugging Face cache is on the host and where a model lives inside it — the
 * layout huggingface_hub (and so vLLM) reads: `<HF_CACHE_DIR>/hub/models--{org}--{name}/` with
 * `blobs/<etag>`, `refs/<revision>` (the commit sha) and `snapshots/<sha>/<file>` → the blob.
 */
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * The cache folder the model servers mount, resolved as compose resolves
 * `${HF_CACHE_DIR:-~/.cache/huggingface}`: the process environment over the stack's `.env`, `~`
 * as the home folder. Pure apart from the home folder.
 */
export function hfCacheDir(stackEnv: ReadonlyMap<string, string>, processEnv: NodeJS.ProcessEnv, home: string = os.homedir()): string {
  const value = processEnv.HF_CACHE_DIR || stackEnv.get('HF_CACHE_DIR') || '~/.cache/huggingface';
  return path.resolve(value === '~' || value.startsWith('~/') ? path.join(home, value.slice(1)) : value);
}

/** `hub/models--org--name` under the cache. Pure. */
export function repoFolder(cacheDir: string, repo: string): string {
  return path.join(cacheDir, 'hub', `models--${repo.split('/').join('--')}`);
}

/** The repository a `models--org--name` folder holds, or undefined for other folders. Pure. */
export function repoOfFolder(name: string): string | undefined {
  const match = /^models--([^-].*?)--(.+)$/.exec(name);
  return match ? `${match[1]}/${match[2]}` : undefined;
}
