/**
 * `spark-gateway up` / `down` on the local Docker engine with the simulator backend: Scenario 2's
 * two models from their real compose files, started with the scenario's memory fractions, waited
 * for until healthy, and stopped again without leaving anything of the scenario behind. (The
 * gateway's images — LiteLLM, Redis, PostgreSQL, NGINX — cannot be pulled on this machine, so
 * these runs use --models-only; the gateway part is covered by its own tests on host processes.)
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../../src/cli/main';
import { CancelledError } from '../../src/core/process/cancellation';
import { startScenario } from '../../src/core/lifecycle/scenario-start';
import { loadStack } from '../../src/core/stack/discovery';
import { missing } from '../support/components';
import { ensureSimulatorImage, inspect } from '../support/docker';
import type { StackCopy } from '../support/stack-copy';
import { copyStack } from '../support/stack-copy';

const CONTAINERS = ['vllm-gpt-oss-20b', 'vllm-qwen-30b'];

async function cli(stackDir: string, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(['--stack', stackDir, ...argv], { out: (t) => (out += t), err: (t) => (err += t), cwd: stackDir, env: {} });
  return { code, out, err };
}

function ourContainers(): string[] {
  return execFileSync('docker', ['ps', '-a', '--format', '{{.Names}}'], { encoding: 'utf8' }).split('\n').filter((n) => n.startsWith('vllm-'));
}

function removeContainers(): void {
  for (const name of ourContainers()) execFileSync('docker', ['rm', '-f', name], { stdio: 'pipe' });
}

describe('up/down of Scenario 2 on Docker (simulator backend)', { skip: missing('docker', 'compose') }, () => {
  let stack: StackCopy;
  before(() => {
    ensureSimulatorImage();
    stack = copyStack();
  });
  after(() => {
    removeContainers();
    stack.remove();
  });

  it('starts both models with the scenario fractions, waits until healthy, and down leaves nothing', { timeout: 240_000 }, async () => {
    const up = await cli(stack.dir, 'up', 'scenario-2', '--backend', 'simulator', '--models-only');
    assert.equal(up.code, 0, up.out + up.err);
    assert.match(up.out, /gpt-oss-20b: healthy/);
    assert.match(up.out, /qwen-30b: healthy/);
    assert.match(up.out, /scenario-2 is up: gpt-oss-20b, qwen-30b \(models only\)/);
    assert.match(up.out, /\| .*(Started|Running|Creat)/, 'compose output is shown');
    for (const [container, fraction] of [['vllm-gpt-oss-20b', '0.25'], ['vllm-qwen-30b', '0.45']] as const) {
      const args = inspect(container).Args;
      assert.equal(args[args.indexOf('--gpu-memory-utilization') + 1], fraction, `${container} got the scenario's fraction`);
      assert.equal(inspect(container).State.Status, 'running');
    }
    for (const port of [8001, 8003]) assert.equal((await fetch(`http://127.0.0.1:${port}/health`)).status, 200);

    const down = await cli(stack.dir, 'down', 'scenario-2');
    assert.equal(down.code, 0, down.out + down.err);
    assert.match(down.out, /Stopped qwen-30b, gpt-oss-20b\./);
    assert.deepEqual(ourContainers().filter((n) => CONTAINERS.includes(n)), []);
  });

  it('cancelled while waiting for health: compose stops, the started container stays for status and down', { timeout: 180_000 }, async () => {
    const controller = new AbortController();
    const loaded = await loadStack(stack.dir);
    await assert.rejects(
      startScenario({
        stack: loaded,
        scenario: 'gpt-oss-20b',
        backend: 'simulator',
        modelsOnly: true,
        cancellation: controller.signal,
        onProgress: (p) => {
          if (p.phase === 'health') controller.abort();
        },
      }),
      CancelledError,
    );
    assert.ok(['running', 'restarting', 'created'].includes(inspect('vllm-gpt-oss-20b').State.Status));
    const status = await cli(stack.dir, 'status', '--json');
    assert.equal(status.code, 0, status.err);
    const services = (JSON.parse(status.out) as { services: { name: string; state: string }[] }).services;
    const model = services.find((s) => s.name === 'gpt-oss-20b');
    assert.ok(model && ['starting', 'loading', 'running', 'healthy'].includes(model.state), `status explains the interrupted start: ${JSON.stringify(model)}`);
    const down = await cli(stack.dir, 'down', 'gpt-oss-20b');
    assert.equal(down.code, 0, down.err);
    assert.deepEqual(ourContainers(), []);
  });
});
