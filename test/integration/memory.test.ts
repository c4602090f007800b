/**
 * `memory --json` on the local Docker engine: two model servers from the stack's real compose
 * files (the simulator under the vLLM image tag), started with Scenario 2's fractions as
 * `spark-gateway up` would, each holding a little memory (SIM_HOLD_MEMORY_MB, scaled down from
 * real weights) so Docker stats have something to count.
 */
import assert from 'node:assert/strict';
import { appendFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../../src/cli/main';
import { checkScenarioMemory } from '../../src/core/memory/preflight';
import type { MemorySnapshot } from '../../src/core/memory/types';
import { findScenario } from '../../src/core/planner';
import { loadStack } from '../../src/core/stack/discovery';
import { missing } from '../support/components';
import { compose, ensureNetwork, ensureSimulatorImage, inspect, removeNetwork } from '../support/docker';
import { waitFor } from '../support/processes';
import type { StackCopy } from '../support/stack-copy';
import { copyStack } from '../support/stack-copy';

const MODELS = [
  { folder: 'gpt-oss-20b', container: 'vllm-gpt-oss-20b', env: 'GPT_OSS_20B_GPU_MEMORY_UTILIZATION', fraction: '0.25', holdMb: 96 },
  { folder: 'qwen-30b', container: 'vllm-qwen-30b', env: 'QWEN_30B_GPU_MEMORY_UTILIZATION', fraction: '0.45', holdMb: 48 },
];
const MIB = 1024 ** 2;

async function memoryJson(stackDir: string): Promise<MemorySnapshot> {
  let out = '';
  let err = '';
  const code = await runCli(['--stack', stackDir, 'memory', '--json'], { out: (t) => (out += t), err: (t) => (err += t), cwd: stackDir, env: process.env });
  assert.equal(code, 0, err);
  return JSON.parse(out) as MemorySnapshot;
}

describe('memory --json with running model containers', { skip: missing('docker', 'compose') }, () => {
  let stack: StackCopy;
  let createdNetwork = false;

  before(() => {
    ensureSimulatorImage();
    createdNetwork = ensureNetwork();
    stack = copyStack();
    for (const m of MODELS) {
      // The compose files load the model folder's .env (written by sync-env.sh): simulator settings go there.
      appendFileSync(path.join(stack.dir, m.folder, '.env'), `\nSIM_HOLD_MEMORY_MB=${m.holdMb}\nSIM_LOAD_SECONDS=1\n`);
    }
  });
  after(() => {
    try {
      for (const m of MODELS) compose(path.join(stack.dir, m.folder), ['down', '--volumes', '--timeout', '5']);
    } finally {
      if (createdNetwork) removeNetwork();
      stack.remove();
    }
  });

  it('reports the pool, each model\'s Docker-measured use and its budget, and names the running scenario', { timeout: 240_000 }, async () => {
    for (const m of MODELS) compose(path.join(stack.dir, m.folder), ['up', '-d'], { [m.env]: m.fraction });
    for (const m of MODELS) {
      await waitFor(`${m.container} to be healthy`, async () => inspect(m.container).State.Health?.Status === 'healthy', 180_000, () => JSON.stringify(inspect(m.container).State));
    }

    const snapshot = await memoryJson(stack.dir);
    assert.ok(snapshot.totalBytes > 0);
    assert.ok(snapshot.availableBytes > 0 && snapshot.availableBytes <= snapshot.totalBytes, `available ${snapshot.availableBytes} within total ${snapshot.totalBytes}`);
    assert.ok(snapshot.usedBytes >= 0 && snapshot.reclaimableBytes >= 0);
    assert.deepEqual(snapshot.problems, []);
    assert.equal(snapshot.runningScenario, 'scenario-2');
    for (const m of MODELS) {
      const model = snapshot.models.find((x) => x.container === m.container);
      assert.ok(model, `${m.container} listed`);
      assert.equal(model.state, 'healthy');
      assert.equal(model.usedSource, 'docker');
      assert.ok(model.usedBytes >= m.holdMb * MIB, `${model.name} uses ${model.usedBytes} bytes, holds ${m.holdMb} MiB`);
      assert.equal(model.fraction, Number(m.fraction));
      assert.equal(model.fractionSource, 'container');
      assert.equal(model.plannedBytes, Math.round(Number(m.fraction) * snapshot.totalBytes));
      assert.equal(typeof model.kvCacheUsage, 'number', 'KV-cache fill read from the model\'s /metrics');
    }
    const absent = snapshot.models.find((x) => x.name === 'gpt-oss-120b');
    assert.deepEqual([absent?.state, absent?.usedBytes], ['absent', 0]);
    const parts = snapshot.parts;
    assert.ok(Math.abs(parts.modelsBytes + parts.otherBytes + parts.cacheBytes + parts.freeBytes - snapshot.totalBytes) < 1);

    // The pre-flight's view of the same moment: Scenario 2 is already running, so it needs nothing new.
    const file = (await loadStack(stack.dir)).scenarios;
    const check = checkScenarioMemory(file, findScenario(file, 'scenario-2'), snapshot);
    assert.deepEqual(check.models.map((x) => x.alreadyRunning), [true, true]);
    assert.equal(check.neededBytes, 0);
  });
});
