/**
 * Where `ssh` goes, and the one way every part of the product spells it: as an argument list for a
 * process (user and port as options, the host after `--`, as the docker CLI's connhelper builds
 * it) and as a line shown to the user (`ssh -p 2222 me@spark-2`: ssh takes no `host:port`).
 */

/** The parts of an `ssh://user@host:port` URL. */
export interface SshTarget {
  readonly host: string;
  readonly user?: string;
  /** Only when the URL names one, so a `Port` in ~/.ssh/config applies otherwise. */
  readonly port?: number;
}

/** The target of an `ssh://[user@]host[:port]` URL; undefined for any other text. Pure. */
export function sshTargetOfUrl(url: string): SshTarget | undefined {
  if (!url.startsWith('ssh://')) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  // ssh takes an IPv6 host without the URL's brackets.
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  if (host === '') return undefined;
  const user = decodeURIComponent(parsed.username);
  return { host, ...(user ? { user } : {}), ...(parsed.port ? { port: Number(parsed.port) } : {}) };
}

/**
 * The arguments of `ssh` running `remote` on `target`: never prompting (there is no terminal to
 * answer on: an unknown host key or a locked key fails with ssh's message), no terminal, user and
 * port as options and the host after `--`, so no host name is read as an option. Pure.
 */
export function sshArgs(target: SshTarget, remote: readonly string[], connectTimeoutSeconds: number): string[] {
  return [
    '-o', 'BatchMode=yes',
    '-o', `ConnectTimeout=${connectTimeoutSeconds}`,
    '-T',
    ...(target.user ? ['-l', target.user] : []),
    ...(target.port !== undefined ? ['-p', String(target.port)] : []),
    '--', target.host,
    ...remote,
  ];
}

/** `user@host` as ssh takes a destination. Pure. */
export function sshDestination(target: SshTarget): string {
  return `${target.user ? `${target.user}@` : ''}${target.host}`;
}

/**
 * `ssh [-p PORT] user@host [command…]` for the user to run — a line ssh accepts as it is (never
 * `user@host:port`), each word quoted for the shell; `--` only when the destination could be read
 * as an option. Pure.
 */
export function sshLine(target: SshTarget, command: readonly string[] = [], program = 'ssh'): string {
  const destination = sshDestination(target);
  return shellLine([program, ...portOption(target), ...(destination.startsWith('-') ? ['--'] : []), destination, ...command]);
}

/** The name `known_hosts` files `target` under (`host`, or `[host]:port` off port 22), for `ssh-keygen -R`. Pure. */
export function knownHostsName(target: SshTarget): string {
  return target.port !== undefined && target.port !== 22 ? `[${target.host}]:${target.port}` : target.host;
}

function portOption(target: SshTarget): string[] {
  return target.port !== undefined ? ['-p', String(target.port)] : [];
}

/** Words joined for a POSIX shell: plain ones as they are, any other in single quotes. Pure. */
export function shellLine(words: readonly string[]): string {
  return words.map((word) => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`)).join(' ');
}
