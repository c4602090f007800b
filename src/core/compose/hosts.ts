/**
 * Talking to each host's Docker engine. Another host is driven through the `docker` CLI with
 * `DOCKER_HOST` / `DOCKER_CONTEXT` set for it — the CLI a user's `docker --context spark-2` uses,
 * with their own SSH setup (keys, `~/.ssh/config`, known hosts) — so what works in their
 * terminal works here. The main host keeps the caller's engine (the shared Engine API client).
 */
import { Socket } from 'node:net';
import type { Cancellation } from '../process/cancellation';
import { CancelledError, isCancelled, toAbortSignal } from '../process/cancellation';
import type { Engine } from './engine';
import { dockerCliEngine } from './engine';
import type { ProcessCommand } from '../process/run';
import { ProcessFailedError, runProcess } from '../process/run';
import { copyIdLine, hostKeyFix, readSshFailure } from '../ssh/failure';
import type { SshTarget } from '../ssh/target';
import { sshTargetOfUrl } from '../ssh/target';
import { SparkError } from '../errors';
import { API_KEY_VARIABLE, BIND_ADDRESS_VARIABLE } from '../stack/model-template';
import type { HostSpec } from '../scenarios/file';
import { hostDockerEnv, hostReach } from '../docker/host-endpoint';

/** The `docker` CLI engine of another host (every command with {@link hostDockerEnv}). */
export function hostCliEngine(host: HostSpec): Engine {
  return dockerCliEngine(runProcess, hostDockerEnv(host));
}

/** The engine of `host`: `main` for the main host, else {@link hostCliEngine}. */
export function engineFor(host: HostSpec, main: Engine): Engine {
  return host.main ? main : hostCliEngine(host);
}

/**
 * The variables a model's `docker compose` run needs on `host`: another host's engine, its
 * cluster address to publish on and the API key; on the main host both emptied, so a value in
 * the caller's shell can never publish a keyless server beyond 127.0.0.1. Pure.
 */
export function placementComposeEnv(host: HostSpec, apiKey: string): Record<string, string> {
  if (host.main || host.address === undefined) return { [BIND_ADDRESS_VARIABLE]: '', [API_KEY_VARIABLE]: '' };
  return { ...hostDockerEnv(host), [BIND_ADDRESS_VARIABLE]: host.address, [API_KEY_VARIABLE]: apiKey };
}

/** `cmd` run against `host`'s engine (its env added). Pure. */
export function onHost(cmd: ProcessCommand, host: HostSpec, extra: Readonly<Record<string, string>> = {}): ProcessCommand {
  return { ...cmd, env: { ...cmd.env, ...hostDockerEnv(host), ...extra } };
}

/** What `hosts` and the pre-flight know about a host's engine. */
export interface HostProbe {
  readonly host: string;
  /** How it is reached, in words (`ssh://me@10.0.0.2`, `Docker context "spark-2"`). */
  readonly reach: string;
  readonly reachable: boolean;
  readonly serverVersion?: string;
  readonly memTotalBytes?: number;
  readonly cpus?: number;
  /** Why not, and what to do, when unreachable. */
  readonly reason?: string;
  readonly fix?: string;
}

/** Unreachable host: the error's reason and the fix, by what the docker CLI (or ssh) said. */
export class HostUnreachableError extends SparkError {
  constructor(readonly host: string, readonly reason: string, fix: string) {
    super(`host ${host} is not reachable: ${reason}`, fix);
  }
}

/**
 * Asks `host`'s engine for its version, memory and CPUs (`docker info`, at most `timeoutMs`).
 * Never throws: an unreachable host is a probe with the reason and the fix.
 */
export async function probeHost(host: HostSpec, options: { timeoutMs?: number; cancellation?: Cancellation; engine?: Engine } = {}): Promise<HostProbe> {
  const reach = hostReach(host);
  const cmd = onHost({ command: 'docker', args: ['info', '--format', '{{.ServerVersion}}\t{{.MemTotal}}\t{{.NCPU}}'] }, host);
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 20_000);
  const caller = toAbortSignal(options.cancellation);
  const cancellation = AbortSignal.any([timeout, caller.signal]);
  try {
    if (host.main && options.engine) await options.engine.ping();
    const { stdout } = await runProcess(cmd, { cancellation });
    const [version, mem, cpus] = stdout.trim().split('\t');
    return { host: host.name, reach, reachable: true, serverVersion: version, memTotalBytes: Number(mem) || undefined, cpus: Number(cpus) || undefined };
  } catch (error) {
    if (error instanceof CancelledError && isCancelled(options.cancellation)) throw error;
    const { reason, fix } = unreachableReason(host, error, timeout.aborted);
    return { host: host.name, reach, reachable: false, reason, fix };
  } finally {
    caller.dispose();
  }
}

/** Throws {@link HostUnreachableError} unless the probe reached the engine. */
export function requireReachable(probe: HostProbe): void {
  if (!probe.reachable) throw new HostUnreachableError(probe.host, probe.reason ?? 'unknown', probe.fix ?? '');
}

/** The reason and fix for a failed `docker info` against `host`. Pure apart from reading the error. */
export function unreachableReason(host: HostSpec, error: unknown, timedOut = false): { reason: string; fix: string } {
  const text = error instanceof ProcessFailedError ? error.stderr : error instanceof Error ? error.message : String(error);
  const last = text.trim().split('\n').filter((l) => l.trim() !== '').pop() ?? '';
  const where = host.main ? 'this machine' : `host ${host.name}`;
  // The login ssh uses: the `ssh://` URL's, else (a Docker context) the host's cluster address.
  const ssh: SshTarget = (host.docker !== undefined ? sshTargetOfUrl(host.docker) : undefined) ?? { host: host.address ?? host.name };
  const settings = host.main ? 'DOCKER_HOST or `docker context ls`' : `"docker:" of host ${host.name} in scenarios.yaml${host.line !== undefined ? ` (line ${host.line})` : ''}`;
  if (timedOut) return { reason: `no answer from ${hostReach(host)} in time`, fix: `Check that ${where} is on and reachable (ping ${host.address ?? ssh.host}), and ${settings}` };
  switch (readSshFailure(text)) {
    case 'refused':
      return { reason: last, fix: `Start the SSH server on ${where} (sudo systemctl start ssh), or check ${settings}` };
    case 'auth':
      return { reason: last, fix: `Let this machine log in with a key: ${copyIdLine(ssh)}` };
    case 'host-key':
      return { reason: last, fix: hostKeyFix(ssh) };
    case 'unreachable':
      return { reason: last, fix: `Check the cluster link to ${where} (ping ${host.address ?? ssh.host}) and ${settings}` };
    case undefined:
      break;
  }
  if (/context .* (not found|does not exist)/i.test(text)) return { reason: last, fix: `Create the context: docker context create ${host.docker ?? host.name} --docker host=ssh://USER@${host.address ?? 'HOST'}` };
  if (/cannot connect to the docker daemon|is the docker daemon running/i.test(text)) return { reason: last, fix: `Start Docker on ${where} (sudo systemctl start docker)` };
  if (/permission denied/i.test(text)) return { reason: last, fix: `Let the SSH user use Docker on ${where} (sudo usermod -aG docker USER, then log in again)` };
  if (/not installed|ENOENT/.test(text)) return { reason: last, fix: 'Install the docker CLI on this machine' };
  return { reason: last || 'the docker CLI failed', fix: `Run \`docker ${host.main ? '' : hostDockerArgs(host).join(' ') + ' '}info\` to see why, and check ${settings}` };
}

/** True when nothing accepts a TCP connection at `address:port` (a refused connection). */
export function remotePortFree(address: string, port: number, timeoutMs = 3000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (free: boolean) => {
      socket.destroy();
      resolve(free);
    };
    socket.setTimeout(timeoutMs, () => done(true));
    socket.once('connect', () => done(false));
    // Refused (nothing listens) or unreachable: nothing to clash with here; compose reports the rest.
    socket.once('error', () => done(true));
    socket.connect(port, address);
  });
}

/** `--host URL` or `--context NAME` for a docker command line shown to the user. Pure. */
export function hostDockerArgs(host: HostSpec): string[] {
  if (host.main || host.docker === undefined) return [];
  return host.docker.includes('://') ? ['--host', host.docker] : ['--context', host.docker];
}
