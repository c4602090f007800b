/**
 * The model template: the bundled model folders are exactly its output, and what it writes
 * follows the scenarios.yaml entry (flags from fields, quoting both compose versions read alike).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { interpolate } from '../../../src/core/compose/interpolate';
import { FileFormatError } from '../../../src/core/errors';
import { parseVllmImages } from '../../../src/core/stack/vllm-images';
import { containerCommand, renderModelCompose, renderModelFolder, serveArgs } from '../../../src/core/stack/model-template';
import { parseScenarioFile } from '../../../src/core/scenarios/file';
import type { ModelSpec } from '../../../src/core/scenarios/file';
import { STACK_DIR } from '../../support/processes';
import { MODEL_A, scenariosYaml } from '../../support/fixtures';

const read = (...parts: string[]) => readFileSync(path.join(STACK_DIR, ...parts), 'utf8');
const images = parseVllmImages(read('vllm-images.yaml'), 'vllm-images.yaml');

/** A one-model file whose model entry gets `extra` lines (indented as entry fields). */
function modelWith(extra: string): ModelSpec {
  const file = parseScenarioFile(scenariosYaml().replace(MODEL_A, `${MODEL_A}${extra}`), 'scenarios.yaml');
  const model = file.models[0];
  assert.ok(model);
  return model;
}

interface Service {
  image: string;
  command: string[];
  ports: string[];
  deploy: { resources: { reservations: { devices: { device_ids?: string[]; count?: string }[] } } };
}
const onlyService = (text: string, version?: '1.1'): Service => {
  const services = Object.values((parse(text, version ? { version } : {}) as { services: Record<string, Service> }).services);
  assert.equal(services.length, 1);
  return services[0] as Service;
};

describe('the model template', () => {
  it('produced every bundled model folder: the committed compose files are byte for byte its output', () => {
    const scenarios = parseScenarioFile(read('scenarios.yaml'), 'scenarios.yaml');
    assert.equal(scenarios.models.length, 3);
    for (const model of scenarios.models) {
      for (const [file, text] of renderModelFolder(model, images)) {
        assert.equal(read(file), text, `${file} is not the template's output: run \`npm run stack:models\``);
      }
    }
  });

  it('takes the two images from vllm-images.yaml: NVIDIA\'s with `vllm serve` in the command, vllm-openai without', () => {
    const model = modelWith('');
    const spark = onlyService(renderModelCompose(model, 'spark', images));
    const gpu = onlyService(renderModelCompose(model, 'multi-gpu', images));
    // Overridable from .env, pinned by default.
    assert.equal(spark.image, `\${VLLM_SPARK_IMAGE:-${images.spark.image}}`);
    assert.match(images.spark.image, /^nvcr\.io\/nvidia\/vllm:/);
    assert.equal(gpu.image, `\${VLLM_GPU_IMAGE:-${images['multi-gpu'].image}}`);
    assert.match(images['multi-gpu'].image, /^vllm\/vllm-openai:/);
    assert.deepEqual(spark.command.slice(0, 3), ['vllm', 'serve', 'org/model-a']);
    assert.equal(gpu.command[0], 'org/model-a');
  });

  it('writes each flag from its field: port, memory variable, context, KV dtype, parsers, tensor parallel, GPUs', () => {
    const model = modelWith('    toolCallParser: hermes\n    reasoningParser: qwen3\n');
    const gpu = onlyService(renderModelCompose(model, 'multi-gpu', images));
    const after = (flag: string) => gpu.command[gpu.command.indexOf(flag) + 1];
    assert.equal(after('--served-model-name'), 'model-a');
    assert.equal(after('--gpu-memory-utilization'), '${MODEL_A_GPU_MEMORY_UTILIZATION:-0.20}');
    assert.equal(after('--max-model-len'), '1024');
    assert.equal(after('--kv-cache-dtype'), 'auto');
    assert.equal(after('--tool-call-parser'), 'hermes');
    assert.ok(gpu.command.includes('--enable-auto-tool-choice'));
    assert.equal(after('--reasoning-parser'), 'qwen3');
    assert.equal(after('--tensor-parallel-size'), '2');
    assert.deepEqual(gpu.ports, ['${VLLM_BIND_ADDRESS:-127.0.0.1}:8001:8000']);
    assert.deepEqual(gpu.deploy.resources.reservations.devices[0]?.device_ids, ['0', '1']);
    const spark = onlyService(renderModelCompose(model, 'spark', images));
    assert.equal(spark.command[spark.command.indexOf('--tensor-parallel-size') + 1], '1', 'a Spark has one GPU');
    assert.equal(spark.deploy.resources.reservations.devices[0]?.count, 'all');
  });

  it('leaves auto tool choice off without a tool parser, and adds remote code, quantization and extra flags only when asked', () => {
    const plain = serveArgs(modelWith(''), 'spark');
    for (const flag of ['--enable-auto-tool-choice', '--tool-call-parser', '--reasoning-parser', '--trust-remote-code', '--quantization']) assert.ok(!plain.includes(flag), flag);
    const full = serveArgs(modelWith('    trustRemoteCode: true\n    quantization: awq\n    extraArgs: ["--enable-prefix-caching", "--max-num-seqs=8"]\n'), 'spark');
    assert.ok(full.includes('--trust-remote-code'));
    assert.equal(full[full.indexOf('--quantization') + 1], 'awq');
    assert.deepEqual(full.slice(-2), ['--enable-prefix-caching', '--max-num-seqs=8'], 'extra flags come last');
  });

  it('says in the file when the model runs remote code', () => {
    assert.match(renderModelCompose(modelWith('    trustRemoteCode: true\n'), 'spark', images), /^# Remote code: --trust-remote-code runs Python code/m);
    assert.doesNotMatch(renderModelCompose(modelWith(''), 'spark', images), /Remote code/);
  });

  it('publishes on 127.0.0.1 without an API key unless up sets a host\'s address and the key', () => {
    for (const variant of ['spark', 'multi-gpu'] as const) {
      const text = renderModelCompose(modelWith(''), variant, images);
      const asComposeReads = (env: Record<string, string>) => onlyService(interpolate(text, (name) => env[name])) as Service & { environment: Record<string, string | null> };
      const local = asComposeReads({});
      assert.deepEqual(local.ports, ['127.0.0.1:8001:8000'], variant);
      // Compose interpolates after parsing, so it passes an empty string; vLLM then requires no key.
      assert.ok(!local.environment.VLLM_API_KEY);
      const remote = asComposeReads({ VLLM_BIND_ADDRESS: '10.231.7.2', VLLM_API_KEY: 'sk-replica' });
      assert.deepEqual(remote.ports, ['10.231.7.2:8001:8000'], variant);
      assert.equal(remote.environment.VLLM_API_KEY, 'sk-replica');
    }
  });

  it('quotes values so that YAML 1.2 (Compose v2) and YAML 1.1 (Compose v1) read the same strings', () => {
    const model = modelWith('    extraArgs: ["--seed", "0", "--generation-config", "yes", "--override-generation-config", \'{"temperature": 0.6}\', "--chat-template", "a #b"]\n');
    const text = renderModelCompose(model, 'spark', images);
    const expected = containerCommand(model, 'spark');
    assert.deepEqual(onlyService(text).command, expected);
    assert.deepEqual(onlyService(text, '1.1').command, expected);
  });
});

describe('scenarios.yaml: the template\'s fields', () => {
  const refused = (extra: string): FileFormatError => {
    try {
      modelWith(extra);
    } catch (error) {
      assert.ok(error instanceof FileFormatError, String(error));
      return error;
    }
    assert.fail('accepted');
  };

  it('refuses in extraArgs a flag the template writes from a field, naming the field and the line', () => {
    const error = refused('    extraArgs:\n      - --enable-prefix-caching\n      - --max-model-len=4096\n');
    assert.match(error.message, /--max-model-len is written from "maxModelLen"/);
    const line = scenariosYaml().replace(MODEL_A, `${MODEL_A}    extraArgs:\n      - --enable-prefix-caching\n      - --max-model-len=4096\n`).split('\n').indexOf('      - --max-model-len=4096') + 1;
    assert.equal(error.line, line);
  });

  it('refuses a `$` in extraArgs (compose would substitute it) and a trustRemoteCode that is not a boolean', () => {
    assert.match(refused('    extraArgs: ["--api-key", "${KEY}"]\n').message, /must not contain "\$"/);
    assert.match(refused('    trustRemoteCode: "yes"\n').message, /"trustRemoteCode" must be true or false/);
  });
});

describe('vllm-images.yaml', () => {
  it('maps the bundled images to their vLLM version', () => {
    assert.deepEqual(images, {
      spark: { image: 'nvcr.io/nvidia/vllm:26.10-py3', vllmVersion: '0.31.0' },
      'multi-gpu': { image: 'vllm/vllm-openai:v0.31.0', vllmVersion: '0.31.0' },
    });
  });

  it('names the line of an image that is neither NVIDIA\'s nor vllm-openai, and a missing variant', () => {
    assert.throws(() => parseVllmImages('nvcr.io/nvidia/vllm:26.10-py3: 0.31.0\nghcr.io/x/vllm:1: 0.31.0\n', 'f.yaml'), /f\.yaml:2: "ghcr\.io\/x\/vllm:1" is neither/);
    assert.throws(() => parseVllmImages('nvcr.io/nvidia/vllm:26.10-py3: 0.31.0\n', 'f.yaml'), /needs one nvcr\.io\/nvidia\/vllm and one vllm\/vllm-openai image/);
  });
});
