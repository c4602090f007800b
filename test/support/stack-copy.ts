/** A throw-away copy of the repository's stack, prepared with its own scripts. */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { STACK_DIR } from './processes';

export interface StackCopy {
  readonly dir: string;
  remove(): void;
}

/**
 * Copies stack/ (without local .env or ssl/) to a temp folder and, as the seed's manual steps
 * do, runs `sync-env.sh` (and `certs.sh` when `certs` is set) in it.
 */
export function copyStack(options: { syncEnv?: boolean; certs?: boolean } = {}): StackCopy {
  const dir = path.join(mkdtempSync(path.join(tmpdir(), 'spark-stack-')), 'stack');
  cpSync(STACK_DIR, dir, {
    recursive: true,
    filter: (src) => !/(^|\/)(\.env|ssl|\.spark-gateway-template)$/.test(path.relative(STACK_DIR, src)) && !/\/\.env$/.test(src),
  });
  if (options.syncEnv ?? true) execFileSync('bash', [path.join(dir, 'sync-env.sh')], { stdio: 'pipe' });
  if (options.certs) execFileSync('bash', [path.join(dir, 'certs.sh')], { stdio: 'pipe' });
  return { dir, remove: () => rmSync(path.dirname(dir), { recursive: true, force: true }) };
}

/** Reads one variable from a dotenv file the stack scripts wrote (simple KEY=VALUE lines). */
export function envValue(text: string, key: string): string | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${key}=`));
  return line?.slice(key.length + 1).replace(/^"(.*)"$/, '$1');
}
