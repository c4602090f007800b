/**
 * Stack writes, all files or none. Every command that writes more than one file passes here —
 * add-model, remove-model, add-scenario, sync-env, certs, adopt and init into an existing
 * folder. A change set (create, modify or delete files, make folders) is staged in temporary
 * files beside their targets, then moved into place by renames; if any step fails, every step
 * already taken is undone, so after a failure the stack is byte for byte what it was. Old files
 * are kept aside until the end for exactly that reason. The temporary names (`.<name>.spark-new-…`,
 * `.<name>.spark-old-…`) are hidden and listed in the stack's .gitignore.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { SparkError } from '../errors';
import { requireWritableStack } from '../stack/discovery';

/** One change to a stack, with a path relative to the stack root (`/`-separated is fine). */
export type StackChange =
  /**
   * Create or replace a file. A replaced file keeps its mode unless `forceMode` (a secret stays
   * 0o600 whatever it was); a new one gets `mode` (default 0o644). `mustBeNew`: the change set
   * fails, and is undone, when the file exists (init never overwrites a file).
   */
  | {
      readonly kind: 'write';
      readonly file: string;
      readonly content: string | Uint8Array;
      readonly mode?: number;
      readonly forceMode?: boolean;
      readonly mustBeNew?: boolean;
    }
  /** Remove a file or a whole folder (a model folder). A path that does not exist is no change. */
  | { readonly kind: 'delete'; readonly file: string }
  /** Make a folder (and its parents) if missing, e.g. a new model folder before its files; `mode` for the folders it creates. */
  | { readonly kind: 'mkdir'; readonly dir: string; readonly mode?: number };

/** The file operations the writer uses; tests replace one to make a step fail. */
export interface StackFs {
  rename(from: string, to: string): Promise<void>;
  writeFile(file: string, data: string | Uint8Array, mode: number): Promise<void>;
  mkdir(dir: string, mode?: number): Promise<string | undefined>;
  rm(target: string): Promise<void>;
}

const nodeFs: StackFs = {
  rename: (from, to) => fs.rename(from, to),
  async writeFile(file, data, mode) {
    // `wx`: a fresh file (never an existing one); fsync so a crash after the rename keeps data.
    const handle = await fs.open(file, 'wx', mode);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    // open()'s mode is filtered by the umask; set it exactly.
    await fs.chmod(file, mode);
  },
  mkdir: makeFolders,
  rm: (target) => fs.rm(target, { recursive: true, force: true }),
};

/**
 * Makes `dir` and its missing parents (`mode` for each one made); returns the first one made, or
 * undefined when `dir` existed. Level by level rather than `mkdir -p` (`recursive: true`), whose
 * error on a read-only file system is a misleading ENOENT instead of EROFS.
 */
export async function makeFolders(dir: string, mode?: number): Promise<string | undefined> {
  const missing: string[] = [];
  for (let at = path.resolve(dir); !(await fs.lstat(at).then(() => true, () => false)); at = path.dirname(at)) {
    missing.unshift(at);
    if (at === path.dirname(at)) break;
  }
  const made: string[] = [];
  try {
    for (const folder of missing) {
      await fs.mkdir(folder, mode);
      made.unshift(folder);
    }
  } catch (error) {
    // Only the (empty) folders made here; `rmdir` never removes anything else.
    for (const folder of made) await fs.rmdir(folder).catch(() => undefined);
    throw error;
  }
  return missing[0];
}

/** A change set could not be applied; the stack was restored, and the message says so. */
export class StackWriteError extends SparkError {
  /**
   * @param file the path (relative to the stack) the failing step worked on
   * @param outcome what the user finds afterwards, when not the stack's "nothing was changed"
   */
  constructor(
    readonly file: string,
    readonly cause: unknown,
    readonly restored: boolean,
    outcome?: string,
  ) {
    const after = restored ? (outcome ?? 'nothing was changed (the stack is as it was)') : 'the stack could NOT be fully restored — check the files named above';
    super(`could not write ${file}: ${writeProblem(cause)}; ${after}`, writeFix(cause));
  }
}

/** An error's errno code (`ENOSPC`, `EROFS`, …), or undefined for one without. */
function errnoCode(cause: unknown): string | undefined {
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * What went wrong with a write, in words: "the disk is full (ENOSPC)", "the file system is
 * read-only (EROFS)", "permission denied (EACCES)"; other errors keep their own message.
 * Usage: the CLI's last-resort printer for an errno error that reached it unwrapped.
 */
export function writeProblem(cause: unknown): string {
  const code = errnoCode(cause);
  if (code === 'ENOSPC' || code === 'EDQUOT') return `the disk is full (${code}: no space left on the file system${code === 'EDQUOT' ? ' within your quota' : ''})`;
  if (code === 'EROFS') return 'the file system is read-only (EROFS)';
  if (code === 'EACCES' || code === 'EPERM') return `permission denied (${code})`;
  if (code === 'EEXIST') return 'it exists already (EEXIST)';
  if (code === 'ENOTEMPTY') return 'a folder of that name exists already and is not empty (ENOTEMPTY)';
  return cause instanceof Error ? cause.message : String(cause);
}

/** The fix for a failed write, by its cause (one wording for every writer). */
export function writeFix(cause: unknown): string {
  const code = errnoCode(cause);
  if (code === 'EROFS') return 'The folder is on a read-only file system: remount it read-write (or use a stack on a writable disk), then try again';
  if (code === 'EACCES' || code === 'EPERM') return 'Make the stack folder writable for your user (or pick a stack you own), then try again';
  if (code === 'ENOSPC' || code === 'EDQUOT') return 'Free some disk space on the stack\'s file system (`df -h` shows it), then try again';
  return 'Fix the cause above, then try again';
}

/**
 * Applies `changes` to the stack at `root`, all or none. Throws {@link StackWriteError} after
 * restoring the stack when any step fails, and a plain {@link SparkError} (before touching
 * anything) for a path outside the stack or a path named twice.
 * Usage: `await applyStackChanges(root, [{ kind: 'mkdir', dir: 'my-model' }, { kind: 'write', file: 'my-model/docker-compose.yml', content }])`.
 * A rename is a write of the new name plus a delete of the old one, in one change set.
 */
export async function applyStackChanges(root: string, changes: readonly StackChange[], options: { fs?: Partial<StackFs> } = {}): Promise<void> {
  // Every stack write passes here: never into the bundled template.
  requireWritableStack(root);
  const ops: StackFs = { ...nodeFs, ...options.fs };
  const undo: (() => Promise<void>)[] = [];
  const discard: string[] = [];
  const resolved = changes.map((change) => ({ change, target: inside(root, change.kind === 'mkdir' ? change.dir : change.file) }));
  refuseDuplicates(resolved);
  let current = '';
  try {
    // Stage: folders and the new contents, next to their targets (same file system → atomic renames).
    const staged = new Map<string, string>();
    for (const { change, target } of resolved) {
      current = path.relative(root, target);
      if (change.kind === 'mkdir') {
        const created = await ops.mkdir(target, change.mode);
        if (created !== undefined) undo.push(() => ops.rm(created));
      } else if (change.kind === 'write') {
        const existing = await fs.stat(target).catch(() => undefined);
        if (existing?.isDirectory()) throw Object.assign(new Error('a folder is in the way'), { code: 'EISDIR' });
        // A dangling symbolic link is there too (lstat), and init must not replace it.
        if (change.mustBeNew && (await fs.lstat(target).then(() => true, () => false))) throw Object.assign(new Error('it exists already'), { code: 'EEXIST' });
        const tmp = sibling(target, 'new');
        undo.push(() => ops.rm(tmp));
        const mode = existing && !change.forceMode ? existing.mode & 0o7777 : (change.mode ?? 0o644);
        await ops.writeFile(tmp, change.content, mode);
        staged.set(target, tmp);
      }
    }
    // Commit: move old files aside, new ones in. Each step registers its exact inverse first.
    for (const { change, target } of resolved) {
      current = path.relative(root, target);
      if (change.kind === 'mkdir') continue;
      const exists = await fs.lstat(target).then(() => true, () => false);
      if (exists && change.kind === 'write' && change.mustBeNew) throw Object.assign(new Error('it exists already'), { code: 'EEXIST' });
      if (exists) {
        const old = sibling(target, 'old');
        await ops.rename(target, old);
        undo.push(() => ops.rename(old, target));
        discard.push(old);
      }
      const tmp = staged.get(target);
      if (change.kind === 'write' && tmp !== undefined) {
        await ops.rename(tmp, target);
        undo.push(() => ops.rename(target, tmp));
      }
    }
  } catch (error) {
    let restored = true;
    for (const step of undo.reverse()) {
      try {
        await step();
      } catch {
        restored = false;
      }
    }
    throw new StackWriteError(current || root, error, restored);
  }
  // Done: the old copies are no longer needed. A leftover hidden copy is harmless, so no throw.
  for (const old of discard) await ops.rm(old).catch(() => undefined);
}

/** `root/rel`, refusing anything that would leave the stack (`..`, absolute paths). */
function inside(root: string, rel: string): string {
  const target = path.resolve(root, rel);
  const relative = path.relative(path.resolve(root), target);
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) {
    throw new SparkError(`refusing to change ${rel}: it is not inside the stack ${root}`);
  }
  return target;
}

/** A file written or deleted twice in one change set would be staged once and lost once: refuse. */
function refuseDuplicates(resolved: readonly { change: StackChange; target: string }[]): void {
  const seen = new Set<string>();
  for (const { change, target } of resolved) {
    if (change.kind === 'mkdir') continue;
    if (seen.has(target)) throw new SparkError(`refusing a change set that changes ${change.file} twice`);
    seen.add(target);
  }
}

/** A hidden name beside `target` for its staged (`new`) or set-aside (`old`) copy. */
function sibling(target: string, role: 'new' | 'old'): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.spark-${role}-${randomBytes(4).toString('hex')}`);
}
