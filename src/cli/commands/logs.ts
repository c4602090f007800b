import { createDockerClient } from '../../core/docker/client';
import { hostDockerEnv } from '../../core/hosts/endpoint';
import { findHost } from '../../core/hosts/placement';
import { serviceRows } from '../../core/services';
import { followLogs } from '../../core/logs/follower';
import { UsageError } from '../args';
import type { Command, CommandContext } from '../io';
import { EXIT } from '../io';

/** A model name or gateway service name maps to its container; anything else is taken as a container name. */
async function containerFor(name: string, stack: CommandContext['stack']): Promise<string> {
  try {
    const row = serviceRows(await stack()).find((r) => r.name === name || r.container === name);
    return row?.container ?? name;
  } catch {
    // No stack here: a container name still works.
    return name;
  }
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
