/**
 * Writes a planned adoption: every file it changes is first copied to `backup-<UTC timestamp>/`
 * beside it, then written atomically; a renamed file is written under its new name and the old
 * one removed. Their running containers are not touched: only files change.
 */
import { copyFileSync, existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../files';
import { requireWritableStack } from '../stack';
import type { AdoptPlan } from './plan';
import type { ChangeAction } from './types';

/** `backup-20261201T091500Z`: sortable, and safe in file names everywhere. */
export function backupFolderName(now: Date): string {
  return `backup-${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}`;
}

export interface AppliedChange {
  /** Path relative to the stack. */
  readonly file: string;
  readonly action: ChangeAction;
  /** Path of the backup relative to the stack, or null for a file that did not exist. */
  readonly backup: string | null;
}

/** Applies `plan` (from planAdoption) to its folder; returns what was written and where the backups are. */
export async function applyAdoption(plan: AdoptPlan, now = new Date()): Promise<AppliedChange[]> {
  requireWritableStack(plan.stack);
  const folder = backupFolderName(now);
  const applied: AppliedChange[] = [];
  // Every backup first: if one fails, nothing has been changed yet.
  for (const change of plan.changes) {
    const source = path.join(plan.stack, change.from);
    if (change.action === 'create' || !existsSync(source)) {
      applied.push({ file: change.file, action: change.action, backup: null });
      continue;
    }
    const backup = path.join(path.dirname(change.from), folder, path.basename(change.from));
    mkdirSync(path.join(plan.stack, path.dirname(backup)), { recursive: true });
    copyFileSync(source, path.join(plan.stack, backup));
    applied.push({ file: change.file, action: change.action, backup: backup.split(path.sep).join('/') });
  }
  for (const change of plan.changes) {
    const target = path.join(plan.stack, change.file);
    // The file keeps its mode (scripts stay executable); a new file is plain.
    const mode = existsSync(path.join(plan.stack, change.from)) ? statSync(path.join(plan.stack, change.from)).mode & 0o777 : 0o644;
    await writeFileAtomic(target, change.after, mode);
    if (change.action === 'rename') rmSync(path.join(plan.stack, change.from), { force: true });
  }
  return applied;
}
