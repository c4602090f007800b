import { addScenarioToStack } from '../../core/stack-edit/add-scenario';
import { parseFractions } from '../../core/scenario-fit';
import { UsageError } from '../args';
import type { Command } from '../io';
import { EXIT } from '../io';
import { totalBytesFrom } from './memory-total';
import { printPlan } from './plan';

export const addScenarioCommand: Command = {
  name: 'add-scenario',
  summary: 'add a scenario of existing models, its memory fractions computed to fit (exit 2 when they cannot)',
  usage: 'add-scenario <name> <model>... [--fractions auto|m=f,...] [--context N] [--title T] [--total-gib N]',
  flags: [],
  values: ['--fractions', '--context', '--title', '--total-gib'],
  async run(args, { io, stackRoot }) {
    const [name, ...models] = args.positionals;
    if (name === undefined || models.length === 0) throw new UsageError('add-scenario needs a name and at least one model');
    const fractionsArg = args.values.get('--fractions') ?? 'auto';
    const contextArg = args.values.get('--context');
    const contextTokens = contextArg === undefined ? undefined : Number(contextArg);
    if (contextTokens !== undefined && (!Number.isInteger(contextTokens) || contextTokens < 1)) throw new UsageError(`--context must be a whole number of tokens, not "${contextArg}"`);
    const title = args.values.get('--title');
    const root = stackRoot();
    const result = await addScenarioToStack(root, {
      name,
      models,
      fractions: fractionsArg === 'auto' ? 'auto' : parseFractions(fractionsArg, models),
      totalBytes: await totalBytesFrom(args),
      ...(contextTokens !== undefined ? { contextTokens } : {}),
      ...(title !== undefined ? { title } : {}),
    });
    printPlan(io, { ...result.plan, scenario: name }, result.reasons);
    if (!result.written) {
      io.err(`spark-gateway: scenario "${name}" does not fit, so it was not added — ${fractionsArg === 'auto' ? 'drop a model or run on more memory' : 'change --fractions (or use --fractions auto)'}\n`);
      return EXIT.noFit;
    }
    io.out(`added scenario ${name} to ${root}/scenarios.yaml: ${[...result.fractions].map(([m, f]) => `${m} ${f}`).join(', ')}\n`);
    io.out(`start it with: spark-gateway up ${name}\n`);
    return EXIT.ok;
  },
};
