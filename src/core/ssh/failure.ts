/**
 * What went wrong when `ssh` failed, read from its own words (OpenSSH's messages) — the one
 * reader for every place that runs ssh: the Engine API over `docker system dial-stdio`, the
 * docker CLI's `ssh://` connhelper, `/proc/meminfo` over SSH. Each caller says where in its own
 * sentence; the kind and the fix's commands come from here, so they are the same everywhere.
 */
import type { SshTarget } from './target';
import { knownHostsName, shellLine, sshLine } from './target';

/** ssh's failures a user can act on. */
export type SshFailure = 'host-key' | 'refused' | 'auth' | 'unreachable';

/** What ssh prints when the host's key is unknown or changed. */
const HOST_KEY_REFUSED = /Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED|No [A-Za-z0-9-]+ host key is known/i;
/** ssh's own "connect to host … Connection refused" (not a refused Docker socket). */
const REFUSED = /ssh: connect to host .*Connection refused|^ssh:.*Connection refused/im;
/** The server took none of our keys (or wanted a password we cannot type). */
const AUTH = /Permission denied \(|Permission denied, please try again|Too many authentication failures/i;
const UNREACHABLE = /No route to host|Network is unreachable|timed out|Could not resolve hostname|Name or service not known/i;

/** The kind of ssh failure `said` (ssh's stderr) reports; undefined when it is none of them. Pure. */
export function readSshFailure(said: string): SshFailure | undefined {
  if (HOST_KEY_REFUSED.test(said)) return 'host-key';
  if (REFUSED.test(said)) return 'refused';
  if (AUTH.test(said)) return 'auth';
  if (UNREACHABLE.test(said)) return 'unreachable';
  return undefined;
}

/** The fix for a refused host key: log in once by hand to check it, or forget a reinstalled host's old key. Pure. */
export function hostKeyFix(target: SshTarget): string {
  return `Run \`${sshLine(target)}\` once in a terminal to check and accept its key, or check ~/.ssh/known_hosts (\`${shellLine(['ssh-keygen', '-R', knownHostsName(target)])}\` if the host was reinstalled)`;
}

/** `ssh-copy-id [-p PORT] user@host`: how to let this machine log in with its key. Pure. */
export function copyIdLine(target: SshTarget): string {
  return sshLine(target, [], 'ssh-copy-id');
}
