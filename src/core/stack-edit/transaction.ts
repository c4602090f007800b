/**
 * Stack edits, all files or none. A change set (create, modify or delete files, make a model
 * folder) is staged in temporary files beside their targets, then moved into place by renames;
 * if any step fails, every step already taken is undone, so after a failure the stack is byte
 * for byte what it was. Old files are kept aside until the end for exactly that reason.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { SparkError } from '../errors';
import { requireWritableStack } from '../stack';

/** One change to a stack, with a path relative to the stack root (`/`-separated is fine). */
export type StackChange =
  /** Create or replace a file. A replaced file keeps its mode; a new one gets `mode` (0o644). */
  | { readonly kind: 'write'; readonly file: string; readonly content: string; readonly mode?: number }
  /** Remove a file or a whole folder (a model folder). A path that does not exist is no change. */
  | { readonly kind: 'delete'; readonly file: string }
  /** Make a folder (and its parents) if missing, e.g. a new model folder before its files. */
  | { readonly kind: 'mkdir'; readonly dir: string };

/** The file operations the writer uses; tests replace one to make a step fail. */
export interface StackFs {
  rename(from: string, to: string): Promise<void>;
  writeFile(file: string, data: string, mode: number): Promise<void>;
  mkdir(dir: string): Promise<string | undefined>;
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
    await fs.chmod(file, mode);
  },
  mkdir: (dir) => fs.mkdir(dir, { recursive: true }),
  rm: (target) => fs.rm(target, { recursive: true, force: true }),
};

/** A change set could not be applied; the stack was restored, and the message says so. */
export class StackWriteError extends SparkError {
  constructor(
    readonly file: string,
    readonly cause: unknown,
    readonly restored: boolean,
  ) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(
      `could not write ${file}: ${reason}; ${restored ? 'nothing was changed (the stack is as it was)' : 'the stack could NOT be fully restored — check the files named above'}`,
      writeFix(cause),
    );
  }
}

function writeFix(cause: unknown): string {
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return 'Make the stack folder writable for your user (or pick a stack you own), then try again';
  if (code === 'ENOSPC' || code === 'EDQUOT') return 'Free some disk space on the stack\'s file system, then try again';
  return 'Fix the cause above, then try again';
}

/**
 * Applies `changes` to the stack at `root`, all or none. Throws {@link StackWriteError} after
 * restoring the stack when any step fails, and a plain {@link SparkError} (before touching
 * anything) for a path outside the stack.
 * Usage: `await applyStackChanges(root, [{ kind: 'mkdir', dir: 'my-model' }, { kind: 'write', file: 'my-model/docker-compose.yml', content }])`.
 */
export async function applyStackChanges(root: string, changes: readonly StackChange[], options: { fs?: Partial<StackFs> } = {}): Promise<void> {
  // Every stack edit (add-model, remove-model, add-scenario) passes here: never into the bundled template.
  requireWritableStack(root);
  const ops: StackFs = { ...nodeFs, ...options.fs };
  const undo: (() => Promise<void>)[] = [];
  const discard: string[] = [];
  const resolved = changes.map((change) => ({ change, target: inside(root, change.kind === 'mkdir' ? change.dir : change.file) }));
  let current = '';
  try {
    // Stage: folders and the new contents, next to their targets (same file system → atomic renames).
    const staged = new Map<string, string>();
    for (const { change, target } of resolved) {
      current = path.relative(root, target);
      if (change.kind === 'mkdir') {
        const created = await ops.mkdir(target);
        if (created !== undefined) undo.push(() => ops.rm(created));
      } else if (change.kind === 'write') {
        const existing = await fs.stat(target).catch(() => undefined);
        if (existing?.isDirectory()) throw Object.assign(new Error('a folder is in the way'), { code: 'EISDIR' });
        const tmp = sibling(target, 'new');
        undo.push(() => ops.rm(tmp));
        await ops.writeFile(tmp, change.content, existing ? existing.mode & 0o7777 : (change.mode ?? 0o644));
        staged.set(target, tmp);
      }
    }
    // Commit: move old files aside, new ones in. Each step registers its exact inverse first.
    for (const { change, target } of resolved) {
      current = path.relative(root, target);
      if (change.kind === 'mkdir') continue;
      const exists = await fs.lstat(target).then(() => true, () => false);
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

/** A hidden name beside `target` for its staged (`new`) or set-aside (`old`) copy. */
function sibling(target: string, role: 'new' | 'old'): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.spark-${role}-${randomBytes(4).toString('hex')}`);
}
