/** Byte-for-byte pictures of a folder, for "the stack is exactly as before" assertions. */
import { readFileSync, readdirSync, lstatSync } from 'node:fs';
import * as path from 'node:path';

/** Every file and folder under `dir` → its mode and content (base64), hidden files included. */
export function snapshotTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const name of readdirSync(path.join(dir, rel)).sort()) {
      const child = path.join(rel, name);
      const stat = lstatSync(path.join(dir, child));
      if (stat.isDirectory()) {
        out[`${child}/`] = `dir ${(stat.mode & 0o7777).toString(8)}`;
        walk(child);
      } else {
        out[child] = `${(stat.mode & 0o7777).toString(8)} ${readFileSync(path.join(dir, child)).toString('base64')}`;
      }
    }
  };
  walk('');
  return out;
}
