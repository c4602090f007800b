/**
 * The ways the Docker engine can be out of reach, each with the fix a user needs. The views show
 * the fix (a welcome view, the CLI's one line), so the distinction matters more than the wording.
 */
import { SparkError } from '../errors';
import type { DockerEndpoint } from './endpoint';

/** Docker cannot be reached at all; the subclasses say why. */
export class DockerUnreachableError extends SparkError {
  /** A stable key for views (`socket-missing`, `permission-denied`, `daemon-down`, `unreachable`). */
  readonly reason: 'socket-missing' | 'permission-denied' | 'daemon-down' | 'unreachable' = 'unreachable';
}

/** The unix socket does not exist: Docker is not installed or its daemon never started. */
export class DockerSocketMissingError extends DockerUnreachableError {
  override readonly reason = 'socket-missing';
  constructor(socketPath: string) {
    super(`the Docker socket ${socketPath} does not exist`, 'Install Docker and start it (`sudo systemctl start docker`), or set DOCKER_HOST / `docker context use` to the engine you want');
  }
}

/** The socket exists but this user may not open it. */
export class DockerPermissionError extends DockerUnreachableError {
  override readonly reason = 'permission-denied';
  constructor(socketPath: string) {
    super(`permission denied on the Docker socket ${socketPath}`, 'Add your user to the docker group: `sudo usermod -aG docker $USER`, then log out and in again (over Remote-SSH: reconnect)');
  }
}

/** Nothing answers at the endpoint: the daemon is stopped (or restarting). */
export class DockerDaemonDownError extends DockerUnreachableError {
  override readonly reason = 'daemon-down';
  constructor(url: string) {
    super(`the Docker daemon at ${url} is not running`, 'Start it: `sudo systemctl start docker` (or `sudo service docker start`)');
  }
}

/**
 * The engine is reached over SSH (an `ssh://` endpoint or context, as users reach a second Spark)
 * and the SSH leg failed: the fix is on that host or in the context, not in a local daemon.
 */
export class SshUnreachableError extends DockerUnreachableError {
  constructor(what: string, endpoint: DockerEndpoint, hostFix: string) {
    const target = sshTarget(endpoint);
    const context = /^context "(.+)"$/.exec(endpoint.source)?.[1];
    const check = context ? `check \`docker context inspect ${context}\`` : `check the endpoint ${endpoint.url}${endpoint.source !== endpoint.url ? ` (${endpoint.source})` : ''}`;
    super(`ssh to ${target} ${what}`, `${hostFix} or ${check}`);
  }
}

/** `user@host[:port]` of an ssh endpoint, as the user wrote it. Pure. */
export function sshTarget(endpoint: DockerEndpoint): string {
  const { username, host, port } = endpoint.modemOptions;
  return `${username ? `${username}@` : ''}${host ?? endpoint.url}${port !== undefined && port !== 22 ? `:${port}` : ''}`;
}

/** An ssh2 error (or a socket error on its connection) as the user can act on it; undefined when it is not one. */
function classifySshError(error: ErrnoLike & { readonly level?: unknown }, endpoint: DockerEndpoint): SshUnreachableError | undefined {
  const { code, level, message } = error;
  if (code === 'ECONNREFUSED') return new SshUnreachableError('refused', endpoint, 'start its SSH server');
  if (level === 'client-authentication') return new SshUnreachableError('was not let in (key refused)', endpoint, 'add your key to its authorized_keys (and to your ssh-agent: `ssh-add`)');
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'ETIMEDOUT' || level === 'client-timeout') return new SshUnreachableError(`got no answer (${String(message)})`, endpoint, 'check that the host is up and on the network');
  if (code === 'ENOTFOUND') return new SshUnreachableError('failed: the host name does not resolve', endpoint, 'use its address');
  if (code === 'ECONNRESET' || code === 'EPIPE' || /dial-stdio|exit code|Cannot connect to the Docker daemon/i.test(String(message))) return new SshUnreachableError(`works but its Docker engine does not answer (${String(message)})`, endpoint, 'start Docker there (`sudo systemctl start docker`)');
  return undefined;
}

/** A container the user named does not exist. */
export class ContainerNotFoundError extends SparkError {
  constructor(readonly container: string) {
    super(`container ${container} does not exist`, 'Start it first (`spark-gateway up <scenario>` or `docker compose up -d` in its folder)');
  }
}

interface ErrnoLike {
  readonly code?: unknown;
  readonly statusCode?: unknown;
  readonly message?: unknown;
}

/**
 * Turns a low-level error from docker-modem into the typed error a user can act on; other errors
 * are returned unchanged. Pure.
 */
export function classifyDockerError(error: unknown, endpoint: DockerEndpoint): unknown {
  if (error instanceof SparkError || typeof error !== 'object' || error === null) return error;
  if (endpoint.modemOptions.protocol === 'ssh') {
    const ssh = classifySshError(error as ErrnoLike, endpoint);
    if (ssh) return ssh;
  }
  const { code, message } = error as ErrnoLike;
  const socket = endpoint.socketPath ?? endpoint.url;
  if (code === 'ENOENT' && endpoint.socketPath) return new DockerSocketMissingError(socket);
  if (code === 'EACCES' || code === 'EPERM') return new DockerPermissionError(socket);
  if (code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'EPIPE') return new DockerDaemonDownError(endpoint.url);
  if (code === 'EHOSTUNREACH' || code === 'ENOTFOUND' || code === 'ETIMEDOUT') {
    const unreachable = new DockerUnreachableError(`the Docker engine at ${endpoint.url} (${endpoint.source}) cannot be reached: ${String(message)}`, 'Check DOCKER_HOST or `docker context ls`');
    return unreachable;
  }
  return error;
}
