/**
 * Writes a planned adoption as one change set, all or none: every file it changes is copied to
 * `backup-<UTC timestamp>/` beside it, then written; a renamed file is written under its new name
 * and the old one removed. On a full disk or a read-only folder nothing is changed and no backup
 * is left behind. Their running containers are not touched: only files change.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import type { StackChange } from '../files';
import { applyStackChanges } from '../files';
import { requireWritableStack } from '../stack/discovery';
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
  const backups: StackChange[] = [];
  const edits: StackChange[] = [];
  const backupDirs = new Set<string>();
  for (const change of plan.changes) {
    const source = path.join(plan.stack, change.from);
    const exists = change.action !== 'create' && existsSync(source);
    // The file keeps its mode (scripts stay executable); a new file is plain.
    const mode = existsSync(source) ? statSync(source).mode & 0o777 : 0o644;
    let backup: string | null = null;
    if (exists) {
      backup = path.posix.join(path.dirname(change.from).split(path.sep).join('/'), folder, path.basename(change.from));
      const dir = path.posix.dirname(backup);
      if (!backupDirs.has(dir)) backups.push({ kind: 'mkdir', dir });
      backupDirs.add(dir);
      backups.push({ kind: 'write', file: backup, content: readFileSync(source), mode });
    }
    applied.push({ file: change.file, action: change.action, backup });
    edits.push({ kind: 'write', file: change.file, content: change.after, mode, forceMode: true });
    if (change.action === 'rename') edits.push({ kind: 'delete', file: change.from });
  }
  await applyStackChanges(plan.stack, [...backups, ...edits]);
  return applied;
}
