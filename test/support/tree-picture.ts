/**
 * A picture of a folder for "nothing changed" checks: every entry by its relative path, with its
 * kind, mode (and, when asked, modification time), a file's sha256 and a link's target — links
 * are read, never followed, so a link that points out of the folder shows as itself.
 */
import { createHash } from 'node:crypto';
import { lstatSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import * as path from 'node:path';

/** `{ 'a/': 'dir 755', 'a/b': 'file 644 <sha256>', 'c': 'link -> ../x' }` for `dir`. */
export function treePicture(dir: string, options: { mtimes?: boolean } = {}): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const name of readdirSync(path.join(dir, rel)).sort()) {
      const child = path.join(rel, name);
      const full = path.join(dir, child);
      const stat = lstatSync(full);
      const meta = `${(stat.mode & 0o7777).toString(8)}${options.mtimes ? ` ${stat.mtimeMs}` : ''}`;
      if (stat.isSymbolicLink()) out[child] = `link -> ${readlinkSync(full)}`;
      else if (stat.isDirectory()) {
        out[`${child}/`] = `dir ${meta}`;
        walk(child);
      } else out[child] = `file ${meta} ${createHash('sha256').update(readFileSync(full)).digest('hex')}`;
    }
  };
  walk('');
  return out;
}
