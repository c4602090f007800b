/**
 * The gateway client against the real path: the stack's NGINX config on the host NGINX with the
 * certificate from the stack's certs.sh, in front of the real LiteLLM with the stack's config.yaml
 * (upstreams pointed at simulators on loopback). The client finds URL, key and certificate in a
 * copy of the stack prepared by its own scripts, as it does on a Spark.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CancelledError } from '../../src/core/process/cancellation';
import { GatewayClient } from '../../src/core/gateway/client';
import type { GatewayConfig } from '../../src/core/gateway/config';
import { resolveGatewayConfig } from '../../src/core/gateway/config';
import { BadKeyError, GatewayDownError, GatewayTrustError, ModelNotLoadedError } from '../../src/core/gateway/errors';
import type { ChatEvent } from '../../src/core/gateway/stream';
import { missing } from '../support/components';
import type { LiteLlm, Redis } from '../support/gateway';
import { loopbackConfig, startLiteLlm, startRedis } from '../support/gateway';
import type { GatewayNginx } from '../support/nginx';
import { startGatewayNginx } from '../support/nginx';
import { REPO_ROOT, freePort, waitFor } from '../support/processes';
import type { Simulator } from '../support/simulator';
import { startSimulator } from '../support/simulator';
import type { StackCopy } from '../support/stack-copy';
import { copyStack, envValue } from '../support/stack-copy';

/** Collects a stream's events; the text joined in arrival order. */
async function collect(stream: AsyncIterable<ChatEvent>): Promise<{ events: ChatEvent[]; text: string; pieces: number }> {
  const events: ChatEvent[] = [];
  for await (const event of stream) events.push(event);
  const texts = events.flatMap((e) => (e.type === 'text' ? [e.text] : []));
  return { events, text: texts.join(''), pieces: texts.length };
}

/** The simulator's own answer to the same question, asked directly. */
async function directAnswer(sim: Simulator, model: string, content: string): Promise<string> {
  const response = await fetch(`${sim.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content }] }),
  });
  return ((await response.json()) as { choices: { message: { content: string } }[] }).choices[0]?.message.content ?? '';
}

const CLI = path.join(REPO_ROOT, 'dist', 'cli.js');

/** Runs the built CLI; `onOutput` sees stdout as it grows (to interrupt it mid-answer). */
function runCli(args: readonly string[], onOutput?: (out: string, child: ReturnType<typeof spawn>) => void): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SPARK_GATEWAY_STACK: '', SPARK_GATEWAY_KEY: '' } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      onOutput?.(out, child);
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

/** Reasoning words the gpt-oss simulator streams before each answer. */
const REASONING_WORDS = 4;

const WEATHER_TOOL = {
  type: 'function' as const,
  function: { name: 'get_weather', description: 'Current weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
};

describe('chat through NGINX and LiteLLM', { skip: missing('litellm', 'redis', 'nginx', 'openssl') }, () => {
  let stack: StackCopy;
  let fast: Simulator;
  let slow: Simulator;
  let stopped: Simulator;
  let redis: Redis;
  let litellm: LiteLlm;
  let nginx: GatewayNginx;
  let config: GatewayConfig;
  let client: GatewayClient;
  // A run-unique word: LiteLLM caches identical requests in Redis, and these tests need the model.
  const run = Date.now().toString(36);

  before(async () => {
    stack = copyStack({ certs: true });
    // gpt-oss reasons before it answers (in vLLM 0.31's `reasoning` field): it must never reach the answer.
    fast = await startSimulator({ model: 'openai/gpt-oss-20b', servedName: 'gpt-oss-20b', env: { SIM_REASONING_TOKENS: String(REASONING_WORDS) } });
    // Five tokens a second: a stream that is still running when the test cancels it.
    slow = await startSimulator({ model: 'Qwen/Qwen3-Coder-30B-A3B-Instruct-FP8', servedName: 'qwen-30b', env: { SIM_TOKENS_PER_SECOND: '5' }, flags: ['--enable-auto-tool-choice', '--tool-call-parser', 'qwen3_coder'] });
    // Started and stopped: LiteLLM keeps its address, nothing listens there any more.
    stopped = await startSimulator({ model: 'openai/gpt-oss-120b', servedName: 'gpt-oss-120b' });
    await stopped.stop();
    const work = path.join(path.dirname(stack.dir), 'gateway');
    const upstreams = new Map([['vllm-gpt-oss-20b', fast.url], ['vllm-qwen-30b', slow.url], ['vllm-gpt-oss-120b', stopped.url]]);
    const masterKey = envValue(readFileSync(path.join(stack.dir, '.env'), 'utf8'), 'LITELLM_MASTER_KEY');
    assert.ok(masterKey, 'sync-env.sh wrote a master key');
    redis = await startRedis();
    litellm = await startLiteLlm(loopbackConfig(upstreams, work, stack.dir), redis.port, masterKey);
    nginx = await startGatewayNginx(stack.dir, path.join(work, 'nginx'), new URL(litellm.url).host);
    // As a user would on a machine where 443 is taken: the port in the stack's .env.
    appendFileSync(path.join(stack.dir, '.env'), `NGINX_HTTPS_PORT=${nginx.httpsPort}\n`);
    config = resolveGatewayConfig({ stackRoot: stack.dir });
    client = new GatewayClient(config);
  });

  after(async () => {
    client?.dispose();
    await nginx?.stop();
    await litellm?.stop();
    await redis?.stop();
    for (const sim of [fast, slow, stopped]) await sim?.stop();
    stack?.remove();
  });

  it('finds the gateway in the stack: NGINX on localhost at .env\'s port, the master key, the stack\'s certificate', () => {
    assert.equal(config.baseUrl, `https://localhost:${nginx.httpsPort}/v1`);
    assert.equal(config.caFile, path.join(stack.dir, 'ssl', 'public.pem'));
  });

  it('lists the models with context length and tool calling from /model/info', async () => {
    const models = await client.models();
    assert.deepEqual(models.map((m) => m.name).sort(), ['gpt-oss-120b', 'gpt-oss-20b', 'qwen-30b']);
    const qwen = models.find((m) => m.name === 'qwen-30b');
    assert.equal(qwen?.maxInputTokens, 32768);
    assert.equal(qwen?.toolCalling, true);
  });

  it('streams the simulator\'s answer intact and in order, in several pieces; the reasoning apart from it', async () => {
    const question = `Tell me about the unified memory of the Spark ${run}`;
    const expected = await directAnswer(fast, 'gpt-oss-20b', question);
    const { text, pieces, events } = await collect(client.chat({ model: 'gpt-oss-20b', messages: [{ role: 'user', content: question }] }));
    assert.equal(text, expected);
    assert.ok(!text.includes('Reasoning about'), 'no reasoning in the answer');
    assert.ok(pieces > 5, `only ${pieces} pieces: the answer was not streamed`);
    const reasoning = events.flatMap((e) => (e.type === 'reasoning' ? [e.text] : [])).join('');
    assert.equal(reasoning, 'Reasoning about: Tell me', 'the reasoning arrives through LiteLLM as reasoning');
    const done = events.at(-1);
    assert.ok(done?.type === 'done');
    assert.equal(done.finishReason, 'stop');
    assert.equal(done.usage?.completionTokens, expected.split(' ').length + REASONING_WORDS);
  });

  it('closes the model server\'s request when the stream is cancelled', { timeout: 30_000 }, async () => {
    const before = (await slow.stats()).disconnects;
    const controller = new AbortController();
    let pieces = 0;
    await assert.rejects(async () => {
      for await (const event of client.chat({ model: 'qwen-30b', messages: [{ role: 'user', content: `one two three four five six seven eight nine ten ${run}` }] }, controller.signal)) {
        if (event.type === 'text' && ++pieces === 2) controller.abort();
      }
    }, CancelledError);
    // NGINX closes its upstream connection, LiteLLM its connection to the model server.
    await waitFor('the simulator to see the disconnect', async () => (await slow.stats()).disconnects > before, 20_000);
    const stats = await slow.stats();
    assert.equal(stats.running, 0);
  });

  it('takes a VS Code-shaped cancellation token as well', async () => {
    let cancel: (() => unknown) | undefined;
    const token = { isCancellationRequested: false, onCancellationRequested: (listener: () => unknown) => ((cancel = listener), { dispose: () => undefined }) };
    await assert.rejects(async () => {
      for await (const event of client.chat({ model: 'qwen-30b', messages: [{ role: 'user', content: `token cancel ${run}` }] }, token)) {
        if (event.type === 'text') cancel?.();
      }
    }, CancelledError);
  });

  it('passes a tool call through as a tool call: name and JSON arguments', async () => {
    const { events } = await collect(client.chat({ model: 'gpt-oss-20b', messages: [{ role: 'user', content: `What is the weather in Berlin? ${run}` }], tools: [WEATHER_TOOL] }));
    const calls = events.flatMap((e) => (e.type === 'toolCall' ? [e.call] : []));
    assert.equal(calls.length, 1);
    assert.equal(calls[0]?.name, 'get_weather');
    assert.deepEqual(calls[0]?.arguments, { city: 'Berlin' });
    const done = events.at(-1);
    assert.ok(done?.type === 'done' && done.finishReason === 'tool_calls');
  });

  it('reports a wrong key as BadKeyError with the sync-env fix, without printing the key', async () => {
    const wrong = new GatewayClient({ ...config, key: 'sk-wrong-0123456789' });
    try {
      await assert.rejects(collect(wrong.chat({ model: 'gpt-oss-20b', messages: [{ role: 'user', content: 'hi' }] })), (error: unknown) => {
        assert.ok(error instanceof BadKeyError, String(error));
        assert.match(error.fix ?? '', /spark-gateway sync-env/);
        assert.doesNotMatch(error.message, /0123456789/);
        return true;
      });
    } finally {
      wrong.dispose();
    }
  });

  it('reports a gateway with nothing listening as GatewayDownError with the start fix', async () => {
    const down = new GatewayClient({ ...config, baseUrl: `https://localhost:${await freePort()}/v1` });
    try {
      await assert.rejects(down.models(), (error: unknown) => error instanceof GatewayDownError && /spark-gateway up/.test(error.fix ?? ''));
    } finally {
      down.dispose();
    }
  });

  it('reports a model whose server is stopped as ModelNotLoadedError with the scenario fix', async () => {
    await assert.rejects(collect(client.chat({ model: 'gpt-oss-120b', messages: [{ role: 'user', content: `anyone there? ${run}` }] })), (error: unknown) => {
      assert.ok(error instanceof ModelNotLoadedError, String(error));
      assert.equal(error.model, 'gpt-oss-120b');
      assert.match(error.fix ?? '', /scenario with gpt-oss-120b/);
      return true;
    });
  });

  it('probes availability through the whole path: loaded models answer, the stopped one does not', async () => {
    const [loaded, gone] = await Promise.all([client.probe('gpt-oss-20b'), client.probe('gpt-oss-120b')]);
    assert.equal(loaded.available, true);
    assert.equal(gone.available, false);
    assert.ok(gone.error instanceof ModelNotLoadedError);
  });

  it('refuses NGINX\'s certificate without the stack\'s own (verification stays on)', async () => {
    const untrusting = new GatewayClient({ baseUrl: config.baseUrl, key: config.key });
    try {
      await assert.rejects(untrusting.models(), (error: unknown) => error instanceof GatewayTrustError && /ssl\/public\.pem/.test(error.fix ?? ''));
    } finally {
      untrusting.dispose();
    }
  });

  it('carries 64 concurrent streams through NGINX and LiteLLM, each complete and uncorrupted', { timeout: 120_000 }, async () => {
    const questions = Array.from({ length: 64 }, (_, i) => `load ${run} stream number ${i} of sixty four`);
    const results = await Promise.allSettled(questions.map((q) => collect(client.chat({ model: 'gpt-oss-20b', messages: [{ role: 'user', content: q }] }))));
    const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [`${i}: ${String(r.reason)}`] : []));
    assert.deepEqual(failed, [], 'no stream lost');
    results.forEach((r, i) => {
      assert.ok(r.status === 'fulfilled');
      assert.equal(r.value.text, `Simulated reply from gpt-oss-20b to: ${questions[i]}`, `stream ${i}`);
    });
  });

  describe('CLI chat', () => {
    before(() => assert.ok(existsSync(CLI), `${CLI} is missing: run npm run build first`));

    it('streams the answer from LiteLLM on loopback with the master key', async () => {
      const question = `What runs on the Spark? cli ${run}`;
      const result = await runCli(['chat', 'gpt-oss-20b', question, '--gateway-url', litellm.url, '--key', litellm.masterKey]);
      // stderr holds nothing but the model's thinking, marked (the simulator reasons with a reasoning parser).
      assert.match(result.err, /^(\[thinking\] [^\n]*\n)?$/);
      assert.equal(result.code, 0);
      assert.equal(result.out, `${await directAnswer(fast, 'gpt-oss-20b', question)}\n`);
    });

    it('streams through NGINX trusting the certificate given with --ca', async () => {
      const result = await runCli(['chat', 'gpt-oss-20b', `via nginx ${run}`, '--gateway-url', config.baseUrl, '--key', litellm.masterKey, '--ca', path.join(stack.dir, 'ssl', 'public.pem')]);
      assert.equal(result.code, 0, result.err);
      assert.equal(result.out, `Simulated reply from gpt-oss-20b to: via nginx ${run}\n`);
    });

    it('fails a wrong key with one clear line on stderr, nothing on stdout, exit 1', async () => {
      const result = await runCli(['chat', 'gpt-oss-20b', 'hello', '--gateway-url', litellm.url, '--key', 'sk-wrong-0123456789']);
      assert.equal(result.code, 1);
      assert.equal(result.out, '');
      assert.match(result.err, /^spark-gateway: the gateway refused the key .* — Run `spark-gateway sync-env`.*\n$/);
      assert.equal(result.err.split('\n').length, 2, 'one line');
      assert.doesNotMatch(result.err, /0123456789/);
    });

    it('fails a down gateway with one line naming the start fix', async () => {
      const result = await runCli(['chat', 'gpt-oss-20b', 'hello', '--gateway-url', `http://127.0.0.1:${await freePort()}`, '--key', litellm.masterKey]);
      assert.equal(result.code, 1);
      assert.match(result.err, /^spark-gateway: the gateway at .* is not answering \(ECONNREFUSED\) — Start the stack: `spark-gateway up/);
    });

    it('stops on Ctrl-C (SIGINT) and closes the model server\'s request', { timeout: 30_000 }, async () => {
      const before = (await slow.stats()).disconnects;
      let interrupted = false;
      const result = await runCli(['chat', 'qwen-30b', `one two three four five six seven eight ${run}`, '--gateway-url', litellm.url, '--key', litellm.masterKey], (out, child) => {
        if (!interrupted && out.split(' ').length >= 3) {
          interrupted = true;
          child.kill('SIGINT');
        }
      });
      assert.equal(result.code, 130, result.err);
      assert.match(result.err, /chat cancelled/);
      await waitFor('the simulator to see the disconnect', async () => (await slow.stats()).disconnects > before, 20_000);
    });
  });
});
