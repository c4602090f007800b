/**
 * Which Docker engine to talk to, decided the way the `docker` CLI decides it: `DOCKER_HOST`
 * first, then `DOCKER_CONTEXT`, then the `currentContext` of `~/.docker/config.json` (whose
 * endpoint lives in `~/.docker/contexts/meta/<sha256(name)>/meta.json`), else the local socket.
 * A user who runs `docker context use spark` (an `ssh://` host) sees the same engine here.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FileFormatError } from '../errors';

/** The options of docker-modem this project sets (a subset of `Dockerode.DockerOptions`). */
export interface ModemOptions {
  readonly socketPath?: string;
  /** Present (possibly undefined) so it overrides docker-modem's DOCKER_HOST default. */
  readonly host: string | undefined;
  readonly port?: number;
  /** `ssh` is ours, not docker-modem's: ssh-dial.ts turns it into HTTP over the user's `ssh` process. */
  readonly protocol?: 'http' | 'https' | 'ssh';
  readonly username?: string;
  readonly ca?: Buffer;
  readonly cert?: Buffer;
  readonly key?: Buffer;
}

export interface DockerEndpoint {
  /** Where the choice came from, for messages: `DOCKER_HOST`, `context "spark"`, `default`. */
  readonly source: string;
  /** The engine's address as the user would write it (`unix:///var/run/docker.sock`, `ssh://me@spark`). */
  readonly url: string;
  /**
   * Options for docker-modem, always complete: docker-modem would otherwise fill gaps from
   * `process.env.DOCKER_HOST`, which is not the environment this endpoint was resolved from.
   */
  readonly modemOptions: ModemOptions;
  /** The unix socket, when the engine is reached through one (for the "socket missing" error). */
  readonly socketPath?: string;
}

export const DEFAULT_SOCKET = '/var/run/docker.sock';

/** What {@link resolveDockerEndpoint} reads; tests pass their own. */
export interface EndpointInputs {
  readonly env: NodeJS.ProcessEnv;
  /** The Docker config folder (`DOCKER_CONFIG`, default `~/.docker`). */
  readonly configDir?: string;
  readonly readFile?: (file: string) => string | undefined;
}

function readIfExists(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** Resolves the engine endpoint as the Docker CLI would. Throws {@link FileFormatError} for a broken context file. */
export function resolveDockerEndpoint(inputs: EndpointInputs): DockerEndpoint {
  const { env } = inputs;
  const read = inputs.readFile ?? readIfExists;
  const dockerHost = env.DOCKER_HOST?.trim();
  if (dockerHost) {
    const tls = env.DOCKER_TLS_VERIFY === '1' || env.DOCKER_CERT_PATH ? env.DOCKER_CERT_PATH ?? path.join(os.homedir(), '.docker') : undefined;
    return fromUrl(dockerHost, 'DOCKER_HOST', tls, read, env.DOCKER_TLS_VERIFY === '1');
  }

  const configDir = inputs.configDir ?? env.DOCKER_CONFIG ?? path.join(os.homedir(), '.docker');
  let context = env.DOCKER_CONTEXT?.trim();
  if (!context) {
    const configFile = path.join(configDir, 'config.json');
    const config = read(configFile);
    if (config !== undefined) context = parseJson<{ currentContext?: unknown }>(config, configFile).currentContext as string | undefined;
  }
  if (context && context !== 'default') {
    const metaFile = path.join(configDir, 'contexts', 'meta', createHash('sha256').update(context).digest('hex'), 'meta.json');
    const meta = read(metaFile);
    if (meta === undefined) {
      throw new FileFormatError(metaFile, undefined, `Docker context "${context}" is selected but has no meta.json`, 'Run `docker context ls` and `docker context use default` (or the context you want)');
    }
    const parsed = parseJson<{ Endpoints?: { docker?: { Host?: unknown; SkipTLSVerify?: unknown } } }>(meta, metaFile);
    const host = parsed.Endpoints?.docker?.Host;
    if (typeof host !== 'string' || host === '') throw new FileFormatError(metaFile, undefined, `Docker context "${context}" has no Endpoints.docker.Host`);
    return fromUrl(host, `context "${context}"`, path.join(configDir, 'contexts', 'tls', createHash('sha256').update(context).digest('hex'), 'docker'), read, false);
  }
  return { source: 'default', url: `unix://${DEFAULT_SOCKET}`, modemOptions: { socketPath: DEFAULT_SOCKET, host: undefined }, socketPath: DEFAULT_SOCKET };
}

function fromUrl(raw: string, source: string, tlsDir: string | undefined, read: (f: string) => string | undefined, forceTls: boolean): DockerEndpoint {
  if (raw.startsWith('unix://')) {
    const socketPath = raw.slice('unix://'.length) || DEFAULT_SOCKET;
    return { source, url: raw, modemOptions: { socketPath, host: undefined }, socketPath };
  }
  const url = new URL(raw.includes('//') ? raw : `tcp://${raw}`);
  if (url.protocol === 'ssh:') {
    return {
      source,
      url: raw,
      // No port unless the URL names one: ssh then takes the Port of ~/.ssh/config (or 22).
      modemOptions: { host: url.hostname, ...(url.port ? { port: Number(url.port) } : {}), protocol: 'ssh', username: url.username || undefined },
    };
  }
  const port = url.port ? Number(url.port) : 2375;
  const ca = tlsDir ? read(path.join(tlsDir, 'ca.pem')) : undefined;
  const cert = tlsDir ? read(path.join(tlsDir, 'cert.pem')) : undefined;
  const key = tlsDir ? read(path.join(tlsDir, 'key.pem')) : undefined;
  const tls = cert !== undefined && key !== undefined;
  return {
    source,
    url: raw,
    modemOptions: {
      host: url.hostname,
      port,
      protocol: tls || forceTls || port === 2376 ? 'https' : 'http',
      ...(tls ? { cert: Buffer.from(cert), key: Buffer.from(key), ...(ca !== undefined ? { ca: Buffer.from(ca) } : {}) } : {}),
    },
  };
}

function parseJson<T>(text: string, file: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new FileFormatError(file, undefined, `not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
}
