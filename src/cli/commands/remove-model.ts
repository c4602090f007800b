import { removeModelFromStack } from '../../core/stack-edit/remove-model';
import { UsageError } from '../args';
import type { Command } from '../io';
import { EXIT } from '../io';

export const removeModelCommand: Command = {
  name: 'remove-model',
  summary: 'remove a model: its folder, scenarios.yaml entry and one-model scenario, LiteLLM entry (weights kept unless --purge)',
  usage: 'remove-model <name> [--purge]',
  flags: ['--purge'],
  values: [],
  async run(args, { io, stackRoot }) {
    const name = args.positionals[0];
    if (name === undefined || args.positionals.length > 1) throw new UsageError('remove-model takes exactly one model name');
    const root = stackRoot();
    const purge = args.flags.has('--purge');
    const result = await removeModelFromStack(root, name, { purge, env: io.env });
    for (const change of result.changes) {
      io.out(change.kind === 'delete' ? `removed ${change.file}/\n` : `updated ${change.kind === 'write' ? change.file : change.dir}\n`);
    }
    if (result.removedContainer) io.out(`removed the stopped container ${result.removedContainer}\n`);
    for (const volume of result.removedVolumes) io.out(`removed the weights volume ${volume}\n`);
    if (result.removedWeights) io.out(`removed the weights ${result.removedWeights}\n`);
    if (result.keptWeights) io.out(`kept the weights ${result.keptWeights.folder} (${result.keptWeights.reason})\n`);
    for (const volume of result.keptVolumes) io.out(`kept the weights volume ${volume} (remove-model ${name} --purge, or docker volume rm ${volume}, frees it)\n`);
    io.out(`restart LiteLLM to drop the model from the gateway: (cd ${root}/litellm && docker compose restart litellm)\n`);
    return EXIT.ok;
  },
};
