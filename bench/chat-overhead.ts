/**
 * Chat overhead (SPEC §7): time to first token and tokens per second for the same prompt
 * (a) straight to the simulator, (b) through LiteLLM, (c) through NGINX + LiteLLM, (d) through
 * the extension's gateway client (OpenAI SDK over the pinned TLS transport, via NGINX) — at
 * concurrency 1 and 32, in one run. Prints one JSON line, then a human summary.
 *
 *   npm run bench:chat            (BENCH_REQUESTS, BENCH_TOKENS, BENCH_PACE to change the load)
 *
 * (a)–(c) read the SSE stream with the same minimal reader over the same node:http(s) transport,
 * so their differences are the hops; (d) − (c) is what the client library itself adds. LiteLLM
 * caches identical requests in Redis, so each request's prompt ends in a unique number of the
 * same length (the simulator's answer has the same token count either way).
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { GatewayClient } from '../src/core/gateway/client';
import { createPinnedFetch } from '../src/core/gateway/transport';
import { loopbackConfig, startLiteLlm, startRedis } from '../test/support/gateway';
import { startGatewayNginx } from '../test/support/nginx';
import { startSimulator } from '../test/support/simulator';
import { copyStack } from '../test/support/stack-copy';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 32);
const TOKENS = Number(process.env.BENCH_TOKENS ?? 64);
const PACE = Number(process.env.BENCH_PACE ?? 200);
const CONCURRENCY = [1, 32] as const;
const PROMPT = 'Explain in a few words why unified memory matters for running several models';

interface Sample {
  readonly ttftMs: number;
  readonly tokensPerSecond: number;
  readonly text: string;
}

type Path = 'simulator' | 'litellm' | 'nginx+litellm' | 'client';

/** One streamed request: time to the first non-empty content delta, tokens after it per second. */
type Runner = (prompt: string) => Promise<Sample>;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function sample(started: number, first: number | undefined, ended: number, text: string): Sample {
  if (first === undefined) throw new Error('no content arrived');
  const tokens = text.trim().split(/\s+/).length;
  // Tokens after the first over the time they took: the pace of the stream, not of its start.
  return { ttftMs: first - started, tokensPerSecond: tokens > 1 ? (tokens - 1) / ((ended - first) / 1000) : 0, text };
}

/** A minimal SSE reader for (a)–(c): POST, split `data:` lines, pick `delta.content`. */
function rawRunner(baseUrl: string, key: string | undefined, fetch: ReturnType<typeof createPinnedFetch>['fetch']): Runner {
  return async (prompt) => {
    const started = performance.now();
    const response = await fetch(`${baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
      body: JSON.stringify({ model: 'gpt-oss-20b', stream: true, messages: [{ role: 'user', content: prompt }] }),
    });
    if (!response.ok || !response.body) throw new Error(`${response.status} ${await response.text()}`);
    let first: number | undefined;
    let text = '';
    let buffer = '';
    const decoder = new TextDecoder();
    for await (const bytes of response.body) {
      buffer += decoder.decode(bytes, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, end).trim();
        buffer = buffer.slice(end + 1);
        if (!line.startsWith('data:') || line === 'data: [DONE]') continue;
        const content = (JSON.parse(line.slice(5)) as { choices?: { delta?: { content?: string } }[] }).choices?.[0]?.delta?.content;
        if (content) {
          first ??= performance.now();
          text += content;
        }
      }
    }
    return sample(started, first, performance.now(), text);
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

type Cell = { ttftMs: number; tokensPerSecond: number; requests: number };

/**
 * Measures every path at one concurrency. The paths take turns — one batch of `concurrency`
 * requests each, round after round — so load from anything else on the machine falls on all of
 * them alike instead of on whichever path happened to run at that moment.
 */
async function measure(runners: Record<Path, Runner>, concurrency: number): Promise<Record<Path, Cell>> {
  const entries = Object.entries(runners) as [Path, Runner][];
  const samples = new Map<Path, Sample[]>(entries.map(([name]) => [name, []]));
  for (const [, run] of entries) for (let i = 0; i < 3; i++) await run(nextPrompt()); // warm-up: connections, LiteLLM's first-call paths
  const rounds = Math.max(3, Math.ceil(REQUESTS / concurrency));
  for (let round = 0; round < rounds; round++) {
    for (const [name, run] of entries) {
      const batch = await Promise.all(Array.from({ length: concurrency }, () => run(nextPrompt())));
      for (const s of batch) if (s.text.trim().split(/\s+/).length !== TOKENS) throw new Error(`${name}: an answer had the wrong length: ${s.text}`);
      samples.get(name)?.push(...batch);
    }
  }
  const round1 = (n: number) => Math.round(n * 10) / 10;
  return Object.fromEntries(entries.map(([name]) => {
    const list = samples.get(name) ?? [];
    return [name, { ttftMs: round1(median(list.map((s) => s.ttftMs))), tokensPerSecond: round1(median(list.map((s) => s.tokensPerSecond))), requests: list.length }];
  })) as Record<Path, Cell>;
}

async function main(): Promise<void> {
  const stack = copyStack({ certs: true });
  const stoppers: (() => Promise<unknown>)[] = [async () => stack.remove()];
  try {
    const sim = await startSimulator({ env: { SIM_TOKENS_PER_SECOND: String(PACE), SIM_RESPONSE_TOKENS: String(TOKENS), SIM_STATS_INTERVAL_SECONDS: '3600' }, flags: ['--max-num-seqs', '256'] });
    stoppers.unshift(() => sim.stop());
    const redis = await startRedis();
    stoppers.unshift(() => redis.stop());
    const key = /^LITELLM_MASTER_KEY=(.*)$/m.exec(readFileSync(path.join(stack.dir, '.env'), 'utf8'))?.[1]?.replace(/^"|"$/g, '');
    const work = path.join(path.dirname(stack.dir), 'bench');
    // Only gpt-oss-20b is measured; the other upstreams point at the same simulator so LiteLLM starts cleanly.
    const upstreams = new Map(['vllm-gpt-oss-20b', 'vllm-gpt-oss-120b', 'vllm-qwen-30b'].map((c) => [c, sim.url]));
    const litellm = await startLiteLlm(loopbackConfig(upstreams, work, stack.dir), redis.port, key);
    stoppers.unshift(() => litellm.stop());
    const nginx = await startGatewayNginx(stack.dir, path.join(work, 'nginx'), new URL(litellm.url).host);
    stoppers.unshift(() => nginx.stop());
    const ca = readFileSync(path.join(stack.dir, 'ssl', 'public.pem'), 'utf8');
    const nginxUrl = `https://localhost:${nginx.httpsPort}/v1`;
    const transport = createPinnedFetch({ ca, maxSockets: 64 });
    const client = new GatewayClient({ baseUrl: nginxUrl, key: litellm.masterKey, ca }, { maxSockets: 64 });
    stoppers.unshift(async () => {
      transport.dispose();
      client.dispose();
    });

    const runners: Record<Path, Runner> = {
      simulator: rawRunner(`${sim.url}/v1`, undefined, transport.fetch),
      litellm: rawRunner(`${litellm.url}/v1`, litellm.masterKey, transport.fetch),
      'nginx+litellm': rawRunner(nginxUrl, litellm.masterKey, transport.fetch),
      client: clientRunner(client),
    };
    const results: Record<string, Record<Path, Cell>> = {};
    for (const concurrency of CONCURRENCY) results[`c${concurrency}`] = await measure(runners, concurrency);
    const added = (row: Record<Path, { ttftMs: number }>) => ({
      litellmMs: Math.round((row.litellm.ttftMs - row.simulator.ttftMs) * 10) / 10,
      nginxMs: Math.round((row['nginx+litellm'].ttftMs - row.litellm.ttftMs) * 10) / 10,
      clientMs: Math.round((row.client.ttftMs - row['nginx+litellm'].ttftMs) * 10) / 10,
    });
    const summary = {
      bench: 'chat-overhead',
      settings: { model: 'gpt-oss-20b', tokensPerAnswer: TOKENS, simulatorTokensPerSecond: PACE, requestsPerCell: REQUESTS, concurrency: CONCURRENCY, cpus: (await import('node:os')).cpus().length },
      medians: results,
      ttftAddedMedianMs: Object.fromEntries(Object.entries(results).map(([c, row]) => [c, added(row)])),
    };
    console.log(JSON.stringify(summary));
    console.log('');
    console.log(`Chat overhead: ${TOKENS}-token answers at ${PACE} tokens/s from the simulator, medians of ${REQUESTS}+ requests per cell`);
    for (const [c, row] of Object.entries(results)) {
      console.log(`  concurrency ${c.slice(1)}:`);
      for (const [name, r] of Object.entries(row)) console.log(`    ${name.padEnd(14)} first token ${String(r.ttftMs).padStart(7)} ms   ${String(r.tokensPerSecond).padStart(6)} tokens/s   (${r.requests} requests)`);
      const a = added(row);
      console.log(`    added to the first token: LiteLLM ${a.litellmMs} ms, NGINX ${a.nginxMs} ms, the client ${a.clientMs} ms`);
    }
  } finally {
    for (const stop of stoppers) await stop().catch(() => undefined);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : String(error));
  process.exitCode = 1;
});
