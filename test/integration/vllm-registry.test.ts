/**
 * What add-model relies on from vLLM, checked against the pinned wheel itself (each version of
 * stack/vllm-images.yaml, its venv from scripts/provision-vllm.sh, platform CPU):
 * - src/core/models/vllm-registry.json is exactly what scripts/vllm-registries.py reads from the
 *   wheel's registries (architectures, tool and reasoning parsers, quantization methods);
 * - the `vllm serve` command add-model generates for each real config.json fixture passes vLLM's
 *   own argument parser and validation.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { loadVllmImages, vllmVersions } from '../../src/core/stack/vllm-images';
import { proposeFromHub } from '../../src/core/models/propose';
import { containerCommand } from '../../src/core/stack/model-template';
import { checkServeArgs, vllmVenvPath } from '../../src/core/models/vllm-args';
import { VLLM_VERSION } from '../../src/core/models/vllm-registry';
import { GIB } from '../../src/core/planner';
import { loadStack } from '../../src/core/stack/discovery';
import { readStackTexts } from '../../src/core/stack-edit/model-changes';
import { missingVllm } from '../support/components';
import { fixtureConfig } from '../support/hub-repos';
import { REPO_ROOT, STACK_DIR } from '../support/processes';

const VENV = vllmVenvPath(VLLM_VERSION);
const SERVED = ['Qwen/Qwen3-4B', 'Qwen/Qwen3-30B-A3B', 'Qwen/Qwen3-Coder-30B-A3B-Instruct-FP8', 'openai/gpt-oss-20b', 'deepseek-ai/DeepSeek-V2-Lite', 'google/gemma-3-27b-it', 'Qwen/Qwen2.5-7B-Instruct-AWQ', 'mistralai/Mistral-7B-v0.1', 'meta-llama/Llama-3.1-8B-Instruct', 'Qwen/Qwen3-Next-80B-A3B-Instruct'];

describe('add-model against the pinned vLLM wheel', { skip: missingVllm([VENV]), timeout: 300_000 }, () => {
  it('the committed registry list matches the architectures, parsers and quantization methods of the wheel', () => {
    const fresh = execFileSync(path.join(VENV, 'bin', 'python'), [path.join(REPO_ROOT, 'scripts', 'vllm-registries.py')], { env: { ...process.env, VLLM_TARGET_DEVICE: 'cpu' }, encoding: 'utf8', timeout: 300_000, stdio: ['ignore', 'pipe', 'pipe'] });
    const committed = readFileSync(path.join(REPO_ROOT, 'src', 'core', 'models', 'vllm-registry.json'), 'utf8');
    assert.deepEqual(JSON.parse(fresh), JSON.parse(committed));
  });

  it('the pinned images are the registry\'s version', async () => {
    assert.deepEqual(vllmVersions(await loadVllmImages(STACK_DIR)), [VLLM_VERSION]);
  });

  it('vLLM\'s own parser accepts the command generated for every servable fixture, both variants', async () => {
    const stack = await loadStack(STACK_DIR);
    const context = { gatewayPorts: [443, 80], texts: await readStackTexts(STACK_DIR), images: await loadVllmImages(STACK_DIR) };
    const commands: { repo: string; argv: string[] }[] = [];
    for (const repo of SERVED) {
      const hub = { repo, revision: 'main', sha: '0'.repeat(40), endpoint: 'http://stand-in', gated: false as const, private: false, files: [{ path: 'model.safetensors', size: 10 * GIB }], configText: fixtureConfig(repo) };
      const proposal = proposeFromHub(hub, stack, { repo, kvCacheDtype: 'auto', totalBytes: 1024 * GIB, revision: repo.includes('Llama') ? 'main' : undefined }, context);
      for (const variant of ['spark', 'multi-gpu'] as const) {
        const command = containerCommand(proposal.spec, variant, String(proposal.spec.defaultFraction));
        commands.push({ repo: `${repo} ${variant}`, argv: variant === 'spark' ? command.slice(2) : command });
      }
    }
    const verdicts = await checkServeArgs(VENV, commands.map((c) => c.argv));
    commands.forEach((c, i) => assert.deepEqual(verdicts[i], { ok: true }, `${c.repo}: ${c.argv.join(' ')}`));
  });
});
