import { createDockerClient } from '../../core/docker/client';
import { SparkError, UnknownNameError } from '../../core/errors';
import { hostDockerEnv } from '../../core/docker/host-endpoint';
import { findHost } from '../../core/scenarios/placement';
import { nameProblem } from '../../core/inputs';
import { serviceRows } from '../../core/stack/services';
import type { Stack } from '../../core/stack/discovery';
import { followLogs } from '../../core/logs/follower';
import { UsageError } from '../args';
import type { Command, CommandContext } from '../io';
import { EXIT } from '../io';

/**
 * The container of `name`: a model or gateway service of the stack, or one of their containers.
 * The name is checked first (it becomes part of an Engine API path: `../../etc` must never reach
 * it); with a stack, a name it does not know is refused with the names it does. Without a stack
 * (none found, or its scenarios.yaml does not load) a valid name is taken as a container name.
 */
async function containerFor(name: string, stack: CommandContext['stack']): Promise<string> {
  const problem = nameProblem(name, 'name');
  if (problem !== undefined) throw new SparkError(`logs: ${problem}`, 'Give a model, a gateway service (litellm, nginx, redis, postgres) or one of their containers; `spark-gateway status` lists them');
  let loaded: Stack;
  try {
    loaded = await stack();
  } catch {
    // No stack here: a container name still works.
    return name;
  }
  const rows = serviceRows(loaded);
  const row = rows.find((r) => r.name === name || r.container === name);
  if (!row) throw new UnknownNameError('model, service or container', name, rows.map((r) => r.name));
  return row.container;
}

export const logsCommand: Command = {
  name: 'logs',
  summary: 'a container\'s log (model, gateway service or container name); -f follows across restarts',
  usage: 'logs <name> [-f] [--tail N] [--host NAME]',
  flags: ['-f', '--follow'],
  values: ['--tail', '--host'],
  async run(args, { io, stack }) {
    const name = args.positionals[0];
    if (name === undefined || args.positionals.length > 1) throw new UsageError('logs takes exactly one name (a model, a gateway service or a container)');
    const tailText = args.values.get('--tail');
    const tail = tailText === undefined ? undefined : Number(tailText);
    if (tail !== undefined && (!Number.isInteger(tail) || tail < 0)) throw new UsageError(`--tail must be a whole number, not "${tailText}"`);
    const follow = args.flags.has('-f') || args.flags.has('--follow');
    const container = await containerFor(name, stack);
    const hostName = args.values.get('--host');
    // Another host's engine, as scenarios.yaml reaches it (DOCKER_HOST or its context).
    const hostEnv = hostName === undefined ? {} : hostDockerEnv(findHost((await stack()).scenarios, hostName));
    const controller = new AbortController();
    const stop = () => controller.abort();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    try {
      const lines = followLogs(createDockerClient({ ...io.env, ...hostEnv }), container, {
        follow,
        ...(tail !== undefined ? { tail } : {}),
        signal: controller.signal,
        onNotice: (text) => io.err(`-- ${text} --\n`),
      });
      for await (const line of lines) io.out(`${line.text}\n`);
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
    return EXIT.ok;
  },
};
