/**
 * Chat overhead (SPEC §7): time to first token and tokens per second for the same prompt
 * (a) straight to the simulator, (b) through LiteLLM, (c) through NGINX + LiteLLM, (d) through
 * the extension's gateway client (OpenAI SDK over the pinned TLS transport, via NGINX) — at
 * concurrency 1, 32 and 64, once per LiteLLM worker count (1 and this machine's cores). Then the
 * settings under question, each a LiteLLM (or NGINX) of its own measured in the same rounds as
 * the stack's config: pre-call checks off, the Redis cache always on (the stack's is opt-in) and
 * off, LITELLM_LOG=INFO, and NGINX with
 * a variable upstream (the re-resolving form older NGINX has, without a keepalive pool). Prints one JSON line, then a human
 * summary.
 *
 *   npm run bench:chat            (BENCH_REQUESTS, BENCH_TOKENS, BENCH_PACE to change the load;
 *                                  BENCH_WORKERS=1,4 for other worker counts; BENCH_SETTINGS=0 skips the settings)
 *
 * (a)–(c) read the SSE stream with the same minimal reader over the same node:http(s) transport,
 * so their differences are the hops; (d) − (c) is what the client library itself adds. A LiteLLM
 * with the cache always on answers identical requests from Redis, so each request's prompt ends
 * in a unique number of the same length (the simulator's answer has the same token count either
 * way). LiteLLM's own x-litellm-overhead-duration-ms is reported where it sends it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import { GatewayClient } from '../src/core/gateway/client';
import { createPinnedFetch } from '../src/core/gateway/transport';
import { loopbackConfig, startLiteLlm, startRedis } from '../test/support/gateway';
import { startGatewayNginx } from '../test/support/nginx';
import { timedChatStream } from '../test/support/sse';
import { startSimulator } from '../test/support/simulator';
import { copyStack } from '../test/support/stack-copy';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 32);
const TOKENS = Number(process.env.BENCH_TOKENS ?? 64);
const PACE = Number(process.env.BENCH_PACE ?? 200);
const CONCURRENCY = [1, 32, 64] as const;
const SETTINGS_CONCURRENCY = [1, 32] as const;
const WORKERS = [...new Set((process.env.BENCH_WORKERS ?? `1,${availableParallelism()}`).split(',').map(Number))];
const PROMPT = 'Explain in a few words why unified memory matters for running several models';

interface Sample {
  readonly ttftMs: number;
  readonly tokensPerSecond: number;
  readonly text: string;
  /** LiteLLM's own account of its time before the model's answer (x-litellm-overhead-duration-ms). */
  readonly litellmOverheadMs?: number;
}

type Path = string;

/** One streamed request: time to the first non-empty content delta, tokens after it per second. */
type Runner = (prompt: string) => Promise<Sample>;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function sample(started: number, first: number | undefined, ended: number, text: string, litellmOverheadMs?: number): Sample {
  if (first === undefined) throw new Error('no content arrived');
  const tokens = text.trim().split(/\s+/).length;
  // Tokens after the first over the time they took: the pace of the stream, not of its start.
  return { ttftMs: first - started, tokensPerSecond: tokens > 1 ? (tokens - 1) / ((ended - first) / 1000) : 0, text, ...(litellmOverheadMs !== undefined ? { litellmOverheadMs } : {}) };
}

/** A minimal SSE reader for (a)–(c): POST, split `data:` lines, pick `delta.content`. */
function rawRunner(baseUrl: string, key: string | undefined, fetch: ReturnType<typeof createPinnedFetch>['fetch']): Runner {
  return async (prompt) => {
    const { started, first, ended, text, headers } = await timedChatStream(`${baseUrl}/chat/completions`, { model: 'gpt-oss-20b', prompt, fetch, ...(key ? { key } : {}) });
    const overhead = Number(headers.get('x-litellm-overhead-duration-ms') ?? NaN);
    return sample(started, first, ended, text, Number.isFinite(overhead) ? overhead : undefined);
  };
}

function clientRunner(client: GatewayClient): Runner {
  return async (prompt) => {
    const started = performance.now();
    let first: number | undefined;
    let text = '';
    for await (const event of client.chat({ model: 'gpt-oss-20b', messages: [{ role: 'user', content: prompt }] })) {
      if (event.type === 'text' && event.text) {
        first ??= performance.now();
        text += event.text;
      }
    }
    return sample(started, first, performance.now(), text);
  };
}

let counter = 0;
/** The same prompt with a unique, fixed-width number (defeats LiteLLM's cache, keeps the length). */
const nextPrompt = () => `${PROMPT} ${String(++counter).padStart(8, '0')}`;
/** About 2,000 tokens: a chat with history or a pasted file, where per-prompt work (token counting) shows. */
const nextLongPrompt = () => `${`${PROMPT}. `.repeat(140)}${nextPrompt()}`;

type Cell = { ttftMs: number; tokensPerSecond: number; requests: number; litellmOverheadMs?: number; errors?: number; firstError?: string };

/**
 * Measures every path at one concurrency. The paths take turns — one batch of `concurrency`
 * requests each, round after round — so load from anything else on the machine falls on all of
 * them alike instead of on whichever path happened to run at that moment.
 */
async function measure(runners: Record<Path, Runner>, concurrency: number, prompt: () => string = nextPrompt): Promise<Record<Path, Cell>> {
  const entries = Object.entries(runners) as [Path, Runner][];
  const samples = new Map<Path, Sample[]>(entries.map(([name]) => [name, []]));
  // A failed request is counted and reported, not measured (and does not end the run).
  const errors = new Map<Path, string[]>(entries.map(([name]) => [name, []]));
  for (const [, run] of entries) for (let i = 0; i < 3; i++) await run(prompt()).catch(() => undefined); // warm-up: connections, LiteLLM's first-call paths
  const rounds = Math.max(3, Math.ceil(REQUESTS / concurrency));
  for (let round = 0; round < rounds; round++) {
    for (const [name, run] of entries) {
      const batch = await Promise.allSettled(Array.from({ length: concurrency }, () => run(prompt())));
      for (const result of batch) {
        if (result.status === 'rejected') {
          errors.get(name)?.push(result.reason instanceof Error ? result.reason.message.slice(0, 200) : String(result.reason));
          continue;
        }
        if (result.value.text.trim().split(/\s+/).length !== TOKENS) throw new Error(`${name}: an answer had the wrong length: ${result.value.text}`);
        samples.get(name)?.push(result.value);
      }
    }
  }
  return Object.fromEntries(entries.map(([name]) => {
    const list = samples.get(name) ?? [];
    const failed = errors.get(name) ?? [];
    const overheads = list.flatMap((s) => (s.litellmOverheadMs !== undefined ? [s.litellmOverheadMs] : []));
    return [name, {
      ttftMs: round1(median(list.map((s) => s.ttftMs))),
      tokensPerSecond: round1(median(list.map((s) => s.tokensPerSecond))),
      requests: list.length,
      ...(overheads.length ? { litellmOverheadMs: round1(median(overheads)) } : {}),
      ...(failed.length ? { errors: failed.length, firstError: failed[0] } : {}),
    }];
  })) as Record<Path, Cell>;
}

type Row = Record<string, Record<Path, Cell>>;

/** The stack's config.yaml with one setting changed, for a settings row; throws when the setting moved. */
function variant(config: string, name: string, from: RegExp, to: string): string {
  const text = readFileSync(config, 'utf8');
  if (!from.test(text)) throw new Error(`litellm/config.yaml no longer has ${from}: update the bench`);
  const file = config.replace(/\.yaml$/, `-${name}.yaml`);
  writeFileSync(file, text.replace(from, to));
  return file;
}

const round1 = (n: number) => Math.round(n * 10) / 10;

async function main(): Promise<void> {
  const stack = copyStack({ certs: true });
  const stoppers: (() => Promise<unknown>)[] = [async () => stack.remove()];
  // What one row starts (its LiteLLMs, NGINX, client), stopped before the next row starts.
  const rowStoppers: (() => Promise<unknown>)[] = [];
  const stopRow = async () => {
    for (const s of rowStoppers.splice(0)) await s().catch(() => undefined);
  };
  try {
    const sim = await startSimulator({ env: { SIM_TOKENS_PER_SECOND: String(PACE), SIM_RESPONSE_TOKENS: String(TOKENS), SIM_STATS_INTERVAL_SECONDS: '3600' }, flags: ['--max-num-seqs', '256'] });
    stoppers.unshift(() => sim.stop());
    const redis = await startRedis();
    stoppers.unshift(() => redis.stop());
    const key = /^LITELLM_MASTER_KEY=(.*)$/m.exec(readFileSync(path.join(stack.dir, '.env'), 'utf8'))?.[1]?.replace(/^"|"$/g, '');
    const work = path.join(path.dirname(stack.dir), 'bench');
    // Only gpt-oss-20b is measured; the other upstreams point at the same simulator so LiteLLM starts cleanly.
    const upstreams = new Map(['vllm-gpt-oss-20b', 'vllm-gpt-oss-120b', 'vllm-qwen-30b'].map((c) => [c, sim.url]));
    const config = loopbackConfig(upstreams, work, stack.dir);
    const ca = readFileSync(path.join(stack.dir, 'ssl', 'public.pem'), 'utf8');
    const transport = createPinnedFetch({ ca, maxSockets: 64 });
    // The simulator, Redis and the transport live for the whole run; each row adds its LiteLLM(s).
    stoppers.unshift(async () => transport.dispose());
    const simulator = rawRunner(`${sim.url}/v1`, undefined, transport.fetch);

    const workerRows: Record<string, Row> = {};
    for (const workers of WORKERS) {
      const litellm = await startLiteLlm(config, redis.port, key, workers);
      rowStoppers.unshift(() => litellm.stop());
      const nginx = await startGatewayNginx(stack.dir, path.join(work, `nginx-${workers}`), new URL(litellm.url).host);
      rowStoppers.unshift(() => nginx.stop());
      const nginxUrl = `https://localhost:${nginx.httpsPort}/v1`;
      const client = new GatewayClient({ baseUrl: nginxUrl, key: litellm.masterKey, ca }, { maxSockets: 64 });
      rowStoppers.unshift(async () => client.dispose());
      const runners: Record<Path, Runner> = {
        simulator,
        litellm: rawRunner(`${litellm.url}/v1`, litellm.masterKey, transport.fetch),
        'nginx+litellm': rawRunner(nginxUrl, litellm.masterKey, transport.fetch),
        client: clientRunner(client),
      };
      const row: Row = {};
      for (const concurrency of CONCURRENCY) row[`c${concurrency}`] = await measure(runners, concurrency);
      workerRows[`workers${workers}`] = row;
      await stopRow();
    }

    // Settings: the stack's config against one LiteLLM per changed setting, one worker each (the
    // cost per request, not the scaling), in the same rounds so machine load falls on all alike.
    let settingsRow: Row | undefined;
    if (process.env.BENCH_SETTINGS !== '0') {
      const configs: Record<string, { file: string; env?: NodeJS.ProcessEnv }> = {
        'litellm (stack config)': { file: config },
        'pre-call checks off': { file: variant(config, 'no-precall', /enable_pre_call_checks: true/, 'enable_pre_call_checks: false') },
        'cache always on': { file: variant(config, 'cache-always', /mode: default_off/, 'mode: default_on') },
        'cache off': { file: variant(config, 'no-cache', /^(\s*)cache: true$/m, '$1cache: false') },
        'LITELLM_LOG=INFO': { file: config, env: { LITELLM_LOG: 'INFO' } },
      };
      const runners: Record<Path, Runner> = { simulator };
      for (const [name, { file, env }] of Object.entries(configs)) {
        const litellm = await startLiteLlm(file, redis.port, key, 1, env);
        rowStoppers.unshift(() => litellm.stop());
        runners[name] = rawRunner(`${litellm.url}/v1`, litellm.masterKey, transport.fetch);
        if (file !== config || env) continue;
        // NGINX as the stack runs it (an upstream that re-resolves LiteLLM's name and keeps a
        // keepalive pool) against the form NGINX < 1.27.3 re-resolves with (proxy_pass with a
        // variable: a new upstream connection per request), both in front of this LiteLLM.
        for (const variable of [false, true]) {
          const nginx = await startGatewayNginx(stack.dir, path.join(work, `nginx-settings-${variable}`), new URL(litellm.url).host, undefined, variable);
          rowStoppers.unshift(() => nginx.stop());
          runners[variable ? 'nginx variable upstream' : 'nginx (stack config)'] = rawRunner(`https://localhost:${nginx.httpsPort}/v1`, litellm.masterKey, transport.fetch);
        }
      }
      settingsRow = {};
      for (const concurrency of SETTINGS_CONCURRENCY) settingsRow[`c${concurrency}`] = await measure(runners, concurrency);
      settingsRow['c1-long-prompt'] = await measure(runners, 1, nextLongPrompt);
      await stopRow();
    }

    const added = (row: Record<Path, Cell>) => ({
      litellmMs: round1((row.litellm?.ttftMs ?? 0) - (row.simulator?.ttftMs ?? 0)),
      nginxMs: round1((row['nginx+litellm']?.ttftMs ?? 0) - (row.litellm?.ttftMs ?? 0)),
      clientMs: round1((row.client?.ttftMs ?? 0) - (row['nginx+litellm']?.ttftMs ?? 0)),
    });
    const ratio = (row: Record<Path, Cell>) => Math.round(((row['nginx+litellm']?.tokensPerSecond ?? 0) / (row.simulator?.tokensPerSecond ?? 1)) * 1000) / 1000;
    const perRow = <T>(f: (cell: Record<Path, Cell>) => T) => Object.fromEntries(Object.entries(workerRows).map(([w, row]) => [w, Object.fromEntries(Object.entries(row).map(([c, cell]) => [c, f(cell)]))]));
    // Each variant against what it varies: LiteLLM settings against the stack's LiteLLM, the
    // variable upstream against the stack's NGINX.
    const baseOf = (name: string) => (name === 'nginx variable upstream' ? 'nginx (stack config)' : 'litellm (stack config)');
    const bases = new Set(['simulator', 'litellm (stack config)', 'nginx (stack config)']);
    const settingsCost = settingsRow && Object.fromEntries(Object.entries(settingsRow).map(([c, cell]) => {
      return [c, Object.fromEntries(Object.entries(cell).filter(([n]) => !bases.has(n)).map(([n, r]) => {
        const base = cell[baseOf(n)] as Cell;
        return [n, { ttftMs: round1(r.ttftMs - base.ttftMs), tokensPerSecond: round1(r.tokensPerSecond - base.tokensPerSecond), ...(r.litellmOverheadMs !== undefined && base.litellmOverheadMs !== undefined ? { litellmOverheadMs: round1(r.litellmOverheadMs - base.litellmOverheadMs) } : {}) }];
      }))];
    }));
    const summary = {
      bench: 'chat-overhead',
      settings: { model: 'gpt-oss-20b', tokensPerAnswer: TOKENS, simulatorTokensPerSecond: PACE, requestsPerCell: REQUESTS, concurrency: CONCURRENCY, workers: WORKERS, cpus: availableParallelism() },
      medians: workerRows,
      ttftAddedMedianMs: perRow(added),
      tokensPerSecondRatioNginxLitellmToDirect: perRow(ratio),
      ...(settingsRow ? { settingsMedians: settingsRow, settingsMinusStackConfig: settingsCost } : {}),
    };
    console.log(JSON.stringify(summary));
    console.log('');
    console.log(`Chat overhead: ${TOKENS}-token answers at ${PACE} tokens/s from the simulator, medians of ${REQUESTS}+ requests per cell, ${availableParallelism()} cores`);
    const print = (row: Record<Path, Cell>) => {
      for (const [name, r] of Object.entries(row)) console.log(`      ${name.padEnd(32)} first token ${String(r.ttftMs).padStart(7)} ms   ${String(r.tokensPerSecond).padStart(6)} tokens/s   (${r.requests} requests${r.errors ? `, ${r.errors} failed: ${r.firstError}` : ''})${r.litellmOverheadMs !== undefined ? `   LiteLLM's own overhead ${r.litellmOverheadMs} ms` : ''}`);
    };
    for (const [w, row] of Object.entries(workerRows)) {
      console.log(`  LiteLLM --num_workers ${w.slice('workers'.length)}:`);
      for (const [c, cell] of Object.entries(row)) {
        console.log(`    concurrency ${c.slice(1)}:`);
        print(cell);
        const a = added(cell);
        console.log(`      added to the first token: LiteLLM ${a.litellmMs} ms, NGINX ${a.nginxMs} ms, the client ${a.clientMs} ms; tokens/s NGINX+LiteLLM / direct: ${ratio(cell)}`);
      }
    }
    if (settingsRow && settingsCost) {
      console.log('  Settings (one LiteLLM worker each, same rounds; each variant minus the stack config it varies):');
      for (const [c, cell] of Object.entries(settingsRow)) {
        console.log(`    concurrency ${c.slice(1)}:`);
        print(cell);
        const signed = (n: number) => `${n >= 0 ? '+' : ''}${n}`;
        for (const [n, d] of Object.entries(settingsCost[c] ?? {})) console.log(`      ${n}: first token ${signed(d.ttftMs)} ms, ${signed(d.tokensPerSecond)} tokens/s${d.litellmOverheadMs !== undefined ? `, LiteLLM's own overhead ${signed(d.litellmOverheadMs)} ms` : ''}`);
      }
    }
  } finally {
    await stopRow();
    for (const s of stoppers) await s().catch(() => undefined);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : String(error));
  process.exitCode = 1;
});
