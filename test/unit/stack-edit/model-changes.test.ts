/**
 * Adding and removing a model as change sets on a copy of the bundled stack: comments survive
 * the YAML edits, add-then-remove gives back the stack byte for byte, clashes and scenarios that
 * still use a model are refused. Names and ports for a new model are DNS-safe and free.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { parse } from 'yaml';
import { SparkError } from '../../../src/core/errors';
import { parseVllmImages } from '../../../src/core/stack/vllm-images';
import { renderModelFolder } from '../../../src/core/stack/model-template';
import { parseScenarioFile } from '../../../src/core/scenarios/file';
import type { ModelSpec } from '../../../src/core/scenarios/file';
import { modelAdditionChanges, modelRemovalChanges, readStackTexts } from '../../../src/core/stack-edit/model-changes';
import { containerFor, dnsSafeName, freeHostPort, memoryEnvFor, uniqueModelName } from '../../../src/core/stack-edit/names';
import { applyStackChanges } from '../../../src/core/files';
import { addScenario, removeScenario } from '../../../src/core/stack-edit/yaml-edits';
import type { StackCopy } from '../../support/stack-copy';
import { copyStack } from '../../support/stack-copy';
import { snapshotTree } from '../../support/tree-snapshot';
import { STACK_DIR } from '../../support/processes';

const bundled = parseScenarioFile(readFileSync(path.join(STACK_DIR, 'scenarios.yaml'), 'utf8'), 'scenarios.yaml');

/** A model entry as add-model would make it (Qwen3-4B's config: 36 layers, 8 KV heads, head_dim 128). */
function newModel(overrides: Partial<ModelSpec> = {}): ModelSpec {
  const name = overrides.name ?? 'qwen3-4b';
  return {
    name, folder: name, container: containerFor(name), hfModel: 'Qwen/Qwen3-4B',
    weightsGiB: 7.5, overheadGiB: 2, kvCacheDtype: 'auto', kvBytesPerToken: 36 * 8 * 128 * 2 * 2, maxModelLen: 32768,
    hostPort: 8004, memoryEnv: memoryEnvFor(name), defaultFraction: 0.15, toolCallParser: 'hermes', reasoningParser: 'qwen3',
    tensorParallel: {}, gpus: {}, ...overrides,
  };
}

describe('adding and removing a model', () => {
  let stack: StackCopy;
  beforeEach(() => {
    stack = copyStack({ syncEnv: false });
  });
  afterEach(() => stack.remove());

  it('writes the folder from the template, the entry, a one-model scenario and the LiteLLM entry, keeping every comment', async () => {
    const texts = await readStackTexts(stack.dir);
    const images = parseVllmImages(readFileSync(path.join(stack.dir, 'vllm-images.yaml'), 'utf8'), 'vllm-images.yaml');
    const model = newModel();
    await applyStackChanges(stack.dir, modelAdditionChanges(texts, model, images, stack.dir));

    const text = readFileSync(path.join(stack.dir, 'scenarios.yaml'), 'utf8');
    const comments = (t: string) => t.split('\n').filter((l) => /^\s*#/.test(l) || / # /.test(l));
    assert.deepEqual(comments(texts.scenarios).filter((c) => !comments(text).includes(c)), [], 'every comment survives');
    const file = parseScenarioFile(text, 'scenarios.yaml');
    assert.deepEqual(file.models.find((m) => m.name === 'qwen3-4b'), { ...model, trustRemoteCode: undefined, quantization: undefined, extraArgs: undefined });
    assert.deepEqual([...(file.scenarios.find((s) => s.name === 'qwen3-4b')?.models ?? [])], [['qwen3-4b', 0.15]]);
    for (const [rel, content] of renderModelFolder(model, images)) assert.equal(readFileSync(path.join(stack.dir, rel), 'utf8'), content);

    const litellm = parse(readFileSync(path.join(stack.dir, 'litellm', 'config.yaml'), 'utf8')) as { model_list: { model_name: string; litellm_params: Record<string, string>; model_info: Record<string, unknown> }[] };
    const entry = litellm.model_list.find((e) => e.model_name === 'qwen3-4b');
    assert.deepEqual(entry?.litellm_params, { model: 'hosted_vllm/qwen3-4b', api_base: 'http://vllm-qwen3-4b:8000/v1', api_key: 'not-used' });
    assert.deepEqual(entry?.model_info, { mode: 'chat', max_tokens: 32768, max_input_tokens: 32768, supports_function_calling: true });
  });

  it('gives back the stack byte for byte when the model is removed again', async () => {
    const before = snapshotTree(stack.dir);
    const images = parseVllmImages(readFileSync(path.join(stack.dir, 'vllm-images.yaml'), 'utf8'), 'vllm-images.yaml');
    await applyStackChanges(stack.dir, modelAdditionChanges(await readStackTexts(stack.dir), newModel(), images));
    assert.notDeepEqual(snapshotTree(stack.dir), before);
    await applyStackChanges(stack.dir, modelRemovalChanges(await readStackTexts(stack.dir), 'qwen3-4b'));
    assert.deepEqual(snapshotTree(stack.dir), before);
  });

  it('removes a bundled model with its one-model scenario once no other scenario uses it', async () => {
    const texts = await readStackTexts(stack.dir);
    assert.throws(() => modelRemovalChanges(texts, 'qwen-30b'), /model "qwen-30b" is used by scenarios scenario-2, all/);
    let scenarios = texts.scenarios;
    for (const name of ['scenario-2', 'all']) scenarios = removeScenario(scenarios, 'scenarios.yaml', name);
    const changes = modelRemovalChanges({ ...texts, scenarios }, 'qwen-30b');
    await applyStackChanges(stack.dir, changes);
    const file = parseScenarioFile(readFileSync(path.join(stack.dir, 'scenarios.yaml'), 'utf8'), 'scenarios.yaml');
    assert.deepEqual(file.models.map((m) => m.name), ['gpt-oss-20b', 'gpt-oss-120b']);
    assert.ok(!file.scenarios.some((s) => s.name === 'qwen-30b'));
    assert.doesNotMatch(readFileSync(path.join(stack.dir, 'litellm', 'config.yaml'), 'utf8'), /qwen-30b/);
    assert.deepEqual(Object.keys(snapshotTree(stack.dir)).filter((f) => f.startsWith('qwen-30b')), []);
  });

  it('refuses a name, port or memory variable another model has', async () => {
    const texts = await readStackTexts(stack.dir);
    const images = parseVllmImages(readFileSync(path.join(stack.dir, 'vllm-images.yaml'), 'utf8'), 'vllm-images.yaml');
    assert.throws(() => modelAdditionChanges(texts, newModel({ name: 'qwen-30b', hostPort: 8009 }), images), /model "qwen-30b" already has name qwen-30b/);
    assert.throws(() => modelAdditionChanges(texts, newModel({ hostPort: 8003 }), images), /model "qwen-30b" already has hostPort 8003/);
  });

  it('adds a scenario with its models in a flow map, and refuses one whose name exists', async () => {
    const texts = await readStackTexts(stack.dir);
    const text = addScenario(texts.scenarios, 'scenarios.yaml', { name: 'pair', title: 'Pair', variant: 'spark', models: new Map([['gpt-oss-20b', 0.2], ['qwen-30b', 0.4]]) });
    assert.match(text, /\n {2}- name: pair\n {4}title: Pair\n {4}variant: spark\n {4}models: \{ gpt-oss-20b: 0\.2, qwen-30b: 0\.4 \}\n$/);
    assert.throws(() => addScenario(texts.scenarios, 'scenarios.yaml', { name: 'all', title: 'x', variant: 'spark', models: new Map([['qwen-30b', 0.4]]) }), /a scenario "all" exists already/);
  });
});

describe('names and ports for a new model', () => {
  it('makes a DNS-safe name from a repository id', () => {
    assert.equal(dnsSafeName('Qwen/Qwen3-4B-Instruct-2507'), 'qwen3-4b-instruct-2507');
    assert.equal(dnsSafeName('meta-llama/Llama-3.1-8B-Instruct'), 'llama-3-1-8b-instruct');
    assert.equal(dnsSafeName(`org/${'x'.repeat(80)}`).length, 58, 'vllm-<name> stays a 63-character DNS label');
    assert.throws(() => dnsSafeName('org/___'), /no letters or digits/);
  });

  it('appends -2, -3 … to a name the stack has, or refuses it when the user chose it', () => {
    assert.equal(uniqueModelName(bundled, 'openai/gpt-oss-20b'), 'gpt-oss-20b-2');
    assert.equal(uniqueModelName(bundled, 'Qwen/Qwen3-4B'), 'qwen3-4b');
    assert.equal(uniqueModelName(bundled, 'litellm'), 'litellm-2', 'the gateway\'s folder names are taken');
    assert.throws(() => uniqueModelName(bundled, 'all', { exact: true }), /already has a model, scenario or folder named "all"/);
  });

  it('picks the lowest free model port and refuses one the stack uses', () => {
    assert.equal(freeHostPort(bundled), 8004);
    assert.equal(freeHostPort(bundled, 8100), 8100);
    assert.throws(() => freeHostPort(bundled, 8002), (error: unknown) => {
      assert.ok(error instanceof SparkError);
      assert.match(error.message, /port 8002 is already used by model "gpt-oss-120b"/);
      assert.equal(error.fix, 'Pass another --port, e.g. 8004');
      return true;
    });
    assert.throws(() => freeHostPort(bundled, 4000), /used by the gateway/);
    assert.equal(freeHostPort(bundled, undefined, [8004]), 8005);
  });

  it('names the memory variable and the container as the bundled models do', () => {
    for (const m of bundled.models) {
      assert.equal(memoryEnvFor(m.name), m.memoryEnv);
      assert.equal(containerFor(m.name), m.container);
    }
  });
});
