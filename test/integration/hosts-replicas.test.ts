/**
 * [hosts] One gateway over two more Sparks (test/support/hosts-env.sh: network namespaces, each
 * with its own Docker engine and SSH server, reached through `ssh://root@10.231.7.x`): a scenario
 * with gpt-oss-20b on both hosts and qwen-30b on one. `up` brings them up from their real compose
 * files on the right engines; the real LiteLLM (host process, the config `up` generates: one
 * deployment per placement) spreads a bounded loop of streamed requests over both replicas;
 * killing one replica's container mid-run loses no request beyond those in flight on it, the rest
 * go to the other, and traffic returns to it once it is healthy again (its restart policy brings
 * it back); `down` removes everything on every host. The simulator stands in for vLLM (no GPU).
 * Run under the Docker lock.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../../src/cli/main';
import { updateLiteLlmConfig } from '../../src/core/lifecycle/litellm-config';
import { findScenario } from '../../src/core/planner';
import { loadStack } from '../../src/core/stack/discovery';
import { missing } from '../support/components';
import type { LiteLlm, Redis } from '../support/gateway';
import { startLiteLlm, startRedis } from '../support/gateway';
import type { Hosts, TestHost } from '../support/hosts';
import { TEST_HOSTS, hostsEnv, missingHosts, setupHosts } from '../support/hosts';
import { scenariosWithHosts } from '../support/hosts-fixtures';
import { waitFor } from '../support/processes';
import type { StackCopy } from '../support/stack-copy';
import { copyStack, envValue } from '../support/stack-copy';
import { contentDeltas } from '../support/sse';

const [SPARK2, SPARK3] = TEST_HOSTS as [TestHost, TestHost];
const CONTAINERS = ['vllm-gpt-oss-20b', 'vllm-qwen-30b'];
/**
 * The simulator echoes the prompt after five words ("Simulated reply from gpt-oss-20b to: ..."),
 * at its default 50 tokens/s: 60 words make a stream of about 1.3 s, so a kill finds some in flight.
 * (The compose files' own settings are kept: `up` refuses a model .env that sync-env did not write.)
 */
const PROMPT = Array.from({ length: 60 }, (_, i) => `word${i}`).join(' ');
const TOKENS = 65;
const CONCURRENCY = 4;

function engine(host: TestHost, args: readonly string[]): string {
  return execFileSync('docker', ['-H', `unix://${host.socket}`, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
}

function containersOn(host: TestHost): string[] {
  return engine(host, ['ps', '-a', '--format', '{{.Names}}']).split('\n').filter((n) => n !== '');
}

async function cli(stackDir: string, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  // The process environment, with hostsEnv() merged in before(): the CLI's own Docker clients
  // (HTTP over their PATH's `ssh`, the test wrapper with its key and known_hosts) reach the hosts.
  const code = await runCli(['--stack', stackDir, ...argv], { out: (t) => (out += t), err: (t) => (err += t), cwd: stackDir, env: { ...process.env } });
  return { code, out, err };
}

interface SimStats { requests: number; running: number; waiting: number }
async function simStats(host: TestHost): Promise<SimStats | undefined> {
  try {
    return (await (await fetch(`http://${host.address}:8001/sim/stats`, { signal: AbortSignal.timeout(2000) })).json()) as SimStats;
  } catch {
    return undefined;
  }
}

interface Outcome { readonly ok: boolean; readonly tokens: number; readonly startedAt: number; readonly endedAt: number; readonly error?: string }

/** One streamed chat request through LiteLLM; ok only when the whole answer arrived. */
async function streamOnce(litellm: LiteLlm): Promise<Outcome> {
  const startedAt = performance.now();
  let tokens = 0;
  try {
    const response = await fetch(`${litellm.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${litellm.masterKey}` },
      body: JSON.stringify({ model: 'gpt-oss-20b', stream: true, messages: [{ role: 'user', content: PROMPT }] }),
      signal: AbortSignal.timeout(60_000),
    });
    if (!response.ok || !response.body) return { ok: false, tokens, startedAt, endedAt: performance.now(), error: `${response.status} ${(await response.text()).slice(0, 200)}` };
    let text = '';
    for await (const content of contentDeltas(response.body)) text += content;
    tokens = text.trim().split(/\s+/).filter((w) => w !== '').length;
    return { ok: tokens === TOKENS, tokens, startedAt, endedAt: performance.now(), ...(tokens === TOKENS ? {} : { error: `${tokens} of ${TOKENS} tokens: ${text.slice(-300)}` }) };
  } catch (error) {
    return { ok: false, tokens, startedAt, endedAt: performance.now(), error: error instanceof Error ? error.message : String(error) };
  }
}

/** `count` requests, `CONCURRENCY` at a time; `onDone` sees each outcome as it ends. */
async function loop(litellm: LiteLlm, count: number, onDone: (o: Outcome, done: number) => Promise<void> | void = () => undefined): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  let next = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < count) {
      next++;
      const outcome = await streamOnce(litellm);
      outcomes.push(outcome);
      await onDone(outcome, outcomes.length);
    }
  }));
  return outcomes;
}

describe('[hosts] gpt-oss-20b on two hosts behind the real LiteLLM', { skip: missing('docker', 'compose', 'litellm', 'redis') || missingHosts() }, () => {
  let hosts: Hosts;
  let stack: StackCopy;
  let redis: Redis | undefined;
  let litellm: LiteLlm | undefined;
  /** Errors of the requests lost although they started after the kill (the failover test fills it). */
  let lostAfterTheKill: string[] | undefined;
  const savedEnv = new Map(Object.keys(hostsEnv()).map((key) => [key, process.env[key]]));

  before(async () => {
    hosts = await setupHosts();
    // The CLI's docker processes reach the hosts as a user's would: ssh (with the test's config and
    // known_hosts, its IdentityFile: no ssh-agent).
    Object.assign(process.env, hostsEnv());
    for (const host of TEST_HOSTS) engine(host, ['rm', '-f', ...CONTAINERS]);
    stack = copyStack();
    writeFileSync(path.join(stack.dir, 'scenarios.yaml'), scenariosWithHosts(TEST_HOSTS.map((h) => ({ name: h.name, address: h.address }))));
  });

  after(async () => {
    try {
      await litellm?.stop();
      await redis?.stop();
      for (const host of TEST_HOSTS) engine(host, ['rm', '-f', ...CONTAINERS]);
      stack?.remove();
    } finally {
      for (const [key, value] of savedEnv) {
        if (value === undefined) Reflect.deleteProperty(process.env, key);
        else process.env[key] = value;
      }
      hosts?.teardown();
    }
  });

  it('hosts --json lists both test hosts as reachable over ssh', { timeout: 120_000 }, async () => {
    const { code, out, err } = await cli(stack.dir, 'hosts', '--json');
    assert.equal(code, 0, out + err);
    const list = (JSON.parse(out) as { hosts: { name: string; reachable: boolean; docker?: string; address: string | null }[] }).hosts;
    assert.deepEqual(list.map((h) => [h.name, h.reachable, h.address]), [['local', true, null], [SPARK2.name, true, SPARK2.address], [SPARK3.name, true, SPARK3.address]]);
  });

  it('up starts each placement from its compose file on its host\'s engine, published on that host\'s address only', { timeout: 300_000 }, async () => {
    const up = await cli(stack.dir, 'up', 'replicas', '--backend', 'simulator', '--models-only');
    assert.equal(up.code, 0, up.out + up.err);
    assert.deepEqual(containersOn(SPARK2).filter((n) => CONTAINERS.includes(n)).sort(), ['vllm-gpt-oss-20b', 'vllm-qwen-30b']);
    assert.deepEqual(containersOn(SPARK3).filter((n) => CONTAINERS.includes(n)), ['vllm-gpt-oss-20b']);
    const mainNames = execFileSync('docker', ['ps', '-a', '--format', '{{.Names}}'], { encoding: 'utf8' }).split('\n');
    assert.ok(!CONTAINERS.some((n) => mainNames.includes(n)), 'nothing of this scenario runs on the main engine');
    const ports = JSON.parse(engine(SPARK3, ['inspect', '--format', '{{json .HostConfig.PortBindings}}', 'vllm-gpt-oss-20b'])) as Record<string, { HostIp: string; HostPort: string }[]>;
    assert.deepEqual(ports['8000/tcp'], [{ HostIp: SPARK3.address, HostPort: '8001' }]);
    const labels = JSON.parse(engine(SPARK2, ['inspect', '--format', '{{json .Config.Labels}}', 'vllm-qwen-30b'])) as Record<string, string>;
    assert.equal(labels['com.docker.compose.project.working_dir'], path.join(stack.dir, 'qwen-30b'));
  });

  it('status --json gives every service its host', { timeout: 120_000 }, async () => {
    const { code, out, err } = await cli(stack.dir, 'status', '--json');
    assert.equal(code, 0, out + err);
    const services = (JSON.parse(out) as { services: { name: string; host: string; state: string }[] }).services;
    assert.ok(services.length > 0 && services.every((s) => typeof s.host === 'string' && s.host !== ''), out);
    const placed = services.filter((s) => s.host !== 'local').map((s) => `${s.name}@${s.host}`).sort();
    assert.deepEqual(placed, ['gpt-oss-20b@sg-spark2', 'gpt-oss-20b@sg-spark3', 'qwen-30b@sg-spark2']);
    assert.ok(services.filter((s) => s.host !== 'local').every((s) => ['loading', 'running', 'healthy'].includes(s.state)), out);
  });

  it('LiteLLM spreads streams over both replicas; a killed replica loses only its streams in flight; traffic returns once it is back', { timeout: 300_000 }, async () => {
    const loaded = await loadStack(stack.dir);
    await updateLiteLlmConfig(loaded, findScenario(loaded.scenarios, 'replicas'));
    const generated = readFileSync(path.join(stack.dir, 'litellm', 'config.yaml'), 'utf8');
    assert.match(generated, new RegExp(`api_base: http://${SPARK2.address.replace(/\./g, '\\.')}:8001/v1`));
    assert.match(generated, new RegExp(`api_base: http://${SPARK3.address.replace(/\./g, '\\.')}:8001/v1`));
    // The host process has no database (Prisma's engines cannot be downloaded here, SPEC §6).
    const config = path.join(stack.dir, 'litellm', 'config-hosts-test.yaml');
    writeFileSync(config, generated.replace(/^\s*database_url: .*$/m, ''));
    const apiKey = envValue(readFileSync(path.join(stack.dir, '.env'), 'utf8'), 'VLLM_API_KEY') ?? '';
    redis = await startRedis();
    litellm = await startLiteLlm(config, redis.port, undefined, 1, { VLLM_API_KEY: apiKey });
    const gateway = litellm;

    // 1. Spread: a bounded loop, both replicas see requests.
    const before2 = (await simStats(SPARK2))?.requests ?? 0;
    const before3 = (await simStats(SPARK3))?.requests ?? 0;
    const spread = await loop(gateway, 16);
    assert.deepEqual(spread.filter((o) => !o.ok).map((o) => o.error), []);
    const seen2 = ((await simStats(SPARK2))?.requests ?? 0) - before2;
    const seen3 = ((await simStats(SPARK3))?.requests ?? 0) - before3;
    assert.ok(seen2 > 0 && seen3 > 0, `both replicas see requests: sg-spark2 ${seen2}, sg-spark3 ${seen3}`);

    // 2. Failover: kill sg-spark3's replica (its process, as a crash would) midway through a loop.
    const pid = engine(SPARK3, ['inspect', '--format', '{{.State.Pid}}', 'vllm-gpt-oss-20b']).trim();
    let inFlightOnKilled = -1;
    let killedAt = 0;
    // After a third of the loop, at the first moment sg-spark3 streams something (polled every 50 ms).
    let finished = false;
    let killer: Promise<void> | undefined;
    const killWhenBusy = async () => {
      while (!finished && killedAt === 0) {
        const stats = await simStats(SPARK3);
        if ((stats?.running ?? 0) >= 1) {
          inFlightOnKilled = (stats?.running ?? 0) + (stats?.waiting ?? 0);
          process.kill(Number(pid), 'SIGKILL');
          killedAt = performance.now();
        } else {
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    };
    const failover = await loop(gateway, 40, (_o, done) => {
      if (done === 12) killer = killWhenBusy();
    });
    finished = true;
    await killer;
    assert.ok(inFlightOnKilled >= 1 && killedAt > 0, 'the kill happened mid-run, with streams in flight on sg-spark3');
    const lost = failover.filter((o) => !o.ok);
    // A stream in flight on the killed replica can be lost; one that started after the kill, or ran
    // on sg-spark2, must not be. (The stats read and the kill are a few ms apart: a request routed
    // to sg-spark3 in between is in flight too, so those started meanwhile count as well.)
    const inFlightAtKill = failover.filter((o) => o.startedAt < killedAt && o.endedAt >= killedAt).length;
    const lostAfterKill = lost.filter((o) => o.startedAt > killedAt + 50);
    const counts = { requests: failover.length, lost: lost.length, inFlightOnKilled, inFlightAtKill, lostAfterKill: lostAfterKill.length };
    console.log(`failover counts: ${JSON.stringify(counts)}`);
    const lostInFlight = lost.length - lostAfterKill.length;
    assert.ok(lostInFlight <= inFlightOnKilled + 1 && lostInFlight <= inFlightAtKill, `lost ${JSON.stringify(counts)}: ${lost.map((o) => o.error).join(' | ')}`);
    lostAfterTheKill = lostAfterKill.map((o) => o.error ?? '');
    assert.equal(failover.length, 40);

    // 3. Recovery: the restart policy brings the container back; LiteLLM's cooldown ends and
    // sg-spark3 serves again. Bounded: at most 30 more loops of 8.
    await waitFor('sg-spark3\'s replica back', async () => (await simStats(SPARK3)) !== undefined, 120_000, () => engine(SPARK3, ['ps', '-a']));
    let returned = 0;
    for (let i = 0; i < 30 && returned === 0; i++) {
      const outcomes = await loop(gateway, 8);
      assert.deepEqual(outcomes.filter((o) => !o.ok).map((o) => o.error), [], 'no request is lost while the replica comes back');
      returned = (await simStats(SPARK3))?.requests ?? 0;
      if (returned === 0) await new Promise((r) => setTimeout(r, 2000));
    }
    assert.ok(returned > 0, 'traffic returned to sg-spark3 after it was healthy again');
    console.log(`recovery: sg-spark3 served ${returned} requests after its restart`);
  });

  // Was lost about one run in three with num_retries/allowed_fails/cooldown_time alone: each retry
  // re-picked the dead replica at random before a cooldown was counted, and LiteLLM answered 500
  // "Cannot connect to host". enable_weighted_failover sends it to the other replica.
  it('no request that started after the kill is lost (they go to the other replica)', () => {
    assert.ok(lostAfterTheKill !== undefined, 'the failover test ran');
    assert.deepEqual(lostAfterTheKill, []);
  });

  it('down removes everything on every host', { timeout: 180_000 }, async () => {
    const down = await cli(stack.dir, 'down', 'replicas');
    assert.equal(down.code, 0, down.out + down.err);
    for (const host of TEST_HOSTS) assert.deepEqual(containersOn(host).filter((n) => CONTAINERS.includes(n)), [], host.name);
  });
});
