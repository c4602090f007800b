import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chooseChatModel, formatTokens, modelsMarkdown } from '../../src/core/chat/model-choice';
import { hostsStatusMarkdown, statusMarkdown } from '../../src/core/chat/status-report';
import { SparkError } from '../../src/core/errors';
import type { HostRows } from '../../src/core/stack/services';
import type { HostState } from '../../src/core/state/hosts-state';
import type { ChatStreamer, ToolLoopEvent } from '../../src/core/chat/tool-loop';
import { MAX_TOOL_ROUNDS, chatWithTools } from '../../src/core/chat/tool-loop';
import type { ChatRequest } from '../../src/core/gateway/client';
import { ModelNotLoadedError } from '../../src/core/gateway/errors';
import type { GatewayModel } from '../../src/core/gateway/models';
import type { ChatEvent } from '../../src/core/gateway/stream';
import type { ServiceRow } from '../../src/core/stack/services';
import type { ServiceStatus } from '../../src/core/state/service-state';

const model = (name: string): GatewayModel => ({ name, maxInputTokens: 16384, maxOutputTokens: 8192, toolCalling: true });
const models = [model('gpt-oss-120b'), model('gpt-oss-20b'), model('qwen-30b')];

describe('chooseChatModel', () => {
  it('prefers the /model choice, then the setting', () => {
    assert.deepEqual(chooseChatModel({ selected: 'qwen-30b', configured: 'gpt-oss-20b', models }), { model: 'qwen-30b', reason: 'selected' });
    assert.deepEqual(chooseChatModel({ configured: 'gpt-oss-20b', models }), { model: 'gpt-oss-20b', reason: 'setting' });
  });

  it('skips a choice the gateway does not know, falling to the first model that answered its probe', () => {
    const availability = [{ model: 'gpt-oss-120b', available: false }, { model: 'gpt-oss-20b', available: true }];
    assert.deepEqual(chooseChatModel({ selected: 'gone', configured: 'old', models, availability }), { model: 'gpt-oss-20b', reason: 'first available' });
  });

  it('falls back to the first listed model, and to none without models', () => {
    assert.deepEqual(chooseChatModel({ models }), { model: 'gpt-oss-120b', reason: 'first listed' });
    assert.deepEqual(chooseChatModel({ models: [] }), { model: undefined, reason: 'none' });
  });
});

describe('modelsMarkdown', () => {
  it('shows each model\'s availability, context, tools and memory, marking the current one', () => {
    const spec = { name: 'gpt-oss-20b', weightsGiB: 13.5, overheadGiB: 2 } as Parameters<typeof modelsMarkdown>[2][number];
    const text = modelsMarkdown(
      [model('gpt-oss-20b'), model('gpt-oss-120b')],
      [{ model: 'gpt-oss-20b', available: true, latencyMs: 42 }, { model: 'gpt-oss-120b', available: false, error: new ModelNotLoadedError('gpt-oss-120b', 'down') }],
      [spec],
      'gpt-oss-20b',
    );
    const [first, second] = text.split('\n');
    assert.equal(first, '- **gpt-oss-20b** (answers @spark) — ✅ available (42 ms) · 16k in / 8k out · tool calling · ~15.5 GiB + KV cache');
    assert.equal(second, '- **gpt-oss-120b** — ⛔ not loaded · 16k in / 8k out · tool calling');
  });

  it('formats round token counts in k', () => {
    assert.equal(formatTokens(32768), '32k');
    assert.equal(formatTokens(1000), '1000');
  });
});

describe('statusMarkdown', () => {
  const rows: ServiceRow[] = [
    { kind: 'gateway', name: 'nginx', label: 'NGINX', container: 'vllm-nginx-proxy', folder: '.', detail: '' },
    { kind: 'model', name: 'gpt-oss-20b', label: 'gpt-oss-20b', container: 'vllm-gpt-oss-20b', folder: 'gpt-oss-20b', hostPort: 8001, detail: '' },
  ];

  it('shows the live state of each service, with load for healthy models', () => {
    const statuses = [
      { kind: 'gateway', name: 'nginx', container: 'vllm-nginx-proxy', state: 'absent', health: null, ports: [] },
      { kind: 'model', name: 'gpt-oss-20b', container: 'vllm-gpt-oss-20b', state: 'healthy', health: 'healthy', ports: [], requests: { running: 2, waiting: 0 }, kv: 0.1 },
    ] as unknown as ServiceStatus[];
    const lines = statusMarkdown(rows, statuses).split('\n');
    assert.equal(lines[0], '- **NGINX** (`vllm-nginx-proxy`): not created');
    assert.equal(lines[1], '- **gpt-oss-20b** (`vllm-gpt-oss-20b`): healthy · 2 running · 0 waiting · KV 10%');
  });

  it('says when there is no live state instead of guessing', () => {
    const text = statusMarkdown(rows, undefined);
    assert.match(text, /- \*\*gpt-oss-20b\*\* \(`vllm-gpt-oss-20b`\): unknown · port 8001/);
    assert.match(text, /Live state is not available/);
  });

  it('lists every host with how it is reached and its memory, the same model on two hosts with each one\'s state, and an unreachable host with its fix', () => {
    const spark2 = { name: 'spark-2', main: false, docker: 'ssh://root@10.231.7.2', address: '10.231.7.2' };
    const spark3 = { name: 'spark-3', main: false, docker: 'sg-spark3', address: '10.231.8.2' };
    const layout = [{ host: { name: 'local', main: true }, rows }, { host: spark2, rows: rows.slice(1) }, { host: spark3, rows: rows.slice(1) }] as unknown as HostRows[];
    const endpoint = { source: 'test', url: 'x', modemOptions: { host: undefined } };
    const info = { name: 'spark-2', memTotalBytes: 128 * 2 ** 30, cpus: 20, serverVersion: '28' };
    const hosts: HostState[] = [
      { name: 'local', main: true, endpoint, reach: 'this machine', connection: { status: 'connected' }, synced: true, services: [] },
      { name: 'spark-2', main: false, endpoint, reach: 'ssh://root@10.231.7.2', connection: { status: 'connected' }, synced: true, info, services: [] },
      { name: 'spark-3', main: false, endpoint, reach: 'Docker context "sg-spark3"', connection: { status: 'unreachable', error: new SparkError('ssh to root@10.231.8.2 refused', 'start its SSH server or check `docker context inspect sg-spark3`'), retryInMs: 500 }, synced: false, services: [] },
    ];
    const statuses = [
      { kind: 'model', name: 'gpt-oss-20b', host: 'local', container: 'vllm-gpt-oss-20b', state: 'exited', exitCode: 0, health: 'none', ports: [] },
      { kind: 'model', name: 'gpt-oss-20b', host: 'spark-2', container: 'vllm-gpt-oss-20b', state: 'healthy', health: 'healthy', ports: [] },
    ] as unknown as ServiceStatus[];
    const text = hostsStatusMarkdown(layout, statuses, hosts);
    assert.match(text, /#### local \(this machine, runs the gateway\)\n\n- \*\*NGINX\*\* \(`vllm-nginx-proxy`\): unknown\n- \*\*gpt-oss-20b\*\* \(`vllm-gpt-oss-20b`\): exited \(0\)/);
    assert.match(text, /#### spark-2 \(ssh:\/\/root@10\.231\.7\.2 · 10\.231\.7\.2 · 128\.0 GiB\)\n\n- \*\*gpt-oss-20b\*\* \(`vllm-gpt-oss-20b`\): healthy/);
    assert.match(text, /#### spark-3 \(sg-spark3 · 10\.231\.8\.2\)\n\n\*\*Unreachable:\*\* ssh to root@10\.231\.8\.2 refused — start its SSH server or check `docker context inspect sg-spark3`/);
    assert.equal(hostsStatusMarkdown(layout.slice(0, 1), statuses, hosts.slice(0, 1)), statusMarkdown(rows, statuses));
  });
});

/** A gateway stand-in that answers each round from a script and records the requests. */
function scripted(rounds: ChatEvent[][]): ChatStreamer & { requests: ChatRequest[] } {
  const requests: ChatRequest[] = [];
  return {
    requests,
    async *chat(request) {
      requests.push({ ...request, messages: [...request.messages] });
      for (const event of rounds[requests.length - 1] ?? [{ type: 'text', text: 'out of script' }]) yield event;
    },
  };
}

const call = { id: 'c1', name: 'get_weather', arguments: { city: 'Berlin' }, rawArguments: '{"city":"Berlin"}' };
const tool = { type: 'function' as const, function: { name: 'get_weather', parameters: {} } };

async function all(stream: AsyncIterable<ToolLoopEvent>): Promise<ToolLoopEvent[]> {
  const events: ToolLoopEvent[] = [];
  for await (const e of stream) events.push(e);
  return events;
}

describe('chatWithTools', () => {
  it('runs the model\'s tool call and continues with the result in the conversation', async () => {
    const gateway = scripted([[{ type: 'toolCall', call }, { type: 'done', finishReason: 'tool_calls' }], [{ type: 'text', text: 'Sunny.' }, { type: 'done', finishReason: 'stop' }]]);
    const events = await all(chatWithTools(gateway, { model: 'm', messages: [{ role: 'user', content: 'weather?' }] }, { tools: [tool], invoke: async () => 'sunny, 21 °C' }));
    assert.deepEqual(events.map((e) => e.type), ['toolCall', 'done', 'toolResult', 'text', 'done']);
    assert.deepEqual(gateway.requests[1]?.messages.slice(1), [
      { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Berlin"}' } }] },
      { role: 'tool', tool_call_id: 'c1', content: 'sunny, 21 °C' },
    ]);
  });

  it('without a runner reports the call and ends the turn', async () => {
    const gateway = scripted([[{ type: 'toolCall', call }, { type: 'done', finishReason: 'tool_calls' }]]);
    const events = await all(chatWithTools(gateway, { model: 'm', messages: [] }, undefined));
    assert.deepEqual(events.map((e) => e.type), ['toolCall', 'done']);
    assert.equal(gateway.requests.length, 1);
  });

  it('stops offering tools after a bounded number of rounds', async () => {
    const looping = Array.from({ length: MAX_TOOL_ROUNDS + 2 }, (): ChatEvent[] => [{ type: 'toolCall', call }, { type: 'done', finishReason: 'tool_calls' }]);
    const gateway = scripted(looping);
    await all(chatWithTools(gateway, { model: 'm', messages: [] }, { tools: [tool], invoke: async () => 'again' }));
    assert.equal(gateway.requests.length, MAX_TOOL_ROUNDS + 1);
    assert.deepEqual(gateway.requests.at(-1)?.tools, []);
  });
});
