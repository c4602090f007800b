import * as path from 'node:path';
import { copyStackWithoutOverwriting } from '../../core/stack-create';
import { findStackIn } from '../../core/stack/discovery';
import { UsageError } from '../args';
import type { Command } from '../io';
import { EXIT } from '../io';

export const initCommand: Command = {
  name: 'init',
  summary: 'create a stack: copy the bundled one to DIR (default ./stack), never overwriting a file',
  usage: 'init [DIR]',
  flags: [],
  values: [],
  async run(args, { io, bundledStack }) {
    if (args.positionals.length > 1) throw new UsageError('init takes at most one folder');
    const target = path.resolve(io.cwd, args.positionals[0] ?? 'stack');
    const result = await copyStackWithoutOverwriting(bundledStack, target);
    io.out(`Created the stack in ${target}: ${result.copied.length} files copied`);
    io.out(result.kept.length > 0 ? `, ${result.kept.length} existing files kept as they were (${result.kept.slice(0, 5).join(', ')}${result.kept.length > 5 ? ', …' : ''}).\n` : '.\n');
    // From here the stack is found without --stack when it is ./stack or ./llms/vllm; else name it.
    const flag = findStackIn(io.cwd) === target ? '' : ` --stack ${path.relative(io.cwd, target) || '.'}`;
    io.out('\nNext steps:\n');
    io.out(`  spark-gateway${flag} sync-env      # .env from .env.example with generated secrets; then set HF_TOKEN in .env\n`);
    io.out(`  spark-gateway${flag} certs         # the self-signed HTTPS certificate for NGINX\n`);
    io.out(`  spark-gateway${flag} scenarios     # what can run, and what fits this machine\n`);
    io.out(`  spark-gateway${flag} up scenario-2 # start a scenario\n`);
    return EXIT.ok;
  },
};
