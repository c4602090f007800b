/**
 * `add-scenario` and `remove-model` through the CLI on copies of the bundled stack. Fractions
 * come from the planner's arithmetic (each figure worked out below from scenarios.yaml); a
 * refusal writes nothing. remove-model's Docker questions are answered here by a recorded
 * stand-in of the `docker` CLI's answers; test/integration/model-remove.test.ts asks the real engine.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { runCli } from '../../../src/cli/main';
import { GIB } from '../../../src/core/planner';
import { autoFractions } from '../../../src/core/scenario-fit';
import { parseScenarioFile } from '../../../src/core/scenarios/file';
import type { ContainerFacts, ModelContainers } from '../../../src/core/stack-edit/remove-model';
import { removeModelFromStack } from '../../../src/core/stack-edit/remove-model';
import { removeScenario } from '../../../src/core/stack-edit/yaml-edits';
import type { StackCopy } from '../../support/stack-copy';
import { copyStack } from '../../support/stack-copy';
import { snapshotTree } from '../../support/tree-snapshot';

async function cli(dir: string, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(['--stack', dir, ...argv], { out: (t) => (out += t), err: (t) => (err += t), cwd: dir, env: {} });
  return { code, out, err };
}

/** Docker as it answers for one container (or none), recording what it is asked to remove. */
function containersWith(facts: ContainerFacts | undefined, volumes: string[] = []): ModelContainers & { removed: string[] } {
  const removed: string[] = [];
  return {
    removed,
    inspect: async () => facts,
    removeContainer: async (c) => void removed.push(`container ${c}`),
    projectVolumes: async () => volumes,
    removeVolume: async (v) => void removed.push(`volume ${v}`),
  };
}

describe('add-scenario', () => {
  let stack: StackCopy;
  beforeEach(() => {
    stack = copyStack({ syncEnv: false });
  });
  afterEach(() => stack.remove());

  it('computes fractions that fit with the reserve and saves the scenario, comments kept', async () => {
    // 128 GiB, reserve 8 → 93 hundredths usable (120/128 = 0.9375). Least: gpt-oss-20b
    // 13.5 + 3 + 0.75 = 17.25 GiB = 13.48% → 14; qwen-30b 31 + 4 + 1.5 = 36.5 GiB = 28.52% → 29.
    // Spare 93 − 43 = 50, shared 14:29 → +16 and +33 (floors): 0.30 and 0.62.
    const before = readFileSync(path.join(stack.dir, 'scenarios.yaml'), 'utf8');
    const { code, out } = await cli(stack.dir, 'add-scenario', 'coder-pair', 'gpt-oss-20b', 'qwen-30b', '--total-gib', '128');
    assert.equal(code, 0, out);
    assert.match(out, /coder-pair: fits in 128\.0 GiB/);
    const text = readFileSync(path.join(stack.dir, 'scenarios.yaml'), 'utf8');
    assert.ok(text.startsWith(before.trimEnd()), 'the file is only appended to');
    const added = parseScenarioFile(text, 'scenarios.yaml').scenarios.find((s) => s.name === 'coder-pair');
    assert.deepEqual([...(added?.models ?? [])], [['gpt-oss-20b', 0.3], ['qwen-30b', 0.62]]);
    assert.equal(added?.title, 'gpt-oss-20b + qwen-30b');
    assert.equal((await cli(stack.dir, 'plan', 'coder-pair', '--total-gib', '128')).code, 0, 'plan agrees');
  });

  it('refuses the three models on 128 GiB with the planner\'s reason, exit 2, nothing written', async () => {
    // Least: 14 + 53 (66.5625 GiB = 52.0% → 53) + 29 = 96 hundredths > 93 usable.
    const before = snapshotTree(stack.dir);
    const { code, out, err } = await cli(stack.dir, 'add-scenario', 'three', 'gpt-oss-20b', 'gpt-oss-120b', 'qwen-30b', '--total-gib', '128');
    assert.equal(code, 2);
    assert.match(out, /together the models take 122\.9 GiB of 128\.0 GiB, leaving 5\.1 GiB — less than the 8\.0 GiB reserve/);
    assert.match(err, /does not fit, so it was not added/);
    assert.deepEqual(snapshotTree(stack.dir), before);
  });

  it('checks given fractions with the planner and refuses a budget below a model\'s weights', async () => {
    const before = snapshotTree(stack.dir);
    const { code, out } = await cli(stack.dir, 'add-scenario', 'tight', 'gpt-oss-20b', 'qwen-30b', '--fractions', 'gpt-oss-20b=0.25,qwen-30b=0.2', '--total-gib', '128');
    assert.equal(code, 2);
    assert.match(out, /qwen-30b: budget 25\.6 GiB \(0\.2 × 128\.0 GiB\) is below its weights 31\.0 GiB/);
    assert.deepEqual(snapshotTree(stack.dir), before);
    assert.equal((await cli(stack.dir, 'add-scenario', 'ok', 'gpt-oss-20b', 'qwen-30b', '--fractions', 'gpt-oss-20b=0.25,qwen-30b=0.45', '--total-gib', '128')).code, 0);
  });

  it('makes room for --context tokens of KV cache per model, and refuses when that no longer fits', () => {
    const file = parseScenarioFile(readFileSync(path.join(stack.dir, 'scenarios.yaml'), 'utf8'), 'scenarios.yaml');
    // 131072 tokens: gpt-oss-120b 61 + 5 + 36864 × 131072 / 2^30 (4.5) = 70.5 GiB → 56 hundredths,
    // qwen-30b 31 + 4 + 49152 × 131072 / 2^30 (6) = 41 GiB → 33; 89 ≤ 93 fits, spare 4 → +2, +1.
    const fit = autoFractions(file, ['gpt-oss-120b', 'qwen-30b'], 128 * GIB, 131072);
    assert.equal(fit.fits, true, fit.reasons.join('; '));
    assert.deepEqual([...fit.fractions], [['gpt-oss-120b', 0.58], ['qwen-30b', 0.34]]);
    // 262144 tokens: 61 + 5 + 9 = 75 GiB → 59, 31 + 4 + 12 = 47 GiB → 37; 96 > 93.
    const tight = autoFractions(file, ['gpt-oss-120b', 'qwen-30b'], 128 * GIB, 262144);
    assert.equal(tight.fits, false);
    assert.match(tight.reasons.join('; '), /less than the 8\.0 GiB reserve/);
  });

  it('refuses a name that exists, an unknown model and a fraction for a model not in the scenario', async () => {
    assert.match((await cli(stack.dir, 'add-scenario', 'all', 'qwen-30b', '--total-gib', '128')).err, /already has a scenario "all"/);
    assert.match((await cli(stack.dir, 'add-scenario', 'x', 'nope', '--total-gib', '128')).err, /unknown model "nope"/);
    assert.match((await cli(stack.dir, 'add-scenario', 'x', 'qwen-30b', '--fractions', 'gpt-oss-20b=0.2', '--total-gib', '128')).err, /names "gpt-oss-20b", which is not one of the scenario's models/);
    assert.match((await cli(stack.dir, 'add-scenario', 'Bad_Name', 'qwen-30b', '--total-gib', '128')).err, /"Bad_Name" is not a scenario name/);
  });
});

describe('remove-model', () => {
  let stack: StackCopy;
  beforeEach(() => {
    stack = copyStack({ syncEnv: false });
  });
  afterEach(() => stack.remove());

  /** qwen-30b is in scenario-2 and all: take those out first, as the refusal asks. */
  const freeQwen = () => {
    const file = path.join(stack.dir, 'scenarios.yaml');
    writeFileSync(file, removeScenario(removeScenario(readFileSync(file, 'utf8'), file, 'scenario-2'), file, 'all'));
  };

  it('refuses, naming them, while other scenarios use the model', async () => {
    const before = snapshotTree(stack.dir);
    const { code, err } = await cli(stack.dir, 'remove-model', 'gpt-oss-120b');
    assert.equal(code, 1);
    assert.match(err, /model "gpt-oss-120b" is used by scenarios scenario-1, all — Delete those scenarios from scenarios.yaml/);
    assert.deepEqual(snapshotTree(stack.dir), before);
  });

  it('refuses while the container runs and changes nothing', async () => {
    freeQwen();
    const before = snapshotTree(stack.dir);
    for (const state of ['running', 'restarting', 'paused']) {
      const docker = containersWith({ state, project: 'qwen-30b' });
      await assert.rejects(removeModelFromStack(stack.dir, 'qwen-30b', { containers: docker }), new RegExp(`vllm-qwen-30b is ${state}: stop it before removing qwen-30b`));
      assert.deepEqual(docker.removed, []);
    }
    assert.deepEqual(snapshotTree(stack.dir), before);
  });

  it('removes a stopped model\'s files and container and keeps its weights volume', async () => {
    freeQwen();
    const docker = containersWith({ state: 'exited', project: 'qwen-30b' }, ['qwen-30b_huggingface_cache']);
    const result = await removeModelFromStack(stack.dir, 'qwen-30b', { containers: docker });
    assert.deepEqual(docker.removed, ['container vllm-qwen-30b']);
    assert.deepEqual(result.keptVolumes, ['qwen-30b_huggingface_cache']);
    const file = parseScenarioFile(readFileSync(path.join(stack.dir, 'scenarios.yaml'), 'utf8'), 'scenarios.yaml');
    assert.deepEqual(file.models.map((m) => m.name), ['gpt-oss-20b', 'gpt-oss-120b']);
    assert.ok(!file.scenarios.some((s) => s.name === 'qwen-30b'), 'its one-model scenario goes with it');
    assert.doesNotMatch(readFileSync(path.join(stack.dir, 'litellm', 'config.yaml'), 'utf8'), /qwen-30b/);
    assert.deepEqual(Object.keys(snapshotTree(stack.dir)).filter((f) => f.startsWith('qwen-30b')), []);
  });

  it('with purge removes the weights volume too', async () => {
    freeQwen();
    const docker = containersWith(undefined, ['qwen-30b_huggingface_cache']);
    const result = await removeModelFromStack(stack.dir, 'qwen-30b', { containers: docker, purge: true });
    assert.deepEqual(docker.removed, ['volume qwen-30b_huggingface_cache'], 'no container to remove, the volume goes');
    assert.deepEqual(result.removedVolumes, ['qwen-30b_huggingface_cache']);
  });

  it('refuses when Docker cannot be asked, and changes nothing', async () => {
    freeQwen();
    const before = snapshotTree(stack.dir);
    const docker: ModelContainers = { ...containersWith(undefined), inspect: async () => { throw new Error('connect ENOENT /var/run/docker.sock'); } };
    await assert.rejects(removeModelFromStack(stack.dir, 'qwen-30b', { containers: docker }), /could not ask Docker whether vllm-qwen-30b runs: connect ENOENT/);
    assert.deepEqual(snapshotTree(stack.dir), before);
  });
});
