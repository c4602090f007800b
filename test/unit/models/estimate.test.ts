/**
 * The estimate on the real config.json of eleven public models (test/fixtures/hub/README.md names
 * each source). Every expected figure is worked out by hand in the test from the config's fields.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseModelConfig } from '../../../src/core/models/config';
import { ModelRefusedError, checkArchitecture, checkpointQuantization, estimateMemory, weightsFromFiles } from '../../../src/core/models/estimate';
import { estimateKvCache } from '../../../src/core/models/kv-cache';
import { GIB } from '../../../src/core/planner';
import { fixtureConfig } from '../../support/hub-repos';

const config = (repo: string) => parseModelConfig(fixtureConfig(repo), `${repo}/config.json`);
const kv = (repo: string, dtype: 'auto' | 'fp8', context: number) => estimateKvCache(config(repo), dtype, context);

describe('KV cache per token from config.json', () => {
  it('dense Qwen3-4B: head_dim 128 from the config, not hidden 2560 ÷ 32 heads = 80', () => {
    const estimate = kv('Qwen/Qwen3-4B', 'auto', 32768);
    assert.equal(estimate.headDim?.value, 128);
    // 36 layers × 8 KV heads × 128 × 2 (K, V) × 2 bytes (bfloat16)
    assert.equal(estimate.bytesPerToken.value, 36 * 8 * 128 * 2 * 2);
    assert.equal(estimate.bytesPerToken.value, 147456);
  });

  it('MoE Qwen3-30B-A3B: 48 × 4 × 128 × 2 × 2 = 98304; fp8 halves it to the bundled qwen-30b\'s 49152', () => {
    assert.equal(kv('Qwen/Qwen3-30B-A3B', 'auto', 32768).bytesPerToken.value, 98304);
    assert.equal(kv('Qwen/Qwen3-30B-A3B', 'fp8', 32768).bytesPerToken.value, 49152);
  });

  it('gpt-oss-20b: 12 full layers at the context, 12 sliding layers at their 128-token window', () => {
    const estimate = kv('openai/gpt-oss-20b', 'auto', 16384);
    // per layer and token: 8 KV heads × head_dim 64 × 2 × 2 B = 2048
    const full = 12 * 2048 * 16384; // 402653184
    const sliding = 12 * 2048 * 128; // 3145728
    assert.deepEqual(estimate.groups.map((g) => [g.kind, g.layers, g.bytesPerRequest]), [['full', 12, full], ['sliding', 12, sliding]]);
    assert.equal(estimate.bytesPerToken.value, (full + sliding) / 16384);
    assert.equal(estimate.bytesPerToken.value, 24768);
  });

  it('Mistral-7B-v0.1: every layer slides at 4096, so a long context costs a quarter per token', () => {
    // 32 layers × 8 × 128 × 2 × 2 = 131072 B per token while the context fits the window
    assert.equal(kv('mistralai/Mistral-7B-v0.1', 'auto', 2048).bytesPerToken.value, 131072);
    // at 32768 tokens each layer keeps 4096: 32 × 4096 B × 4096 ÷ 32768 = 16384
    assert.equal(kv('mistralai/Mistral-7B-v0.1', 'auto', 32768).bytesPerToken.value, 16384);
  });

  it('MLA DeepSeek-V2-Lite: 27 layers × (kv_lora_rank 512 + qk_rope_head_dim 64) × 2 B, no K/V pair', () => {
    const estimate = kv('deepseek-ai/DeepSeek-V2-Lite', 'auto', 32768);
    assert.equal(estimate.groups[0]?.kind, 'mla');
    assert.equal(estimate.bytesPerToken.value, 27 * 576 * 2);
    assert.equal(estimate.bytesPerToken.value, 31104);
    assert.equal(kv('deepseek-ai/DeepSeek-V2-Lite', 'fp8', 32768).bytesPerToken.value, 15552);
  });

  it('multimodal Gemma 3 27B: text_config fields, head_dim 128 (not 5376 ÷ 32 = 168), 5 sliding layers to 1 global', () => {
    const c = config('google/gemma-3-27b-it');
    assert.equal(c.fromTextConfig, true);
    const estimate = estimateKvCache(c, 'auto', 32768);
    assert.equal(estimate.headDim?.value, 128);
    // 62 layers, global where (i + 1) % 6 == 0: i = 5, 11, …, 59 → 10 global, 52 sliding (window 1024)
    // per layer and token: 16 KV heads × 128 × 2 × 2 B = 8192
    const full = 10 * 8192 * 32768; // 2684354560
    const sliding = 52 * 8192 * 1024; // 436207616
    assert.deepEqual(estimate.groups.map((g) => [g.kind, g.layers]), [['full', 10], ['sliding', 52]]);
    assert.equal(estimate.bytesPerToken.value, (full + sliding) / 32768);
    assert.equal(estimate.bytesPerToken.value, 95232);
  });

  it('FP8 Qwen3-Coder-30B-A3B: weights in fp8, KV "auto" stays bf16 (no KV scheme), fp8 halves it', () => {
    const c = config('Qwen/Qwen3-Coder-30B-A3B-Instruct-FP8');
    assert.equal(checkpointQuantization(c), 'fp8');
    assert.equal(estimateKvCache(c, 'auto', 32768).bytesPerToken.value, 48 * 4 * 128 * 2 * 2);
    assert.equal(estimateKvCache(c, 'fp8', 32768).bytesPerToken.value, 48 * 4 * 128 * 2 * 1);
  });

  it('AWQ Qwen2.5-7B: head_dim = 3584 ÷ 28 = 128 (no head_dim field), float16, sliding_window ignored (use_sliding_window false)', () => {
    const c = config('Qwen/Qwen2.5-7B-Instruct-AWQ');
    assert.equal(checkpointQuantization(c), 'awq');
    const estimate = estimateKvCache(c, 'auto', 32768);
    assert.equal(estimate.headDim?.value, 128);
    assert.deepEqual(estimate.groups.map((g) => g.kind), ['full']);
    assert.equal(estimate.bytesPerToken.value, 28 * 4 * 128 * 2 * 2);
  });

  it('MXFP4 gpt-oss: the checkpoint\'s quantization is mxfp4, a method the pinned vLLM has', () => {
    assert.equal(checkpointQuantization(config('openai/gpt-oss-20b')), 'mxfp4');
  });

  it('linear attention Qwen3-Next: 12 full-attention layers per token, 36 gated-delta-net layers as a state per request', () => {
    const estimate = kv('Qwen/Qwen3-Next-80B-A3B-Instruct', 'auto', 32768);
    // full: every 4th layer; 2 KV heads × head_dim 256 × 2 × 2 B = 2048 per layer and token
    const full = 12 * 2048 * 32768; // 805306368
    // state per layer: (32 v-heads × 128 × 128 + (4 − 1) × (2 × 16 × 128 + 32 × 128)) × 2 B = 1097728
    const state = 36 * (32 * 128 * 128 + 3 * (2 * 16 * 128 + 32 * 128)) * 2; // 39518208
    assert.deepEqual(estimate.groups.map((g) => [g.kind, g.layers, g.bytesPerRequest]), [['full', 12, full], ['state', 36, state]]);
    assert.equal(estimate.bytesPerToken.value, Math.ceil((full + state) / 32768));
    assert.equal(estimate.bytesPerToken.value, 25782);
  });

  it('every figure carries its formula and the fields it read', () => {
    const estimate = kv('Qwen/Qwen3-4B', 'auto', 32768);
    assert.match(estimate.headDim?.formula ?? '', /head_dim from config\.json/);
    assert.match(estimate.groups[0]?.formula ?? '', /36 full-attention layers .*num_key_value_heads 8 × head_dim 128 × 2 \(K and V\) × 2 B × 32768 tokens/);
    assert.match(estimate.bytesPerElement.formula, /bfloat16 → 2 bytes/);
  });
});

describe('weights, context, memory and refusals', () => {
  const qwen4bWeights = weightsFromFiles('Qwen/Qwen3-4B', [{ path: 'model-00001-of-00002.safetensors', size: 5000 }], 8044936192);

  it('takes the weights from the safetensors index total, else the root safetensors files (not original/ copies)', () => {
    assert.equal(qwen4bWeights.value, 8044936192);
    assert.match(qwen4bWeights.formula, /metadata\.total_size/);
    const files = [{ path: 'model-00000-of-00002.safetensors', size: 4625017896 }, { path: 'model-00001-of-00002.safetensors', size: 4798283752 }, { path: 'original/model.safetensors', size: 13761300984 }, { path: 'config.json', size: 1800 }];
    assert.equal(weightsFromFiles('openai/gpt-oss-20b', files).value, 4625017896 + 4798283752);
    const mistral = [{ path: 'consolidated.safetensors', size: 14496078512 }, { path: 'model-00001-of-00002.safetensors', size: 9942981696 }, { path: 'model-00002-of-00002.safetensors', size: 4540516344 }];
    assert.equal(weightsFromFiles('mistralai/Mistral-7B-v0.1', mistral).value, 9942981696 + 4540516344);
  });

  it('refuses a GGUF-only repository, saying so', () => {
    assert.throws(() => weightsFromFiles('unsloth/Qwen3-8B-GGUF', [{ path: 'Qwen3-8B-Q4_K_M.gguf', size: 5027783488 }]), (error: unknown) => error instanceof ModelRefusedError && error.reason === 'no-safetensors' && /only GGUF/.test(error.message));
  });

  it('refuses an architecture the pinned vLLM does not serve (BERT\'s masked LM)', () => {
    assert.throws(() => checkArchitecture(config('google-bert/bert-base-uncased')), (error: unknown) => error instanceof ModelRefusedError && /vLLM 0\.31\.0 does not serve BertForMaskedLM/.test(error.message));
    assert.equal(checkArchitecture(config('google/gemma-3-27b-it')), 'Gemma3ForConditionalGeneration');
  });

  it('context is min(requested, max_position_embeddings): Llama 3.1 caps 200000 at 131072', () => {
    const e = estimateMemory({ config: config('meta-llama/Llama-3.1-8B-Instruct'), weights: { value: 16060522496, formula: '', fields: {} }, kvCacheDtype: 'auto', maxModelLen: 200000, totalBytes: 128 * GIB, reserveBytes: 8 * GIB });
    assert.equal(e.context.value, 131072);
    assert.match(e.context.note ?? '', /at most 131072/);
    assert.equal(e.kv.bytesPerToken.value, 32 * 8 * 128 * 2 * 2);
  });

  it('need = weights + overhead + one full request; the fraction makes room for 4 requests', () => {
    const e = estimateMemory({ config: config('Qwen/Qwen3-4B'), weights: qwen4bWeights, kvCacheDtype: 'auto', totalBytes: 128 * GIB, reserveBytes: 8 * GIB });
    // context min(32768 default, 40960) = 32768; KV 147456 × 32768 = 4831838208 B (4.5 GiB)
    assert.equal(e.context.value, 32768);
    // overhead ceil(2 + 8044936192 B / 2^30 (7.49 GiB) ÷ 24) = ceil(2.31) = 3 GiB
    assert.equal(e.overhead.value, 3 * GIB);
    assert.equal(e.need.value, 8044936192 + 3 * GIB + 147456 * 32768);
    assert.equal(e.need.value, 16097999872);
    // (7.4925 + 3 + 4 × 4.5) GiB ÷ 128 GiB = 0.2226 → 0.23
    assert.equal(e.concurrency, 4);
    assert.equal(e.fraction.value, 0.23);
  });

  it('gives fewer concurrent requests when four do not fit, and refuses a model that cannot fit even alone', () => {
    // 24 GiB, 8 reserved: 16 GiB for models; 7.49 + 3 + n × 4.5 ≤ 16 → n = 1
    const small = estimateMemory({ config: config('Qwen/Qwen3-4B'), weights: qwen4bWeights, kvCacheDtype: 'auto', totalBytes: 24 * GIB, reserveBytes: 8 * GIB });
    assert.equal(small.concurrency, 1);
    assert.match(small.fraction.note ?? '', /room for 1/);
    assert.throws(() => estimateMemory({ config: config('Qwen/Qwen3-4B'), weights: qwen4bWeights, kvCacheDtype: 'auto', totalBytes: 16 * GIB, reserveBytes: 8 * GIB }), (error: unknown) => error instanceof ModelRefusedError && error.reason === 'too-large' && /needs 15\.0 GiB to start .* only 8\.0 GiB of 16\.0 GiB/.test(error.message));
  });

  it('names the file and line of a malformed config.json', () => {
    assert.throws(() => parseModelConfig('{\n  "architectures": ["X"],\n  "head_dim": \n}\n', 'example/broken/config.json'), /example\/broken\/config\.json:4: not valid JSON/);
  });
});
