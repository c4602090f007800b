import { formatCheck } from '../../core/checks';
import { CancelledError } from '../../core/process/cancellation';
import { startScenario } from '../../core/lifecycle/scenario-start';
import { stopScenario } from '../../core/lifecycle/scenario-stop';
import type { Backend } from '../../core/preflight/preflight';
import { BACKENDS, onlyGatewayFailed } from '../../core/preflight/preflight';
import type { ComposeVariant } from '../../core/scenarios/file';
import { COMPOSE_VARIANTS } from '../../core/scenarios/file';
import { UsageError } from '../args';
import type { CliIo, Command } from '../io';
import { EXIT } from '../io';
import { progressLine } from '../progress-line';
import { totalBytesFrom } from './memory-total';

/** Ctrl-C cancels the running compose and the wait (the process tree is killed), once. */
export function interruptSignal(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onInt = () => controller.abort();
  process.once('SIGINT', onInt);
  return { signal: controller.signal, dispose: () => process.off('SIGINT', onInt) };
}

const composeSink = (io: CliIo) => (line: string) => io.out(`  | ${line}\n`);

export const upCommand: Command = {
  name: 'up',
  summary: 'start a scenario: pre-flight, models, health, LiteLLM, NGINX, end-to-end check',
  usage: 'up <scenario> [--variant spark|multi-gpu] [--backend vllm|simulator] [--models-only] [--total-gib N]',
  flags: ['--models-only'],
  values: ['--variant', '--backend', '--total-gib'],
  async run(args, { io, stack }) {
    const name = args.positionals[0];
    if (name === undefined || args.positionals.length > 1) throw new UsageError('up takes exactly one scenario name');
    const variant = args.values.get('--variant');
    if (variant !== undefined && !COMPOSE_VARIANTS.includes(variant as ComposeVariant)) throw new UsageError(`--variant must be ${COMPOSE_VARIANTS.join(' or ')}`);
    const backend = args.values.get('--backend') ?? io.env.SPARK_GATEWAY_BACKEND ?? 'vllm';
    if (!BACKENDS.includes(backend as Backend)) throw new UsageError(`--backend must be ${BACKENDS.join(' or ')}`);
    const loaded = await stack();
    const cancel = interruptSignal();
    const line = progressLine(io);
    try {
      const result = await startScenario({
        stack: loaded,
        scenario: name,
        variant: variant as ComposeVariant | undefined,
        backend: backend as Backend,
        modelsOnly: args.flags.has('--models-only'),
        totalBytes: args.values.has('--total-gib') ? await totalBytesFrom(args) : undefined,
        sink: (text) => {
          line.done();
          composeSink(io)(text);
        },
        cancellation: cancel.signal,
        env: io.env,
        onProgress: (p) => {
          // Bytes of a pull or download redraw one line; everything else is a line of its own.
          if (p.bytes) return line.update(p.bytes);
          line.done();
          io.out(`${p.phase === 'health' ? '  ' : '▶ '}${p.message}\n`);
        },
        // Before compose's output: all checks on a refusal, else the ones worth reading.
        onPreflight: (report) => {
          line.done();
          for (const check of report.checks.filter((c) => !report.ok || c.status !== 'ok')) io.out(`  ${formatCheck(check)}\n`);
          if (!report.ok && onlyGatewayFailed(report.checks)) io.out('  Only the gateway\'s checks failed: --models-only starts the model servers without it.\n');
        },
      });
      line.done();
      io.out(`${name} is up: ${result.models.join(', ')}${result.gatewayUrl ? ` behind ${result.gatewayUrl}` : ' (models only)'}\n`);
      return EXIT.ok;
    } catch (error) {
      line.done();
      if (error instanceof CancelledError) {
        io.err(`spark-gateway: cancelled; containers already started are left as they are — \`spark-gateway status\` shows them, \`spark-gateway down ${name}\` stops them\n`);
        return 130;
      }
      throw error;
    } finally {
      cancel.dispose();
    }
  },
};

export const downCommand: Command = {
  name: 'down',
  summary: "stop a scenario's models (and the gateway when no other model runs); no scenario: everything",
  usage: 'down [<scenario>]',
  flags: [],
  values: [],
  async run(args, { io, stack }) {
    if (args.positionals.length > 1) throw new UsageError('down takes at most one scenario name');
    const cancel = interruptSignal();
    try {
      const result = await stopScenario({ stack: await stack(), scenario: args.positionals[0], sink: composeSink(io), onProgress: (m) => io.out(`▶ ${m}\n`), cancellation: cancel.signal });
      io.out(result.stopped.length > 0 ? `Stopped ${result.stopped.join(', ')}.\n` : 'Nothing of it was running.\n');
      for (const probe of result.unreachable) io.err(`spark-gateway: host ${probe.host} was not reached, so what runs there still runs: ${probe.reason ?? ''} — ${probe.fix ?? ''}\n`);
      return result.unreachable.length > 0 ? EXIT.error : EXIT.ok;
    } finally {
      cancel.dispose();
    }
  },
};
