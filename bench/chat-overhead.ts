/**
 * Chat overhead (SPEC §7): time to first token and tokens per second for the same prompt
 * (a) straight to the simulator, (b) through LiteLLM, (c) through NGINX + LiteLLM, (d) through
 * the extension's gateway client (OpenAI SDK over the pinned TLS transport, via NGINX) — at
 * concurrency 1, 32 and 64, once per LiteLLM worker count (1 and this machine's cores). Then the
 * settings under question, each a LiteLLM (or NGINX) of its own measured in the same rounds as
 * the stack's config: pre-call checks off, the Redis cache always on (the stack's is opt-in) and
 * off, LITELLM_LOG=INFO, and NGINX with
 * a variable upstream (the re-resolving form older NGINX has, without a keepalive pool). Then the
 * real vLLM (its CPU build serving the tiny random-weight tiny-qwen3, test/support/real-vllm.ts)
 * as the backend of (a)–(c) at concurrency 1 and 8. Every cell also gives the CPU time each hop
 * spent per 1,000 streamed tokens (bench/hop-cpu.ts). Prints one JSON line, then a human
 * summary.
 *
 *   npm run bench:chat            (BENCH_REQUESTS, BENCH_TOKENS, BENCH_PACE to change the load;
 *                                  BENCH_WORKERS=1,4 for other worker counts; BENCH_SETTINGS=0 skips the settings;
 *                                  BENCH_BACKEND=simulator|vllm|both, default both where the real vLLM is
 *                                  installed; BENCH_VLLM_REQUESTS, BENCH_VLLM_WORKERS for its rows)
 *
 * (a)–(c) read the SSE stream with the same minimal reader over the same node:http(s) transport,
 * so their differences are the hops; (d) − (c) is what the client library itself adds. A LiteLLM
 * with the cache always on answers identical requests from Redis, so each request's prompt ends
 * in a unique number of the same length (the simulator's answer has the same token count either
 * way). LiteLLM's own x-litellm-overhead-duration-ms is reported where it sends it. The real
 * vLLM's random weights would stop anywhere and think at will, so its requests ask for exactly
 * BENCH_TOKENS tokens (`max_tokens`, `ignore_eos`, `enable_thinking: false`) and count them from
 * the usage chunk (`stream_options.include_usage`); (d) is left out there, the gateway client
 * sending none of those. CPU per hop is utime + stime from /proc of every process of the hop
 * (the model server's, LiteLLM's and NGINX's process trees) and process.cpuUsage() of this
 * process (the client), read around each batch and divided by the tokens the batch streamed.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import { GatewayClient } from '../src/core/gateway/client';
import type { FetchLike } from '../src/core/gateway/transport';
import { createPinnedFetch } from '../src/core/gateway/transport';
import { VLLM_VERSION } from '../src/core/models/vllm-registry';
import type { LiteLlm, Redis } from '../test/support/gateway';
import { loopbackConfig, startLiteLlm, startRedis } from '../test/support/gateway';
import type { GatewayNginx } from '../test/support/nginx';
import { startGatewayNginx } from '../test/support/nginx';
import { missingRealVllm, startRealVllm } from '../test/support/real-vllm';
import { sseChunks, timedChatStream } from '../test/support/sse';
import { startSimulator } from '../test/support/simulator';
import { copyStack } from '../test/support/stack-copy';
import { tinyModels } from '../test/support/tiny-models';
import type { Hop } from './hop-cpu';
import { CpuMeter, describeProcess, processesMatching, processTree } from './hop-cpu';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 32);
const TOKENS = Number(process.env.BENCH_TOKENS ?? 64);
const PACE = Number(process.env.BENCH_PACE ?? 200);
const CONCURRENCY = [1, 32, 64] as const;
const SETTINGS_CONCURRENCY = [1, 32] as const;
const WORKERS = [...new Set((process.env.BENCH_WORKERS ?? `1,${availableParallelism()}`).split(',').map(Number))];
/** The real vLLM's rows: fewer requests (its start, not its cells, is the long part), concurrency 1 and 8. */
const VLLM_REQUESTS = Number(process.env.BENCH_VLLM_REQUESTS ?? 32);
const VLLM_CONCURRENCY = [1, 8] as const;
/** One LiteLLM worker in front of the real vLLM: its CPU per token, the figure that carries over, does not depend on the worker count. */
const VLLM_WORKERS = Number(process.env.BENCH_VLLM_WORKERS ?? 1);
const PROMPT = 'Explain in a few words why unified memory matters for running several models';
/** The name every path asks for: the stack's LiteLLM routes it to vllm-gpt-oss-20b, here the simulator or the real vLLM. */
const MODEL = 'gpt-oss-20b';

interface Sample {
  readonly ttftMs: number;
  readonly tokensPerSecond: number;
  readonly text: string;
  /** Tokens of the answer by the server's usage chunk (the real vLLM); else the answer's words are its tokens (the simulator's). */
  readonly tokens?: number;
  readonly promptTokens?: number;
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

const words = (text: string) => text.trim().split(/\s+/).length;

function sample(started: number, first: number | undefined, ended: number, text: string, litellmOverheadMs?: number, usage?: { tokens: number; promptTokens: number }): Sample {
  if (first === undefined) throw new Error('no content arrived');
  const tokens = usage?.tokens ?? words(text);
  // Tokens after the first over the time they took: the pace of the stream, not of its start.
  return {
    ttftMs: first - started, tokensPerSecond: tokens > 1 ? (tokens - 1) / ((ended - first) / 1000) : 0, text,
    ...(usage ? { tokens: usage.tokens, promptTokens: usage.promptTokens } : {}),
    ...(litellmOverheadMs !== undefined ? { litellmOverheadMs } : {}),
  };
}

const litellmOverhead = (headers: Headers) => {
  const overhead = Number(headers.get('x-litellm-overhead-duration-ms') ?? NaN);
  return Number.isFinite(overhead) ? overhead : undefined;
};

/** A minimal SSE reader for (a)–(c): POST, split `data:` lines, pick `delta.content`. */
function rawRunner(baseUrl: string, key: string | undefined, fetch: FetchLike): Runner {
  return async (prompt) => {
    const { started, first, ended, text, headers } = await timedChatStream(`${baseUrl}/chat/completions`, { model: MODEL, prompt, fetch, ...(key ? { key } : {}) });
    return sample(started, first, ended, text, litellmOverhead(headers));
  };
}

interface Chunk {
  choices?: { delta?: { content?: string | null; reasoning?: string | null; reasoning_content?: string | null } }[];
  usage?: { prompt_tokens?: number; completion_tokens?: number } | null;
}

/**
 * The same reader for the real vLLM's fixed-length answers: its random weights would stop at any
 * token and a Qwen3 template thinks by default, so the request asks for exactly TOKENS tokens with
 * thinking off, and the usage chunk counts them (a random token can end inside a character, and
 * vLLM then streams an empty delta, so the text's pieces are not its tokens). The first token is
 * the first delta with text, an answer's or (should the template think anyway) a reasoning one.
 */
function vllmRunner(baseUrl: string, key: string | undefined, fetch: FetchLike): Runner {
  return async (prompt) => {
    const started = performance.now();
    const response = await fetch(`${baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
      body: JSON.stringify({
        model: MODEL, stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: prompt }],
        max_tokens: TOKENS, ignore_eos: true, chat_template_kwargs: { enable_thinking: false },
      }),
    });
    if (!response.ok || !response.body) throw new Error(`${response.status} ${await response.text()}`);
    let first: number | undefined;
    let text = '';
    let usage: { tokens: number; promptTokens: number } | undefined;
    for await (const chunk of sseChunks<Chunk>(response.body)) {
      const delta = chunk.choices?.[0]?.delta;
      const piece = (delta?.content ?? '') + (delta?.reasoning ?? delta?.reasoning_content ?? '');
      if (piece) {
        first ??= performance.now();
        text += piece;
      }
      if (chunk.usage?.completion_tokens !== undefined) usage = { tokens: chunk.usage.completion_tokens, promptTokens: chunk.usage.prompt_tokens ?? 0 };
    }
    if (!usage) throw new Error('the stream had no usage chunk');
    return sample(started, first, performance.now(), text, litellmOverhead(response.headers), usage);
  };
}

function clientRunner(client: GatewayClient): Runner {
  return async (prompt) => {
    const started = performance.now();
    let first: number | undefined;
    let text = '';
    for await (const event of client.chat({ model: MODEL, messages: [{ role: 'user', content: prompt }] })) {
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

type Cell = {
  ttftMs: number;
  tokensPerSecond: number;
  requests: number;
  /** Tokens the batches of `concurrency` requests streamed per second of their wall time (median over batches). */
  aggregateTokensPerSecond?: number;
  /** CPU milliseconds per 1,000 streamed tokens of each hop on the path, `client` (this process) and their `total`. */
  cpuMsPer1kTokens?: Record<string, number>;
  litellmOverheadMs?: number;
  errors?: number;
  firstError?: string;
};

/** The hops whose CPU is counted, and which of them each path goes through (`client` is always counted). */
interface CpuPlan {
  readonly hops: readonly Hop[];
  readonly onPath: Readonly<Record<Path, readonly string[]>>;
}

/**
 * Measures every path at one concurrency. The paths take turns — one batch of `concurrency`
 * requests each, round after round — so load from anything else on the machine falls on all of
 * them alike instead of on whichever path happened to run at that moment. With `cpu`, each
 * batch's CPU per hop is added to its path's account (the hops' process lists are read once,
 * after the warm-up).
 */
async function measure(runners: Record<Path, Runner>, concurrency: number, options: { prompt?: () => string; requests?: number; cpu?: CpuPlan } = {}): Promise<Record<Path, Cell>> {
  const prompt = options.prompt ?? nextPrompt;
  const entries = Object.entries(runners) as [Path, Runner][];
  const samples = new Map<Path, Sample[]>(entries.map(([name]) => [name, []]));
  // A failed request is counted and reported, not measured (and does not end the run).
  const errors = new Map<Path, string[]>(entries.map(([name]) => [name, []]));
  const tokens = new Map<Path, number>(entries.map(([name]) => [name, 0]));
  const aggregate = new Map<Path, number[]>(entries.map(([name]) => [name, []]));
  const cpuMs = new Map<Path, Record<string, number>>(entries.map(([name]) => [name, {}]));
  for (const [, run] of entries) for (let i = 0; i < 3; i++) await run(prompt()).catch(() => undefined); // warm-up: connections, LiteLLM's first-call paths
  const meter = options.cpu && new CpuMeter(options.cpu.hops);
  const rounds = Math.max(3, Math.ceil((options.requests ?? REQUESTS) / concurrency));
  for (let round = 0; round < rounds; round++) {
    for (const [name, run] of entries) {
      const mark = meter?.begin();
      const t0 = performance.now();
      const batch = await Promise.allSettled(Array.from({ length: concurrency }, () => run(prompt())));
      const wallMs = performance.now() - t0;
      const spent = meter && mark ? meter.end(mark) : {};
      const account = cpuMs.get(name) ?? {};
      for (const [hop, ms] of Object.entries(spent)) account[hop] = (account[hop] ?? 0) + ms;
      let batchTokens = 0;
      for (const result of batch) {
        if (result.status === 'rejected') {
          errors.get(name)?.push(result.reason instanceof Error ? result.reason.message.slice(0, 200) : String(result.reason));
          continue;
        }
        const n = result.value.tokens ?? words(result.value.text);
        if (n !== TOKENS) throw new Error(`${name}: an answer had ${n} tokens instead of ${TOKENS}: ${result.value.text}`);
        batchTokens += n;
        samples.get(name)?.push(result.value);
      }
      tokens.set(name, (tokens.get(name) ?? 0) + batchTokens);
      aggregate.get(name)?.push(batchTokens / (wallMs / 1000));
    }
  }
  return Object.fromEntries(entries.map(([name]) => {
    const list = samples.get(name) ?? [];
    const failed = errors.get(name) ?? [];
    const overheads = list.flatMap((s) => (s.litellmOverheadMs !== undefined ? [s.litellmOverheadMs] : []));
    const streamed = tokens.get(name) ?? 0;
    let cpu: Record<string, number> | undefined;
    if (options.cpu && streamed > 0) {
      const account = cpuMs.get(name) ?? {};
      const hops = [...(options.cpu.onPath[name] ?? []), 'client'];
      cpu = Object.fromEntries(hops.map((hop) => [hop, round1(((account[hop] ?? 0) * 1000) / streamed)]));
      cpu.total = round1((hops.reduce((sum, hop) => sum + (account[hop] ?? 0), 0) * 1000) / streamed);
    }
    return [name, {
      ttftMs: round1(median(list.map((s) => s.ttftMs))),
      tokensPerSecond: round1(median(list.map((s) => s.tokensPerSecond))),
      requests: list.length,
      aggregateTokensPerSecond: round1(median(aggregate.get(name) ?? [])),
      ...(cpu ? { cpuMsPer1kTokens: cpu } : {}),
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

/** The hops of a gateway in front of `upstream`: LiteLLM's tree, the Redis it uses, NGINX's master and workers. */
function gatewayHops(litellm: LiteLlm, redis: Redis, nginx: GatewayNginx): Hop[] {
  const root = (running: { child: { pid?: number } }) => running.child.pid ?? -1;
  return [
    { name: 'litellm', pids: () => processTree(root(litellm.process)) },
    { name: 'redis', pids: () => processesMatching((cmd) => cmd.startsWith('redis-server') && cmd.endsWith(`:${redis.port}`)) },
    { name: 'nginx', pids: () => processTree(root(nginx.process)) },
  ];
}

/** Which hops each path goes through, its upstream's hops first. */
function pathsThrough(direct: Path, upstream: readonly string[], extra: readonly Path[] = []): Record<Path, readonly string[]> {
  const viaNginx = [...upstream, 'litellm', 'redis', 'nginx'];
  return { [direct]: upstream, litellm: [...upstream, 'litellm', 'redis'], 'nginx+litellm': viaNginx, ...Object.fromEntries(extra.map((p) => [p, viaNginx])) };
}

const added = (row: Record<Path, Cell>, direct = 'simulator') => ({
  litellmMs: round1((row.litellm?.ttftMs ?? 0) - (row[direct]?.ttftMs ?? 0)),
  nginxMs: round1((row['nginx+litellm']?.ttftMs ?? 0) - (row.litellm?.ttftMs ?? 0)),
  ...(row.client ? { clientMs: round1((row.client.ttftMs ?? 0) - (row['nginx+litellm']?.ttftMs ?? 0)) } : {}),
});
const ratio = (row: Record<Path, Cell>, direct = 'simulator') => Math.round(((row['nginx+litellm']?.tokensPerSecond ?? 0) / (row[direct]?.tokensPerSecond ?? 1)) * 1000) / 1000;

function printCell(row: Record<Path, Cell>): void {
  for (const [name, r] of Object.entries(row)) {
    console.log(`      ${name.padEnd(32)} first token ${String(r.ttftMs).padStart(7)} ms   ${String(r.tokensPerSecond).padStart(6)} tokens/s   (${r.requests} requests${r.errors ? `, ${r.errors} failed: ${r.firstError}` : ''})${r.litellmOverheadMs !== undefined ? `   LiteLLM's own overhead ${r.litellmOverheadMs} ms` : ''}`);
    if (r.cpuMsPer1kTokens) console.log(`      ${''.padEnd(32)} CPU ms per 1,000 tokens: ${Object.entries(r.cpuMsPer1kTokens).map(([hop, ms]) => `${hop} ${ms}`).join(', ')}; ${r.aggregateTokensPerSecond} tokens/s per batch`);
  }
}

/** What the run shares: the stack copy, Redis, the pinned transport; and what one row started, stopped before the next. */
interface Context {
  readonly stackDir: string;
  readonly work: string;
  readonly key: string | undefined;
  readonly redis: Redis;
  readonly transport: ReturnType<typeof createPinnedFetch>;
  readonly ca: string;
  readonly rowStoppers: (() => Promise<unknown>)[];
  stopRow(): Promise<void>;
  readonly stoppers: (() => Promise<unknown>)[];
}

/** A part of the run: its JSON fields and its human summary. */
interface Part {
  readonly json: Record<string, unknown>;
  print(): void;
}

async function simulatorPart(ctx: Context): Promise<Part> {
  const { stackDir, work, key, redis, transport, ca, rowStoppers } = ctx;
  const sim = await startSimulator({ env: { SIM_TOKENS_PER_SECOND: String(PACE), SIM_RESPONSE_TOKENS: String(TOKENS), SIM_STATS_INTERVAL_SECONDS: '3600' }, flags: ['--max-num-seqs', '256'] });
  ctx.stoppers.unshift(() => sim.stop());
  // Only gpt-oss-20b is measured; the other upstreams point at the same simulator so LiteLLM starts cleanly.
  const upstreams = new Map(['vllm-gpt-oss-20b', 'vllm-gpt-oss-120b', 'vllm-qwen-30b'].map((c) => [c, sim.url]));
  const config = loopbackConfig(upstreams, work, stackDir);
  const simulator = rawRunner(`${sim.url}/v1`, undefined, transport.fetch);
  const simHop: Hop = { name: 'simulator', pids: () => processTree(sim.child.pid ?? -1) };

  const workerRows: Record<string, Row> = {};
  for (const workers of WORKERS) {
    const litellm = await startLiteLlm(config, redis.port, key, workers);
    rowStoppers.unshift(() => litellm.stop());
    const nginx = await startGatewayNginx(stackDir, path.join(work, `nginx-${workers}`), new URL(litellm.url).host);
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
    const cpu: CpuPlan = { hops: [simHop, ...gatewayHops(litellm, redis, nginx)], onPath: pathsThrough('simulator', ['simulator'], ['client']) };
    const row: Row = {};
    for (const concurrency of CONCURRENCY) row[`c${concurrency}`] = await measure(runners, concurrency, { cpu });
    workerRows[`workers${workers}`] = row;
    await ctx.stopRow();
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
        const nginx = await startGatewayNginx(stackDir, path.join(work, `nginx-settings-${variable}`), new URL(litellm.url).host, undefined, variable);
        rowStoppers.unshift(() => nginx.stop());
        runners[variable ? 'nginx variable upstream' : 'nginx (stack config)'] = rawRunner(`https://localhost:${nginx.httpsPort}/v1`, litellm.masterKey, transport.fetch);
      }
    }
    settingsRow = {};
    for (const concurrency of SETTINGS_CONCURRENCY) settingsRow[`c${concurrency}`] = await measure(runners, concurrency);
    settingsRow['c1-long-prompt'] = await measure(runners, 1, { prompt: nextLongPrompt });
    await ctx.stopRow();
  }

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
  return {
    json: {
      medians: workerRows,
      ttftAddedMedianMs: perRow((cell) => added(cell)),
      tokensPerSecondRatioNginxLitellmToDirect: perRow((cell) => ratio(cell)),
      ...(settingsRow ? { settingsMedians: settingsRow, settingsMinusStackConfig: settingsCost } : {}),
    },
    print() {
      console.log(`Chat overhead: ${TOKENS}-token answers at ${PACE} tokens/s from the simulator, medians of ${REQUESTS}+ requests per cell, ${availableParallelism()} cores`);
      for (const [w, row] of Object.entries(workerRows)) {
        console.log(`  LiteLLM --num_workers ${w.slice('workers'.length)}:`);
        for (const [c, cell] of Object.entries(row)) {
          console.log(`    concurrency ${c.slice(1)}:`);
          printCell(cell);
          const a = added(cell);
          console.log(`      added to the first token: LiteLLM ${a.litellmMs} ms, NGINX ${a.nginxMs} ms, the client ${a.clientMs} ms; tokens/s NGINX+LiteLLM / direct: ${ratio(cell)}`);
        }
      }
      if (settingsRow && settingsCost) {
        console.log('  Settings (one LiteLLM worker each, same rounds; each variant minus the stack config it varies):');
        for (const [c, cell] of Object.entries(settingsRow)) {
          console.log(`    concurrency ${c.slice(1)}:`);
          printCell(cell);
          const signed = (n: number) => `${n >= 0 ? '+' : ''}${n}`;
          for (const [n, d] of Object.entries(settingsCost[c] ?? {})) console.log(`      ${n}: first token ${signed(d.ttftMs)} ms, ${signed(d.tokensPerSecond)} tokens/s${d.litellmOverheadMs !== undefined ? `, LiteLLM's own overhead ${signed(d.litellmOverheadMs)} ms` : ''}`);
        }
      }
    },
  };
}

/**
 * The real vLLM behind the same gateway: tiny-qwen3 served under the name LiteLLM routes
 * (gpt-oss-20b), eager (no torch.compile: a faster start, and the engine's CPU does not carry
 * over anyway), one LiteLLM and NGINX of its own. Its API server (HTTP, tokenizing, detokenizing,
 * SSE) and its engine (scheduler and, on this CPU build, the model itself) are separate hops.
 */
async function vllmPart(ctx: Context): Promise<Part> {
  const { stackDir, work, key, redis, transport, rowStoppers } = ctx;
  const t0 = Date.now();
  const models = await tinyModels();
  const model = models.models.find((m) => m.name === 'tiny-qwen3');
  if (!model) throw new Error(`no tiny-qwen3 in ${models.dir}/manifest.json`);
  // Keep-alive as long as the run: the paths take turns, so a path's connections sit idle while
  // the others' batches run, longer than vLLM's 5 s default, and a request sent on a connection
  // the server is closing that moment fails (ECONNRESET) instead of being measured.
  const vllm = await startRealVllm(models, model, { extraArgs: ['--enforce-eager', '--served-model-name', MODEL], env: { VLLM_HTTP_TIMEOUT_KEEP_ALIVE: '3600' } });
  rowStoppers.unshift(() => vllm.stop());
  const dir = path.join(work, 'vllm');
  const config = loopbackConfig(new Map(['vllm-gpt-oss-20b', 'vllm-gpt-oss-120b', 'vllm-qwen-30b'].map((c) => [c, vllm.url])), dir, stackDir);
  const litellm = await startLiteLlm(config, redis.port, key, VLLM_WORKERS);
  rowStoppers.unshift(() => litellm.stop());
  const nginx = await startGatewayNginx(stackDir, path.join(dir, 'nginx'), new URL(litellm.url).host);
  rowStoppers.unshift(() => nginx.stop());
  const runners: Record<Path, Runner> = {
    vllm: vllmRunner(`${vllm.url}/v1`, undefined, transport.fetch),
    litellm: vllmRunner(`${litellm.url}/v1`, litellm.masterKey, transport.fetch),
    'nginx+litellm': vllmRunner(`https://localhost:${nginx.httpsPort}/v1`, litellm.masterKey, transport.fetch),
  };
  // LiteLLM must pass the template's arguments on: without enable_thinking: false the prompt
  // would not end in an empty <think></think>, would count other tokens, and the answer would be
  // reasoning; the same prompt on every path must count the same tokens.
  const prompt = nextPrompt();
  const prompts: Record<Path, number | undefined> = {};
  for (const [name, run] of Object.entries(runners)) prompts[name] = (await run(prompt)).promptTokens;
  if (new Set(Object.values(prompts)).size !== 1) throw new Error(`the paths' prompts differ in tokens (${JSON.stringify(prompts)}): a hop dropped chat_template_kwargs`);
  const api = vllm.child.pid ?? -1;
  const vllmHops: Hop[] = [
    { name: 'vllm api server', pids: () => [api] },
    { name: 'vllm engine', pids: () => processTree(api).slice(1) },
  ];
  const cpu: CpuPlan = { hops: [...vllmHops, ...gatewayHops(litellm, redis, nginx)], onPath: pathsThrough('vllm', vllmHops.map((h) => h.name)) };
  const row: Row = {};
  for (const concurrency of VLLM_CONCURRENCY) row[`c${concurrency}`] = await measure(runners, concurrency, { requests: VLLM_REQUESTS, cpu });
  // Each process and the CPUs it may run on: on this CPU build the worker's threads are bound to cores of their own.
  const processes = processTree(api).map(describeProcess);
  await ctx.stopRow();
  const settings = {
    model: `${model.name} (random weights, ${model.parameters} parameters) served as ${MODEL}`, vllmVersion: VLLM_VERSION, flags: ['--enforce-eager', '--max-model-len', '1024', ...model.vllmArgs],
    tokensPerAnswer: TOKENS, promptTokens: prompts.vllm, tokenCount: 'usage chunk (stream_options.include_usage): completion_tokens', request: { max_tokens: TOKENS, ignore_eos: true, chat_template_kwargs: { enable_thinking: false } },
    requestsPerCell: VLLM_REQUESTS, concurrency: VLLM_CONCURRENCY, litellmWorkers: VLLM_WORKERS, vllmProcesses: processes, startSeconds: round1(vllm.startSeconds), seconds: Math.round((Date.now() - t0) / 1000),
  };
  return {
    json: {
      vllm: {
        settings,
        medians: row,
        ttftAddedMedianMs: Object.fromEntries(Object.entries(row).map(([c, cell]) => [c, added(cell, 'vllm')])),
        tokensPerSecondRatioNginxLitellmToDirect: Object.fromEntries(Object.entries(row).map(([c, cell]) => [c, ratio(cell, 'vllm')])),
      },
    },
    print() {
      console.log(`Real vLLM ${VLLM_VERSION} (CPU build) serving ${model.name} as ${MODEL}: ${TOKENS}-token answers, medians of ${VLLM_REQUESTS}+ requests per cell, LiteLLM --num_workers ${VLLM_WORKERS}, started in ${round1(vllm.startSeconds)} s`);
      for (const [c, cell] of Object.entries(row)) {
        console.log(`    concurrency ${c.slice(1)}:`);
        printCell(cell);
        const a = added(cell, 'vllm');
        console.log(`      added to the first token: LiteLLM ${a.litellmMs} ms, NGINX ${a.nginxMs} ms; tokens/s NGINX+LiteLLM / direct: ${ratio(cell, 'vllm')}`);
      }
    },
  };
}

/** simulator, vllm or both: BENCH_BACKEND, else both where the real vLLM is installed. */
function backends(): ('simulator' | 'vllm')[] {
  const asked = process.env.BENCH_BACKEND;
  if (asked === 'simulator' || asked === 'vllm') return [asked];
  if (asked === 'both') return ['simulator', 'vllm'];
  if (asked !== undefined) throw new Error(`BENCH_BACKEND=${asked}: simulator, vllm or both`);
  const missing = missingRealVllm();
  if (missing) console.error(`bench:chat: the simulator only: ${missing}`);
  return missing ? ['simulator'] : ['simulator', 'vllm'];
}

async function main(): Promise<void> {
  const chosen = backends();
  const started = Date.now();
  const stack = copyStack({ certs: true });
  const stoppers: (() => Promise<unknown>)[] = [async () => stack.remove()];
  // What one row starts (its LiteLLMs, NGINX, client, vLLM), stopped before the next row starts.
  const rowStoppers: (() => Promise<unknown>)[] = [];
  const stopRow = async () => {
    for (const s of rowStoppers.splice(0)) await s().catch(() => undefined);
  };
  try {
    const redis = await startRedis();
    stoppers.unshift(() => redis.stop());
    const key = /^LITELLM_MASTER_KEY=(.*)$/m.exec(readFileSync(path.join(stack.dir, '.env'), 'utf8'))?.[1]?.replace(/^"|"$/g, '');
    const ca = readFileSync(path.join(stack.dir, 'ssl', 'public.pem'), 'utf8');
    const transport = createPinnedFetch({ ca, maxSockets: 64 });
    // Redis and the transport live for the whole run; each row adds its servers.
    stoppers.unshift(async () => transport.dispose());
    const ctx: Context = { stackDir: stack.dir, work: path.join(path.dirname(stack.dir), 'bench'), key, redis, transport, ca, rowStoppers, stopRow, stoppers };
    const parts: Part[] = [];
    // The simulator's rows first: the real vLLM (about 3 GB, and the cores while it answers) is not running then.
    if (chosen.includes('simulator')) parts.push(await simulatorPart(ctx));
    if (chosen.includes('vllm')) parts.push(await vllmPart(ctx));
    const summary = {
      bench: 'chat-overhead',
      settings: { model: MODEL, tokensPerAnswer: TOKENS, simulatorTokensPerSecond: PACE, requestsPerCell: REQUESTS, concurrency: CONCURRENCY, workers: WORKERS, cpus: availableParallelism() },
      backends: chosen,
      ...Object.assign({}, ...parts.map((p) => p.json)) as Record<string, unknown>,
      seconds: Math.round((Date.now() - started) / 1000),
    };
    console.log(JSON.stringify(summary));
    for (const part of parts) {
      console.log('');
      part.print();
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
