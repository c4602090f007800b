import { gib, planScenario } from '../../core/planner';
import type { Command } from '../io';
import { EXIT, printJson } from '../io';
import { totalBytesFrom } from './memory-total';

export const scenariosCommand: Command = {
  name: 'scenarios',
  summary: 'list the scenarios, their models and planned memory',
  usage: 'scenarios [--json] [--total-gib N]',
  flags: ['--json'],
  values: ['--total-gib'],
  async run(args, { io, stack }) {
    const { scenarios: file } = await stack();
    const totalBytes = await totalBytesFrom(args);
    const rows = file.scenarios.map((scenario) => {
      const plan = planScenario(file, scenario, totalBytes);
      return {
        name: scenario.name,
        title: scenario.title,
        variant: scenario.variant,
        fits: plan.fits,
        plannedBytes: plan.plannedBytes,
        models: plan.models.map((m) => ({ name: m.model, memoryFraction: m.fraction, plannedBytes: m.budgetBytes, weightsBytes: m.weightsBytes })),
      };
    });
    if (args.flags.has('--json')) {
      printJson(io, { totalBytes, scenarios: rows });
      return EXIT.ok;
    }
    io.out(`Scenarios in ${file.file} (memory planned against ${gib(totalBytes)}):\n`);
    for (const row of rows) {
      io.out(`\n  ${row.name}  ${row.title}  [${row.variant}] ${row.fits ? 'fits' : 'does not fit'}, ${gib(row.plannedBytes)}\n`);
      for (const m of row.models) io.out(`    - ${m.name}: ${m.memoryFraction} of memory = ${gib(m.plannedBytes)} (weights ~${gib(m.weightsBytes)})\n`);
    }
    return EXIT.ok;
  },
};
