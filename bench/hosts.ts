/**
 * Hosts (SPEC §7, issue [hosts]): tokens per second at concurrency 1, 32 and 64 for ONE model
 * replica against TWO replicas on two hosts behind the real LiteLLM, for the routing strategies
 * simple-shuffle and least-busy, side by side in one run. Prints one JSON line, then a summary
 * with the ratio two/one.
 *
 *   npm run bench:hosts          (as root, under the Docker lock; BENCH_ROUNDS, BENCH_TOKENS,
 *                                 BENCH_PACE, BENCH_SEQS change the load)
 *
 * The hosts are test/support/hosts-env.sh's two network namespaces, each with its own Docker
 * engine: one simulator container per host, published on the host's address (10.231.7.2/.3:18101),
 * paced alike — SIM_TOKENS_PER_SECOND per request and --max-num-seqs BENCH_SEQS running at once,
 * the rest waiting, so one replica has a fixed capacity (seqs x pace tokens/s) as a real box has.
 * THE SIMULATOR STANDS IN FOR vLLM: the absolute numbers are the simulator's pacing; what the
 * bench measures is what LiteLLM's router makes of a second replica (spread, queueing, its own
 * overhead). One LiteLLM per strategy serves two model names: `one` (the replica on sg-spark2)
 * and `two` (both replicas, one deployment per placement as the generated config has them).
 * The four paths take turns batch by batch, so other load on the machine falls on all alike.
 * tokensPerSecond is the aggregate: tokens received / wall time of the batches (the figure the
 * two-Spark measurements quote); perRequestTokensPerSecond and ttftMs are medians per request.
 * Traffic goes only to the namespace addresses and loopback.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parse, stringify } from 'yaml';
import { startLiteLlm, startRedis } from '../test/support/gateway';
import type { TestHost } from '../test/support/hosts';
import { setupHosts } from '../test/support/hosts';
import { STACK_DIR, answers, waitFor } from '../test/support/processes';
import { timedChatStream } from '../test/support/sse';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const TOKENS = Number(process.env.BENCH_TOKENS ?? 16);
const PACE = Number(process.env.BENCH_PACE ?? 20);
const SEQS = Number(process.env.BENCH_SEQS ?? 4);
const CONCURRENCY = [1, 32, 64] as const;
const STRATEGIES = ['simple-shuffle', 'least-busy'] as const;
const CONTAINER = 'sg-bench-hosts-sim';
const PORT = 18101;
const IMAGE = 'nvcr.io/nvidia/vllm:26.10-py3';

type Strategy = (typeof STRATEGIES)[number];
type Replicas = 'one' | 'two';

function engine(host: TestHost, args: readonly string[]): string {
  return execFileSync('docker', ['-H', `unix://${host.socket}`, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
}

function simUrl(host: TestHost): string {
  return `http://${host.address}:${PORT}`;
}

async function startReplica(host: TestHost): Promise<void> {
  engine(host, ['rm', '-f', CONTAINER]);
  engine(host, ['run', '-d', '--name', CONTAINER, '-p', `${host.address}:${PORT}:8000`,
    '-e', 'SIM_LOAD_SECONDS=0.2', '-e', `SIM_TOKENS_PER_SECOND=${PACE}`, '-e', `SIM_RESPONSE_TOKENS=${TOKENS}`, '-e', 'SIM_STATS_INTERVAL_SECONDS=3600',
    IMAGE, 'vllm', 'serve', 'openai/gpt-oss-20b', '--served-model-name', 'gpt-oss-20b', '--host', '0.0.0.0', '--port', '8000', '--max-num-seqs', String(SEQS)]);
  await waitFor(`the simulator on ${host.name}`, () => answers(`${simUrl(host)}/health`), 60_000, () => engine(host, ['logs', CONTAINER]));
}

async function simRequests(host: TestHost): Promise<number> {
  const stats = (await (await fetch(`${simUrl(host)}/sim/stats`)).json()) as { requests: number };
  return stats.requests;
}

/**
 * The stack's litellm/config.yaml with its model list replaced by `one` and `two` (each placement
 * a deployment, copied from the stack's gpt-oss-20b entry) and the strategy under test; no database.
 */
function benchConfig(dir: string, strategy: Strategy, hosts: readonly TestHost[]): string {
  const config = parse(readFileSync(path.join(STACK_DIR, 'litellm', 'config.yaml'), 'utf8')) as {
    model_list: { model_name: string; litellm_params: Record<string, unknown> }[];
    router_settings: Record<string, unknown>;
    general_settings: Record<string, unknown>;
  };
  const template = config.model_list.find((m) => m.model_name === 'gpt-oss-20b');
  if (!template) throw new Error('litellm/config.yaml has no gpt-oss-20b: update the bench');
  const deployment = (name: Replicas, host: TestHost) => ({ ...template, model_name: name, litellm_params: { ...template.litellm_params, api_base: `${simUrl(host)}/v1` } });
  const [first] = hosts as [TestHost];
  config.model_list = [deployment('one', first), ...hosts.map((host) => deployment('two', host))];
  config.router_settings = { ...config.router_settings, routing_strategy: strategy };
  delete config.general_settings.database_url;
  const file = path.join(dir, `config-${strategy}.yaml`);
  writeFileSync(file, stringify(config));
  return file;
}

interface Sample {
  readonly tokens: number;
  readonly ttftMs: number;
  readonly tokensPerSecond: number;
}

/** One streamed chat request through LiteLLM: counts content deltas (one per simulated token). */
async function stream(url: string, key: string, model: Replicas): Promise<Sample> {
  const { started, first, ended, text } = await timedChatStream(`${url}/v1/chat/completions`, { model, key, prompt: 'Say a few words about two Sparks', signal: AbortSignal.timeout(120_000) });
  const tokens = text.trim() === '' ? 0 : text.trim().split(/\s+/).length;
  if (first === undefined || tokens !== TOKENS) throw new Error(`an answer had ${tokens} tokens, not ${TOKENS}`);
  return { tokens, ttftMs: first - started, tokensPerSecond: tokens > 1 ? (tokens - 1) / ((ended - first) / 1000) : 0 };
}

interface Cell {
  tokensPerSecond: number;
  perRequestTokensPerSecond: number;
  ttftMs: number;
  requests: number;
  errors: number;
  /** Requests each replica's simulator counted during this cell (two replicas: the spread). */
  perReplica: Record<string, number>;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return 0;
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
const round1 = (n: number) => Math.round(n * 10) / 10;

async function main(): Promise<void> {
  const hosts = await setupHosts();
  const work = mkdtempSync(path.join(tmpdir(), 'spark-bench-hosts-'));
  const stoppers: (() => Promise<unknown>)[] = [async () => rmSync(work, { recursive: true, force: true }), async () => hosts.teardown()];
  try {
    for (const host of hosts.hosts) {
      await startReplica(host);
      stoppers.unshift(async () => engine(host, ['rm', '-f', CONTAINER]));
    }
    const redis = await startRedis();
    stoppers.unshift(() => redis.stop());
    const gateways = new Map<Strategy, { url: string; masterKey: string }>();
    for (const strategy of STRATEGIES) {
      const litellm = await startLiteLlm(benchConfig(work, strategy, hosts.hosts), redis.port);
      stoppers.unshift(() => litellm.stop());
      gateways.set(strategy, litellm);
    }
    const paths = STRATEGIES.flatMap((strategy) => (['one', 'two'] as const).map((replicas) => ({ strategy, replicas })));
    // Warm-up: connections and LiteLLM's first-call paths, on every path.
    for (const p of paths) {
      const g = gateways.get(p.strategy);
      if (g) for (let i = 0; i < 3; i++) await stream(g.url, g.masterKey, p.replicas);
    }

    const results: Record<string, Record<string, Cell>> = {};
    for (const concurrency of CONCURRENCY) {
      const acc = new Map(paths.map((p) => [`${p.strategy}/${p.replicas}`, { samples: [] as Sample[], wallMs: 0, errors: 0, perReplica: Object.fromEntries(hosts.hosts.map((h) => [h.name, 0])) as Record<string, number> }]));
      const rounds = concurrency === 1 ? ROUNDS * 3 : ROUNDS;
      for (let round = 0; round < rounds; round++) {
        for (const p of paths) {
          const g = gateways.get(p.strategy);
          const cell = acc.get(`${p.strategy}/${p.replicas}`);
          if (!g || !cell) continue;
          const before = await Promise.all(hosts.hosts.map(simRequests));
          const started = performance.now();
          const batch = await Promise.allSettled(Array.from({ length: concurrency }, () => stream(g.url, g.masterKey, p.replicas)));
          cell.wallMs += performance.now() - started;
          const afterCounts = await Promise.all(hosts.hosts.map(simRequests));
          hosts.hosts.forEach((h, i) => (cell.perReplica[h.name] = (cell.perReplica[h.name] ?? 0) + (afterCounts[i] ?? 0) - (before[i] ?? 0)));
          for (const r of batch) {
            if (r.status === 'fulfilled') cell.samples.push(r.value);
            else cell.errors++;
          }
        }
      }
      for (const [name, cell] of acc) {
        const tokens = cell.samples.reduce((sum, s) => sum + s.tokens, 0);
        (results[name] ??= {})[`c${concurrency}`] = {
          tokensPerSecond: round1(tokens / (cell.wallMs / 1000)),
          perRequestTokensPerSecond: round1(median(cell.samples.map((s) => s.tokensPerSecond))),
          ttftMs: round1(median(cell.samples.map((s) => s.ttftMs))),
          requests: cell.samples.length,
          errors: cell.errors,
          perReplica: cell.perReplica,
        };
      }
    }

    const ratio = Object.fromEntries(STRATEGIES.map((strategy) => [strategy, Object.fromEntries(CONCURRENCY.map((c) => {
      const one = results[`${strategy}/one`]?.[`c${c}`]?.tokensPerSecond ?? 0;
      const two = results[`${strategy}/two`]?.[`c${c}`]?.tokensPerSecond ?? 0;
      return [`c${c}`, one > 0 ? Math.round((two / one) * 100) / 100 : null];
    }))]));
    const line = { bench: 'hosts', settings: { tokens: TOKENS, pacePerRequest: PACE, maxNumSeqsPerReplica: SEQS, capacityPerReplica: PACE * SEQS, rounds: ROUNDS, hosts: hosts.hosts.map((h) => h.name) }, results, ratioTwoToOne: ratio };
    console.log(JSON.stringify(line));
    console.log('\nhosts bench (simulators on two namespace hosts behind LiteLLM; aggregate tokens/s, two/one):');
    for (const strategy of STRATEGIES) {
      for (const c of CONCURRENCY) {
        const one = results[`${strategy}/one`]?.[`c${c}`];
        const two = results[`${strategy}/two`]?.[`c${c}`];
        console.log(`  ${strategy.padEnd(15)} c=${String(c).padEnd(3)} one ${String(one?.tokensPerSecond).padStart(7)}  two ${String(two?.tokensPerSecond).padStart(7)}  ratio ${String(ratio[strategy]?.[`c${c}`])}  spread ${JSON.stringify(two?.perReplica)}  errors ${(one?.errors ?? 0) + (two?.errors ?? 0)}`);
      }
    }
  } finally {
    for (const stop of stoppers) await stop().catch((error: unknown) => console.error(`cleanup: ${String(error)}`));
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
