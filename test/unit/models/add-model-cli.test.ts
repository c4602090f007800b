/**
 * `add-model` end to end in the CLI against the Hub STAND-IN (test/support/hub-standin.ts; the
 * Hub cannot be reached here), found through HF_ENDPOINT, on a copy of the bundled stack: the
 * dry-run contract for a repository no other test serves, the files written, `plan` of the new
 * scenario, and each kind of bad input → one line naming the cause and the fix, the stack unchanged.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { loadStack } from '../../../src/core/stack/discovery';
import { proposeModel, writeProposal } from '../../../src/core/models/propose';
import { parseScenarioFile } from '../../../src/core/scenarios/file';
import type { StackCopy } from '../../support/stack-copy';
import { copyStack } from '../../support/stack-copy';
import { snapshotTree as fullSnapshot } from '../../support/tree-snapshot';

/** The stack's files, without the Hub cache (`.cache/`, gitignored): reading a repository fills it. */
const snapshotTree = (dir: string) => Object.fromEntries(Object.entries(fullSnapshot(dir)).filter(([file]) => !file.startsWith('.cache/')));
import { BERT, BROKEN_CONFIG, GEMMA3_27B, KNOWN_REPOS, QWEN3_4B, QWEN3_8B_GGUF } from '../../support/hub-repos';
import type { HubStandIn, StandInRepo } from '../../support/hub-standin';
import { cliWithHub, startHubStandIn } from '../../support/hub-standin';

/**
 * Served only here. config.json of https://huggingface.co/Qwen/Qwen3-0.6B as published (a
 * stored public copy quotes it whole); one model.safetensors of about 1.5 GB (size recorded).
 */
const QWEN3_06B: StandInRepo = {
  id: 'Qwen/Qwen3-0.6B',
  sha: 'c1899de289a04d12100db370d81485cdf75e47ca',
  files: [
    { path: 'config.json', content: JSON.stringify({ architectures: ['Qwen3ForCausalLM'], attention_bias: false, attention_dropout: 0.0, bos_token_id: 151643, eos_token_id: 151645, head_dim: 128, hidden_act: 'silu', hidden_size: 1024, initializer_range: 0.02, intermediate_size: 3072, max_position_embeddings: 40960, max_window_layers: 28, model_type: 'qwen3', num_attention_heads: 16, num_hidden_layers: 28, num_key_value_heads: 8, rms_norm_eps: 1e-6, rope_scaling: null, rope_theta: 1000000, sliding_window: null, tie_word_embeddings: true, torch_dtype: 'bfloat16', transformers_version: '4.51.0', use_cache: true, use_sliding_window: false, vocab_size: 151936 }, null, 2) },
    { path: 'model.safetensors', size: 1503300328 },
    { path: 'tokenizer.json', size: 11422654 },
  ],
};

describe('add-model (CLI, against the Hub stand-in)', () => {
  let hub: HubStandIn;
  let stack: StackCopy;
  const cli = (...argv: string[]) => cliWithHub(hub, stack.dir, ...argv);

  before(async () => {
    hub = await startHubStandIn([...KNOWN_REPOS, QWEN3_06B]);
  });
  after(async () => {
    await hub.stop();
  });
  beforeEach(() => {
    stack?.remove();
    stack = copyStack();
  });
  after(() => stack?.remove());

  it('--dry-run --json prints the contract with the figures worked out from the repository\'s files', async () => {
    const { code, out, err } = await cli('add-model', 'Qwen/Qwen3-0.6B', '--dry-run', '--json', '--total-gib', '128');
    assert.equal(code, 0, err);
    const json = JSON.parse(out) as Record<string, unknown>;
    assert.deepEqual(Object.keys(json), ['name', 'hfModel', 'weightsBytes', 'kvBytesPerToken', 'kvCacheDtype', 'maxModelLen', 'needBytes', 'toolCallParser', 'reasoningParser', 'files']);
    // weights: no index, so the one safetensors file's size
    assert.equal(json.weightsBytes, 1503300328);
    // 28 layers × 8 KV heads × head_dim 128 × 2 (K, V) × 2 B (bfloat16)
    assert.equal(json.kvBytesPerToken, 28 * 8 * 128 * 2 * 2);
    // min(default 32768, max_position_embeddings 40960)
    assert.equal(json.maxModelLen, 32768);
    // weights + overhead ceil(2 + 1.4 GiB ÷ 24) = 3 GiB + 114688 × 32768
    assert.equal(json.needBytes, 1503300328 + 3 * 1024 ** 3 + 114688 * 32768);
    assert.equal(json.needBytes, 8482622184);
    assert.deepEqual([json.name, json.hfModel, json.kvCacheDtype, json.toolCallParser, json.reasoningParser], ['qwen3-0-6b', 'Qwen/Qwen3-0.6B', 'auto', 'hermes', 'qwen3']);
    assert.deepEqual(json.files, ['qwen3-0-6b/docker-compose.yml', 'qwen3-0-6b/docker-compose-gpu.yml', 'scenarios.yaml', 'litellm/config.yaml']);
    assert.ok(!existsSync(path.join(stack.dir, 'qwen3-0-6b')), 'a dry run writes no model files');
  });

  it('--kv-cache-dtype fp8 and --max-model-len change the figures as the formula says', async () => {
    const { code, out } = await cli('add-model', 'Qwen/Qwen3-0.6B', '--dry-run', '--json', '--kv-cache-dtype', 'fp8', '--max-model-len', '100000', '--total-gib', '128');
    assert.equal(code, 0);
    const json = JSON.parse(out) as Record<string, number>;
    assert.equal(json.kvBytesPerToken, 28 * 8 * 128 * 2 * 1);
    assert.equal(json.maxModelLen, 40960);
  });

  it('writes the folder, the scenarios.yaml entry with its one-model scenario and the LiteLLM entry; plan answers', async () => {
    const { code, err } = await cli('add-model', 'Qwen/Qwen3-0.6B', '--total-gib', '128');
    assert.equal(code, 0, err);
    for (const file of ['qwen3-0-6b/docker-compose.yml', 'qwen3-0-6b/docker-compose-gpu.yml']) assert.ok(existsSync(path.join(stack.dir, file)), file);
    const compose = readFileSync(path.join(stack.dir, 'qwen3-0-6b', 'docker-compose.yml'), 'utf8');
    assert.match(compose, /--tool-call-parser\n\s+- hermes/);
    assert.match(compose, /\$\{VLLM_BIND_ADDRESS:-127\.0\.0\.1\}:8004:8000/);
    const file = parseScenarioFile(readFileSync(path.join(stack.dir, 'scenarios.yaml'), 'utf8'), 'scenarios.yaml');
    const model = file.models.find((m) => m.name === 'qwen3-0-6b');
    assert.equal(model?.kvBytesPerToken, 114688);
    assert.equal(model?.maxModelLen, 32768);
    assert.ok(file.scenarios.some((s) => s.name === 'qwen3-0-6b' && s.models.get('qwen3-0-6b') === model?.defaultFraction));
    assert.match(readFileSync(path.join(stack.dir, 'litellm', 'config.yaml'), 'utf8'), /model_name: qwen3-0-6b/);
    assert.match(readFileSync(path.join(stack.dir, 'scenarios.yaml'), 'utf8'), /# Memory arithmetic \(what the planner checks\)/, 'comments kept');
    const plan = await cli('plan', 'qwen3-0-6b', '--total-gib', '128', '--json');
    assert.equal(plan.code, 0, plan.out);
    assert.equal((JSON.parse(plan.out) as { fits: boolean }).fits, true);
  });

  const refusals: [string, string[], RegExp, RegExp, (() => void)?][] = [
    ['an unknown repository', ['nobody/no-such-model'], /not found, or it is private/, /Check the repository id/],
    ['a gated repository without a token', [GEMMA3_27B.id], /is gated: .*no HF_TOKEN/, /HF_TOKEN=hf_/],
    ['a GGUF-only repository', [QWEN3_8B_GGUF.id], /holds only GGUF files/, /original safetensors repository/],
    ['an architecture vLLM does not serve', [BERT.id], /vLLM 0\.31\.0 does not serve BertForMaskedLM/, /Supported Models/],
    ['a malformed config.json', [BROKEN_CONFIG.id], /example\/broken-config\/config\.json:5: not valid JSON/, /another revision/],
    ['a name that is taken', [QWEN3_4B.id, '--name', 'gpt-oss-20b'], /already has a model, scenario or folder named "gpt-oss-20b"/, /another --name/],
    ['a port that is taken', [QWEN3_4B.id, '--port', '8001'], /port 8001 is already used by model "gpt-oss-20b"/, /another --port/],
    ['a model too large for the memory even alone', [QWEN3_4B.id, '--total-gib', '16'], /needs 15\.0 GiB to start/, /smaller or more quantized/],
  ];
  for (const [what, args, cause, fix] of refusals) {
    it(`refuses ${what} in one line with the fix, the stack unchanged`, async () => {
      const before = snapshotTree(stack.dir);
      const { code, out, err } = await cli('add-model', ...args, ...(args.includes('--total-gib') ? [] : ['--total-gib', '128']));
      assert.equal(code, 1, out);
      assert.equal(err.trim().split('\n').length, 1, err);
      assert.match(err, cause);
      assert.match(err, fix);
      assert.deepEqual(snapshotTree(stack.dir), before);
    });
  }

  it('refuses when the network fails mid-way (config.json never arrives), the stack unchanged', async () => {
    const before = snapshotTree(stack.dir);
    hub.faults.dropPath = /config\.json$/;
    try {
      const { code, err } = await cli('add-model', 'Qwen/Qwen3-0.6B', '--total-gib', '128');
      assert.equal(code, 1);
      assert.match(err, /^spark-gateway: cannot reach http:\/\/127\.0\.0\.1:\d+ \(.+\) — Check the network/);
    } finally {
      hub.faults.dropPath = undefined;
    }
    assert.deepEqual(snapshotTree(stack.dir), before);
  });

  it('a disk that refuses the write leaves the stack byte for byte as it was, and says so', async () => {
    const loaded = await loadStack(stack.dir);
    const proposal = await proposeModel(loaded, { repo: 'Qwen/Qwen3-0.6B', kvCacheDtype: 'auto', totalBytes: 128 * 1024 ** 3 }, { settings: { endpoint: hub.url, timeoutMs: 5000 } });
    const before = snapshotTree(stack.dir);
    let renames = 0;
    const full = Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
    const fs = { rename: async (from: string, to: string) => {
      // The second rename fails (a file was already moved into place); the undo's renames work.
      if (++renames === 2) throw full;
      await (await import('node:fs/promises')).rename(from, to);
    } };
    await assert.rejects(writeProposal(loaded, proposal, { fs }), (error: Error & { fix?: string }) => /nothing was changed/.test(error.message) && /Free some disk space/.test(error.fix ?? ''));
    assert.deepEqual(snapshotTree(stack.dir), before);
  });
});
