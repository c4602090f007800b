/**
 * The Engine API of an `ssh://` engine the way the `docker` CLI reaches it (its "connhelper"): the
 * user's own `ssh` runs `docker system dial-stdio` on the host and HTTP flows over that process's
 * stdin/stdout. So the host key is checked against known_hosts, ~/.ssh/config applies (ProxyJump,
 * IdentityFile, Port...), any key ssh can use signs in (no agent needed), and a keep-alive agent
 * reuses each process for many requests instead of one SSH login per request.
 */
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import * as http from 'node:http';
import { Duplex } from 'node:stream';
import type { SshTarget } from '../ssh/target';
import { sshArgs } from '../ssh/target';
import type { DockerEndpoint } from './endpoint';

/**
 * The `ssh` arguments for `docker system dial-stdio` on `target`, as the docker CLI builds them
 * (ssh/target.ts: user and port as options, the host after `--`). Pure.
 */
export function sshDialArgs(target: SshTarget): string[] {
  return sshArgs(target, ['docker', 'system', 'dial-stdio'], 30);
}

/** `ssh` ended with an error before or while carrying a request; `stderr` is what it said. */
export class SshDialError extends Error {
  constructor(
    readonly stderr: string,
    /** ssh's exit status: 255 is ssh's own failure, anything else is the remote command's. */
    readonly exitCode: number | null,
  ) {
    super(lastLine(stderr) || `ssh exited with status ${exitCode ?? 'unknown'}`);
    this.name = 'SshDialError';
  }
}

function lastLine(text: string): string {
  return text.trim().split('\n').filter((l) => l.trim() !== '').pop()?.trim() ?? '';
}

/** Keep at most this much of ssh's stderr (it is a message, not a log). */
const STDERR_LIMIT = 8192;

/**
 * One `ssh ... docker system dial-stdio` process as a socket for node:http. Its stdout is what is
 * read, its stdin what is written; when it exits with an error, its stderr becomes the socket's
 * error (so the caller sees "Host key verification failed", not "socket hang up").
 */
export class SshDialSocket extends Duplex {
  private readonly child: ChildProcessWithoutNullStreams;
  private stderr = '';
  private idleMs = 0;
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(target: SshTarget, env: NodeJS.ProcessEnv, command = 'ssh') {
    super();
    this.child = spawn(command, sshDialArgs(target), { env, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout.on('data', (chunk: Buffer) => {
      this.touch();
      if (!this.push(chunk)) this.child.stdout.pause();
    });
    this.child.stderr.on('data', (chunk: Buffer) => {
      if (this.stderr.length < STDERR_LIMIT) this.stderr += chunk.toString('utf8');
    });
    // A write to an ssh that has died: its exit (below) says why.
    this.child.stdin.on('error', () => undefined);
    this.child.on('error', (error) => this.destroy(error));
    // 'close' comes after the exit and all of stdout, so everything read is pushed before the end.
    this.child.on('close', (code, signal) => {
      if (this.destroyed) return;
      if (code === 0 || (code === null && signal !== null && this.stderr === '')) this.push(null);
      else this.destroy(new SshDialError(this.stderr, code));
    });
  }

  override _read(): void {
    this.child.stdout.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.touch();
    this.child.stdin.write(chunk, () => callback());
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.child.stdin.end(callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    clearTimeout(this.idleTimer);
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    callback(error);
  }

  // node:http calls these on its sockets; a process has no Nagle or TCP keep-alive to set.
  setNoDelay(): this {
    return this;
  }

  setKeepAlive(): this {
    return this;
  }

  /** An idle timeout like net.Socket's: the http.Agent closes an idle kept-alive process with it. */
  setTimeout(ms: number, listener?: () => void): this {
    this.idleMs = ms;
    if (listener) this.once('timeout', listener);
    this.touch();
    return this;
  }

  /** A kept-alive process waiting for the next request does not keep Node running. */
  unref(): this {
    this.child.unref();
    for (const stream of [this.child.stdin, this.child.stdout, this.child.stderr]) (stream as unknown as { unref?: () => void }).unref?.();
    this.idleTimer?.unref();
    return this;
  }

  ref(): this {
    this.child.ref();
    for (const stream of [this.child.stdin, this.child.stdout, this.child.stderr]) (stream as unknown as { ref?: () => void }).ref?.();
    return this;
  }

  private touch(): void {
    clearTimeout(this.idleTimer);
    if (this.idleMs <= 0 || this.destroyed) return;
    this.idleTimer = setTimeout(() => this.emit('timeout'), this.idleMs);
    this.idleTimer.unref();
  }
}

/** How long a kept-alive ssh process waits for the next request before it is closed. */
const IDLE_MS = 30_000;

/**
 * An http.Agent whose connections are ssh processes to `target`, kept alive and reused; a long
 * request (the event stream) holds its own process while the others share the rest.
 */
export function sshDialAgent(target: SshTarget, env: NodeJS.ProcessEnv = process.env, command = 'ssh'): http.Agent {
  const agent = new http.Agent({ keepAlive: true, timeout: IDLE_MS });
  (agent as unknown as { createConnection: () => Duplex }).createConnection = () => new SshDialSocket(target, env, command);
  return agent;
}

/** The ssh target of an `ssh://` endpoint; undefined for others. Pure. */
export function sshTargetOf(endpoint: DockerEndpoint): SshTarget | undefined {
  const { protocol, host, username, port } = endpoint.modemOptions;
  if (protocol !== 'ssh' || !host) return undefined;
  // ssh takes an IPv6 host without the URL's brackets.
  return { host: host.replace(/^\[(.*)\]$/, '$1'), ...(username ? { user: username } : {}), ...(port !== undefined ? { port } : {}) };
}

/**
 * The options dockerode gets for `endpoint`: an `ssh://` engine becomes HTTP through
 * {@link sshDialAgent} (docker-modem's own ssh2 path is never used); the rest as they are.
 *
 * The request carries a `socketPath` that is never opened (the agent's createConnection decides
 * where bytes go): VS Code's extension host patches node:http and, with its default
 * `http.proxySupport: override`, swaps the agent of every request for its proxy agent — except a
 * request with a socketPath, which it leaves alone. A plain HTTP request to the host would lose
 * this agent there and go out as TCP to port 80. The path also keys the agent's pool per engine.
 */
export function dockerodeOptions(endpoint: DockerEndpoint, env: NodeJS.ProcessEnv = process.env): Record<string, unknown> {
  const target = sshTargetOf(endpoint);
  if (!target) return { ...endpoint.modemOptions };
  return { socketPath: endpoint.url, host: undefined, agent: sshDialAgent(target, env) };
}
