/**
 * The vLLM simulator (simulator/) behaves like vLLM's OpenAI server on the wire and in its
 * logs. Pure modules are loaded from the repository (resolved from REPO_ROOT, which works from
 * test/unit and from the compiled out/test/unit); the wire behaviour is checked against a real
 * simulator process on 127.0.0.1.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freePort, waitFor } from '../support/processes';
import type { Simulator } from '../support/simulator';
import { launchSimulator, SIMULATOR_DIR, startSimulator } from '../support/simulator';

// The simulator is plain CommonJS outside the TypeScript tree; load it by absolute path.
const simRequire = createRequire(path.join(SIMULATOR_DIR, 'lib', 'index.js'));

interface ServeArgs {
  model: string;
  servedModelNames: string[];
  host: string | undefined;
  port: number;
  maxModelLen: number | undefined;
  gpuMemoryUtilization: number;
  tensorParallelSize: number;
  kvCacheDtype: string;
  enableAutoToolChoice: boolean;
  toolCallParser: string | undefined;
  enforceEager: boolean;
  ignored: string[];
  sim: Record<string, string>;
}
type Parsed = { command: 'serve'; args: ServeArgs } | { command: 'version' } | { command: 'help' };
const cliArgs = simRequire('./cli-args.js') as { parseCommandLine(argv: string[]): Parsed };
const generate = simRequire('./generate.js') as {
  replyTokens(kind: 'chat' | 'completion', model: string, prompt: string, responseTokens?: number): string[];
  limitTokens(tokens: string[], max: number | undefined): { tokens: string[]; finishReason: string };
};

function serve(...argv: string[]): ServeArgs {
  const parsed = cliArgs.parseCommandLine(argv);
  assert.equal(parsed.command, 'serve');
  return (parsed as { args: ServeArgs }).args;
}

interface ChatChunk {
  object: string;
  model: string;
  choices: { index: number; delta: { role?: string; content?: string; tool_calls?: ToolCallDelta[] }; finish_reason: string | null }[];
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}
interface ToolCallDelta {
  index: number;
  id?: string;
  type?: string;
  function: { name?: string; arguments?: string };
}
interface ChatCompletion {
  object: string;
  model: string;
  choices: {
    message: { role: string; content: string | null; tool_calls: { id: string; type: string; function: { name: string; arguments: string } }[] };
    finish_reason: string;
  }[];
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}
interface ErrorBody {
  error: { message: string; type: string; param: string | null; code: number };
}

const WEATHER_TOOL = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather for a city',
    parameters: {
      type: 'object',
      properties: { location: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } },
      required: ['location', 'unit'],
    },
  },
};

/** Each pattern matches `text` after the previous one's match. */
function assertInOrder(text: string, patterns: readonly RegExp[]): void {
  let from = 0;
  for (const pattern of patterns) {
    const m = pattern.exec(text.slice(from));
    assert.ok(m, `missing (in order) ${pattern}:\n${text}`);
    from += m.index + m[0].length;
  }
}

async function post(url: string, body: unknown, signal?: AbortSignal): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: signal ?? null });
}

/** The `data:` payloads of an SSE body, in order. */
function sseData(text: string): string[] {
  return text
    .split('\n\n')
    .map((frame) => frame.trim())
    .filter((frame) => frame.length > 0)
    .map((frame) => {
      assert.ok(frame.startsWith('data: '), `SSE frame without data: ${frame}`);
      return frame.slice('data: '.length);
    });
}

/** Reads a streamed body until it ends or breaks; returns what arrived and whether it broke. */
async function readAll(response: Response): Promise<{ text: string; broken: boolean }> {
  if (!response.body) throw new Error('no body');
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { text, broken: false };
      text += decoder.decode(value, { stream: true });
    }
  } catch {
    return { text, broken: true };
  }
}

describe('simulator command line (vLLM forms)', () => {
  it('reads `vllm serve MODEL --flags` like the NVIDIA image command', () => {
    const args = serve('serve', 'openai/gpt-oss-20b', '--served-model-name', 'gpt-oss-20b', '--host', '0.0.0.0',
      '--port', '8000', '--gpu-memory-utilization', '0.25', '--max-model-len', '16384', '--kv-cache-dtype', 'fp8',
      '--enable-auto-tool-choice', '--tool-call-parser', 'openai', '--tensor-parallel-size', '2');
    assert.equal(args.model, 'openai/gpt-oss-20b');
    assert.deepEqual(args.servedModelNames, ['gpt-oss-20b']);
    assert.equal(args.host, '0.0.0.0');
    assert.equal(args.port, 8000);
    assert.equal(args.gpuMemoryUtilization, 0.25);
    assert.equal(args.maxModelLen, 16384);
    assert.equal(args.kvCacheDtype, 'fp8');
    assert.equal(args.enableAutoToolChoice, true);
    assert.equal(args.toolCallParser, 'openai');
    assert.equal(args.tensorParallelSize, 2);
  });

  it('reads the vllm-openai entrypoint form with --model and --flag=value', () => {
    const args = serve('serve', '--model=Qwen/Qwen3-Coder-30B-A3B-Instruct-FP8', '--served-model-name=qwen-30b', '--port=8003');
    assert.equal(args.model, 'Qwen/Qwen3-Coder-30B-A3B-Instruct-FP8');
    assert.deepEqual(args.servedModelNames, ['qwen-30b']);
    assert.equal(args.port, 8003);
  });

  it('defaults the served name to the model and the port to 8000', () => {
    const args = serve('serve', 'openai/gpt-oss-120b');
    assert.deepEqual(args.servedModelNames, ['openai/gpt-oss-120b']);
    assert.equal(args.port, 8000);
    assert.equal(args.host, undefined);
  });

  it('accepts several served names, snake_case flags and -tp', () => {
    const args = serve('serve', 'm', '--served-model-name', 'a', 'b', '--max_model_len', '8k', '-tp', '4');
    assert.deepEqual(args.servedModelNames, ['a', 'b']);
    assert.equal(args.maxModelLen, 8000);
    assert.equal(args.tensorParallelSize, 4);
  });

  it('accepts and ignores vLLM flags it does not simulate, without swallowing the model', () => {
    const args = serve('serve', '--trust-remote-code', 'openai/gpt-oss-20b', '--chat-template', '/templates/chat.template',
      '--swap-space=4', '--disable-log-requests');
    assert.equal(args.model, 'openai/gpt-oss-20b');
    assert.deepEqual(args.ignored, ['--trust-remote-code', '--chat-template /templates/chat.template', '--swap-space 4', '--disable-log-requests']);
  });

  it('honours --enforce-eager: no compile warm-up and no CUDA graphs in its start-up log', () => {
    assert.equal(serve('serve', 'm', '--enforce-eager').enforceEager, true);
    assert.equal(serve('serve', 'm').enforceEager, false);
  });

  it('maps --sim-* flags to SIM_* settings', () => {
    assert.deepEqual(serve('serve', 'm', '--sim-load-seconds', '0').sim, { SIM_LOAD_SECONDS: '0' });
  });

  it('refuses a tool parser vLLM does not have (the seed\'s qwen3_code) and a bad port', () => {
    assert.throws(() => cliArgs.parseCommandLine(['serve', 'm', '--tool-call-parser', 'qwen3_code']), /invalid tool call parser: qwen3_code/);
    assert.throws(() => cliArgs.parseCommandLine(['serve', 'm', '--port', 'http']), /invalid int value/);
  });

  it('answers --version', () => {
    assert.deepEqual(cliArgs.parseCommandLine(['--version']), { command: 'version' });
  });
});

describe('simulator replies are predictable', () => {
  it('echoes the last user message after a fixed head, one word per token', () => {
    assert.deepEqual(generate.replyTokens('chat', 'gpt-oss-20b', 'hello  there'),
      ['Simulated', 'reply', 'from', 'gpt-oss-20b', 'to:', 'hello', 'there']);
  });

  it('cuts at max_tokens with finish_reason length, and fills to SIM_RESPONSE_TOKENS', () => {
    const cut = generate.limitTokens(generate.replyTokens('completion', 'm', 'a b c'), 3);
    assert.deepEqual(cut, { tokens: ['Simulated', 'completion', 'from'], finishReason: 'length' });
    assert.equal(generate.replyTokens('chat', 'm', 'x', 12).length, 12);
  });
});

describe('simulator process', () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({
      flags: ['--enable-auto-tool-choice', '--tool-call-parser', 'openai'],
      env: { SIM_TOKENS_PER_SECOND: '200', SIM_SHARDS: '3', SIM_STATS_INTERVAL_SECONDS: '0.25' },
    });
  });
  after(async () => {
    await sim.stop();
  });

  it('logs vLLM 0.31\'s start-up milestones in order (the default profile), after a line saying it is a simulator', () => {
    const out = sim.output();
    assertInOrder(out, [
      /Spark Gateway vLLM simulator .*test double of vLLM 0\.31\.0/,
      /█ +version 0\.31\.0\r\n/,
      /█ +model +openai\/gpt-oss-20b\r\n/,
      /non-default args: \{/,
      /\(EngineCore pid=\d+\) INFO .*Using V2 Model Runner\n/,
      /Loading model from scratch\.\.\.\n/,
      /Filesystem type for checkpoints: \w+\. Checkpoint size: \d+\.\d\d GiB\. Available RAM: \d+\.\d\d GiB\./,
      /\nLoading safetensors checkpoint shards: +33% Completed \| 1\/3 \[/,
      /\nLoading safetensors checkpoint shards: 100% Completed \| 3\/3 \[/,
      /Loading weights took \d+\.\d\d seconds/,
      /Model loading took \d+(\.\d{1,2})? GiB memory and \d+\.\d{6} seconds/,
      // Not --enforce-eager: torch.compile after the weights, CUDA graphs after the KV cache.
      /Dynamo bytecode transform time: \d+\.\d\d s\n/,
      /torch\.compile took \d+\.\d\d s in total\n/,
      /GPU KV cache size: [\d,]+ tokens, Maximum concurrency for 8,192 tokens per request: \d+\.\d\dx/,
      /Graph capturing finished in \d+ secs, took 0\.43 GiB\n/,
      /init engine \(profile, create kv cache, warmup model\) took \d+\.\d\d s\n/,
      new RegExp(`Starting vLLM server on http://127\\.0\\.0\\.1:${sim.port}`),
      /\nINFO: {5}Waiting for application startup\./,
      /\nINFO: {5}Application startup complete\./,
    ]);
    assert.match(out.split('\n')[0] ?? '', /^\(APIServer pid=\d+\) INFO \d\d-\d\d \d\d:\d\d:\d\d \[simulator\.py:1\] Spark Gateway vLLM simulator/);
    for (const gone of ['vLLM API server version', 'Starting to load model', 'Starting vLLM API server']) {
      assert.ok(!out.includes(gone), `0.31 does not print ${gone}`);
    }
    assert.doesNotMatch(out, /\) (INFO: {5}|Loading safetensors)/, '0.31 puts no prefix on uvicorn and tqdm lines');
  });

  it('answers /ping like /health, /load with the requests in flight, /version with the imitated version', async () => {
    for (const method of ['GET', 'POST']) {
      const ping = await fetch(`${sim.url}/ping`, { method });
      assert.deepEqual([ping.status, await ping.text()], [200, ''], method);
    }
    assert.deepEqual(await (await fetch(`${sim.url}/load`)).json(), { server_load: 0 });
    assert.deepEqual(await (await fetch(`${sim.url}/version`)).json(), { version: '0.31.0' });
  });

  it('answers /health with 200 and an empty body', async () => {
    const response = await fetch(`${sim.url}/health`);
    assert.equal(response.status, 200);
    assert.equal(await response.text(), '');
  });

  it('lists the served model with max_model_len, owned_by vllm and the model as root', async () => {
    const body = (await (await fetch(`${sim.url}/v1/models`)).json()) as {
      object: string;
      data: { id: string; object: string; owned_by: string; root: string; max_model_len: number }[];
    };
    assert.equal(body.object, 'list');
    assert.equal(body.data.length, 1);
    assert.deepEqual(
      { id: body.data[0]?.id, object: body.data[0]?.object, owned_by: body.data[0]?.owned_by, root: body.data[0]?.root, max_model_len: body.data[0]?.max_model_len },
      { id: 'gpt-oss-20b', object: 'model', owned_by: 'vllm', root: 'openai/gpt-oss-20b', max_model_len: 8192 },
    );
  });

  it('answers a non-streaming chat with the predicted text and usage', async () => {
    const response = await post(`${sim.url}/v1/chat/completions`, {
      model: 'gpt-oss-20b',
      messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'hello there' }],
    });
    assert.equal(response.status, 200);
    const body = (await response.json()) as ChatCompletion;
    assert.equal(body.object, 'chat.completion');
    assert.equal(body.model, 'gpt-oss-20b');
    assert.equal(body.choices[0]?.message.role, 'assistant');
    assert.equal(body.choices[0]?.message.content, 'Simulated reply from gpt-oss-20b to: hello there');
    assert.equal(body.choices[0]?.finish_reason, 'stop');
    assert.deepEqual(
      { p: body.usage.prompt_tokens, c: body.usage.completion_tokens, t: body.usage.total_tokens },
      { p: 4, c: 7, t: 11 });
  });

  it('honours max_tokens with finish_reason length', async () => {
    const body = (await (await post(`${sim.url}/v1/chat/completions`, {
      model: 'gpt-oss-20b', max_tokens: 2, messages: [{ role: 'user', content: 'hi' }],
    })).json()) as ChatCompletion;
    assert.equal(body.choices[0]?.message.content, 'Simulated reply');
    assert.equal(body.choices[0]?.finish_reason, 'length');
    assert.equal(body.usage.completion_tokens, 2);
  });

  it('streams well-formed chat chunks: role first, content, finish_reason, usage, then [DONE]', async () => {
    const response = await post(`${sim.url}/v1/chat/completions`, {
      model: 'gpt-oss-20b', stream: true, stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'count to three' }],
    });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/event-stream/);
    const data = sseData(await response.text());
    assert.equal(data.at(-1), '[DONE]');
    const chunks = data.slice(0, -1).map((d) => JSON.parse(d) as ChatChunk);
    for (const chunk of chunks) assert.equal(chunk.object, 'chat.completion.chunk');
    assert.equal(chunks[0]?.choices[0]?.delta.role, 'assistant');
    const usageChunk = chunks.at(-1);
    assert.deepEqual(usageChunk?.choices, []);
    // vLLM leaves null fields out of the usage chunk (exclude_none).
    assert.deepEqual(usageChunk?.usage, { prompt_tokens: 3, completion_tokens: 8, total_tokens: 11 });
    const finals = chunks.filter((c) => c.choices[0]?.finish_reason);
    assert.equal(finals.length, 1);
    assert.equal(finals[0]?.choices[0]?.finish_reason, 'stop');
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
    assert.equal(text, 'Simulated reply from gpt-oss-20b to: count to three');
  });

  it('answers /v1/completions, streaming and not', async () => {
    const plain = (await (await post(`${sim.url}/v1/completions`, { model: 'gpt-oss-20b', prompt: 'one two', max_tokens: 4 })).json()) as {
      object: string;
      choices: { text: string; finish_reason: string }[];
      usage: { prompt_tokens: number; completion_tokens: number };
    };
    assert.equal(plain.object, 'text_completion');
    assert.equal(plain.choices[0]?.text, 'Simulated completion from gpt-oss-20b');
    assert.equal(plain.choices[0]?.finish_reason, 'length');
    assert.equal(plain.usage.prompt_tokens, 2);
    assert.equal(plain.usage.completion_tokens, 4);

    const streamed = await post(`${sim.url}/v1/completions`, { model: 'gpt-oss-20b', prompt: 'one two', stream: true });
    const data = sseData(await streamed.text());
    assert.equal(data.at(-1), '[DONE]');
    const chunks = data.slice(0, -1).map((d) => JSON.parse(d) as { object: string; choices: { text: string; finish_reason: string | null }[] });
    assert.ok(chunks.every((c) => c.object === 'text_completion'));
    assert.equal(chunks.map((c) => c.choices[0]?.text).join(''), 'Simulated completion from gpt-oss-20b of: one two');
    assert.equal(chunks.at(-1)?.choices[0]?.finish_reason, 'stop');
  });

  it('calls a tool when asked, with JSON arguments (non-streaming)', async () => {
    const body = (await (await post(`${sim.url}/v1/chat/completions`, {
      model: 'gpt-oss-20b', tools: [WEATHER_TOOL], messages: [{ role: 'user', content: 'What is the weather in Paris?' }],
    })).json()) as ChatCompletion;
    const choice = body.choices[0];
    assert.equal(choice?.finish_reason, 'tool_calls');
    assert.equal(choice?.message.content, null);
    assert.equal(choice?.message.tool_calls.length, 1);
    const call = choice?.message.tool_calls[0];
    assert.equal(call?.type, 'function');
    // vLLM 0.31's random_uuid(): 16 hex characters.
    assert.match(call?.id ?? '', /^chatcmpl-tool-[0-9a-f]{16}$/);
    assert.equal(call?.function.name, 'get_weather');
    assert.deepEqual(JSON.parse(call?.function.arguments ?? ''), { location: 'Paris', unit: 'celsius' });
  });

  it('streams a tool call: id and name first, then the arguments in pieces', async () => {
    const response = await post(`${sim.url}/v1/chat/completions`, {
      model: 'gpt-oss-20b', stream: true, tools: [WEATHER_TOOL], tool_choice: { type: 'function', function: { name: 'get_weather' } },
      messages: [{ role: 'user', content: 'Use it for Oslo' }],
    });
    const data = sseData(await response.text());
    assert.equal(data.at(-1), '[DONE]');
    const chunks = data.slice(0, -1).map((d) => JSON.parse(d) as ChatChunk);
    const calls = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []);
    assert.ok(calls.length >= 3, 'name chunk plus argument pieces');
    assert.equal(calls[0]?.index, 0);
    assert.match(calls[0]?.id ?? '', /^chatcmpl-tool-/);
    assert.equal(calls[0]?.function.name, 'get_weather');
    assert.ok(calls.slice(1).every((c) => c.index === 0 && c.function.name === undefined));
    const args = calls.map((c) => c.function.arguments ?? '').join('');
    assert.deepEqual(JSON.parse(args), { location: 'Oslo', unit: 'celsius' });
    // A named function ends with "stop" (OpenAI's rule, which vLLM follows); "auto" and "required" with "tool_calls".
    assert.equal(chunks.at(-1)?.choices[0]?.finish_reason, 'stop');
  });

  it('answers an unknown model with a 404 in vLLM\'s error shape', async () => {
    const response = await post(`${sim.url}/v1/chat/completions`, { model: 'x', messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(response.status, 404);
    const body = (await response.json()) as ErrorBody;
    assert.deepEqual(body, { error: { message: 'The model `x` does not exist.', type: 'NotFoundError', param: 'model', code: 404 } });
  });

  it('exposes vLLM\'s metric names with model_name and engine labels', async () => {
    const response = await fetch(`${sim.url}/metrics`);
    assert.match(response.headers.get('content-type') ?? '', /^text\/plain/);
    const text = await response.text();
    // Labels sorted by name, as prometheus_client writes them.
    const labels = '{engine="0",model_name="gpt-oss-20b"}';
    for (const [name, type] of [
      ['vllm:num_requests_running', 'gauge'], ['vllm:num_requests_waiting', 'gauge'], ['vllm:kv_cache_usage_perc', 'gauge'],
      ['vllm:prompt_tokens_total', 'counter'], ['vllm:generation_tokens_total', 'counter'], ['vllm:num_preemptions_total', 'counter'],
      ['vllm:prefix_cache_queries_total', 'counter'], ['vllm:prefix_cache_hits_total', 'counter'],
    ] as const) {
      assert.ok(text.includes(`# TYPE ${name} ${type}\n`), `${name} ${type}`);
      assert.ok(text.includes(`${name}${labels} `), `${name} series`);
    }
    for (const name of ['vllm:time_to_first_token_seconds', 'vllm:e2e_request_latency_seconds']) {
      assert.ok(text.includes(`# TYPE ${name} histogram\n`), name);
      assert.match(text, new RegExp(`${name}_bucket\\{engine="0",le="\\+Inf",model_name="gpt-oss-20b"\\} [1-9]`));
      assert.ok(text.includes(`${name}_count${labels} `));
    }
    const generated = /vllm:generation_tokens_total\{[^}]*\} (\d+)/.exec(text);
    assert.ok(Number(generated?.[1]) > 0, 'tokens were counted');
  });

  it('stops generating when the client drops a stream, counts the disconnect, and shows load in metrics meanwhile', async () => {
    const before = await sim.stats();
    const controller = new AbortController();
    const longPrompt = Array.from({ length: 400 }, (_, i) => `w${i}`).join(' ');
    const response = await post(`${sim.url}/v1/chat/completions`,
      { model: 'gpt-oss-20b', stream: true, messages: [{ role: 'user', content: longPrompt }] }, controller.signal);
    if (!response.body) throw new Error('no body');
    const reader = response.body.getReader();
    await reader.read();
    const metrics = await (await fetch(`${sim.url}/metrics`)).text();
    assert.match(metrics, /vllm:num_requests_running\{[^}]*\} 1\.0/);
    const usage = Number(/vllm:kv_cache_usage_perc\{[^}]*\} ([\d.e-]+)/.exec(metrics)?.[1]);
    assert.ok(usage > 0 && usage < 1, `kv cache usage ${usage}`);
    controller.abort();
    await waitFor('the disconnect to be counted', async () => (await sim.stats()).disconnects === before.disconnects + 1, 5000);
    await waitFor('generation to stop', async () => (await sim.stats()).running === 0, 5000);
  });

  it('counts requests and keeps the last one for gateway tests', async () => {
    const before = await sim.stats();
    await (await post(`${sim.url}/v1/chat/completions`, { model: 'gpt-oss-20b', messages: [{ role: 'user', content: 'stats please' }] })).text();
    const stats = await sim.stats();
    assert.equal(stats.requests, before.requests + 1);
    assert.equal(stats.completed, before.completed + 1);
    assert.equal(stats.lastRequest?.path, '/v1/chat/completions');
    assert.equal(stats.lastRequest?.model, 'gpt-oss-20b');
  });

  it('fault fail: completions answer 500 with an error body, switchable at run time', async () => {
    await sim.setFault('fail');
    try {
      const response = await post(`${sim.url}/v1/chat/completions`, { model: 'gpt-oss-20b', messages: [{ role: 'user', content: 'hi' }] });
      assert.equal(response.status, 500);
      assert.equal(((await response.json()) as ErrorBody).error.code, 500);
      assert.equal((await fetch(`${sim.url}/health`)).status, 200);
    } finally {
      await sim.setFault('none');
    }
    const ok = await post(`${sim.url}/v1/chat/completions`, { model: 'gpt-oss-20b', messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(ok.status, 200);
    await ok.text();
  });

  it('fault hang: never answers, and the client giving up counts as a disconnect', async () => {
    await sim.setFault('hang');
    try {
      const before = await sim.stats();
      await assert.rejects(
        post(`${sim.url}/v1/chat/completions`, { model: 'gpt-oss-20b', messages: [{ role: 'user', content: 'hi' }] }, AbortSignal.timeout(300)),
        /abort|timeout/i);
      await waitFor('the hang disconnect to be counted', async () => (await sim.stats()).disconnects === before.disconnects + 1, 5000);
      assert.equal((await sim.stats()).requests, before.requests + 1);
    } finally {
      await sim.setFault('none');
    }
  });

  it('fault fail-health: /health and /ping answer 503 with an empty body, as vLLM does for a dead engine', async () => {
    await sim.setFault('fail-health');
    try {
      for (const route of ['/health', '/ping']) {
        const response = await fetch(`${sim.url}${route}`);
        assert.deepEqual([response.status, await response.text()], [503, ''], route);
      }
    } finally {
      await sim.setFault('none');
    }
    assert.equal((await fetch(`${sim.url}/health`)).status, 200);
  });

  it('refuses an unknown fault name', async () => {
    const response = await fetch(`${sim.url}/sim/fault`, { method: 'POST', body: 'explode' });
    assert.equal(response.status, 400);
    assert.match(((await response.json()) as ErrorBody).error.message, /unknown fault 'explode'/);
  });

  it('logs vLLM\'s periodic stats line while there is traffic', async () => {
    await (await post(`${sim.url}/v1/completions`, { model: 'gpt-oss-20b', prompt: 'tick tock' })).text();
    const line = /Engine 000: Avg prompt throughput: \d+\.\d tokens\/s, Avg generation throughput: \d+\.\d tokens\/s, Running: \d+ reqs, Waiting: \d+ reqs, GPU KV cache usage: \d+\.\d%, Prefix cache hit rate: \d+\.\d%/;
    await waitFor('a stats line', async () => line.test(sim.output()), 3000, () => sim.output());
  });

  it('shuts down on SIGTERM like vLLM, exit code 0', async () => {
    const code = await sim.stop();
    assert.equal(code, 0);
    assert.match(sim.output(), /Shutting down/);
  });
});

describe('simulator profiles per vLLM version (VLLM_VERSION)', () => {
  const cases = [
    { version: '0.11.0', field: ['reasoning_content'], idHex: 32, emptyToolCalls: true, loading: 'GiB and' },
    { version: '0.11.2', field: ['reasoning', 'reasoning_content'], idHex: 32, emptyToolCalls: true, loading: 'GiB memory and' },
    { version: '0.31.0', field: ['reasoning'], idHex: 16, emptyToolCalls: false, loading: 'GiB memory and' },
  ] as const;
  for (const c of cases) {
    it(`${c.version}: its start-up lines, /version, reasoning field(s), ids and tool_calls`, async () => {
      const sim = await startSimulator({ env: { VLLM_VERSION: c.version, SIM_REASONING_TOKENS: '3', SIM_SHARDS: '2' } });
      try {
        const out = sim.output();
        if (c.version.startsWith('0.11')) {
          assertInOrder(out, [
            new RegExp(`\\(APIServer pid=\\d+\\) INFO .*vLLM API server version ${c.version.replace(/\./g, '\\.')}\\n`),
            /\(EngineCore_DP0 pid=\d+\) INFO .*Starting to load model openai\/gpt-oss-20b\.\.\./,
            /\(EngineCore_DP0 pid=\d+\) Loading safetensors checkpoint shards: 100% Completed \| 2\/2 \[/,
            new RegExp(`Model loading took \\d+\\.\\d{4} ${c.loading} \\d+\\.\\d{6} seconds`),
            /GPU KV cache size: [\d,]+ tokens\n/,
            /Maximum concurrency for 8,192 tokens per request: \d+\.\d\dx\n/,
            /init engine \(profile, create kv cache, warmup model\) took \d+\.\d\d seconds\n/,
            /Starting vLLM API server 0 on http:/,
            /\(APIServer pid=\d+\) INFO: {5}Application startup complete\./,
          ]);
          assert.ok(!out.includes('Using V2 Model Runner') && !out.includes('Filesystem type'), 'no 0.31 lines');
        } else {
          assert.match(out, /█ +version 0\.31\.0/);
        }
        const version = launchSimulator(['--version'], { VLLM_VERSION: c.version });
        assert.equal(await version.exited, 0);
        assert.equal(version.output().trim(), c.version);
        assert.deepEqual(await (await fetch(`${sim.url}/version`)).json(), { version: c.version });

        const streamed = sseData(await (await post(`${sim.url}/v1/chat/completions`, {
          model: 'gpt-oss-20b', stream: true, messages: [{ role: 'user', content: 'why sky' }],
        })).text()).slice(0, -1).map((d) => JSON.parse(d) as { id: string; choices: { delta: Record<string, unknown> }[] });
        const deltas = streamed.map((chunk) => chunk.choices[0]?.delta ?? {});
        const reasoning = deltas.filter((d) => c.field.every((f) => typeof d[f] === 'string'));
        assert.deepEqual(reasoning.map((d) => d[c.field[0]]), ['Reasoning', ' about:', ' why'], 'three reasoning words in the version\'s field(s)');
        for (const f of ['reasoning', 'reasoning_content'].filter((f) => !(c.field as readonly string[]).includes(f))) {
          assert.ok(deltas.every((d) => !(f in d)), `${c.version} sends no ${f}`);
        }
        assert.equal(deltas.map((d) => d.content ?? '').join(''), 'Simulated reply from gpt-oss-20b to: why sky', 'the answer holds no reasoning');
        assert.match(streamed[0]?.id ?? '', new RegExp(`^chatcmpl-[0-9a-f]{${c.idHex}}$`));

        const message = ((await (await post(`${sim.url}/v1/chat/completions`, {
          model: 'gpt-oss-20b', messages: [{ role: 'user', content: 'why sky' }],
        })).json()) as { choices: { message: Record<string, unknown> }[] }).choices[0]?.message ?? {};
        for (const f of c.field) assert.equal(message[f], 'Reasoning about: why', f);
        assert.equal(message.content, 'Simulated reply from gpt-oss-20b to: why sky');
        assert.equal('tool_calls' in message, c.emptyToolCalls, 'an empty tool_calls list only before 0.31');

        const metrics = await (await fetch(`${sim.url}/metrics`)).text();
        assert.equal(metrics.includes('vllm:num_requests_waiting_by_reason{'), c.version === '0.31.0');
        assert.ok(!metrics.includes('vllm:gpu_cache_usage_perc'), 'hidden in 0.11, gone in 0.31');
      } finally {
        await sim.stop();
      }
    });
  }

  it('defaults to 0.31.0 (the Spark image\'s vLLM), takes a release line, refuses an unknown version', async () => {
    const defaults = launchSimulator(['--version'], { VLLM_VERSION: '' });
    assert.equal(await defaults.exited, 0);
    assert.equal(defaults.output().trim(), '0.31.0');
    const line = launchSimulator(['--version'], { VLLM_VERSION: '0.11' });
    assert.equal(await line.exited, 0);
    assert.equal(line.output().trim(), '0.11.2');
    const unknown = launchSimulator(['serve', 'm', '--port', '0'], { VLLM_VERSION: '0.20.1' });
    assert.equal(await unknown.exited, 2);
    assert.match(unknown.output(), /VLLM_VERSION=0\.20\.1 is not a version the simulator imitates; use one of 0\.11\.0, 0\.11\.2, 0\.31\.0/);
  });
});

describe('simulator API key (vLLM --api-key / VLLM_API_KEY)', () => {
  const KEY = 'sk-test-replica-key';
  const chat = (url: string, authorization?: string) => fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
    body: JSON.stringify({ model: 'gpt-oss-20b', messages: [{ role: 'user', content: 'hi' }], max_tokens: 2 }),
  });

  it('with VLLM_API_KEY set, refuses /v1 without the key (401 as vLLM) and leaves /health and /metrics open', async () => {
    const sim = await startSimulator({ env: { VLLM_API_KEY: KEY } });
    try {
      const refused = await chat(sim.url);
      assert.equal(refused.status, 401);
      assert.deepEqual(await refused.json(), { error: 'Unauthorized' });
      assert.equal((await chat(sim.url, 'Bearer wrong')).status, 401);
      assert.equal((await fetch(`${sim.url}/v1/models`)).status, 401);
      assert.equal((await chat(sim.url, `Bearer ${KEY}`)).status, 200);
      assert.equal((await fetch(`${sim.url}/health`)).status, 200);
      assert.equal((await fetch(`${sim.url}/metrics`)).status, 200);
      assert.ok(!sim.output().includes(KEY), 'the key was logged');
    } finally {
      await sim.stop();
    }
  });

  it('--api-key wins over the variable; an empty VLLM_API_KEY means no key', async () => {
    const flagged = await startSimulator({ flags: ['--api-key', 'sk-flag'], env: { VLLM_API_KEY: KEY } });
    try {
      assert.equal((await chat(flagged.url, `Bearer ${KEY}`)).status, 401);
      assert.equal((await chat(flagged.url, 'Bearer sk-flag')).status, 200);
    } finally {
      await flagged.stop();
    }
    const open = await startSimulator({ env: { VLLM_API_KEY: '' } });
    try {
      assert.equal((await chat(open.url)).status, 200);
    } finally {
      await open.stop();
    }
  });
});

describe('simulator start-up and crashes', () => {
  it('does not listen while loading, like vLLM', async () => {
    // freePort() unrefs its probe server: hold the event loop open while awaiting it.
    const guard = setTimeout(() => undefined, 10_000);
    const port = await freePort();
    clearTimeout(guard);
    const proc = launchSimulator(['serve', 'openai/gpt-oss-20b', '--host', '127.0.0.1', '--port', String(port)],
      { SIM_LOAD_SECONDS: '1.5' });
    try {
      await waitFor('loading to start', async () => proc.output().includes('Loading model from scratch'), 5000);
      await assert.rejects(fetch(`http://127.0.0.1:${port}/health`), /fetch failed/);
      await waitFor('start-up to complete', async () => proc.output().includes('Application startup complete.'), 5000);
      assert.equal((await fetch(`http://127.0.0.1:${port}/health`)).status, 200);
    } finally {
      await proc.stop();
    }
  });

  it('fault die-mid-stream: a few chunks, then the process exits with code 1', async () => {
    const sim = await startSimulator({ env: { SIM_FAULT: 'die-mid-stream', SIM_TOKENS_PER_SECOND: '100' } });
    try {
      const response = await post(`${sim.url}/v1/chat/completions`, {
        model: 'gpt-oss-20b', stream: true, messages: [{ role: 'user', content: 'a long enough question to stream' }],
      });
      const { text, broken } = await readAll(response);
      assert.ok(broken || !text.includes('[DONE]'), 'the stream must not complete');
      const contents = text.split('\n\n').filter((f) => f.includes('"content":"') && !f.includes('"role"'));
      assert.equal(contents.length, 3);
      assert.equal(await sim.exited, 1);
      assert.match(sim.output(), /EngineCore encountered a fatal error/);
    } finally {
      await sim.stop();
    }
  });

  it('exits 1 like vLLM when the tensor-parallel size does not divide the attention heads', async () => {
    const proc = launchSimulator(['serve', 'openai/gpt-oss-120b', '--tensor-parallel-size', '3', '--port', '0'], { SIM_LOAD_SECONDS: '0' });
    assert.equal(await proc.exited, 1);
    assert.match(proc.output(), /must be divisible by tensor parallel size \(3\)/);
  });

  it('exits 2 on a bad setting, naming it', async () => {
    const proc = launchSimulator(['serve', 'm', '--port', '0'], { SIM_FAULT: 'sometimes' });
    assert.equal(await proc.exited, 2);
    assert.match(proc.output(), /SIM_FAULT=sometimes is invalid/);
  });
});
