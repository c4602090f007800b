// @ts-check
'use strict';

/**
 * What the simulator pretends to know about a model: weight size, attention heads, KV-cache bytes
 * per token and native context length, and the memory arithmetic vLLM logs at start-up
 * (KV cache size in tokens, maximum concurrency). Figures are approximate public numbers; they
 * only make the logs and `/v1/models` look like the real thing.
 */

/**
 * @typedef {object} KnownModel
 * @property {RegExp} match         tested against the model id, case-insensitively
 * @property {number} weightsGib
 * @property {number} attentionHeads
 * @property {number} kvBytesPerToken at 16-bit KV cache (`--kv-cache-dtype auto`)
 * @property {number} contextLength  used when --max-model-len is not given
 */

/** @type {readonly KnownModel[]} */
const KNOWN_MODELS = Object.freeze([
  // 36 layers x 8 KV heads x 64 dims x (K+V) x 2 bytes
  { match: /gpt-oss-120b/i, weightsGib: 60.8, attentionHeads: 64, kvBytesPerToken: 73728, contextLength: 131072 },
  // 24 layers x 8 KV heads x 64 dims x (K+V) x 2 bytes
  { match: /gpt-oss-20b/i, weightsGib: 13.7, attentionHeads: 64, kvBytesPerToken: 49152, contextLength: 131072 },
  // Qwen3-30B-A3B: 48 layers x 4 KV heads x 128 dims x (K+V) x 2 bytes
  { match: /qwen3-coder-30b|qwen3-30b/i, weightsGib: 29.0, attentionHeads: 32, kvBytesPerToken: 98304, contextLength: 262144 },
]);

/** Anything else: sized like vLLM's default model, Qwen3-0.6B. */
const FALLBACK = { weightsGib: 1.2, attentionHeads: 16, kvBytesPerToken: 114688, contextLength: 40960 };

/** Activations, CUDA graphs and runtime, per GPU, excluded from the KV budget. */
const OVERHEAD_GIB = 1.5;

const GIB = 1024 ** 3;

/**
 * @typedef {object} ModelProfile
 * @property {number} weightsGib       weights per GPU (after tensor parallelism)
 * @property {number} attentionHeads
 * @property {number} maxModelLen
 * @property {number} kvBytesPerToken  at the chosen KV-cache dtype
 * @property {number} kvCacheGib       KV-cache memory per GPU
 * @property {number} kvCacheTokens    KV-cache capacity in tokens
 * @property {number} maxConcurrency   kvCacheTokens / maxModelLen
 * @property {string | undefined} tensorParallelError vLLM's message when TP does not divide the heads
 * @property {string | undefined} memoryError vLLM's message when weights + one max-length request do not fit
 */

/**
 * @param {import('./cli-args').ServeArgs} args
 * @param {import('./settings').Settings} settings
 * @returns {ModelProfile}
 */
function modelProfile(args, settings) {
  const known = KNOWN_MODELS.find((m) => m.match.test(args.model)) ?? FALLBACK;
  const tp = args.tensorParallelSize;
  const weightsGib = (settings.weightsGib ?? known.weightsGib) / tp;
  const maxModelLen = args.maxModelLen ?? known.contextLength;
  const kvBytesPerToken = args.kvCacheDtype.startsWith('fp8') ? known.kvBytesPerToken / 2 : known.kvBytesPerToken;

  const budgetGib = args.gpuMemoryUtilization * settings.totalMemoryGib;
  const freeGib = budgetGib - weightsGib - OVERHEAD_GIB;
  const neededTokens = maxModelLen;
  let kvCacheGib = Math.max(0, freeGib);
  let kvCacheTokens = Math.floor((kvCacheGib * GIB * tp) / kvBytesPerToken / 16) * 16;

  /** @type {string | undefined} */
  let memoryError;
  if (freeGib <= 0) {
    memoryError = 'No available memory for the cache blocks. Try increasing `gpu_memory_utilization` '
      + 'when initializing the engine.';
  } else if (kvCacheTokens < neededTokens) {
    memoryError = `To serve at least one request with the models's max seq len (${maxModelLen}), `
      + `(${((neededTokens * kvBytesPerToken) / tp / GIB).toFixed(2)} GiB KV cache is needed, which is larger than the `
      + `available KV cache memory (${kvCacheGib.toFixed(2)} GiB). Based on the available memory, the estimated `
      + `maximum model length is ${kvCacheTokens}. Try increasing \`gpu_memory_utilization\` or `
      + 'decreasing `max_model_len` when initializing the engine.';
  }
  if (memoryError !== undefined && !settings.enforceMemory) {
    // Keep running with room for one full-length request; main.js logs a warning instead.
    kvCacheTokens = Math.ceil(neededTokens / 16) * 16;
    kvCacheGib = (kvCacheTokens * kvBytesPerToken) / tp / GIB;
  }

  const tensorParallelError = known.attentionHeads % tp === 0 ? undefined
    : `Total number of attention heads (${known.attentionHeads}) must be divisible by tensor parallel size (${tp}).`;

  return {
    weightsGib,
    attentionHeads: known.attentionHeads,
    maxModelLen,
    kvBytesPerToken,
    kvCacheGib,
    kvCacheTokens,
    maxConcurrency: kvCacheTokens / maxModelLen,
    tensorParallelError,
    memoryError,
  };
}

module.exports = { modelProfile, KNOWN_MODELS };
