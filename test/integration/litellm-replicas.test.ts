/**
 * The LiteLLM config generated from a scenarios.yaml with two hosts, run by the real LiteLLM
 * proxy (host process, real Redis): gpt-oss-20b has one deployment per host, and two simulator
 * stand-ins of the model server listening on 127.0.0.2 and 127.0.0.3 (the hosts' addresses, on
 * loopback) with vLLM's API key both receive requests; when one of them dies, every new request
 * is answered by the other. (Hosts with their own Docker engines: test/integration/hosts-*.)
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { findScenario } from '../../src/core/planner';
import { parseScenarioFile } from '../../src/core/scenarios/file';
import { liteLlmConfigFor } from '../../src/core/stack-edit/litellm-deployments';
import { missing } from '../support/components';
import type { LiteLlm, Redis } from '../support/gateway';
import { startLiteLlm, startRedis } from '../support/gateway';
import { scenariosWithHosts } from '../support/hosts-fixtures';
import { STACK_DIR, freePort } from '../support/processes';
import type { Simulator } from '../support/simulator';
import { startSimulator } from '../support/simulator';

const HOSTS = [{ name: 'spark-2', address: '127.0.0.2' }, { name: 'spark-3', address: '127.0.0.3' }];
const KEY = `sk-replicas-${process.pid}`;
/** Requests per round: bounded, small enough for a shared 2-core machine. */
const ROUND = 16;

describe('LiteLLM spreading one model over two hosts (generated config)', { skip: missing('litellm', 'redis') }, () => {
  const work = mkdtempSync(path.join(tmpdir(), 'spark-replicas-'));
  const sims = new Map<string, Simulator>();
  let redis: Redis;
  let litellm: LiteLlm;
  let generated = '';

  /** A streamed chat through LiteLLM; resolves to whether it ended with [DONE]. */
  const streamed = async (gateway = litellm): Promise<boolean> => {
    const response = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${gateway.masterKey}` },
      body: JSON.stringify({ model: 'gpt-oss-20b', stream: true, max_tokens: 8, messages: [{ role: 'user', content: 'count to eight' }] }),
    });
    const text = await response.text();
    return response.status === 200 && text.includes('data: [DONE]') && !text.includes('"error"');
  };
  /** `count` requests, four at a time; the number that succeeded. */
  const round = async (count: number, gateway = litellm): Promise<number> => {
    let ok = 0;
    for (let i = 0; i < count; i += 4) ok += (await Promise.all(Array.from({ length: Math.min(4, count - i) }, () => streamed(gateway)))).filter(Boolean).length;
    return ok;
  };
  const seen = async (name: string) => (await (sims.get(name) as Simulator).stats()).requests;

  before(async () => {
    const port = await freePort();
    for (const host of HOSTS) {
      sims.set(host.name, await startSimulator({ host: host.address, port, env: { VLLM_API_KEY: KEY, SIM_TOKENS_PER_SECOND: '2000' } }));
    }
    const scenarios = parseScenarioFile(scenariosWithHosts(HOSTS, { port }), 'scenarios.yaml');
    const configFile = path.join(STACK_DIR, 'litellm', 'config.yaml');
    generated = liteLlmConfigFor(readFileSync(configFile, 'utf8'), configFile, scenarios, findScenario(scenarios, 'replicas'));
    // No database: LiteLLM's Prisma engines are downloaded at run time, which this machine cannot (SPEC §6).
    const config = path.join(work, 'config.yaml');
    writeFileSync(config, generated.replace(/^\s*database_url: .*$/m, ''));
    redis = await startRedis();
    litellm = await startLiteLlm(config, redis.port, undefined, 1, { VLLM_API_KEY: KEY });
  });
  after(async () => {
    await litellm?.stop();
    await redis?.stop();
    for (const s of sims.values()) await s.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('sends the key and spreads streamed requests over both replicas', async () => {
    const before = [await seen('spark-2'), await seen('spark-3')];
    assert.equal(await round(ROUND), ROUND);
    const got = [(await seen('spark-2')) - (before[0] ?? 0), (await seen('spark-3')) - (before[1] ?? 0)];
    assert.ok(got.every((n) => n > 0), `each replica must see requests: ${got.join(' + ')}`);
    assert.equal(got.reduce((a, b) => a + b, 0), ROUND, 'each request reached one replica once (no failed attempts: the key was accepted)');
  });

  it('answers every new request from the other replica once one has died', async () => {
    await (sims.get('spark-2') as Simulator).stop();
    const before = await seen('spark-3');
    const ok = await round(ROUND);
    assert.equal(ok, ROUND, 'LiteLLM retried the requests that met the dead replica');
    assert.equal((await seen('spark-3')) - before, ROUND);
  });

  // LiteLLM counts no failure whose text names APIConnectionError (a connection reset while a
  // container restarts), and a retry re-picks at random: with cooldowns off, each retry can meet
  // the dead replica again. Without enable_weighted_failover about one request in eight that
  // first met it was answered 500 "Cannot connect to host"; with it, the request is sent once more
  // with the failed deployment excluded. (32 requests: all answered only if that works, p < 0.02
  // by chance without it.)
  it('answers every request from the live replica even when no cooldown is counted (weighted failover)', async () => {
    const config = path.join(work, 'no-cooldown.yaml');
    assert.match(generated, /^ {2}enable_weighted_failover: true$/m);
    writeFileSync(config, generated.replace(/^\s*database_url: .*$/m, '').replace(/^router_settings:$/m, 'router_settings:\n  disable_cooldowns: true'));
    // A Redis of its own: the first gateway's cooldown of the dead replica is kept in Redis.
    const fresh = await startRedis();
    const gateway = await startLiteLlm(config, fresh.port, undefined, 1, { VLLM_API_KEY: KEY });
    try {
      const before = await seen('spark-3');
      assert.equal(await round(2 * ROUND, gateway), 2 * ROUND, 'every request that met the dead replica was sent to the live one');
      assert.equal((await seen('spark-3')) - before, 2 * ROUND);
    } finally {
      await gateway.stop();
      await fresh.stop();
    }
  });
});
