/**
 * The checks on a host entry of `scenarios.yaml` that need no YAML: a name, how its Docker engine
 * is reached, the cluster address. Each returns the problem in words (the parser adds file and
 * line) or undefined when the value is fine. Pure.
 */
import { isIP } from 'node:net';
import { nameProblem, printable } from '../inputs';

/** The main host: this machine's engine as the Docker CLI resolves it; implicit in every file. */
export const MAIN_HOST = 'local';

/** The endpoint schemes the `docker` CLI takes in `DOCKER_HOST` / `--host`. */
export const DOCKER_SCHEMES: readonly string[] = ['ssh:', 'tcp:', 'unix:'];

/** A host name: what `--host NAME`, the tree and LiteLLM's logs show. */
export function hostNameProblem(name: string): string | undefined {
  if (name === MAIN_HOST) return `"${MAIN_HOST}" is the main host (this machine), which every file has; choose another name`;
  return nameProblem(name, 'host name');
}

/**
 * A host ssh and Docker can dial: labels joined by dots, never starting with `-` (`_` too, for
 * ssh_config aliases such as `spark_2`), or an IPv4 address; a bracketed IPv6 address is checked apart.
 */
const DIAL_HOST = /^[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*$/;
/** A login name (the portable POSIX user name characters), never starting with `-`. */
const SSH_USER = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,63}$/;

/**
 * `docker:` — a Docker context name (`docker context ls`) or an endpoint URL as `DOCKER_HOST`
 * takes it (`ssh://user@host`, `tcp://host:2376`, `unix:///path/docker.sock`).
 */
export function dockerTargetProblem(value: string): string | undefined {
  if (!value.includes('://')) {
    // The Docker CLI's own rule for context names (never starting with `-`: it is passed as `--context NAME`).
    return /^[a-zA-Z0-9][a-zA-Z0-9_.+-]*$/.test(value)
      ? undefined
      : `"${printable(value)}" is neither a Docker context name nor an endpoint (ssh://user@host, tcp://host:port, unix:///path)`;
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `"${printable(value)}" is not a valid endpoint URL`;
  }
  const shown = printable(value);
  if (!DOCKER_SCHEMES.includes(url.protocol)) return `endpoint "${shown}" must start with ${DOCKER_SCHEMES.map((s) => `${s}//`).join(', ')}`;
  if (url.protocol === 'unix:') {
    if (url.pathname.length <= 1) return `endpoint "${shown}" names no socket (unix:///var/run/docker.sock)`;
    // It is also shown in a terminal line (`docker -H …`): letters of a path only.
    return /^[\w./-]+$/.test(url.pathname) ? undefined : `endpoint "${shown}": the socket path may hold letters, digits, ".", "_", "-" and "/" only`;
  }
  if (url.hostname === '') return `endpoint "${shown}" names no host`;
  if (url.pathname !== '' && url.pathname !== '/') return `endpoint "${shown}" must not have a path`;
  if (url.password !== '' || url.search !== '' || url.hash !== '') return `endpoint "${shown}" must be scheme://[user@]host[:port] only (no password, query or fragment)`;
  // The user and host of ssh://user@host reach `ssh` as arguments: one starting with `-` would be
  // an option of its own (`ssh://-oProxyCommand=…@host` runs a command).
  // Checked as written (percent escapes included: ssh does not decode them, and `%` is refused).
  const host = url.hostname;
  if (!(DIAL_HOST.test(host) || (host.startsWith('[') && isIP(host.slice(1, -1)) === 6))) {
    return `endpoint "${shown}": host "${printable(host)}" must be a host name (letters, digits, dashes and dots, not starting with "-") or an IP address`;
  }
  if (url.username !== '' && !SSH_USER.test(url.username)) {
    return `endpoint "${shown}": user "${printable(url.username)}" must be a login name (letters, digits, ".", "_", "-", not starting with "-")`;
  }
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
