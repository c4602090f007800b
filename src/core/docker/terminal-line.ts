/**
 * The command line typed (never run) into a terminal for a host whose engine cannot be reached:
 * `ssh [-p PORT] -- user@host` for an `ssh://` engine (the fix is made on that host), else
 * `docker --context NAME info` or `docker -H URL info`. The user reads it and presses Enter, so
 * it must say exactly what it seems to: the parts are checked as `scenarios.yaml`'s are, `--`
 * ends ssh's options before the destination, and each word is quoted for the shell.
 */
import type { DockerEndpoint } from './endpoint';
import { dockerTargetProblem } from '../scenarios/hosts';
import { shellLine, sshDestination } from '../ssh/target';
import { sshTargetOf } from './ssh-dial';

/**
 * The line for `endpoint`, or undefined when one of its parts is not a plain host, user, port or
 * context name (then no terminal is offered). Pure.
 * Usage: `hostTerminalLine(host.endpoint)` → `ssh -p 2222 -- me@spark-2`.
 */
export function hostTerminalLine(endpoint: DockerEndpoint): string | undefined {
  const context = /^context "(.+)"$/.exec(endpoint.source)?.[1];
  const ssh = sshTargetOf(endpoint);
  if (ssh) {
    if (dockerTargetProblem(endpoint.url) !== undefined) return undefined;
    return shellLine(['ssh', ...(ssh.port !== undefined && ssh.port !== 22 ? ['-p', String(ssh.port)] : []), '--', sshDestination(ssh)]);
  }
  if (context !== undefined) return dockerTargetProblem(context) === undefined && !context.includes('://') ? shellLine(['docker', '--context', context, 'info']) : undefined;
  return dockerTargetProblem(endpoint.url) === undefined ? shellLine(['docker', '-H', endpoint.url, 'info']) : undefined;
}
