/**
 * What the Hub names — repository ids, revisions, commit shas, the files of a listing and their
 * hashes — checked where they enter: a repository id and a revision from the user, the rest from
 * the Hub's (or `HF_ENDPOINT`'s mirror's) answer. Every one of them later becomes part of a path in
 * a cache (`models--org--name/snapshots/<sha>/<file>`, `blobs/<oid>`, `refs/<revision>`), so a
 * listing with one bad entry is refused whole, before anything is written.
 */
import { SparkError } from '../errors';
import { printable, relativePathProblem, repoIdProblem } from '../inputs';
import { HubListingError } from './errors';

/** A commit: 40 lower-case hex digits, as the Hub returns it. */
export const COMMIT_SHA = /^[0-9a-f]{40}$/;
const GIT_OID = COMMIT_SHA;
const SHA256 = /^[0-9a-f]{64}$/;

/** True when `value` is a full commit sha (40 lower-case hex digits). Pure. */
export function isCommitSha(value: string): boolean {
  return COMMIT_SHA.test(value);
}

/** Throws unless `repo` is a Hub model id `owner/name` ({@link repoIdProblem}, the one rule). Pure. */
export function checkRepoId(repo: string): void {
  if (repoIdProblem(repo) !== undefined) throw new SparkError(`"${printable(repo)}" is not a Hugging Face model id`, 'Give it as owner/name, e.g. Qwen/Qwen3-8B');
}

/**
 * Throws unless `revision` is a branch, tag or commit as git allows its names
 * (`git check-ref-format`): no control character, space, `~ ^ : ? * [ \`, no `..`, `//` or `@{`,
 * not starting with `-`, `.` or `/`, not ending with `/`, `.` or `.lock`. It names a file under
 * `refs/` in the caches, so these rules also keep it inside. Pure.
 */
export function checkRevision(revision: string): void {
  const bad = revision === ''
    || revision.length > 255
    || /[\0-\x20\x7f~^:?*[\\]/.test(revision)
    || /\.\.|\/\/|@\{|\/\./.test(revision)
    || /^[-./]/.test(revision)
    || /[/.]$|\.lock$/.test(revision)
    || revision === '@';
  if (bad) throw new SparkError(`"${printable(revision)}" is not a revision of a Hugging Face repository`, 'Give a branch, tag or commit sha (e.g. main, v1.0 or 40 hex digits)');
}

/** One entry of the Hub's tree listing, as `@huggingface/hub` hands it over (its fields unchecked). */
export interface ListedEntry {
  readonly type?: string;
  readonly path: string;
  readonly size?: number;
  readonly oid?: string;
  readonly lfs?: { readonly oid?: string; readonly size?: number };
}

/**
 * The problem with one entry of a listing, or undefined: its path must be a plain relative path
 * (see {@link relativePathProblem}), a file's size a whole number of bytes, and — when
 * `needsOid` — its blob name the sha256 of an LFS file or the git blob id of a small one, in
 * lower-case hex. Pure.
 */
export function listedEntryProblem(entry: ListedEntry, needsOid: boolean): string | undefined {
  const rel = typeof entry.path === 'string' ? entry.path : '';
  const pathProblem = relativePathProblem(rel);
  if (pathProblem !== undefined) return pathProblem;
  if (entry.type !== 'file') return undefined;
  const size = entry.lfs?.size ?? entry.size;
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) return `"${printable(rel)}" has the size ${printable(String(size))}, not a whole number of bytes`;
  if (!needsOid) return undefined;
  const oid = entry.lfs ? entry.lfs.oid : entry.oid;
  const hex = entry.lfs ? SHA256 : GIT_OID;
  if (typeof oid !== 'string' || !hex.test(oid)) {
    return `"${printable(rel)}" has the ${entry.lfs ? 'LFS sha256' : 'git blob id'} "${printable(String(oid))}", not ${entry.lfs ? 64 : 40} lower-case hex digits`;
  }
  return undefined;
}

/** Throws a {@link HubListingError} naming the repository, the entry and the endpoint when one entry is bad. */
export function checkListedEntry(repo: string, endpoint: string, entry: ListedEntry, needsOid: boolean): void {
  const problem = listedEntryProblem(entry, needsOid);
  if (problem !== undefined) throw new HubListingError(repo, endpoint, problem);
}

/** Throws a {@link HubListingError} unless the Hub's answer for `repo` named a full commit sha. */
export function checkCommitSha(repo: string, endpoint: string, sha: unknown): string {
  if (typeof sha !== 'string' || !COMMIT_SHA.test(sha)) {
    throw new HubListingError(repo, endpoint, sha === undefined || sha === '' ? 'it names no commit sha' : `its commit sha "${printable(String(sha))}" is not 40 lower-case hex digits`);
  }
  return sha;
}
