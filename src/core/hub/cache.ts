/**
 * The Hub's answers kept inside the stack (`.cache/hub/`), one file per commit, so asking again
 * for a model works offline and a pinned commit is never fetched again. The layout follows the
 * Hub's own cache: `models--{owner}--{name}/refs/{revision}` holds the commit a revision pointed
 * at, `models--{owner}--{name}/answers/{sha}.json` what the Hub answered at that commit. The
 * repository id and revision were checked by the caller (`hub/ids.ts`); the commit read back
 * from `refs/` is checked here, and writes go only to paths proven to stay inside the cache.
 */
import { mkdir, readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { writeFileAtomic } from '../files';
import { resolveInside } from '../inputs';
import { isCommitSha } from './ids';
import type { HubModelFiles } from './model-files';

export const HUB_CACHE_DIR = path.join('.cache', 'hub');

function repoDirName(repo: string): string {
  return `models--${repo.replace('/', '--')}`;
}

/** The cached answer for `revision` (a branch, tag or commit), or undefined. */
export async function readCachedModel(cacheDir: string, repo: string, revision: string): Promise<HubModelFiles | undefined> {
  const dir = path.join(cacheDir, repoDirName(repo));
  try {
    const sha = isCommitSha(revision) ? revision : (await readFile(path.join(dir, 'refs', encodeURIComponent(revision)), 'utf8')).trim();
    // A refs file is only ever a commit; anything else is not ours and is a miss.
    if (!isCommitSha(sha)) return undefined;
    const cached = JSON.parse(await readFile(path.join(dir, 'answers', `${sha}.json`), 'utf8')) as HubModelFiles;
    return cached.repo === repo && cached.sha === sha ? { ...cached, revision, fromCache: true } : undefined;
  } catch {
    // Missing or unreadable: a cache miss, never an error (the network answer replaces it).
    return undefined;
  }
}

/** Stores an answer under its commit and points `revision` at it. */
export async function writeCachedModel(cacheDir: string, model: HubModelFiles): Promise<void> {
  await mkdir(cacheDir, { recursive: true });
  // A symbolic link planted in the cache (models--…, answers/, refs/) cannot carry a write out of it.
  const answers = await resolveInside(cacheDir, `${repoDirName(model.repo)}/answers`);
  const refs = await resolveInside(cacheDir, `${repoDirName(model.repo)}/refs`);
  await mkdir(answers, { recursive: true });
  await mkdir(refs, { recursive: true });
  await writeFileAtomic(path.join(answers, `${model.sha}.json`), `${JSON.stringify({ ...model, fromCache: undefined }, null, 1)}\n`, 0o644);
  await writeFileAtomic(path.join(refs, encodeURIComponent(model.revision)), `${model.sha}\n`, 0o644);
}
