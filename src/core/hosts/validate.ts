/**
 * The checks on a host entry of `scenarios.yaml` that need no YAML: a name, how its Docker engine
 * is reached, the cluster address. Each returns the problem in words (the parser adds file and
 * line) or undefined when the value is fine. Pure.
 */
import { isIP } from 'node:net';

/** The main host: this machine's engine as the Docker CLI resolves it; implicit in every file. */
export const MAIN_HOST = 'local';

/** The endpoint schemes the `docker` CLI takes in `DOCKER_HOST` / `--host`. */
export const DOCKER_SCHEMES: readonly string[] = ['ssh:', 'tcp:', 'unix:'];

/** A host name: what `--host NAME`, the tree and LiteLLM's logs show. */
export function hostNameProblem(name: string): string | undefined {
  if (name === MAIN_HOST) return `"${MAIN_HOST}" is the main host (this machine), which every file has; choose another name`;
  if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(name)) return `host name "${name}" must be lower-case letters, digits and dashes (e.g. spark-2)`;
  return undefined;
}

/**
 * `docker:` — a Docker context name (`docker context ls`) or an endpoint URL as `DOCKER_HOST`
 * takes it (`ssh://user@host`, `tcp://host:2376`, `unix:///path/docker.sock`).
 */
export function dockerTargetProblem(value: string): string | undefined {
  if (!value.includes('://')) {
    // The Docker CLI's own rule for context names.
    return /^[a-zA-Z0-9][a-zA-Z0-9_.+-]*$/.test(value)
      ? undefined
      : `"${value}" is neither a Docker context name nor an endpoint (ssh://user@host, tcp://host:port, unix:///path)`;
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `"${value}" is not a valid endpoint URL`;
  }
  if (!DOCKER_SCHEMES.includes(url.protocol)) return `endpoint "${value}" must start with ${DOCKER_SCHEMES.map((s) => `${s}//`).join(', ')}`;
  if (url.protocol === 'unix:') return url.pathname.length > 1 ? undefined : `endpoint "${value}" names no socket (unix:///var/run/docker.sock)`;
  if (url.hostname === '') return `endpoint "${value}" names no host`;
  if (url.pathname !== '' && url.pathname !== '/') return `endpoint "${value}" must not have a path`;
  return undefined;
}

/**
 * `address:` — an IP address of the host on the cluster link. Model servers publish their port
 * on it alone, so it must be one address, never all interfaces.
 */
export function addressProblem(value: string): string | undefined {
  const version = isIP(value);
  if (version === 0) return `address "${value}" must be an IP address (the host's address on the cluster link, e.g. 192.168.100.2)`;
  if (value === '0.0.0.0' || /^[0:]+$/.test(value)) return `address "${value}" means all interfaces; give the host's cluster-link address so the model servers are not published everywhere`;
  return undefined;
}
