/**
 * Runs one described process: argument array (never a shell, so no value is ever interpreted),
 * output streamed line by line to a sink the user can see, cancellation that kills the whole
 * process tree (compose starts helpers of its own), and stderr in the error when it fails.
 */
import { spawn } from 'node:child_process';
import type { Cancellation } from './cancellation';
import { CancelledError, onCancel, throwIfCancelled } from './cancellation';
import { SparkError } from '../errors';

/** A process described as data; small functions build these, the runner executes them. */
export interface ProcessCommand {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd?: string;
  /** Added to the caller's environment (PATH, DOCKER_HOST … are kept). */
  readonly env?: Readonly<Record<string, string>>;
}

export type LineSink = (line: string, stream: 'stdout' | 'stderr') => void;

export interface RunOptions {
  readonly sink?: LineSink;
  readonly cancellation?: Cancellation;
  /** Exit codes that are not failures (e.g. `docker image inspect` answering "absent" with 1). */
  readonly okCodes?: readonly number[];
}

export interface ProcessResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A process exited non-zero; `stderr` holds what it said (the message has its last lines). */
export class ProcessFailedError extends SparkError {
  constructor(
    readonly commandLine: string,
    readonly code: number | null,
    readonly stderr: string,
  ) {
    const tail = stderr.trim().split('\n').slice(-5).join(' | ');
    super(`${commandLine} failed (${code === null ? 'killed' : `exit ${code}`})${tail ? `: ${tail}` : ''}`);
  }
}

/** The command as a user would type it, for messages (display only, never executed). */
export function commandLine(cmd: ProcessCommand): string {
  return [cmd.command, ...cmd.args].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/**
 * Runs `cmd` to completion. Rejects with {@link ProcessFailedError} on a non-zero exit (unless in
 * `okCodes`), with {@link CancelledError} when cancelled (after killing the process group), and
 * with a {@link SparkError} naming the program when it cannot be started.
 */
export function runProcess(cmd: ProcessCommand, options: RunOptions = {}): Promise<ProcessResult> {
  throwIfCancelled(options.cancellation);
  return new Promise((resolve, reject) => {
    // detached: its own process group, so a cancel reaches compose's children too.
    const child = spawn(cmd.command, [...cmd.args], {
      cwd: cmd.cwd,
      env: { ...process.env, ...cmd.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    let cancelled = false;
    const pending: Record<'stdout' | 'stderr', string> = { stdout: '', stderr: '' };
    const feed = (stream: 'stdout' | 'stderr', chunk: Buffer) => {
      const text = chunk.toString();
      if (stream === 'stdout') stdout += text;
      else stderr += text;
      const lines = (pending[stream] + text).split(/\r?\n/);
      pending[stream] = lines.pop() ?? '';
      for (const line of lines) options.sink?.(line, stream);
    };
    child.stdout.on('data', (c: Buffer) => feed('stdout', c));
    child.stderr.on('data', (c: Buffer) => feed('stderr', c));
    const kill = (signal: NodeJS.Signals) => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, signal);
      } catch {
        // already gone
      }
    };
    let escalation: NodeJS.Timeout | undefined;
    const detach = onCancel(options.cancellation, () => {
      cancelled = true;
      kill('SIGTERM');
      escalation = setTimeout(() => kill('SIGKILL'), 5000);
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      detach();
      reject(error.code === 'ENOENT' ? new SparkError(`${cmd.command} is not installed (or not on PATH)`, `Install ${cmd.command}`) : error);
    });
    child.on('close', (code) => {
      detach();
      if (escalation) clearTimeout(escalation);
      for (const stream of ['stdout', 'stderr'] as const) if (pending[stream]) options.sink?.(pending[stream], stream);
      if (cancelled) reject(new CancelledError(`${commandLine(cmd)} cancelled`));
      else if (code === 0 || (code !== null && options.okCodes?.includes(code))) resolve({ code, stdout, stderr });
      else reject(new ProcessFailedError(commandLine(cmd), code, stderr));
    });
  });
}
