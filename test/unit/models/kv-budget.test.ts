/**
 * vLLM 0.31's own KV accounting (src/core/models/kv-budget.ts): the tokens and the maximum
 * concurrency its start-up line reports for a KV budget, from the real config.json of public
 * models (test/fixtures/hub) and the tiny models' shapes, every expected figure worked out by hand
 * from vLLM's rule. The tiny models' figures are the ones the real vLLM 0.31 CPU build printed
 * (1 GiB, --max-model-len 1024, --enforce-eager); test/integration/kv-estimate-vs-vllm.test.ts
 * checks them against a running vLLM.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseModelConfig } from '../../../src/core/models/config';
import { formatHundredths, parseKvCacheLine, tokensInKvBudget } from '../../../src/core/models/kv-budget';
import { fixtureConfig } from '../../support/hub-repos';

const GIB = 1024 ** 3;
const hub = (repo: string) => parseModelConfig(fixtureConfig(repo), `${repo}/config.json`);
const config = (fields: Record<string, unknown>) => parseModelConfig(JSON.stringify({ architectures: ['X'], torch_dtype: 'bfloat16', ...fields }), 'tiny/config.json');

/** The tiny models' shapes (test/support/tiny-models/make_tiny_models.py). */
const TINY_LLAMA3 = config({ model_type: 'llama', num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2, head_dim: 32, hidden_size: 128 });
const TINY_MISTRAL_SW = config({ model_type: 'mistral', num_hidden_layers: 2, num_attention_heads: 8, num_key_value_heads: 2, hidden_size: 256, sliding_window: 256 });
const TINY_GEMMA3 = config({
  model_type: 'gemma3_text', num_hidden_layers: 6, num_attention_heads: 2, num_key_value_heads: 1, head_dim: 64, hidden_size: 128, sliding_window: 128, sliding_window_pattern: 6,
  layer_types: ['sliding_attention', 'sliding_attention', 'sliding_attention', 'sliding_attention', 'sliding_attention', 'full_attention'],
});
const CPU = { budgetBytes: GIB, maxModelLen: 1024 };

describe('vLLM\'s KV cache size and maximum concurrency for a budget', () => {
  it('dense tiny Llama 3 on CPU: 2 layers × 2 × 32 × 2 × 2 B = 512 B per token, every byte of 1 GiB used', () => {
    const budget = tokensInKvBudget(TINY_LLAMA3, 'auto', CPU);
    assert.equal(budget.estimate.bytesPerToken.value, 512);
    // one group of both layers; a block = 2 layers × 128 tokens × 256 B = 65536 B → 16384 blocks
    assert.equal(budget.bytesPerBlock, 65536);
    assert.equal(budget.numBlocks, 16384);
    assert.equal(budget.blocksPerRequest, 8); // ceil(1024 ÷ 128)
    assert.equal(budget.tokens, 2097152); // vLLM printed 2,097,152
    assert.equal(budget.maxConcurrencyText, '2048.00');
    assert.equal(budget.tokens * budget.estimate.bytesPerToken.value, GIB);
  });

  it('fp8 KV halves the bytes per token and doubles the tokens', () => {
    const budget = tokensInKvBudget(TINY_LLAMA3, 'fp8', CPU);
    assert.equal(budget.estimate.bytesPerToken.value, 256);
    assert.equal(budget.tokens, 4194304);
    assert.equal(budget.maxConcurrencyText, '4096.00');
  });

  it('dense Qwen3-4B: block rounding leaves part of a block unused (56 of 56.9 blocks)', () => {
    const c = hub('Qwen/Qwen3-4B');
    // 36 layers × 8 KV heads × 128 × 2 × 2 B = 147456 B per token; a CPU block 36 × 128 × 4096 B
    const cpu = tokensInKvBudget(c, 'auto', CPU);
    assert.equal(cpu.bytesPerBlock, 36 * 128 * 4096);
    assert.equal(cpu.numBlocks, Math.floor(GIB / (36 * 128 * 4096)));
    assert.equal(cpu.numBlocks, 56);
    assert.equal(cpu.tokens, 56 * 128);
    assert.equal(cpu.maxConcurrencyText, '7.00');
    assert.ok(cpu.tokens * 147456 < GIB && (cpu.tokens + 128) * 147456 > GIB);
    // a GPU's 16-token blocks, 20 GiB, 32768 tokens: floor(20 GiB ÷ 2359296 B) = 9102 blocks, 2048 a request
    const gpu = tokensInKvBudget(c, 'auto', { budgetBytes: 20 * GIB, maxModelLen: 32768, blockSize: 16 });
    assert.equal(gpu.numBlocks, 9102);
    assert.equal(gpu.blocksPerRequest, 2048);
    assert.equal(gpu.maxConcurrencyText, '4.44');
    assert.equal(gpu.tokens, 9102 * 16);
  });

  it('sliding window, every layer (tiny Mistral, window 256): the window plus the in-flight batch, and one block more', () => {
    const budget = tokensInKvBudget(TINY_MISTRAL_SW, 'auto', CPU);
    // ours: each layer keeps its 256-token window of a 1024-token request → 128 B per token
    assert.equal(budget.estimate.bytesPerToken.value, 128);
    // vLLM: ceil(min(256 − 1 + 2048, 1024) ÷ 128) + 1 = 9 blocks of 65536 B
    assert.deepEqual(budget.kinds.map((k) => [k.kind, k.groups, k.blocksPerRequest]), [['sliding', 1, 9]]);
    assert.equal(budget.numBlocks, 16384);
    assert.equal(budget.maxConcurrencyText, '1820.44'); // 16384 ÷ 9
    assert.equal(budget.tokens, 1864135); // vLLM printed 1,864,135 = int(16384 ÷ 9 × 1024)
    assert.equal(budget.reservedBytesPerRequest, 9 * 65536);
    // with a long context the window does save: 32768 tokens, in-flight 2048 → ceil(2303 ÷ 128) + 1 = 19 blocks, not 256
    assert.equal(tokensInKvBudget(TINY_MISTRAL_SW, 'auto', { budgetBytes: GIB, maxModelLen: 32768 }).blocksPerRequest, 19);
  });

  it('Gemma 3 5:1 (tiny): the hybrid allocator makes six one-layer groups, 5 × 9 + 8 blocks a request', () => {
    const budget = tokensInKvBudget(TINY_GEMMA3, 'auto', CPU);
    // ours: 1 full layer × 256 B × 1024 + 5 sliding × 256 B × 128 → 416 B per token
    assert.equal(budget.estimate.bytesPerToken.value, 416);
    assert.equal(budget.groupSize, 1);
    assert.deepEqual(budget.kinds.map((k) => [k.kind, k.groups, k.blocksPerRequest]), [['full', 1, 8], ['sliding', 5, 9]]);
    // a block = 1 layer × 128 × 256 B = 32768 B → 32768 blocks; 53 a request
    assert.equal(budget.numBlocks, 32768);
    assert.equal(budget.blocksPerRequest, 53);
    assert.equal(budget.maxConcurrencyText, '618.26');
    assert.equal(budget.tokens, 633102); // vLLM printed 633,102
  });

  it('Gemma 3 27B: 10 global and 52 local layers make groups of 10 (the last local one padded), 6 local groups', () => {
    const c = hub('google/gemma-3-27b-it');
    // per layer and token 16 × 128 × 2 × 2 B = 8192; GPU blocks of 16, in-flight 8192, 40 GiB, 32768 tokens
    const budget = tokensInKvBudget(c, 'auto', { budgetBytes: 40 * GIB, maxModelLen: 32768, blockSize: 16, maxInFlightTokens: 8192 });
    assert.equal(budget.groupSize, 10);
    // local: ceil(min(1024 − 1 + 8192, 32768) ÷ 16) + 1 = 577
    assert.deepEqual(budget.kinds.map((k) => [k.kind, k.layers, k.groups, k.blocksPerRequest]), [['full', 10, 1, 2048], ['sliding', 52, 6, 577]]);
    assert.equal(budget.bytesPerBlock, 10 * 16 * 8192);
    assert.equal(budget.numBlocks, 32768);
    assert.equal(budget.blocksPerRequest, 2048 + 6 * 577);
    assert.equal(budget.maxConcurrencyText, '5.95');
    assert.equal(budget.tokens, 194871);
    // without the hybrid allocator every layer holds the whole context: one group of 62
    const off = tokensInKvBudget(c, 'auto', { budgetBytes: 40 * GIB, maxModelLen: 32768, blockSize: 16, maxInFlightTokens: 8192, hybridKvCacheManager: false });
    assert.deepEqual(off.kinds.map((k) => [k.kind, k.layers]), [['full', 62]]);
    assert.equal(off.numBlocks, 5285);
    assert.equal(off.maxConcurrencyText, '2.58');
    assert.equal(off.tokens, 84560);
  });

  it('gpt-oss-20b: 12 full and 12 sliding layers, groups of 12', () => {
    const budget = tokensInKvBudget(hub('openai/gpt-oss-20b'), 'auto', { budgetBytes: 10 * GIB, maxModelLen: 16384, blockSize: 16, maxInFlightTokens: 8192 });
    // per layer 8 × 64 × 2 × 2 B = 2048; sliding ceil(min(127 + 8192, 16384) ÷ 16) + 1 = 521
    assert.deepEqual(budget.kinds.map((k) => [k.kind, k.groups, k.blocksPerRequest]), [['full', 1, 1024], ['sliding', 1, 521]]);
    assert.equal(budget.numBlocks, Math.floor((10 * GIB) / (12 * 16 * 2048)));
    assert.equal(budget.maxConcurrencyText, '17.67');
    assert.equal(budget.tokens, 289567);
  });

  it('refuses state-space layers (Qwen3-Next) rather than guess vLLM\'s page padding', () => {
    assert.throws(() => tokensInKvBudget(hub('Qwen/Qwen3-Next-80B-A3B-Instruct'), 'auto', CPU), /not modelled/);
  });

  it('formats the concurrency as Python\'s %.2f does', () => {
    assert.equal(formatHundredths(1024.125), '1024.12'); // exact tie: half to even (toFixed says .13)
    assert.equal(formatHundredths(0.375), '0.38');
    assert.equal(formatHundredths(2.675), '2.67'); // the double is below the tie
    assert.equal(formatHundredths(16384 / 9), '1820.44');
    assert.equal(formatHundredths(4096), '4096.00');
  });

  it('reads vLLM\'s line', () => {
    assert.deepEqual(parseKvCacheLine('INFO 12-05 [kv_cache_utils.py:1234] CPU KV cache size: 2,097,152 tokens, Maximum concurrency for 512 tokens per request: 4096.00x'), { device: 'CPU', tokens: 2097152, maxModelLen: 512, concurrency: '4096.00' });
    assert.equal(parseKvCacheLine('Loading weights took 0.01 seconds'), undefined);
  });
});
