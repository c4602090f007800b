/**
 * vLLM's own argument parser accepts every command the model template generates — the three
 * bundled models and a model with every optional field — at the vLLM version of each pinned
 * image (the wheel from PyPI, its platform set to CPU), and refuses what a container would
 * crash-loop on: an unknown tool-call parser, an unknown KV-cache dtype, an unknown flag.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { parseVllmImages, vllmVersions } from '../../src/core/stack/vllm-images';
import { containerCommand, serveArgs } from '../../src/core/stack/model-template';
import { checkServeArgs, vllmVenvPath } from '../../src/core/models/vllm-args';
import { COMPOSE_VARIANTS, parseScenarioFile } from '../../src/core/scenarios/file';
import type { ModelSpec } from '../../src/core/scenarios/file';
import { missingVllm } from '../support/components';
import { STACK_DIR } from '../support/processes';

const read = (file: string) => readFileSync(path.join(STACK_DIR, file), 'utf8');
const images = parseVllmImages(read('vllm-images.yaml'), 'vllm-images.yaml');
const scenarios = parseScenarioFile(read('scenarios.yaml'), 'scenarios.yaml');
const venvs = vllmVersions(images).map((version) => ({ version, venv: vllmVenvPath(version) }));

/** A model entry using every field the template turns into a flag. */
const FULL: ModelSpec = {
  name: 'qwen3-4b', folder: 'qwen3-4b', container: 'vllm-qwen3-4b', hfModel: 'Qwen/Qwen3-4B',
  weightsGiB: 7.5, overheadGiB: 2, kvCacheDtype: 'fp8', kvBytesPerToken: 73728, maxModelLen: 32768,
  hostPort: 8004, memoryEnv: 'QWEN3_4B_GPU_MEMORY_UTILIZATION', defaultFraction: 0.15,
  toolCallParser: 'hermes', reasoningParser: 'qwen3', trustRemoteCode: true, quantization: 'fp8',
  extraArgs: ['--enable-prefix-caching', '--max-num-seqs', '16'],
  tensorParallel: { 'multi-gpu': 2 }, gpus: { 'multi-gpu': ['0', '1'] },
};

describe('vLLM\'s own parser on the generated commands', { skip: missingVllm(venvs.map((v) => v.venv)), timeout: 300_000 }, () => {
  for (const { version, venv } of venvs) {
    it(`vLLM ${version} accepts every generated command and refuses a bogus parser, dtype and flag`, async () => {
      const cases: { what: string; argv: string[] }[] = [];
      for (const model of [...scenarios.models, FULL]) {
        for (const variant of COMPOSE_VARIANTS) {
          // What the container runs: the Spark image gets `vllm serve …`, vllm-openai's entrypoint is `vllm serve`.
          const command = containerCommand(model, variant, String(model.defaultFraction));
          const argv = variant === 'spark' ? command.slice(2) : command;
          if (variant === 'spark') assert.deepEqual(command.slice(0, 2), ['vllm', 'serve']);
          assert.deepEqual(argv, serveArgs(model, variant, String(model.defaultFraction)));
          cases.push({ what: `${model.name} ${variant}`, argv });
        }
      }
      const base = serveArgs(scenarios.models[0] as ModelSpec, 'spark', '0.25');
      const swap = (flag: string, value: string) => base.map((a, i) => (base[i - 1] === flag ? value : a));
      const bad = [
        { what: 'tool parser bogus', argv: swap('--tool-call-parser', 'bogus'), refusal: /invalid tool call parser: bogus/ },
        { what: 'kv dtype fp9', argv: swap('--kv-cache-dtype', 'fp9'), refusal: /argument --kv-cache-dtype: invalid choice: 'fp9'/ },
        { what: 'unknown flag', argv: [...base, '--no-such-flag-here'], refusal: /unrecognized arguments: --no-such-flag-here/ },
      ];
      const verdicts = await checkServeArgs(venv, [...cases.map((c) => c.argv), ...bad.map((b) => b.argv)]);
      assert.equal(verdicts.length, cases.length + bad.length);
      cases.forEach((c, i) => assert.deepEqual(verdicts[i], { ok: true }, `${c.what}: ${c.argv.join(' ')}`));
      bad.forEach((b, i) => {
        const verdict = verdicts[cases.length + i];
        assert.ok(verdict && !verdict.ok, `${b.what} was accepted`);
        assert.match(verdict.error, b.refusal, b.what);
      });
    });
  }

  it('says how to fix a missing venv', async () => {
    await assert.rejects(checkServeArgs('/nonexistent/vllm-0.0.0', [['m']]), /no vLLM venv at \/nonexistent\/vllm-0\.0\.0.*/);
  });
});
