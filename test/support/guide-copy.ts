/** A throw-away copy of test/fixtures/guide (a folder holding only the guide's llms/vllm/). */
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from './processes';

export const GUIDE_FIXTURE = path.join(REPO_ROOT, 'test', 'fixtures', 'guide');

export interface GuideCopy {
  /** The folder holding `llms/vllm/` (the user's checkout). */
  readonly home: string;
  /** `<home>/llms/vllm`. */
  readonly stack: string;
  remove(): void;
}

export function copyGuide(): GuideCopy {
  const home = mkdtempSync(path.join(tmpdir(), 'spark-guide-'));
  cpSync(path.join(GUIDE_FIXTURE, 'llms'), path.join(home, 'llms'), { recursive: true });
  return { home, stack: path.join(home, 'llms', 'vllm'), remove: () => rmSync(home, { recursive: true, force: true }) };
}

/** Every file under `dir` (relative path → sha256 and mode), to tell whether anything changed. */
export function treeDigest(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string) => {
    for (const name of readdirSync(path.join(dir, rel))) {
      const r = path.join(rel, name);
      const st = statSync(path.join(dir, r));
      if (st.isDirectory()) walk(r);
      else out.set(r, `${createHash('sha256').update(readFileSync(path.join(dir, r))).digest('hex')} ${(st.mode & 0o777).toString(8)}`);
    }
  };
  walk('');
  return out;
}
