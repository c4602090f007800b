import { formatCheck } from '../../core/checks';
import { liveEngine } from '../../core/compose/live-engine';
import { createDockerClient } from '../../core/docker/client';
import { runDoctor } from '../../core/doctor/doctor';
import { hostsToCheck } from '../../core/doctor/hosts';
import { hostClients, stackHostEngines } from '../../core/state/hosts-state';
import { readMemInfo } from '../../core/meminfo';
import { NeedsAdoptionError } from '../../core/stack/discovery';
import { UsageError } from '../args';
import type { Command } from '../io';
import { EXIT, printJson } from '../io';

export const doctorCommand: Command = {
  name: 'doctor',
  summary: "the troubleshooting table's checks, each with its fix (exit 1 when one fails)",
  usage: 'doctor [--json]',
  flags: ['--json'],
  values: [],
  async run(args, { io, stack, location }) {
    if (args.positionals.length > 0) throw new UsageError('doctor takes no arguments');
    const found = location();
    if (found.kind === 'adopt') {
      // A guide folder is the user's stack-to-be: say so as the doctor's first (and failing) row.
      const need = new NeedsAdoptionError(found.root);
      const row = { id: 'stack', title: 'Stack', status: 'fail' as const, detail: need.message, fix: need.fix };
      if (args.flags.has('--json')) printJson(io, { checks: [row] });
      else io.out(`${formatCheck(row)}\n`);
      return EXIT.error;
    }
    const loaded = await stack();
    const docker = createDockerClient(io.env);
    const hosts = hostsToCheck(loaded, stackHostEngines(loaded, docker.endpoint), hostClients(docker));
    const checks = await runDoctor({ stack: loaded, engine: liveEngine(docker), memInfo: () => readMemInfo(), hosts });
    if (args.flags.has('--json')) printJson(io, { checks });
    else for (const check of checks) io.out(`${formatCheck(check)}\n`);
    return checks.some((c) => c.status === 'fail') ? EXIT.error : EXIT.ok;
  },
};
