/**
 * `spark-gateway`: the CLI entry. Parses the global options, finds the stack the way the
 * extension does, runs one command and turns any failure into one line on stderr (with `--json`,
 * a JSON object on stdout).
 */
import * as path from 'node:path';
import { FileFormatError, SparkError } from '../core/errors';
import { writeFix, writeProblem } from '../core/files';
import { NeedsAdoptionError, loadStack, locateStack } from '../core/stack/discovery';
import type { Stack, StackLocation, StackSearch } from '../core/stack/discovery';
import { UsageError, parseArgs } from './args';
import { addModelCommand } from './commands/add-model';
import { addScenarioCommand } from './commands/add-scenario';
import { adoptCommand } from './commands/adopt';
import { certsCommand } from './commands/certs';
import { chatCommand } from './commands/chat';
import { hostsCommand } from './commands/hosts';
import { logsCommand } from './commands/logs';
import { memoryCommand } from './commands/memory';
import { doctorCommand } from './commands/doctor';
import { initCommand } from './commands/init';
import { planCommand } from './commands/plan';
import { removeModelCommand } from './commands/remove-model';
import { scenariosCommand } from './commands/scenarios';
import { statusCommand } from './commands/status';
import { syncEnvCommand } from './commands/sync-env';
import { downloadCommand } from './commands/download';
import { pullCommand } from './commands/pull';
import { downCommand, upCommand } from './commands/up-down';
import type { CliIo, Command } from './io';
import { EXIT, printJson } from './io';

const COMMANDS: readonly Command[] = [initCommand, adoptCommand, scenariosCommand, planCommand, certsCommand, syncEnvCommand, upCommand, downCommand, pullCommand, downloadCommand, doctorCommand, chatCommand, hostsCommand, statusCommand, logsCommand, memoryCommand, addModelCommand, removeModelCommand, addScenarioCommand];
const GLOBAL_VALUES = ['--stack'];
const GLOBAL_FLAGS = ['--help', '-h', '--version'];

/** Where the stack bundled with the CLI lives: `dist/cli.js` → `../stack`. */
function bundledStack(): string {
  return path.resolve(__dirname, '..', 'stack');
}

function help(): string {
  const width = Math.max(...COMMANDS.map((c) => c.usage.length));
  return [
    'Usage: spark-gateway [--stack PATH] <command> [options]',
    '',
    'Runs several LLMs on a DGX Spark: vLLM model servers, a LiteLLM gateway and NGINX.',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.usage.padEnd(width)}  ${c.summary}`),
    '',
    'Options:',
    '  --stack PATH   the stack folder (default: ./stack or ./llms/vllm here; without one, commands that',
    '                 only read use the bundled stack, a read-only template, and the others refuse)',
    '  --help         show this help',
    '',
    'Exit codes: 0 success, 1 error, 2 the plan does not fit, 64 bad usage.',
    'With --json, an error is {"error": {"message", "fix", "file", "line"}} on stdout (same exit codes).',
    '',
  ].join('\n');
}

/** Runs the CLI with `argv` (without node and script) and returns the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const commandIndex = argv.findIndex((a, i) => !a.startsWith('-') && !GLOBAL_VALUES.includes(argv[i - 1] ?? ''));
    const globalArgs = parseArgs(commandIndex < 0 ? argv : argv.slice(0, commandIndex), { flags: GLOBAL_FLAGS, values: GLOBAL_VALUES });
    const commandName = commandIndex < 0 ? undefined : argv[commandIndex];
    if (commandName === undefined || globalArgs.flags.has('--help') || globalArgs.flags.has('-h')) {
      io.out(help());
      return commandName === undefined && !globalArgs.flags.has('--help') && !globalArgs.flags.has('-h') ? EXIT.usage : EXIT.ok;
    }
    const command = COMMANDS.find((c) => c.name === commandName);
    if (!command) throw new UsageError(`unknown command "${commandName}" (try --help)`);
    const rest = argv.slice(commandIndex + 1);
    if (rest.includes('--help') || rest.includes('-h')) {
      io.out(`Usage: spark-gateway ${command.usage}\n\n${command.summary}\n`);
      return EXIT.ok;
    }
    const args = parseArgs(rest, { flags: command.flags, values: [...command.values, ...GLOBAL_VALUES] });
    const given = args.values.get('--stack') ?? globalArgs.values.get('--stack') ?? io.env.SPARK_GATEWAY_STACK;
    // Relative to the folder the command runs in (tests and callers pass their own cwd).
    const explicit = given === undefined ? undefined : path.resolve(io.cwd, given);
    const bundled = io.bundledStack ?? bundledStack();
    const search: StackSearch = { explicit, folders: [io.cwd], bundled };
    let located: StackLocation | undefined;
    const location = () => (located ??= locateStack(search));
    const stackRoot = () => {
      const found = location();
      if (found.kind === 'adopt') throw new NeedsAdoptionError(found.root);
      return found.root;
    };
    let loaded: Promise<Stack> | undefined;
    const stack = () =>
      (loaded ??= loadStack(stackRoot(), location().source).then((s) => {
        if (s.template) io.err(`spark-gateway: no stack in this folder; reading the bundled stack (a read-only template at ${s.root}) — run \`spark-gateway init\` to create yours\n`);
        return s;
      }));
    return await command.run(args, { io, stack, stackRoot, location, search, bundledStack: bundled });
  } catch (error) {
    return report(error, io, argv.includes('--json'));
  }
}

/**
 * A failure as one line on stderr; with `--json`, as `{"error": {"message", "fix"?, "file"?,
 * "line"?}}` on stdout instead (where the caller reads the answer), with the same exit code.
 */
function report(error: unknown, io: CliIo, json: boolean): number {
  const code = error instanceof UsageError ? EXIT.usage : EXIT.error;
  // A raw errno from a read or a write outside the transactions: the cause in words, and its fix.
  const errno = !(error instanceof SparkError) && typeof (error as NodeJS.ErrnoException | undefined)?.code === 'string';
  const message = errno ? writeProblem(error) : error instanceof Error ? error.message : String(error);
  const fix = error instanceof SparkError ? error.fix : errno ? writeFix(error) : undefined;
  if (json) {
    const where = error instanceof FileFormatError ? { file: error.file, ...(error.line !== undefined ? { line: error.line } : {}) } : {};
    printJson(io, { error: { message, ...(fix ? { fix } : {}), ...where } });
  } else {
    io.err(`spark-gateway: ${message}${fix ? ` — ${fix}` : ''}\n`);
  }
  return code;
}

if (require.main === module) {
  // `spark-gateway status | head`: the reader went away; stop quietly as other Unix tools do.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
  void runCli(process.argv.slice(2), {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    cwd: process.cwd(),
    env: process.env,
    isTTY: process.stdout.isTTY === true,
  }).then((code) => {
    process.exitCode = code;
  });
}
