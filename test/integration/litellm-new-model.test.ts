/**
 * The real LiteLLM proxy loads the stack's config.yaml as the model change set edits it (the new
 * `model_list` entry written through the yaml Document API, comments and the other entries kept)
 * and routes the new model name to its server — here a simulator on loopback standing in for the
 * GPU server, as in litellm.test.ts.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadVllmImages } from '../../src/core/stack/vllm-images';
import type { ModelSpec } from '../../src/core/scenarios/file';
import { modelAdditionChanges, readStackTexts } from '../../src/core/stack-edit/model-changes';
import { applyStackChanges } from '../../src/core/files';
import { missing } from '../support/components';
import type { LiteLlm, Redis } from '../support/gateway';
import { loopbackConfig, startLiteLlm, startRedis } from '../support/gateway';
import type { Simulator } from '../support/simulator';
import { startSimulator } from '../support/simulator';
import type { StackCopy } from '../support/stack-copy';
import { copyStack } from '../support/stack-copy';

const MODEL: ModelSpec = {
  name: 'qwen3-4b', folder: 'qwen3-4b', container: 'vllm-qwen3-4b', hfModel: 'Qwen/Qwen3-4B',
  weightsGiB: 7.5, overheadGiB: 2, kvCacheDtype: 'auto', kvBytesPerToken: 147456, maxModelLen: 32768,
  hostPort: 8004, memoryEnv: 'QWEN3_4B_GPU_MEMORY_UTILIZATION', defaultFraction: 0.15,
  toolCallParser: 'hermes', tensorParallel: {}, gpus: {},
};

describe('LiteLLM with a model added by the change set', { skip: missing('litellm', 'redis') }, () => {
  const work = mkdtempSync(path.join(tmpdir(), 'spark-litellm-new-'));
  let stack: StackCopy;
  let sim: Simulator;
  let redis: Redis;
  let litellm: LiteLlm;

  before(async () => {
    stack = copyStack({ syncEnv: false });
    await applyStackChanges(stack.dir, modelAdditionChanges(await readStackTexts(stack.dir), MODEL, await loadVllmImages(stack.dir), stack.dir));
    sim = await startSimulator({ model: MODEL.hfModel, servedName: MODEL.name, env: { SIM_TOKENS_PER_SECOND: '2000' } });
    redis = await startRedis();
    litellm = await startLiteLlm(loopbackConfig(new Map([[MODEL.container, sim.url]]), work, stack.dir), redis.port);
  });
  after(async () => {
    await litellm?.stop();
    await redis?.stop();
    await sim?.stop();
    stack?.remove();
    rmSync(work, { recursive: true, force: true });
  });

  it('lists the new model beside the bundled ones', async () => {
    const response = await fetch(`${litellm.url}/v1/models`, { headers: { authorization: `Bearer ${litellm.masterKey}` } });
    assert.equal(response.status, 200);
    const ids = ((await response.json()) as { data: { id: string }[] }).data.map((m) => m.id).sort();
    assert.deepEqual(ids, ['gpt-oss-120b', 'gpt-oss-20b', 'qwen-30b', 'qwen3-4b']);
  });

  it('routes a chat completion for the new name to its server', async () => {
    const before = (await sim.stats()).requests;
    const response = await fetch(`${litellm.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${litellm.masterKey}` },
      body: JSON.stringify({ model: 'qwen3-4b', messages: [{ role: 'user', content: 'Say hello from the new model.' }], max_tokens: 8 }),
    });
    assert.equal(response.status, 200, await response.clone().text());
    const body = (await response.json()) as { model: string; choices: { message: { content: string } }[] };
    assert.match(body.model, /qwen3-4b/);
    assert.ok((body.choices[0]?.message.content ?? '').length > 0);
    assert.equal((await sim.stats()).requests, before + 1, 'the request reached the new model\'s server');
  });
});
