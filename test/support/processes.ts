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
 * `group`, the process leads a process group of its own and `stop()` ends the whole group: a
 * server that forks workers (vLLM's EngineCore and workers) leaves none behind, even when its
 * parent dies first or ignores SIGTERM (vLLM's API server stopped mid-start-up does).
 */
export function start(command: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; group?: boolean } = {}): Running {
  const child = spawn(command, args, { env: { ...process.env, ...options.env }, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: options.group === true });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  if (options.group) {
    const group = groupSignals(child);
    // A test run that ends without stop() takes the group with it.
    const onExit = () => group.signal('SIGKILL');
    process.once('exit', onExit);
    return {
      child,
      output: () => output,
      async stop() {
        process.removeListener('exit', onExit);
        await group.stop(command);
        child.stdout?.destroy();
        child.stderr?.destroy();
      },
    };
  }
  return {
    child,
    output: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Signals to the process group `child` leads, and its stop: SIGTERM, then SIGKILL, until the group is empty. */
function groupSignals(child: ChildProcess): { signal(name: NodeJS.Signals | 0): boolean; stop(command: string): Promise<void> } {
  const leader = child.pid;
  const signal = (name: NodeJS.Signals | 0): boolean => {
    if (leader === undefined) return false;
    try {
      process.kill(-leader, name);
      return true;
    } catch {
      return false; // ESRCH: the group is empty
    }
  };
  const gone = async (ms: number): Promise<boolean> => {
    for (const end = Date.now() + ms; Date.now() < end;) {
      if (!signal(0)) return true;
      await new Promise((r) => setTimeout(r, 200));
    }
    return !signal(0);
  };
  return {
    signal,
    async stop(command) {
      signal('SIGTERM');
      if (await gone(5000)) return;
      // The leader alone first: vLLM's resource tracker then sees its end and unlinks the shared
      // memory (/dev/shm/psm_*) it made; SIGKILL to the whole group would leave that behind.
      child.kill('SIGKILL');
      if (await gone(15_000)) return;
      signal('SIGKILL');
      if (!(await gone(10_000))) throw new Error(`process group ${leader} of ${command} survived SIGKILL`);
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
