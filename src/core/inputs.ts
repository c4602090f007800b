/**
 * The one check for names and paths that come from outside — `scenarios.yaml`, hosts, settings,
 * CLI flags and remote answers (the Hub's listings and ETags). Each input passes here where it
 * enters, once; code after that edge builds paths and command lines from it without re-checking.
 *
 * Why each rule:
 * - names become folder names, container names, DNS labels on `vllm_network`, file names under
 *   the temp folder and arguments to `docker`: so DNS-safe, never starting with `-` (an option to
 *   the command it is handed to), never `.`/`..`, and never a folder the stack itself owns
 *   (`remove-model` deletes a model's folder: `folder: litellm` must not reach it);
 * - relative paths from remote answers are joined under a root the user chose: no absolute path,
 *   no `..` segment, no backslash or NUL, and — because a symlink inside the root can still point
 *   out — the resolved real path is proven to stay under the root's real path.
 */
import { lstat, realpath } from 'node:fs/promises';
import { isIPv4 } from 'node:net';
import * as path from 'node:path';
import { SparkError } from './errors';

/**
 * Folders of the stack that are not model folders (and the names of its own services and
 * containers): a model, its folder or its container may never take them. `simulator` stays:
 * stacks created before the simulator moved out of stack/ (to simulator/) still hold a copy.
 */
export const RESERVED_NAMES: ReadonlySet<string> = new Set([
  'litellm', 'nginx', 'ssl', 'simulator', 'stack', 'postgres', 'redis', 'scripts', 'node_modules',
  'vllm-litellm-postgres', 'vllm-litellm-redis', 'vllm-litellm-proxy', 'vllm-nginx-proxy',
]);

/** Prefixes the stack's own folders use (`backup-<UTC timestamp>/` from adopt). */
const RESERVED_PREFIXES: readonly string[] = ['backup-', '.'];

/** A DNS label: what a model name, folder and container must be (lower case, digits, `-`; ≤ 63). */
const DNS_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * The problem with `value` as a name of `what` (a model, folder, container, host, scenario), or
 * undefined when it is fine. Pure; the caller adds file and line.
 * Usage: `nameProblem('--help', 'container')` → `container "--help" must …`.
 */
export function nameProblem(value: string, what: string): string | undefined {
  if (!DNS_LABEL.test(value)) {
    return `${what} "${printable(value)}" must be lower-case letters, digits and dashes, start and end with a letter or digit, at most 63 characters (e.g. qwen3-4b)`;
  }
  return undefined;
}

/**
 * Like {@link nameProblem}, and also refuses a name the stack itself uses for its gateway
 * (`litellm`, `nginx`, `ssl`, `backup-*`, the gateway's containers): for model names, folders
 * and containers, which the product creates and deletes.
 */
export function stackNameProblem(value: string, what: string): string | undefined {
  const problem = nameProblem(value, what);
  if (problem !== undefined) return problem;
  if (RESERVED_NAMES.has(value) || RESERVED_PREFIXES.some((prefix) => value.startsWith(prefix))) {
    return `${what} "${value}" is one of the stack's own folders or services (litellm, nginx, ssl, backup-*, …); a model cannot use it`;
  }
  return undefined;
}

/**
 * The problem with `value` as a Hugging Face repo id, or undefined: `owner/name` as the Hub's own
 * `validate_repo_id` allows — each part letters, digits, `_`, `.`, `-`, neither starting nor
 * ending with `.` or `-`, the name at most 96 characters — and no `..` or `--` (`--` also
 * separates the parts in the cache's `models--owner--name` folder).
 * Usage: `repoIdProblem('a/../../x')` → `… is not a Hugging Face repo id …`.
 */
export function repoIdProblem(value: string): string | undefined {
  const parts = value.split('/');
  const ok = parts.length === 2 && parts.every((part) => /^[A-Za-z0-9_](?:[\w.-]*[A-Za-z0-9_])?$/.test(part))
    && (parts[1] ?? '').length <= 96 && !value.includes('..') && !value.includes('--');
  return ok ? undefined : `"${printable(value)}" is not a Hugging Face repo id (owner/name: letters, digits, ".", "_", "-", neither part starting or ending with "-" or ".", no ".." or "--"; e.g. Qwen/Qwen3-4B)`;
}

/** Throws a {@link SparkError} naming the problem when `value` is not a valid name (see {@link nameProblem}). */
export function requireName(value: string, what: string, fix?: string): string {
  const problem = nameProblem(value, what);
  if (problem !== undefined) throw new SparkError(problem, fix);
  return value;
}

/**
 * The problem with `rel` as a relative path from a remote answer or a file (e.g. a Hub listing's
 * `a/b.safetensors`), or undefined: it must be relative, `/`-separated, with no empty, `.` or
 * `..` segment, no backslash, no NUL and no control character.
 */
export function relativePathProblem(rel: string): string | undefined {
  if (rel === '') return 'an empty path';
  if (/[\0-\x1f\x7f\\]/.test(rel)) return `path "${printable(rel)}" has a control character or a backslash`;
  if (rel.startsWith('/') || path.isAbsolute(rel) || /^[a-zA-Z]:/.test(rel)) return `path "${printable(rel)}" is absolute`;
  if (rel.split('/').some((segment) => segment === '' || segment === '.' || segment === '..')) {
    return `path "${printable(rel)}" has an empty, "." or ".." part`;
  }
  return undefined;
}

/** A path outside its root (after resolving symlinks) was refused; nothing was written. */
export class OutsideRootError extends SparkError {
  constructor(readonly rel: string, readonly root: string, why: string) {
    super(`refusing "${printable(rel)}": ${why}; it must stay inside ${root} — nothing was written`, 'The answer or file that named this path is not trustworthy; check where it came from (HF_ENDPOINT, scenarios.yaml)');
  }
}

/**
 * The real path `target` will have once its missing parts are created: the real path of its
 * deepest existing part, with the missing parts below it. A symbolic link that points nowhere is
 * refused through `refuse` — a write would follow it to wherever it is later pointed.
 * Usage: `await realPathAhead('/home/me/link/new', (why) => new SparkError(why))`.
 */
export async function realPathAhead(target: string, refuse: (why: string) => Error): Promise<string> {
  let existing = path.resolve(target);
  const rest: string[] = [];
  for (;;) {
    try {
      return path.join(await realpath(existing), ...rest);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw error;
      if ((await lstat(existing).catch(() => undefined))?.isSymbolicLink()) throw refuse(`${existing} is a symbolic link to a place that does not exist`);
      if (existing === path.dirname(existing)) throw error;
      rest.unshift(path.basename(existing));
      existing = path.dirname(existing);
    }
  }
}

/**
 * `root/rel`, proven to stay under `root` after resolving symlinks: the lexical checks of
 * {@link relativePathProblem}, then the real path of the deepest part that exists must lie under
 * the real path of `root`. Missing parts below it are fine (they will be created, under the root).
 * Usage: `await resolveInside(snapshotDir, entry.path)` before writing or linking there.
 */
export async function resolveInside(root: string, rel: string): Promise<string> {
  const problem = relativePathProblem(rel);
  if (problem !== undefined) throw new OutsideRootError(rel, root, problem);
  const realRoot = await realpath(root);
  const full = await realPathAhead(path.join(realRoot, ...rel.split('/')), (why) => new OutsideRootError(rel, root, why));
  if (!isUnder(realRoot, full)) throw new OutsideRootError(rel, root, `it resolves to ${full} through a symbolic link`);
  return full;
}

/** A host name that is this machine: `localhost` (and `*.localhost`), 127.0.0.0/8, `::1` (bracketed or not). */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return host === 'localhost' || host.endsWith('.localhost') || (isIPv4(host) && host.startsWith('127.')) || host === '::1';
}

/** True when `candidate` is `root` itself or lies below it (both absolute and resolved). */
export function isUnder(root: string, candidate: string): boolean {
  const relative = path.relative(root, candidate);
  return relative === '' || (!relative.startsWith(`..${path.sep}`) && relative !== '..' && !path.isAbsolute(relative));
}

/** `value` with control characters shown escaped and cut to 80 characters, for messages. */
export function printable(value: string): string {
  const shown = JSON.stringify(value).slice(1, -1);
  return shown.length > 80 ? `${shown.slice(0, 77)}...` : shown;
}
