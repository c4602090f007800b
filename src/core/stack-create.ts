/**
 * A new stack from the one bundled with the extension, copied to a folder the user picks. It never
 * overwrites: files that already exist are left as they are and reported, so running it on a
 * folder that holds a user's edited stack loses nothing. All or none: a new folder is filled as a
 * hidden sibling (`.<name>.spark-new-<hex>`) and renamed into place when complete; the missing
 * files of an existing folder are added in one change set. A full disk leaves no half stack.
 * The target is checked by its real path (symbolic links resolved): never inside the install
 * folder or a template, and never a folder that holds the template (it would copy itself).
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { constants, copyFile, lstat, mkdir, readFile, realpath, rename, rm } from 'node:fs/promises';
import * as path from 'node:path';
import { SparkError } from './errors';
import type { StackChange } from './files';
import { StackWriteError, applyStackChanges, makeFolders } from './files';
import { isUnder, realPathAhead } from './inputs';
import { TEMPLATE_MARKER, isTemplateFolder, requireWritableStack } from './stack/discovery';

export interface CopyResult {
  readonly target: string;
  readonly copied: readonly string[];
  /** Files that existed already (relative paths), left untouched. */
  readonly kept: readonly string[];
}

/** A target the template may not be copied to: refused before anything is written. */
export class TemplateTargetError extends SparkError {
  constructor(target: string, why: string) {
    super(`refusing to create a stack in ${target}: ${why} — nothing was written`, 'Pick a folder of your own outside Spark Gateway\'s install folder, e.g. `spark-gateway init ~/spark-stack`');
  }
}

/**
 * Files never copied: secrets and certificates (local to one machine), the template's marker and
 * the hidden temporary files of an interrupted write.
 */
function isLocal(relative: string): boolean {
  const name = path.posix.basename(relative);
  return relative === TEMPLATE_MARKER || name === '.env' || /^ssl(\/|$)/.test(relative) || /^\..*\.(tmp\.|spark-new-|spark-old-)/.test(name);
}

/** The template's folders and files (relative, `/`-separated), parents before children. */
function templateEntries(bundled: string): { rel: string; dir: boolean; mode: number }[] {
  const out: { rel: string; dir: boolean; mode: number }[] = [];
  const walk = (relative: string) => {
    for (const name of readdirSync(path.join(bundled, relative)).sort()) {
      const rel = relative ? path.posix.join(relative, name) : name;
      if (isLocal(rel)) continue;
      const stat = statSync(path.join(bundled, rel));
      out.push({ rel, dir: stat.isDirectory(), mode: stat.mode & 0o7777 });
      if (stat.isDirectory()) walk(rel);
    }
  };
  walk('');
  return out;
}

/**
 * `target`'s real path, refused with {@link TemplateTargetError} when it lies inside the install
 * folder (the template's parent) or a folder carrying {@link TEMPLATE_MARKER}, or holds the template.
 */
async function checkedTarget(bundled: string, target: string): Promise<string> {
  const template = await realpath(bundled);
  const install = path.dirname(template);
  const real = await realPathAhead(target, (why) => new TemplateTargetError(target, why));
  const via = real === path.resolve(target) ? '' : ` (through a symbolic link: it is ${real})`;
  if (isUnder(install, real)) throw new TemplateTargetError(target, `it is inside Spark Gateway's install folder ${install}, which holds the bundled template${via}`);
  if (isUnder(real, template)) throw new TemplateTargetError(target, `it holds the bundled template ${template}${via}; the template would be copied into itself`);
  for (let dir = real; ; dir = path.dirname(dir)) {
    if (isTemplateFolder(dir)) throw new TemplateTargetError(target, `${dir} is a stack template (it carries ${TEMPLATE_MARKER})${via}`);
    if (dir === path.dirname(dir)) break;
  }
  return real;
}

/** Copies `bundled` into `target` (created when missing) without overwriting anything, all or none. */
export async function copyStackWithoutOverwriting(bundled: string, target: string): Promise<CopyResult> {
  requireWritableStack(target);
  const real = await checkedTarget(bundled, target);
  const entries = templateEntries(bundled);
  const present = await lstat(real).catch(() => undefined);
  if (present === undefined) {
    await createWhole(bundled, real, entries);
    return { target, copied: entries.filter((e) => !e.dir).map((e) => e.rel), kept: [] };
  }
  if (!present.isDirectory()) throw new SparkError(`${target} exists and is not a folder`, 'Pick a folder (new or existing) for the stack');
  const copied: string[] = [];
  const kept: string[] = [];
  const changes: StackChange[] = [];
  for (const entry of entries) {
    if (entry.dir) {
      changes.push({ kind: 'mkdir', dir: entry.rel });
    } else if (await lstat(path.join(real, entry.rel)).then(() => true, () => false)) {
      kept.push(entry.rel);
    } else {
      changes.push({ kind: 'write', file: entry.rel, content: await readFile(path.join(bundled, entry.rel)), mode: entry.mode, mustBeNew: true });
      copied.push(entry.rel);
    }
  }
  if (copied.length > 0) await applyStackChanges(real, changes);
  return { target, copied, kept };
}

/** Fills a hidden sibling of `real` and renames it into place; on failure removes what it made. */
async function createWhole(bundled: string, real: string, entries: readonly { rel: string; dir: boolean }[]): Promise<void> {
  const parent = path.dirname(real);
  const staging = path.join(parent, `.${path.basename(real)}.spark-new-${randomBytes(4).toString('hex')}`);
  let createdParent: string | undefined;
  let current = path.basename(real);
  try {
    createdParent = await makeFolders(parent);
    await mkdir(staging);
    for (const entry of entries) {
      current = path.join(path.basename(real), entry.rel);
      if (entry.dir) await mkdir(path.join(staging, entry.rel));
      // COPYFILE_EXCL: a fresh file only; copyFile keeps the template's mode (scripts stay executable).
      else await copyFile(path.join(bundled, entry.rel), path.join(staging, entry.rel), constants.COPYFILE_EXCL);
    }
    current = path.basename(real);
    await rename(staging, real);
  } catch (error) {
    let restored = true;
    await rm(staging, { recursive: true, force: true }).catch(() => (restored = false));
    if (createdParent !== undefined) await rm(createdParent, { recursive: true, force: true }).catch(() => (restored = false));
    throw new StackWriteError(current, error, restored, `nothing was created (${real} does not exist)`);
  }
}
