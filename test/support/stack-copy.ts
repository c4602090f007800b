/** A throw-away copy of the repository's stack, prepared with its own scripts. */
import { execFileSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { STACK_DIR } from './processes';

export interface StackCopy {
  readonly dir: string;
  /** The copy's own Hugging Face cache (HF_CACHE_DIR in its .env.example), unless `hfCache: false`. */
  readonly hfCache?: string;
  remove(): void;
}

/**
 * Copies stack/ (without local .env or ssl/) to a temp folder and, as the seed's manual steps
 * do, runs `sync-env.sh` (and `certs.sh` when `certs` is set) in it. The copy's `.env.example`
 * gets `HF_CACHE_DIR` pointing at a folder beside it (removed with it): without one, a model
 * container started from the copy makes Docker create the machine's ~/.cache/huggingface.
 * A test that sets its own HF_CACHE_DIR appends it later (the last line wins); `hfCache: false`
 * keeps the template's default (a test of that default).
 */
export function copyStack(options: { syncEnv?: boolean; certs?: boolean; hfCache?: boolean } = {}): StackCopy {
  const parent = mkdtempSync(path.join(tmpdir(), 'spark-stack-'));
  const dir = path.join(parent, 'stack');
  cpSync(STACK_DIR, dir, {
    recursive: true,
    filter: (src) => !/(^|\/)(\.env|ssl|\.spark-gateway-template)$/.test(path.relative(STACK_DIR, src)) && !/\/\.env$/.test(src),
  });
  const hfCache = options.hfCache === false ? undefined : path.join(parent, 'hf-cache');
  if (hfCache) {
    mkdirSync(hfCache);
    appendFileSync(path.join(dir, '.env.example'), `\n# The test's own Hugging Face cache, never the machine's\nHF_CACHE_DIR=${hfCache}\n`);
  }
  if (options.syncEnv ?? true) execFileSync('bash', [path.join(dir, 'sync-env.sh')], { stdio: 'pipe' });
  if (options.certs) execFileSync('bash', [path.join(dir, 'certs.sh')], { stdio: 'pipe' });
  return { dir, ...(hfCache ? { hfCache } : {}), remove: () => rmSync(parent, { recursive: true, force: true }) };
}

/** Reads one variable from a dotenv file the stack scripts wrote (simple KEY=VALUE lines). */
export function envValue(text: string, key: string): string | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${key}=`));
  return line?.slice(key.length + 1).replace(/^"(.*)"$/, '$1');
}
