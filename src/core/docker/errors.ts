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
