import { findScenario, gib, planScenario } from '../../core/planner';
import type { ScenarioPlan } from '../../core/planner';
import { UsageError } from '../args';
import type { CliIo, Command } from '../io';
import { EXIT, printJson } from '../io';
import { totalBytesFrom } from './memory-total';

export const planCommand: Command = {
  name: 'plan',
  summary: 'check whether a scenario fits in memory (exit 0 fits, 2 does not)',
  usage: 'plan <scenario> [--total-gib N] [--json]',
  flags: ['--json'],
  values: ['--total-gib'],
  async run(args, { io, stack }) {
    const name = args.positionals[0];
    if (name === undefined || args.positionals.length > 1) throw new UsageError('plan takes exactly one scenario name');
    const { scenarios: file } = await stack();
    const plan = planScenario(file, findScenario(file, name), await totalBytesFrom(args));
    if (args.flags.has('--json')) printJson(io, plan);
    else printPlan(io, plan);
    return plan.fits ? EXIT.ok : EXIT.noFit;
  },
};

/** The planner's arithmetic as text, one line per model (also used by add-scenario). */
export function printPlan(io: CliIo, plan: ScenarioPlan, reasons: readonly string[] = plan.reasons): void {
  io.out(`${plan.scenario}: ${reasons.length === 0 ? 'fits' : 'does NOT fit'} in ${gib(plan.totalBytes)}\n`);
  for (const m of plan.models) {
    io.out(`  ${m.model}: ${m.fraction} × ${gib(plan.totalBytes)} = ${gib(m.budgetBytes)}; weights ${gib(m.weightsBytes)} + overhead ${gib(m.overheadBytes)} leaves ${gib(m.kvBudgetBytes)} for KV cache (needs ≥ ${gib(m.minKvBytes)})\n`);
  }
  io.out(`  total planned ${gib(plan.plannedBytes)}, left ${gib(plan.freeAfterBytes)} (reserve ${gib(plan.reserveBytes)})\n`);
  for (const reason of reasons) io.out(`  ✗ ${reason}\n`);
}
