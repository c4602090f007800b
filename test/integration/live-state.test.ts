/**
 * [live] The state model, the CLI's `status`/`logs` and the log follower on the real Docker
 * engine, with the simulator under the vLLM image tag started from the stack's real compose file
 * (plus a test-only healthcheck interval of 1 s, see test/support/live.ts) — and by hand with
 * `docker run`. Every transition is observed through Docker's event stream, not by polling.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../../src/cli/main';
import { createDockerClient } from '../../src/core/docker/client';
import type { DockerClient } from '../../src/core/docker/types';
import type { LogLine } from '../../src/core/logs/follower';
import { followLogs } from '../../src/core/logs/follower';
import { serviceRows } from '../../src/core/stack/services';
import { loadStack } from '../../src/core/stack/discovery';
import { StackStateModel } from '../../src/core/state/stack-state';
import { missing } from '../support/components';
import { ensureNetwork, ensureSimulatorImage, inspect, removeNetwork } from '../support/docker';
import { composeModel, prepareModelFolder, recordStates } from '../support/live';
import { waitFor } from '../support/processes';
import type { StackCopy } from '../support/stack-copy';
import { copyStack } from '../support/stack-copy';

const CONTAINER = 'vllm-gpt-oss-20b';

interface StatusJson {
  services: { name: string; kind: string; container: string; state: string; health: string | null; ports: { hostPort: number }[]; exitCode?: number; progress?: { text: string }; requests?: unknown }[];
}

async function cli(stackDir: string, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(['--stack', stackDir, ...argv], { out: (t) => (out += t), err: (t) => (err += t), cwd: stackDir, env: {} });
  return { code, out, err };
}

async function status(stackDir: string, name: string): Promise<StatusJson['services'][number]> {
  const { code, out, err } = await cli(stackDir, 'status', '--json');
  assert.equal(code, 0, err);
  const found = (JSON.parse(out) as StatusJson).services.find((s) => s.name === name);
  assert.ok(found, `${name} in status --json`);
  return found;
}

function removeContainer(): void {
  execFileSync('docker', ['rm', '-f', CONTAINER], { stdio: 'pipe' });
}

describe('[live] stack state from Docker events on the real engine', { skip: missing('docker', 'compose') }, () => {
  let stack: StackCopy;
  let dir: string;
  let createdNetwork = false;
  let docker: DockerClient;
  let model: StackStateModel;
  let rec: ReturnType<typeof recordStates>;

  before(async () => {
    ensureSimulatorImage();
    createdNetwork = ensureNetwork();
    removeContainer();
    stack = copyStack();
    // 8 s of start-up over 5 shards: long enough to watch the progress, short for a test.
    dir = prepareModelFolder(stack.dir, 'gpt-oss-20b', { SIM_LOAD_SECONDS: '8', SIM_SHARDS: '5' });
    const loaded = await loadStack(stack.dir);
    docker = createDockerClient();
    model = new StackStateModel(serviceRows(loaded), stack.dir, docker);
    model.start();
    await model.whenSynced();
    rec = recordStates(model, 'gpt-oss-20b');
  });

  after(() => {
    rec?.stop();
    model?.dispose();
    try {
      removeContainer();
      if (createdNetwork) removeNetwork();
    } finally {
      stack?.remove();
    }
  });

  it('reports a model that was never created as absent', async () => {
    assert.equal((await status(stack.dir, 'gpt-oss-120b')).state, 'absent');
    const s = await status(stack.dir, 'gpt-oss-20b');
    assert.deepEqual([s.state, s.health, s.container], ['absent', null, CONTAINER]);
    assert.equal(model.services.find((x) => x.name === 'gpt-oss-20b')?.state, 'absent');
  });

  it('follows compose up by hand: starting → loading with shard progress → healthy; status --json agrees at each stage', { timeout: 120_000 }, async () => {
    composeModel(dir, ['up', '-d']);
    const early = await status(stack.dir, 'gpt-oss-20b');
    assert.ok(['starting', 'loading'].includes(early.state), `while loading, status says ${early.state}`);
    assert.equal(early.container, CONTAINER);

    const loading = await rec.waitFor('loading', 20_000);
    const healthy = await rec.waitFor('healthy', 60_000);
    assert.ok(loading.at < healthy.at);
    const shards = rec.records.filter((r) => /^shard \d\/5$/.test(r.progress ?? '')).map((r) => r.progress);
    assert.ok(shards.length >= 2, `several shard steps seen: ${JSON.stringify(rec.records)}`);
    assert.ok(rec.records.some((r) => r.state === 'loading' && /KV cache|API server|engine ready|weights loaded/.test(r.progress ?? '')), `later milestones seen: ${JSON.stringify(rec.records)}`);

    const done = await status(stack.dir, 'gpt-oss-20b');
    assert.deepEqual([done.state, done.health], ['healthy', 'healthy']);
    assert.ok(done.ports.some((p) => p.hostPort === 8001));

    const logs = await cli(stack.dir, 'logs', 'gpt-oss-20b');
    assert.equal(logs.code, 0, logs.err);
    assert.match(logs.out, /Loading safetensors checkpoint shards: +\d+% Completed \| 5\/5/);
    assert.match(logs.out, /Application startup complete\./);
    assert.doesNotMatch(logs.out, /\u001b\[/, 'no colour codes');
    const tail = await cli(stack.dir, 'logs', CONTAINER, '--tail', '1');
    assert.equal(tail.out.trim().split('\n').length, 1);
  });

  it('shows a healthy model\'s requests and KV-cache use only while watched', { timeout: 30_000 }, async () => {
    assert.equal(model.services.find((s) => s.name === 'gpt-oss-20b')?.requests, undefined);
    const watch = model.watchMetrics();
    try {
      await waitFor('requests from /metrics', async () => model.services.find((s) => s.name === 'gpt-oss-20b')?.requests !== undefined, 15_000);
      const s = model.services.find((x) => x.name === 'gpt-oss-20b');
      assert.deepEqual(s?.requests, { running: 0, waiting: 0 });
      assert.equal(typeof s?.kv, 'number');
    } finally {
      watch.dispose();
    }
  });

  it('turns unhealthy when its health endpoint fails, and healthy again when it recovers', { timeout: 60_000 }, async () => {
    const from = rec.records.length;
    await fetch('http://127.0.0.1:8001/sim/fault', { method: 'POST', body: JSON.stringify({ fault: 'fail-health' }) });
    await rec.waitFor('unhealthy', 30_000, from);
    assert.equal((await status(stack.dir, 'gpt-oss-20b')).state, 'unhealthy');
    const back = rec.records.length;
    await fetch('http://127.0.0.1:8001/sim/fault', { method: 'POST', body: JSON.stringify({ fault: 'none' }) });
    await rec.waitFor('healthy', 30_000, back);
  });

  it('sees a crash restarted by the restart policy, and the log follower follows across it', { timeout: 120_000 }, async () => {
    assert.equal(inspect(CONTAINER).State.Status, 'running');
    const policy = execFileSync('docker', ['inspect', '-f', '{{.HostConfig.RestartPolicy.Name}}', CONTAINER], { encoding: 'utf8' }).trim();
    assert.equal(policy, 'unless-stopped', 'the compose file\'s restart policy');
    const restartsBefore = model.services.find((s) => s.name === 'gpt-oss-20b')?.restartCount ?? 0;

    const stop = new AbortController();
    const lines: LogLine[] = [];
    const notices: string[] = [];
    const actions: string[] = [];
    const following = (async () => {
      for await (const line of followLogs(docker, CONTAINER, { follow: true, signal: stop.signal, onNotice: (n) => notices.push(n) })) lines.push(line);
    })();
    const watching = (async () => {
      for await (const e of docker.events({ filters: { container: [CONTAINER] } }, stop.signal)) actions.push(e.action);
    })().catch(() => undefined);
    try {
      await waitFor('the follower to read the existing log', async () => lines.some((l) => l.text.includes('Application startup complete.')), 15_000);
      const from = rec.records.length;
      // die-mid-stream: the simulator exits with code 1 after three chunks of a streamed answer.
      await fetch('http://127.0.0.1:8001/sim/fault', { method: 'POST', body: JSON.stringify({ fault: 'die-mid-stream' }) });
      await fetch('http://127.0.0.1:8001/v1/chat/completions', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'gpt-oss-20b', stream: true, messages: [{ role: 'user', content: 'tell me a long story please' }] }) })
        .then((r) => r.text())
        .catch(() => undefined);

      await waitFor('Docker to restart it', async () => actions.includes('die') && actions.lastIndexOf('start') > actions.indexOf('die'), 30_000, () => actions.join(', '));
      await waitFor('the model to count the restart', async () => (model.services.find((s) => s.name === 'gpt-oss-20b')?.restartCount ?? 0) > restartsBefore, 15_000, () => JSON.stringify(rec.records.slice(from)));
      const after = rec.records.slice(from);
      // Between die and start Docker says "restarting" for a moment; the 200 ms debounce may
      // coalesce it with the start, but the crash always shows as a new loading phase.
      assert.ok(after.some((r) => r.state === 'restarting' || r.state === 'loading' || r.state === 'starting'), JSON.stringify(after));
      await rec.waitFor('healthy', 60_000, from + 1);

      await waitFor('the follower to see the second start-up', async () => lines.filter((l) => l.text.includes('Application startup complete.')).length === 2, 30_000, () => lines.map((l) => l.text).join('\n'));
      assert.equal(lines.filter((l) => l.text.includes('non-default args:')).length, 2, 'each start-up line once: nothing lost, nothing repeated');
      assert.ok(notices.some((n) => n.includes('stopped')) && notices.some((n) => n.includes('started again')), notices.join('; '));
    } finally {
      stop.abort();
      await following;
      await watching;
    }
  });

  it('reports exited with the exit code after docker kill', { timeout: 30_000 }, async () => {
    const from = rec.records.length;
    execFileSync('docker', ['kill', CONTAINER], { stdio: 'pipe' });
    await rec.waitFor('exited', 10_000, from);
    const s = model.services.find((x) => x.name === 'gpt-oss-20b');
    assert.equal(s?.exitCode, 137);
    const cliStatus = await status(stack.dir, 'gpt-oss-20b');
    assert.deepEqual([cliStatus.state, cliStatus.exitCode], ['exited', 137]);
    const table = await cli(stack.dir, 'status');
    assert.match(table.out, /gpt-oss-20b\s+model\s+exited \(137\)/);
  });

  it('recognises a container started by hand with docker run and the seed\'s name', { timeout: 60_000 }, async () => {
    composeModel(dir, ['down', '--timeout', '2']);
    await rec.waitFor('absent', 10_000, rec.records.length - 1);
    const from = rec.records.length;
    execFileSync('docker', ['run', '-d', '--name', CONTAINER, '-p', '127.0.0.1:8001:8000', '-e', 'SIM_LOAD_SECONDS=3', 'nvcr.io/nvidia/vllm:26.10-py3',
      'vllm', 'serve', 'openai/gpt-oss-20b', '--served-model-name', 'gpt-oss-20b', '--host', '0.0.0.0', '--port', '8000'], { stdio: 'pipe' });
    // No healthcheck here: the model is "running" once vLLM logs that its API server is up.
    const running = await rec.waitFor('running', 30_000, from);
    assert.ok(rec.records.slice(from).findIndex((r) => r.state === 'loading' || r.state === 'starting') < rec.records.indexOf(running), JSON.stringify(rec.records.slice(from)));
    const s = await status(stack.dir, 'gpt-oss-20b');
    assert.deepEqual([s.state, s.health, s.container], ['running', 'none', CONTAINER]);
  });
});
