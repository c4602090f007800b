/**
 * Freshness (SPEC §7): how long after a Docker event (container stopped, started) the state model —
 * and with it the Servers tree, which redraws synchronously on the model's change event — shows
 * the new state; side by side with the `docker events` CLI reading the same events in the same
 * run. Then the Docker API requests per minute the model makes while nothing happens. Prints one
 * JSON line, then a human summary.
 *
 *   npm run bench:freshness     (BENCH_RUNS stop/start pairs, default 10; BENCH_IDLE_SECONDS, default 60)
 *
 * Needs Docker and the simulator image. It creates and removes the container vllm-gpt-oss-20b
 * (by `docker run`, like a user starting it by hand), so run it under the Docker lock.
 */
import { execFileSync, spawn } from 'node:child_process';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { createDockerClient } from '../src/core/docker/client';
import { serviceRows } from '../src/core/stack/services';
import { loadStack } from '../src/core/stack/discovery';
import { StackStateModel } from '../src/core/state/stack-state';
import type { ServiceState } from '../src/core/state/service-state';

const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 60);
const CONTAINER = 'vllm-gpt-oss-20b';
const REPO = path.resolve(__dirname, '..', '..');

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length === 0 ? NaN : sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function docker(...args: string[]): string {
  return execFileSync('docker', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

const round = (ms: number) => Math.round(ms * 10) / 10;

async function main(): Promise<void> {
  execFileSync('bash', [path.join(REPO, 'simulator', 'build-image.sh')], { stdio: 'pipe' });
  try {
    docker('rm', '-f', CONTAINER);
  } catch {
    // not there
  }
  docker('run', '-d', '--name', CONTAINER, '-e', 'SIM_LOAD_SECONDS=0.2', 'nvcr.io/nvidia/vllm:26.10-py3', 'vllm', 'serve', 'openai/gpt-oss-20b', '--served-model-name', 'gpt-oss-20b');

  const stack = await loadStack(path.join(REPO, 'stack'));
  // Which requests the model makes while idle, by path (the number alone would not say why).
  const idleTally: Record<string, number> = {};
  let tallying = false;
  const client = createDockerClient(process.env, {
    onRequest: (method, requestPath) => {
      if (!tallying) return;
      const key = `${method} ${requestPath.replace(/[0-9a-f]{64}|vllm-[\w.-]+/g, '<container>')}`;
      idleTally[key] = (idleTally[key] ?? 0) + 1;
    },
  });
  const model = new StackStateModel(serviceRows(stack), stack.root, client);
  model.start();
  await model.whenSynced();

  // The baseline: the docker CLI's own event stream, read line by line as it arrives.
  const cli = spawn('docker', ['events', '--filter', `container=${CONTAINER}`, '--filter', 'type=container', '--format', '{{json .}}'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const cliArrivals: { action: string; timeNano: bigint; at: number }[] = [];
  createInterface({ input: cli.stdout }).on('line', (line) => {
    const at = Date.now();
    const nano = /"timeNano":(\d+)/.exec(line)?.[1];
    const action = /"Action":"([^"]+)"/.exec(line)?.[1];
    if (nano && action) cliArrivals.push({ action, timeNano: BigInt(nano), at });
  });
  await new Promise((r) => setTimeout(r, 1000)); // let the CLI subscribe

  const modelMs: Record<'stop' | 'start', number[]> = { stop: [], start: [] };
  const cliMs: Record<'stop' | 'start', number[]> = { stop: [], start: [] };
  const stateOf = () => model.services.find((s) => s.name === 'gpt-oss-20b')?.state;
  const waitState = (accept: (s: ServiceState | undefined) => boolean) =>
    new Promise<number>((resolve) => {
      if (accept(stateOf())) return resolve(Date.now());
      const sub = model.onDidChange(() => {
        if (!accept(stateOf())) return;
        sub.dispose();
        resolve(Date.now());
      });
    });

  for (let run = 0; run < RUNS; run++) {
    for (const action of ['stop', 'start'] as const) {
      const from = cliArrivals.length;
      const seen = waitState(action === 'stop' ? (s) => s === 'exited' : (s) => s !== 'exited' && s !== undefined);
      docker(action, ...(action === 'stop' ? ['-t', '1'] : []), CONTAINER);
      const modelAt = await seen;
      // The event that made the state: `die` for a stop (the container is exited from then), `start`.
      const wanted = action === 'stop' ? 'die' : 'start';
      const deadline = Date.now() + 5000;
      while (!cliArrivals.slice(from).some((e) => e.action === wanted) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      const event = cliArrivals.slice(from).find((e) => e.action === wanted);
      if (!event) throw new Error(`docker events did not report ${wanted}`);
      const eventAt = Number(event.timeNano / 1_000_000n);
      modelMs[action].push(modelAt - eventAt);
      cliMs[action].push(event.at - eventAt);
      await new Promise((r) => setTimeout(r, 700)); // let the start-up settle before the next action
    }
  }

  // Idle: nothing changes; count every Engine API request the model makes (events stream included).
  const before = client.requestCount;
  tallying = true;
  await new Promise((r) => setTimeout(r, IDLE_SECONDS * 1000));
  const idleCallsPerMinute = ((client.requestCount - before) * 60) / IDLE_SECONDS;

  cli.kill();
  model.dispose();
  docker('rm', '-f', CONTAINER);

  const result = {
    bench: 'freshness',
    runs: RUNS,
    medianMs: {
      modelAfterStop: round(median(modelMs.stop)),
      modelAfterStart: round(median(modelMs.start)),
      dockerEventsCliAfterStop: round(median(cliMs.stop)),
      dockerEventsCliAfterStart: round(median(cliMs.start)),
    },
    maxMs: { model: round(Math.max(...modelMs.stop, ...modelMs.start)), dockerEventsCli: round(Math.max(...cliMs.stop, ...cliMs.start)) },
    idle: { seconds: IDLE_SECONDS, dockerApiCallsPerMinute: round(idleCallsPerMinute), requests: idleTally, dockerEventsCliCallsPerMinute: 0 },
    batching: { leadingMs: 15, windowMs: 200 },
  };
  console.log(JSON.stringify(result));
  console.log(`
Freshness over ${RUNS} stop/start pairs of ${CONTAINER} (median, from the event's own Docker timestamp):
  state model (= tree redraw)  stop → exited   ${result.medianMs.modelAfterStop} ms   start → running/loading  ${result.medianMs.modelAfterStart} ms
  docker events CLI            'die' line      ${result.medianMs.dockerEventsCliAfterStop} ms   'start' line             ${result.medianMs.dockerEventsCliAfterStart} ms
  The model shows what the event says on arrival; a 15 ms batching window and one inspect then fill in the rest.
Idle: ${result.idle.dockerApiCallsPerMinute} Docker API calls per minute over ${IDLE_SECONDS} s (the open event stream, plus one list a minute as a safety net);
  a 1 s poller would make 60+, the docker events CLI holds one stream.`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
