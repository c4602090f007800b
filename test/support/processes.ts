/** Child processes for integration tests: started with argument arrays, always stopped. */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import * as path from 'node:path';

/**
 * The repository root: the nearest folder above this file with the project's package.json
 * (compiled tests live in out/, or wherever --outDir put them), else the current directory.
 */
export const REPO_ROOT = findRepoRoot(__dirname) ?? process.cwd();

function findRepoRoot(from: string): string | undefined {
  for (let dir = from; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest) && /"name": "spark-gateway"/.test(readFileSync(manifest, 'utf8'))) return dir;
  }
  return undefined;
}
export const STACK_DIR = path.join(REPO_ROOT, 'stack');

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export interface Running {
  readonly child: ChildProcess;
  /** Everything the process printed so far (stdout and stderr). */
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts `command args` and collects its output; `stop()` sends SIGTERM, then SIGKILL. With
 * `group`, the process leads a process group of its own and `stop()` signals the whole group and
 * ends with a SIGKILL to it: a server that forks workers (vLLM's EngineCore and workers) leaves
 * none behind, even when its parent dies first.
 */
export function start(command: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; group?: boolean } = {}): Running {
  const child = spawn(command, args, { env: { ...process.env, ...options.env }, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: options.group === true });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const signal = (sig: NodeJS.Signals) => {
    try {
      if (options.group && child.pid !== undefined) process.kill(-child.pid, sig);
      else child.kill(sig);
    } catch {
      // already gone
    }
  };
  return {
    child,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        signal('SIGTERM');
        const timer = setTimeout(() => signal('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      if (options.group) signal('SIGKILL');
    },
  };
}

/** Polls `check` until it returns true or `timeoutMs` passes; the error names `what`. */
export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 60_000, describe?: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch {
      // not ready yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}${describe ? `:\n${describe()}` : ''}`);
}

/** True when `url` answers with `status` (default any 2xx). */
export async function answers(url: string, status?: number): Promise<boolean> {
  const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
  await response.arrayBuffer();
  return status === undefined ? response.ok : response.status === status;
}
