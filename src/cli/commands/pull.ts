import { CancelledError } from '../../core/process/cancellation';
import { createImagePuller } from '../../core/docker/pull';
import { pullMissing, startImages } from '../../core/lifecycle/scenario-images';
import { findScenario } from '../../core/planner';
import type { ComposeVariant, ModelSpec } from '../../core/scenarios/file';
import { COMPOSE_VARIANTS } from '../../core/scenarios/file';
import { UsageError } from '../args';
import type { Command } from '../io';
import { EXIT } from '../io';
import { progressLine } from '../progress-line';
import { interruptSignal } from './up-down';

export const pullCommand: Command = {
  name: 'pull',
  summary: "pull the images a scenario runs (no scenario: every model's and the gateway's), with progress",
  usage: 'pull [<scenario>] [--variant spark|multi-gpu] [--models-only]',
  flags: ['--models-only'],
  values: ['--variant'],
  async run(args, { io, stack }) {
    if (args.positionals.length > 1) throw new UsageError('pull takes at most one scenario name');
    const variant = args.values.get('--variant');
    if (variant !== undefined && !COMPOSE_VARIANTS.includes(variant as ComposeVariant)) throw new UsageError(`--variant must be ${COMPOSE_VARIANTS.join(' or ')}`);
    const loaded = await stack();
    const name = args.positionals[0];
    const scenario = name === undefined ? undefined : findScenario(loaded.scenarios, name);
    const models = scenario ? [...scenario.models.keys()].map((m) => loaded.scenarios.models.find((x) => x.name === m)).filter((m): m is ModelSpec => m !== undefined) : loaded.scenarios.models;
    const images = await startImages(loaded, models, (variant as ComposeVariant | undefined) ?? scenario?.variant ?? 'spark', args.flags.has('--models-only'), io.env);
    const line = progressLine(io);
    const cancel = interruptSignal();
    let current = '';
    try {
      const result = await pullMissing(createImagePuller(io.env), images, {
        cancellation: cancel.signal,
        onProgress: (progress, image) => {
          if (image !== current) {
            line.done();
            io.out(`▶ Pulling ${image}\n`);
            current = image;
          }
          line.update(progress);
        },
      });
      line.done();
      for (const image of result.present) io.out(`${image}: present\n`);
      for (const image of result.pulled) io.out(`${image}: pulled\n`);
      return EXIT.ok;
    } catch (error) {
      line.done();
      if (error instanceof CancelledError) {
        io.err(`spark-gateway: pull cancelled; ${current || 'the image'} was not tagged (pull again to continue; layers already fetched are kept by Docker)\n`);
        return 130;
      }
      throw error;
    } finally {
      cancel.dispose();
    }
  },
};
