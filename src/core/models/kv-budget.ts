/**
 * How many tokens vLLM says fit a KV-cache budget — its start-up line `<device> KV cache size: N
 * tokens, Maximum concurrency for M tokens per request: X.XXx` — worked out from the same figures
 * as {@link estimateKvCache}, with vLLM 0.31's own rule (vllm/v1/core/kv_cache_utils.py and
 * vllm/v1/kv_cache_interface.py):
 *
 * - Memory is cut into blocks of `block_size` tokens; one page is one layer's block
 *   (`AttentionSpec.page_size_bytes` = KV heads × block_size × head_dim × 2 × element bytes).
 *   The CPU platform sets block_size 128 unless the user names one (platforms/cpu.py
 *   `check_and_update_config`; 16 for MLA), CUDA backends default to 16 (`CacheConfig.DEFAULT_BLOCK_SIZE`).
 * - Layers form KV cache groups (`get_kv_cache_groups`): one group when every layer has the same
 *   spec; with full and sliding layers (the hybrid allocator) each kind's layers are split into
 *   groups of `group_size` layers — the smallest kind's count, or the largest's when it is below
 *   1.5 × the smallest — padding the last group (`_get_kv_cache_groups_uniform_page_size`).
 *   A block spans one group: bytes per block = group_size × page (`_get_kv_cache_bytes_per_block`),
 *   num_blocks = budget ÷ that, rounded down (`get_kv_cache_config_from_groups`).
 * - A request of max_model_len takes, per group (`get_max_concurrency_for_kv_cache_config`):
 *   full attention ceil(max_model_len ÷ block_size) blocks (`FullAttentionSpec.max_memory_usage_bytes`);
 *   a sliding window ceil(min(window − 1 + in-flight tokens, max_model_len) ÷ block_size) + 1
 *   (`SlidingWindowSpec.max_admission_blocks_per_request`: while a long prompt is prefilled in
 *   chunks the window's blocks are freed only after the step, so a window never costs less than
 *   `max_num_batched_tokens` more, and one block more since a window may start mid-block);
 *   chunked local attention ceil(min(chunk + in-flight, max_model_len) ÷ block_size).
 *   In-flight tokens = max_num_batched_tokens × concurrent batches (`VllmConfig.max_in_flight_tokens`):
 *   `vllm serve` on CPU defaults to 2048 × 1 (engine/arg_utils.py `get_batch_defaults`; CPU has
 *   no async scheduling).
 * - Concurrency = num_blocks ÷ blocks per request; N = int(concurrency × max_model_len)
 *   (`get_kv_cache_capacity`) — not num_blocks × block_size, so for sliding windows N is the
 *   full-length requests that fit times their length.
 * - With the hybrid allocator off (`--disable-hybrid-kv-cache-manager`, or by default for chunked
 *   local attention next to full layers) local layers are allocated as full attention
 *   (`unify_hybrid_kv_cache_specs`).
 *
 * So for a short max_model_len a sliding window saves nothing in vLLM's accounting (it costs one
 * block more than full attention); the estimate's bytes per token (steady state: a sliding layer
 * keeps its window) is what memory holds once the prompt is in, vLLM's figure what it reserves to
 * admit a request. Mamba / linear-attention state (page padding to the attention page) is not
 * modelled: the function throws for such models.
 */
import type { ModelConfig } from './config';
import { intField } from './config';
import type { KvCacheDtype, KvEstimate } from './kv-cache';
import { estimateKvCache } from './kv-cache';

/** The CPU platform's block size (vllm/platforms/cpu.py), when the user names none. */
export const VLLM_CPU_BLOCK_SIZE = 128;
/** vLLM's default block size elsewhere (`CacheConfig.DEFAULT_BLOCK_SIZE`). */
export const VLLM_DEFAULT_BLOCK_SIZE = 16;
/** `max_num_batched_tokens` of `vllm serve` on CPU with one worker (engine/arg_utils.py). */
export const VLLM_CPU_SERVE_BATCHED_TOKENS = 2048;

export interface KvBudgetOptions {
  /** KV cache bytes (VLLM_CPU_KVCACHE_SPACE GiB × 2^30, or --kv-cache-memory-bytes). */
  readonly budgetBytes: number;
  /** --max-model-len. */
  readonly maxModelLen: number;
  /** Tokens per block (default {@link VLLM_CPU_BLOCK_SIZE}). */
  readonly blockSize?: number;
  /** max_num_batched_tokens × concurrent batches (default {@link VLLM_CPU_SERVE_BATCHED_TOKENS}). */
  readonly maxInFlightTokens?: number;
  /** False for --disable-hybrid-kv-cache-manager (default: on, except chunked local next to full). */
  readonly hybridKvCacheManager?: boolean;
}

/** One kind of layer as vLLM groups it. */
export interface KvBudgetGroup {
  readonly kind: 'full' | 'sliding' | 'chunked';
  readonly layers: number;
  /** KV cache groups these layers make (each of `groupSize` layers, the last padded). */
  readonly groups: number;
  readonly window?: number;
  /** Blocks one group holds for one request of max_model_len. */
  readonly blocksPerRequest: number;
  readonly formula: string;
}

export interface KvBudget {
  /** The estimate at max_model_len the figures come from (its bytesPerToken is ours). */
  readonly estimate: KvEstimate;
  readonly blockSize: number;
  readonly maxInFlightTokens: number;
  /** Layers per KV cache group. */
  readonly groupSize: number;
  readonly kinds: readonly KvBudgetGroup[];
  /** One block across one group: groupSize × block_size × bytes per layer and token. */
  readonly bytesPerBlock: number;
  readonly numBlocks: number;
  /** Blocks of all groups one request of max_model_len takes. */
  readonly blocksPerRequest: number;
  /** vLLM's "Maximum concurrency" (num_blocks ÷ blocks per request). */
  readonly maxConcurrency: number;
  /** As vLLM prints it (`%.2f`). */
  readonly maxConcurrencyText: string;
  /** vLLM's "KV cache size: N tokens" = int(concurrency × max_model_len). */
  readonly tokens: number;
  /** Bytes vLLM reserves for one request of max_model_len: blocks per request × bytes per block. */
  readonly reservedBytesPerRequest: number;
  readonly formula: string;
}

const cdiv = (a: number, b: number) => Math.ceil(a / b);

/**
 * vLLM's KV capacity for `config` at `dtype` with `budgetBytes` of KV cache and `maxModelLen`
 * (see the file comment for the rule and where vLLM has it). Pure; throws for state-space layers
 * and for layer kinds of different page sizes, which vLLM pads in ways not modelled here.
 */
export function tokensInKvBudget(config: ModelConfig, dtype: KvCacheDtype, options: KvBudgetOptions): KvBudget {
  const { budgetBytes, maxModelLen } = options;
  const blockSize = options.blockSize ?? VLLM_CPU_BLOCK_SIZE;
  const inFlight = options.maxInFlightTokens ?? VLLM_CPU_SERVE_BATCHED_TOKENS;
  const estimate = estimateKvCache(config, dtype, maxModelLen);
  if (estimate.groups.some((g) => g.kind === 'state')) throw new Error(`${config.source}: vLLM pads Mamba/linear-attention state pages to the attention page; its KV capacity is not modelled`);
  const perLayer = new Set(estimate.groups.map((g) => g.bytesPerLayer));
  if (perLayer.size !== 1) throw new Error(`${config.source}: layer kinds with different bytes per token (${[...perLayer].join(', ')}) get padded pages in vLLM; not modelled`);
  const bytesPerLayer = estimate.groups[0]?.bytesPerLayer ?? 0;
  // Windows from attention_chunk_size (Llama 4) are chunked local attention, not sliding windows.
  const chunked = intField(config, 'sliding_window') === undefined && intField(config, 'attention_chunk_size') !== undefined;
  const hasFull = estimate.groups.some((g) => g.kind === 'full' || g.kind === 'mla');
  const hybrid = options.hybridKvCacheManager ?? !chunked;
  const kinds: { kind: KvBudgetGroup['kind']; layers: number; window?: number }[] = [];
  for (const group of estimate.groups) {
    const local = group.kind === 'sliding' && !(hasFull && !hybrid);
    const kind: KvBudgetGroup['kind'] = local ? (chunked ? 'chunked' : 'sliding') : 'full';
    const same = kinds.find((k) => k.kind === kind);
    if (same) same.layers += group.layers;
    else kinds.push({ kind, layers: group.layers, window: local ? group.window : undefined });
  }
  const counts = kinds.map((k) => k.layers);
  const min = Math.min(...counts);
  const max = Math.max(...counts);
  const groupSize = max < min * 1.5 ? max : min;
  const withBlocks: KvBudgetGroup[] = kinds.map((k) => {
    const groups = cdiv(k.layers, groupSize);
    if (k.kind === 'full') {
      return { ...k, groups, blocksPerRequest: cdiv(maxModelLen, blockSize), formula: `full: ceil(${maxModelLen} ÷ ${blockSize})` };
    }
    const window = k.window ?? maxModelLen;
    if (k.kind === 'chunked') {
      const tokens = Math.min(window + inFlight, maxModelLen);
      return { ...k, groups, blocksPerRequest: cdiv(tokens, blockSize), formula: `chunked: ceil(min(chunk ${window} + in-flight ${inFlight}, ${maxModelLen}) ÷ ${blockSize})` };
    }
    const tokens = Math.min(window - 1 + inFlight, maxModelLen);
    return { ...k, groups, blocksPerRequest: cdiv(tokens, blockSize) + 1, formula: `sliding: ceil(min(window ${window} − 1 + in-flight ${inFlight}, ${maxModelLen}) ÷ ${blockSize}) + 1` };
  });
  const bytesPerBlock = groupSize * blockSize * bytesPerLayer;
  const numBlocks = Math.floor(budgetBytes / bytesPerBlock);
  const blocksPerRequest = withBlocks.reduce((sum, k) => sum + k.groups * k.blocksPerRequest, 0);
  // Python: max_concurrency = num_blocks / blocks; int(max_concurrency * max_model_len) — the same
  // two IEEE operations in the same order.
  const maxConcurrency = numBlocks / blocksPerRequest;
  const tokens = Math.floor(maxConcurrency * maxModelLen);
  const maxConcurrencyText = formatHundredths(maxConcurrency);
  const perRequest = blocksPerRequest * bytesPerBlock;
  const groupsText = withBlocks.map((k) => `${k.groups} ${k.kind} group${k.groups === 1 ? '' : 's'} × ${k.blocksPerRequest} (${k.formula})`).join(' + ');
  return {
    estimate,
    blockSize,
    maxInFlightTokens: inFlight,
    groupSize,
    kinds: withBlocks,
    bytesPerBlock,
    numBlocks,
    blocksPerRequest,
    maxConcurrency,
    maxConcurrencyText,
    tokens,
    reservedBytesPerRequest: perRequest,
    formula: `blocks = floor(${budgetBytes} B ÷ (${groupSize} layers × ${blockSize} tokens × ${bytesPerLayer} B) = ${bytesPerBlock} B) = ${numBlocks}; `
      + `per ${maxModelLen}-token request ${groupsText} = ${blocksPerRequest} blocks; concurrency = ${numBlocks} ÷ ${blocksPerRequest} = ${maxConcurrencyText}; `
      + `tokens = int(${numBlocks} ÷ ${blocksPerRequest} × ${maxModelLen}) = ${tokens}`,
  };
}

/**
 * `x` to 2 decimals as Python's `'%.2f' % x` writes it: the double's exact binary value rounded
 * half to even (JavaScript's toFixed rounds a tie up, and 2.675 → "2.67" in both only because the
 * double is below 2.675). Finite x ≥ 0. Pure.
 */
export function formatHundredths(x: number): string {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const exponent = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & ((1n << 52n) - 1n);
  // x = mantissa × 2^power exactly
  const mantissa = exponent === 0 ? fraction : fraction | (1n << 52n);
  const power = exponent === 0 ? -1074 : exponent - 1075;
  let q: bigint;
  if (power >= 0) {
    q = (mantissa << BigInt(power)) * 100n;
  } else {
    const denominator = 1n << BigInt(-power);
    const scaled = mantissa * 100n;
    q = scaled / denominator;
    const twice = 2n * (scaled - q * denominator);
    if (twice > denominator || (twice === denominator && q % 2n === 1n)) q += 1n;
  }
  return `${q / 100n}.${String(q % 100n).padStart(2, '0')}`;
}

/** Reads `KV cache size: N tokens, Maximum concurrency for M tokens per request: X.XXx` (0.31) or the two 0.11 lines. Pure. */
export function parseKvCacheLine(log: string): { device: string; tokens: number; maxModelLen: number; concurrency: string } | undefined {
  const size = /(\w+) KV cache size: ([\d,]+) tokens/.exec(log);
  const concurrency = /Maximum concurrency for ([\d,]+) tokens per request: ([\d.]+)x/.exec(log);
  if (!size || !concurrency) return undefined;
  const int = (s: string) => Number(s.replace(/,/g, ''));
  return { device: size[1] ?? '', tokens: int(size[2] ?? ''), maxModelLen: int(concurrency[1] ?? ''), concurrency: concurrency[2] ?? '' };
}
