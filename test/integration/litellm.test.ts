/**
 * The real LiteLLM proxy with the stack's own config.yaml (upstreams pointed at simulators on
 * loopback) and a real Redis: it routes by model name, enforces the master key, streams, and
 * answers an identical request from the Redis cache.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { missing } from '../support/components';
import type { LiteLlm, Redis } from '../support/gateway';
import { loopbackConfig, startLiteLlm, startRedis } from '../support/gateway';
import type { Simulator } from '../support/simulator';
import { startSimulator } from '../support/simulator';

const MODELS = [
  { name: 'gpt-oss-20b', container: 'vllm-gpt-oss-20b' },
  { name: 'gpt-oss-120b', container: 'vllm-gpt-oss-120b' },
  { name: 'qwen-30b', container: 'vllm-qwen-30b' },
];

describe('LiteLLM with the stack config', { skip: missing('litellm', 'redis') }, () => {
  const work = mkdtempSync(path.join(tmpdir(), 'spark-litellm-'));
  const sims = new Map<string, Simulator>();
  let redis: Redis;
  let litellm: LiteLlm;

  const post = (body: unknown, key: string | undefined = litellm.masterKey) =>
    fetch(`${litellm.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
      body: JSON.stringify(body),
    });
  const requestsSeen = async () => Object.fromEntries(await Promise.all([...sims].map(async ([n, s]) => [n, (await s.stats()).requests] as const)));

  before(async () => {
    for (const m of MODELS) sims.set(m.name, await startSimulator({ model: `org/${m.name}`, servedName: m.name, env: { SIM_TOKENS_PER_SECOND: '2000' } }));
    redis = await startRedis();
    const config = loopbackConfig(new Map(MODELS.map((m) => [m.container, (sims.get(m.name) as Simulator).url])), work);
    litellm = await startLiteLlm(config, redis.port);
  });
  after(async () => {
    await litellm?.stop();
    await redis?.stop();
    for (const s of sims.values()) await s.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('answers its liveliness probe without a key', async () => {
    const response = await fetch(`${litellm.url}/health/liveliness`);
    assert.equal(response.status, 200);
  });

  it('refuses a request without the key (401) and with a key that is not the master key', async () => {
    const none = await fetch(`${litellm.url}/v1/models`);
    assert.equal(none.status, 401);
    assert.match(((await none.json()) as { error: { message: string } }).error.message, /No api key passed in/);
    const wrong = await post({ model: 'gpt-oss-20b', messages: [{ role: 'user', content: 'hi' }] }, 'sk-wrong');
    // Any other key is looked up as a virtual key in the database: 401 with the stack's
    // PostgreSQL; here, without the database (its Prisma engines cannot be downloaded), LiteLLM
    // refuses it as 400 no_db_connection. Either way it never reaches a model.
    assert.ok([400, 401].includes(wrong.status), `status ${wrong.status}`);
    const body = (await wrong.json()) as { error?: { message?: string; type?: string } };
    assert.ok(body.error?.message, 'OpenAI-shaped error');
    assert.equal((await sims.get('gpt-oss-20b')?.stats())?.requests ?? 0, 0);
  });

  it('lists the three models by their one name with the master key', async () => {
    const response = await fetch(`${litellm.url}/v1/models`, { headers: { authorization: `Bearer ${litellm.masterKey}` } });
    assert.equal(response.status, 200);
    const ids = ((await response.json()) as { data: { id: string }[] }).data.map((d) => d.id).sort();
    assert.deepEqual(ids, ['gpt-oss-120b', 'gpt-oss-20b', 'qwen-30b']);
  });

  it('routes gpt-oss-20b to the gpt-oss-20b server and no other', async () => {
    const before = await requestsSeen();
    const response = await post({ model: 'gpt-oss-20b', messages: [{ role: 'user', content: 'Which server answers? route-check' }], max_tokens: 8 });
    assert.equal(response.status, 200, await response.clone().text());
    const body = (await response.json()) as { model: string; choices: { message: { content: string } }[]; usage: { completion_tokens: number } };
    assert.ok(body.choices[0]?.message.content.length);
    assert.ok(body.usage.completion_tokens > 0);
    const afterwards = await requestsSeen();
    assert.equal(afterwards['gpt-oss-20b'], (before['gpt-oss-20b'] ?? 0) + 1);
    assert.equal(afterwards['gpt-oss-120b'], before['gpt-oss-120b']);
    assert.equal(afterwards['qwen-30b'], before['qwen-30b']);
  });

  it('streams a completion as server-sent events ending with [DONE]', async () => {
    const response = await post({ model: 'qwen-30b', messages: [{ role: 'user', content: 'stream please' }], max_tokens: 12, stream: true });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /text\/event-stream/);
    const text = await response.text();
    const events = text.split('\n\n').map((e) => e.trim()).filter(Boolean);
    assert.equal(events.at(-1), 'data: [DONE]');
    const deltas = events.slice(0, -1).map((e) => JSON.parse(e.replace(/^data: /, '')) as { choices: { delta: { content?: string } }[] });
    assert.ok(deltas.length >= 3, `only ${deltas.length} chunks`);
    assert.ok(deltas.map((d) => d.choices[0]?.delta.content ?? '').join('').length > 0);
  });

  it('answers an identical second request that opts in from the Redis cache: the model server sees one', async () => {
    const body = { model: 'gpt-oss-120b', messages: [{ role: 'user', content: `cache me ${Date.now()}` }], max_tokens: 6, cache: { 'use-cache': true } };
    const before = (await sims.get('gpt-oss-120b')?.stats())?.requests ?? 0;
    const first = (await (await post(body)).json()) as { choices: { message: { content: string } }[] };
    const second = (await (await post(body)).json()) as { choices: { message: { content: string } }[] };
    assert.equal(second.choices[0]?.message.content, first.choices[0]?.message.content);
    assert.equal((await sims.get('gpt-oss-120b')?.stats())?.requests, before + 1);
  });

  it('sends identical requests that do not opt in to the model server each time (the cache is opt-in)', async () => {
    const plain = { model: 'gpt-oss-120b', messages: [{ role: 'user', content: `not cached ${Date.now()}` }], max_tokens: 6 };
    const before = (await sims.get('gpt-oss-120b')?.stats())?.requests ?? 0;
    for (let i = 0; i < 2; i++) assert.equal((await post(plain)).status, 200);
    assert.equal((await sims.get('gpt-oss-120b')?.stats())?.requests, before + 2);
  });
});
