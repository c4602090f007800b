/**
 * The ways the Docker engine can be out of reach, each with the fix a user needs. The views show
 * the fix (a welcome view, the CLI's one line), so the distinction matters more than the wording.
 */
import { SparkError } from '../errors';
import { copyIdLine, hostKeyFix, readSshFailure } from '../ssh/failure';
import { sshLine } from '../ssh/target';
import type { DockerEndpoint } from './endpoint';
import { sshTargetOf } from './ssh-dial';

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
 * An `ssh://` engine (another Spark) cannot be reached: ssh is missing, the host key is unknown,
 * its SSH server refused or did not let us in, or Docker behind it did not answer. The fixes differ from a local daemon's, so they get their own.
 */
export class DockerSshError extends DockerUnreachableError {}

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
  /** What `ssh` printed before it failed (an {@link SshDialError}). */
  readonly stderr?: unknown;
  readonly exitCode?: unknown;
  readonly syscall?: unknown;
}

/**
 * Failures of the `ssh ... docker system dial-stdio` process of an `ssh://` endpoint (ssh-dial.ts),
 * read from what ssh printed; undefined when `error` is none of them.
 */
function classifySshError(error: ErrnoLike, endpoint: DockerEndpoint): DockerSshError | undefined {
  const { code, message } = error;
  const where = `${endpoint.url} (${endpoint.source})`;
  const target = sshTargetOf(endpoint) ?? { host: endpoint.url };
  const host = target.host;
  if (code === 'ENOENT' && String(error.syscall ?? '').startsWith('spawn')) {
    return new DockerSshError(`there is no \`ssh\` program to reach ${where} with`, 'Install the OpenSSH client (`sudo apt install openssh-client`) on this machine, or put `ssh` on PATH');
  }
  if (typeof error.stderr !== 'string') return undefined;
  const last = String(message);
  switch (readSshFailure(error.stderr)) {
    case 'host-key':
      return new DockerSshError(`the host key of ${where} is not in known_hosts, or it changed (${last})`, hostKeyFix(target));
    case 'refused':
      return new DockerSshError(`the SSH server of ${where} refused the connection`, `Start the SSH server on ${host} (\`sudo systemctl start ssh\`), or check the address: \`docker context inspect\` / DOCKER_HOST`);
    case 'auth':
      return new DockerSshError(`the SSH server of ${where} did not accept any of our keys (${last})`, `Make sure \`${sshLine(target)}\` works without a password: put your key in ~/.ssh/authorized_keys on ${host} (\`${copyIdLine(target)}\`), or name it with IdentityFile in ~/.ssh/config`);
    case 'unreachable':
      return new DockerSshError(`${where} cannot be reached: ${last}`, `Check that ${host} is on and on the network, and its address in \`docker context inspect\` / DOCKER_HOST (or ~/.ssh/config)`);
    case undefined:
      break;
  }
  if (error.exitCode !== 255) {
    // ssh itself exits 255 on its own failures: any other status is `docker system dial-stdio`'s.
    return new DockerSshError(`${where} let us in over SSH, but Docker there did not answer (\`docker system dial-stdio\`: ${last})`, `On ${host}: start Docker (\`sudo systemctl start docker\`) and let the SSH user use it (\`sudo usermod -aG docker $USER\`)`);
  }
  return new DockerSshError(`ssh to ${where} failed: ${last}`, `Run \`${sshLine(target, ['docker', 'system', 'dial-stdio'])}\` in a terminal to see why`);
}

/**
 * Turns a low-level error from docker-modem into the typed error a user can act on; other errors
 * are returned unchanged. Pure.
 */
export function classifyDockerError(error: unknown, endpoint: DockerEndpoint): unknown {
  if (error instanceof SparkError || typeof error !== 'object' || error === null) return error;
  const { code, message } = error as ErrnoLike;
  if (endpoint.modemOptions.protocol === 'ssh') {
    const ssh = classifySshError(error as ErrnoLike, endpoint);
    if (ssh) return ssh;
  }
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
