import { describeSync, syncEnv } from '../../core/sync-env';
import { UsageError } from '../args';
import type { Command } from '../io';
import { EXIT } from '../io';

export const syncEnvCommand: Command = {
  name: 'sync-env',
  summary: 'propagate .env to the model and LiteLLM folders; generate missing secrets (never printed whole)',
  usage: 'sync-env',
  flags: [],
  values: [],
  async run(args, { io, stackRoot }) {
    if (args.positionals.length > 0) throw new UsageError('sync-env takes no arguments');
    const plan = await syncEnv(stackRoot());
    for (const line of describeSync(plan)) io.out(`${line}\n`);
    return EXIT.ok;
  },
};
