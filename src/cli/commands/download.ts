import { CancelledError } from '../../core/process/cancellation';
import { formatBytes } from '../../core/progress/progress';
import { SparkError } from '../../core/errors';
import { downloadDiskCheck, downloadPlans, modelsNamed, planModels, weightsContext } from '../../core/weights/models';
import { UsageError } from '../args';
import type { Command } from '../io';
import { EXIT } from '../io';
import { progressLine } from '../progress-line';
import { interruptSignal } from './up-down';

export const downloadCommand: Command = {
  name: 'download',
  summary: "fetch a model's (or a scenario's) weights into the shared Hugging Face cache, resumable",
  usage: 'download <model|scenario>',
  flags: [],
  values: [],
  async run(args, { io, stack }) {
    const name = args.positionals[0];
    if (name === undefined || args.positionals.length > 1) throw new UsageError('download takes one model or scenario name');
    const loaded = await stack();
    const models = modelsNamed(loaded, name);
    const context = await weightsContext(loaded, io.env);
    const cancel = interruptSignal();
    const line = progressLine(io);
    try {
      const plans = await planModels(models, context, cancel.signal);
      for (const plan of plans) {
        const cached = plan.totalBytes - plan.missingBytes;
        io.out(`${plan.repo}@${plan.sha.slice(0, 12)}: ${plan.files.length} files, ${formatBytes(plan.totalBytes)}; ${plan.missingBytes === 0 ? 'all in the cache' : `${formatBytes(plan.missingBytes)} to fetch${cached > 0 ? ` (${formatBytes(cached)} already there)` : ''}`}${plan.offline ? ' (the Hub did not answer; the cache\'s snapshot is used)' : ''}\n`);
      }
      io.out(`Cache: ${context.cacheDir}\n`);
      // Refused before the first byte when the disk cannot hold it: found out late otherwise.
      const disk = await downloadDiskCheck(plans, context);
      if (disk.status === 'fail') throw new SparkError(disk.detail, disk.fix);
      const results = await downloadPlans(plans, context, { cancellation: cancel.signal, onProgress: (p) => line.update(p) });
      line.done();
      const fetched = results.reduce((n, r) => n + r.fetched.length, 0);
      const cached = results.reduce((n, r) => n + r.cached.length, 0);
      io.out(`Done: ${fetched} file${fetched === 1 ? '' : 's'} fetched, ${cached} already in the cache.\n`);
      return EXIT.ok;
    } catch (error) {
      line.done();
      if (error instanceof CancelledError) {
        io.err('spark-gateway: download cancelled; run it again to continue where it stopped\n');
        return 130;
      }
      throw error;
    } finally {
      cancel.dispose();
    }
  },
};
