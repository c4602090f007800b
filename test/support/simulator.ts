/**
 * Starts the vLLM simulator (simulator/bin/vllm) as a child process on 127.0.0.1 for tests.
 * It runs under this test's own node binary, so no shebang or PATH is involved.
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from './processes';

export const SIMULATOR_DIR = path.join(REPO_ROOT, 'simulator');
export const SIMULATOR_BIN = path.join(SIMULATOR_DIR, 'bin', 'vllm');

/** GET /sim/stats of the simulator. */
export interface SimStats {
  requests: number;
  completed: number;
  failed: number;
  disconnects: number;
  running: number;
  waiting: number;
  fault: string;
  lastRequest: { method: string; path: string; model: string | null; stream: boolean; body: unknown } | null;
}

/** A simulator process, whatever state it is in. */
export interface SimProcess {
  readonly child: ChildProcess;
  /** stdout and stderr so far. */
  output(): string;
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  /** SIGTERM, then SIGKILL after 5 s; resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** A simulator that has finished loading and listens. */
export interface Simulator extends SimProcess {
  readonly port: number;
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  stats(): Promise<SimStats>;
  setFault(fault: 'none' | 'fail' | 'hang' | 'die-mid-stream' | 'fail-health'): Promise<void>;
}

/**
 * A Hugging Face cache folder that never exists: the simulator looks a repository id up in the
 * cache as vLLM does, so without this a model some other run left in the machine's
 * ~/.cache/huggingface would change what a test sees (no download line).
 */
const NO_HF_CACHE = path.join(os.tmpdir(), `spark-sim-empty-hf-cache-${process.pid}`, 'hub');

/**
 * Spawns `vllm <argv>` with `env` added to this process's environment (and an empty Hugging Face
 * cache unless `env` names one).
 */
export function launchSimulator(argv: readonly string[], env: Record<string, string> = {}): SimProcess {
  const child = spawn(process.execPath, [SIMULATOR_BIN, ...argv], {
    env: { ...process.env, HF_HUB_CACHE: NO_HF_CACHE, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => output,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      return exited;
    },
  };
}

export interface StartOptions {
  model?: string;
  servedName?: string;
  /** Extra `vllm serve` flags. */
  flags?: readonly string[];
  /** SIM_* settings; defaults: SIM_LOAD_SECONDS=0.2, SIM_TOKENS_PER_SECOND=500. */
  env?: Record<string, string>;
  /** Port; default 0 (the simulator picks one and logs it). */
  port?: number;
  /** Loopback address to listen on; default 127.0.0.1 (127.0.0.2, … stand for other hosts). */
  host?: string;
  timeoutMs?: number;
}

/**
 * Starts a simulator and resolves once it logged "Application startup complete." (the port then
 * listens). Rejects with its output if it exits or does not start in time.
 */
export async function startSimulator(options: StartOptions = {}): Promise<Simulator> {
  const argv = [
    'serve', options.model ?? 'openai/gpt-oss-20b',
    '--served-model-name', options.servedName ?? 'gpt-oss-20b',
    '--host', options.host ?? '127.0.0.1', '--port', String(options.port ?? 0),
    '--max-model-len', '8192',
    ...(options.flags ?? []),
  ];
  const proc = launchSimulator(argv, { SIM_LOAD_SECONDS: '0.2', SIM_TOKENS_PER_SECOND: '500', ...options.env });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => done(new Error('the simulator did not start in time')), options.timeoutMs ?? 15_000);
    const onData = () => {
      const out = proc.output();
      const m = /Starting vLLM (?:API )?server (?:\d+ )?on http:\/\/[^\s]+:(\d+)/.exec(out);
      if (m?.[1] && out.includes('Application startup complete.')) done(undefined, Number(m[1]));
    };
    const onExit = () => done(new Error('the simulator exited during start-up'));
    const done = (err?: Error, value?: number) => {
      clearTimeout(timer);
      proc.child.stdout?.off('data', onData);
      proc.child.off('exit', onExit);
      if (err || value === undefined) {
        void proc.stop();
        reject(new Error(`${err?.message ?? 'no port'}:\n${proc.output()}`));
      } else {
        resolve(value);
      }
    };
    proc.child.stdout?.on('data', onData);
    proc.child.once('exit', onExit);
  });
  const url = `http://${options.host ?? '127.0.0.1'}:${port}`;
  return {
    ...proc,
    port,
    url,
    async stats() {
      const response = await fetch(`${url}/sim/stats`);
      return (await response.json()) as SimStats;
    },
    async setFault(fault) {
      const response = await fetch(`${url}/sim/fault`, { method: 'POST', body: JSON.stringify({ fault }) });
      if (!response.ok) throw new Error(`setting fault ${fault} failed: ${response.status} ${await response.text()}`);
    },
  };
}
