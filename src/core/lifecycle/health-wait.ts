/**
 * Waiting for services to become ready, with a progress line per service. A model is ready when
 * Docker's healthcheck says healthy or when it already answers `/health` on its published port —
 * the compose healthcheck only runs every 10 s, and making the user wait for the next tick adds
 * nothing. A container that exits, restarts or turns unhealthy fails the wait at once, with the
 * end of its log, instead of running into the timeout.
 */
import type { Cancellation } from '../process/cancellation';
import { CancelledError, isCancelled, onCancel } from '../process/cancellation';
import type { ContainerState, Engine } from '../compose/engine';
import { SparkError } from '../errors';
import { linesOfLatestStart, progressFromLog } from '../logs/vllm-progress';

export interface WaitTarget {
  /** The name the user knows (model or gateway service). */
  readonly name: string;
  readonly container: string;
  /** A URL that answers 2xx once the service is ready (optional shortcut to Docker's health). */
  readonly readyUrl?: string;
  /** The file that holds its command line (a model's compose file), named when vLLM refuses a flag. */
  readonly commandFile?: string;
}

export interface WaitOptions {
  readonly timeoutMs: number;
  readonly intervalMs?: number;
  readonly cancellation?: Cancellation;
  /** Called when a target's state line changes (e.g. "starting: Loading weights …"). */
  readonly onState?: (target: WaitTarget, state: string) => void;
}

/** A service failed to become ready; the message has its state and the end of its log. */
export class NotReadyError extends SparkError {}

/** Resolves when every target is ready; rejects with {@link NotReadyError} or {@link CancelledError}. */
export async function waitUntilReady(engine: Engine, targets: readonly WaitTarget[], options: WaitOptions): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  const pending = new Map(targets.map((t) => [t.container, t]));
  const last = new Map<string, string>();
  const restarts = new Map<string, number>();
  const report = (target: WaitTarget, state: string) => {
    if (last.get(target.container) === state) return;
    last.set(target.container, state);
    options.onState?.(target, state);
  };
  while (pending.size > 0) {
    if (isCancelled(options.cancellation)) throw new CancelledError('waiting for health cancelled');
    for (const target of [...pending.values()]) {
      const state = await engine.container(target.container);
      const verdict = await judge(target, state, restarts);
      if (verdict.failed) {
        const log = await engine.logTail(target.container, 15).catch(() => '');
        const refused = refusedArguments(log);
        if (refused !== undefined && target.commandFile) {
          throw new NotReadyError(`${target.name} (${target.container}): vLLM refused its command line: ${refused}; its log ends:\n${log}`, `Correct or remove that flag in ${target.commandFile} (the command: lines), then start again`);
        }
        throw new NotReadyError(`${target.name} (${target.container}) ${verdict.text}${log ? `; its log ends:\n${log}` : ''}`, `Look at its log: docker logs ${target.container}`);
      }
      if (verdict.ready) {
        report(target, 'healthy');
        pending.delete(target.container);
        continue;
      }
      report(target, verdict.text === 'starting' ? await loadingText(engine, target) : verdict.text);
    }
    if (pending.size === 0) break;
    if (Date.now() > deadline) {
      throw new NotReadyError(`not ready after ${Math.round(options.timeoutMs / 1000)} s: ${[...pending.values()].map((t) => `${t.name} (${last.get(t.container) ?? 'unknown'})`).join(', ')}`, 'Check `spark-gateway status` and the containers\' logs');
    }
    await sleep(options.intervalMs ?? 1000, options.cancellation);
  }
}

/** "loading: shard 3/7 (46%)" from the log, with the shared vLLM progress parser. */
async function loadingText(engine: Engine, target: WaitTarget): Promise<string> {
  const log = await engine.logTail(target.container, 200).catch(() => '');
  // Only the lines of the latest start (any vLLM version's start lines): a restart appends to the same log.
  const progress = progressFromLog(linesOfLatestStart(log.split('\n')));
  return `loading: ${progress.text} (${Math.round(progress.fraction * 100)}%)`;
}

async function judge(target: WaitTarget, state: ContainerState | undefined, restarts: Map<string, number>): Promise<{ ready: boolean; failed: boolean; text: string }> {
  if (!state) return { ready: false, failed: true, text: 'does not exist' };
  const first = restarts.get(target.container) ?? state.restartCount;
  restarts.set(target.container, first);
  if (state.status === 'exited' || state.status === 'dead') return { ready: false, failed: true, text: `exited (code ${state.exitCode})` };
  if (state.status === 'restarting' || state.restartCount > first) return { ready: false, failed: true, text: 'crashed and is restarting' };
  if (state.health === 'unhealthy') return { ready: false, failed: true, text: 'is unhealthy' };
  if (state.health === 'healthy') return { ready: true, failed: false, text: 'healthy' };
  if (state.status === 'running' && state.health === undefined && target.readyUrl === undefined) return { ready: true, failed: false, text: 'running' };
  if (state.status === 'running' && target.readyUrl && (await answers(target.readyUrl))) return { ready: true, failed: false, text: 'healthy' };
  return { ready: false, failed: false, text: state.status === 'running' ? 'starting' : state.status };
}

async function answers(url: string): Promise<boolean> {
  // A referenced timer of our own: AbortSignal.timeout's is unreferenced, and fetch's socket to a
  // port Docker publishes before the server listens may hold no handle, so Node would exit mid-wait.
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 2000);
  try {
    const response = await fetch(url, { signal: controller.signal });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

function sleep(ms: number, cancellation: Cancellation | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      detach();
      resolve();
    }, ms);
    const detach = onCancel(cancellation, () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/**
 * vLLM's own words when its argument parser refuses the command line (`vllm: error: unrecognized
 * arguments: --x`, `vllm serve: error: argument --y: invalid choice: …`): the process exits before
 * it logs anything else, so this line is the cause, not one among many. Undefined otherwise. Pure.
 */
export function refusedArguments(log: string): string | undefined {
  return /^(?:\(APIServer pid=\d+\) )?vllm(?: serve)?: error: (.+)$/m.exec(log)?.[1]?.trim();
}
