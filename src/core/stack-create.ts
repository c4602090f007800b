/**
 * A new stack from the one bundled with the extension, copied to a folder the user picks. It never
 * overwrites: files that already exist are left as they are and reported, so running it on a
 * folder that holds a user's edited stack loses nothing.
 */
import { constants, copyFileSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { TEMPLATE_MARKER, TemplateStackError, requireWritableStack } from './stack';

export interface CopyResult {
  readonly target: string;
  readonly copied: readonly string[];
  /** Files that existed already (relative paths), left untouched. */
  readonly kept: readonly string[];
}

/** Files never copied: secrets and certificates (local to one machine) and the template's marker. */
function isLocal(relative: string): boolean {
  return relative === TEMPLATE_MARKER || /(^|\/)\.env$/.test(relative) || /^ssl(\/|$)/.test(relative) || /(^|\/)\.env\.tmp\./.test(relative);
}

/** Copies `bundled` into `target` (created when missing) without overwriting anything. */
export function copyStackWithoutOverwriting(bundled: string, target: string): CopyResult {
  requireWritableStack(target);
  // A target inside the template would be a write into the install folder (and copy itself forever).
  const inside = path.relative(path.resolve(bundled), path.resolve(target));
  if (!inside.startsWith('..') && !path.isAbsolute(inside)) throw new TemplateStackError(bundled);
  const copied: string[] = [];
  const kept: string[] = [];
  const walk = (relative: string) => {
    const from = path.join(bundled, relative);
    for (const name of readdirSync(from)) {
      const rel = relative ? path.posix.join(relative, name) : name;
      if (isLocal(rel)) continue;
      const source = path.join(bundled, rel);
      const dest = path.join(target, rel);
      if (statSync(source).isDirectory()) {
        mkdirSync(dest, { recursive: true });
        walk(rel);
      } else {
        try {
          // COPYFILE_EXCL: fail instead of overwriting, atomically (no check-then-copy race).
          copyFileSync(source, dest, constants.COPYFILE_EXCL);
          copied.push(rel);
        } catch (error) {
          if ((error as { code?: string }).code !== 'EEXIST') throw error;
          kept.push(rel);
        }
      }
    }
  };
  mkdirSync(target, { recursive: true });
  walk('');
  return { target, copied, kept };
}
