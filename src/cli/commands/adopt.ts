import * as path from 'node:path';
import { applyAdoption } from '../../core/adopt/apply';
import { planAdoption } from '../../core/adopt/plan';
import { locateStack, requireWritableStack } from '../../core/stack/discovery';
import { UsageError } from '../args';
import type { Command } from '../io';
import { EXIT, printJson } from '../io';

export const adoptCommand: Command = {
  name: 'adopt',
  summary: "turn a folder laid out as the guide's llms/vllm/ into a stack: report its problems (file:line), fix them with backups",
  usage: 'adopt [--dry-run] [--json]',
  flags: ['--dry-run', '--json'],
  values: [],
  async run(args, { io, search, bundledStack }) {
    if (args.positionals.length > 0) throw new UsageError('adopt takes no arguments (use --stack PATH for another folder)');
    const found = locateStack({ ...search, bundled: undefined });
    requireWritableStack(found.root);
    const plan = planAdoption(found.root, bundledStack);
    const dryRun = args.flags.has('--dry-run');
    const applied = dryRun ? plan.changes.map((c) => ({ file: c.file, action: c.action, backup: null })) : await applyAdoption(plan);
    if (args.flags.has('--json')) {
      printJson(io, { stack: plan.stack, problems: plan.problems, changes: applied });
      return EXIT.ok;
    }
    if (plan.problems.length === 0 && plan.changes.length === 0) {
      io.out(`${plan.stack} is adopted: nothing to do.\n`);
      return EXIT.ok;
    }
    io.out(`${plan.stack}: ${plan.problems.length} problem${plan.problems.length === 1 ? '' : 's'}\n`);
    for (const p of plan.problems) io.out(`  ${p.file}:${p.line}: ${p.message}\n    fix: ${p.fix}\n`);
    io.out(dryRun ? '\nWould change (nothing written: --dry-run):\n' : '\nChanged:\n');
    for (const [i, c] of applied.entries()) {
      const from = plan.changes[i]?.action === 'rename' ? `${plan.changes[i]?.from} → ` : '';
      io.out(`  ${c.action.padEnd(6)} ${from}${c.file}${c.backup ? `  (backup: ${c.backup})` : ''}\n`);
    }
    if (!dryRun) {
      const rel = path.relative(io.cwd, plan.stack) || '.';
      io.out(`\nNext: spark-gateway --stack ${rel} sync-env, then certs, then \`spark-gateway --stack ${rel} scenarios\` and \`up <scenario>\`.\n`);
      io.out('Running containers were not touched; they are recognised by their names.\n');
    }
    return EXIT.ok;
  },
};
