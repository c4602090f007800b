/**
 * The Hub's answers kept inside the stack (`.cache/hub/`), one file per commit, so asking again
 * for a model works offline and a pinned commit is never fetched twice. The layout follows the
 * Hub's own cache: `models--{owner}--{name}/refs/{revision}` holds the commit a revision pointed
 * at, `models--{owner}--{name}/answers/{sha}.json` what the Hub answered at that commit.
 */
import { mkdir, readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { writeFileAtomic } from '../files';
import type { HubModelFiles } from './model-files';

export const HUB_CACHE_DIR = path.join('.cache', 'hub');

function repoDir(cacheDir: string, repo: string): string {
  return path.join(cacheDir, `models--${repo.replace('/', '--')}`);
}

/** The cached answer for `revision` (a branch, tag or commit), or undefined. */
export async function readCachedModel(cacheDir: string, repo: string, revision: string): Promise<HubModelFiles | undefined> {
  const dir = repoDir(cacheDir, repo);
  try {
    const sha = /^[0-9a-f]{40}$/.test(revision) ? revision : (await readFile(path.join(dir, 'refs', encodeURIComponent(revision)), 'utf8')).trim();
    const cached = JSON.parse(await readFile(path.join(dir, 'answers', `${sha}.json`), 'utf8')) as HubModelFiles;
    return cached.repo === repo && cached.sha === sha ? { ...cached, revision, fromCache: true } : undefined;
  } catch {
    // Missing or unreadable: a cache miss, never an error (the network answer replaces it).
    return undefined;
  }
}

/** Stores an answer under its commit and points `revision` at it. */
export async function writeCachedModel(cacheDir: string, model: HubModelFiles): Promise<void> {
  const dir = repoDir(cacheDir, model.repo);
  await mkdir(path.join(dir, 'answers'), { recursive: true });
  await mkdir(path.join(dir, 'refs'), { recursive: true });
  await writeFileAtomic(path.join(dir, 'answers', `${model.sha}.json`), `${JSON.stringify({ ...model, fromCache: undefined }, null, 1)}\n`, 0o644);
  await writeFileAtomic(path.join(dir, 'refs', encodeURIComponent(model.revision)), `${model.sha}\n`, 0o644);
}
