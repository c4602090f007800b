/**
 * The memory a Hub model needs on a DGX Spark, from its own files, every figure with its working:
 * weights from the checkpoint's safetensors (not a parameter count), the KV cache per token
 * ({@link estimateKvCache}), the context vLLM will accept, and with the planner's conventions
 * (scenarios.yaml: budget = fraction × total; need = weights + overhead + one full-length
 * request's KV cache; the reserve stays free) the least memory vLLM needs to start and the
 * fraction for N concurrent requests. Refusals say why.
 */
import { SparkError } from '../errors';
import { GIB, gib } from '../planner';
import type { HubFile } from '../hub/model-files';
import type { ModelConfig } from './config';
import { intField } from './config';
import type { Figure, KvCacheDtype, KvEstimate } from './kv-cache';
import { estimateKvCache } from './kv-cache';
import { GENERATE_ARCHITECTURES, QUANTIZATION_METHODS, VLLM_VERSION } from './vllm-registry';

/** Context used when the user asks for none (the bundled Qwen's; long contexts cost KV cache). */
export const DEFAULT_CONTEXT = 32768;
/** Concurrent full-length requests the suggested fraction makes room for, when they fit. */
export const DEFAULT_CONCURRENCY = 4;

/** The model cannot be served here; `reason` says why and `fix` what to do. */
export class ModelRefusedError extends SparkError {
  constructor(
    readonly reason: 'no-safetensors' | 'architecture' | 'quantization' | 'too-large',
    message: string,
    fix: string,
  ) {
    super(message, fix);
  }
}

/**
 * Weights bytes from the checkpoint: `metadata.total_size` of the safetensors index when the
 * repository has one, else the sum of its root `*.safetensors` files. Refuses GGUF-only and other
 * repositories without safetensors. Pure.
 */
export function weightsFromFiles(repo: string, files: readonly HubFile[], indexTotalSize?: number): Figure {
  const root = files.filter((f) => !f.path.includes('/'));
  const shards = root.filter((f) => f.path.endsWith('.safetensors'));
  // Mistral repositories ship the same weights twice (HF shards and consolidated.safetensors).
  const hfShards = shards.some((f) => !f.path.startsWith('consolidated')) ? shards.filter((f) => !f.path.startsWith('consolidated')) : shards;
  if (hfShards.length === 0) {
    const gguf = files.some((f) => f.path.endsWith('.gguf'));
    throw new ModelRefusedError(
      'no-safetensors',
      gguf ? `${repo} holds only GGUF files; the stack's vLLM serves safetensors checkpoints` : `${repo} has no safetensors weights at its root`,
      'Use the original safetensors repository of the model (its model card names it as base_model)',
    );
  }
  if (indexTotalSize !== undefined) {
    return { value: indexTotalSize, formula: 'metadata.total_size of model.safetensors.index.json', fields: { 'metadata.total_size': indexTotalSize, shards: hfShards.length } };
  }
  const total = hfShards.reduce((sum, f) => sum + f.size, 0);
  return { value: total, formula: hfShards.map((f) => `${f.path} ${f.size}`).join(' + ') + ' bytes (file sizes)', fields: Object.fromEntries(hfShards.map((f) => [f.path, f.size])) };
}

/** Refuses an architecture vLLM does not serve at the pinned version. Pure. */
export function checkArchitecture(config: ModelConfig): string {
  const served = config.architectures.find((a) => GENERATE_ARCHITECTURES.has(a));
  if (!served) {
    throw new ModelRefusedError('architecture', `vLLM ${VLLM_VERSION} does not serve ${config.architectures.join(', ')} (architectures in ${config.source})`, 'Pick a model whose architecture vLLM supports (docs.vllm.ai → Supported Models), or a newer stack image');
  }
  return served;
}

/** The checkpoint's quantization method (vLLM reads it from config.json), refused if vLLM lacks it. Pure. */
export function checkpointQuantization(config: ModelConfig): string | undefined {
  const quant = config.raw.quantization_config;
  if (!quant || typeof quant !== 'object' || Array.isArray(quant)) return undefined;
  const method = typeof quant.quant_method === 'string' ? quant.quant_method : undefined;
  if (method && !QUANTIZATION_METHODS.has(method)) {
    throw new ModelRefusedError('quantization', `vLLM ${VLLM_VERSION} has no "${method}" quantization (quantization_config.quant_method in ${config.source})`, 'Pick a checkpoint quantized with a method vLLM supports (fp8, awq, gptq, compressed-tensors, mxfp4, …)');
  }
  return method;
}

/** min(requested, max_position_embeddings). Pure. */
export function contextLength(config: ModelConfig, requested?: number): Figure {
  const max = intField(config, 'max_position_embeddings', 'max_sequence_length', 'seq_length', 'n_positions');
  const want = requested ?? DEFAULT_CONTEXT;
  if (!max) return { value: want, formula: `${requested ? 'requested' : 'default'} ${want} (config.json gives no max_position_embeddings)`, fields: {} };
  const value = Math.min(want, max.value);
  return { value, formula: `min(${requested ? 'requested' : 'default'} ${want}, ${max.name} ${max.value})`, fields: { [max.name]: max.value }, note: requested && requested > max.value ? `the model accepts at most ${max.value} tokens` : undefined };
}

/** Runtime overhead (CUDA context, activations, CUDA graphs): ceil(2 + weights GiB ÷ 24) GiB, which gives the bundled models' 3, 5 and 4 GiB. Pure. */
export function overheadFor(weightsBytes: number): Figure {
  const gibs = Math.ceil(2 + weightsBytes / GIB / 24);
  return { value: gibs * GIB, formula: `ceil(2 + ${(weightsBytes / GIB).toFixed(2)} GiB ÷ 24) = ${gibs} GiB`, fields: { weightsGiB: Number((weightsBytes / GIB).toFixed(2)) } };
}

export interface MemoryEstimate {
  readonly weights: Figure;
  readonly overhead: Figure;
  readonly context: Figure;
  readonly kv: KvEstimate;
  /** weights + overhead + kvBytesPerToken × context: the least vLLM needs to start. */
  readonly need: Figure;
  readonly totalBytes: number;
  readonly reserveBytes: number;
  /** Requests of the full context the suggested fraction makes room for. */
  readonly concurrency: number;
  /** Suggested `--gpu-memory-utilization` (2 decimals, rounded up) for `concurrency` requests. */
  readonly fraction: Figure;
}

/**
 * The whole estimate; throws {@link ModelRefusedError} when even one request does not fit in
 * total − reserve. Pure.
 */
export function estimateMemory(input: {
  readonly config: ModelConfig;
  readonly weights: Figure;
  readonly kvCacheDtype: KvCacheDtype;
  readonly maxModelLen?: number;
  readonly totalBytes: number;
  readonly reserveBytes: number;
  readonly concurrency?: number;
}): MemoryEstimate {
  const { weights, totalBytes, reserveBytes } = input;
  const context = contextLength(input.config, input.maxModelLen);
  const kv = estimateKvCache(input.config, input.kvCacheDtype, context.value);
  const overhead = overheadFor(weights.value);
  const perRequest = kv.bytesPerToken.value * context.value;
  const needBytes = weights.value + overhead.value + perRequest;
  const need: Figure = {
    value: needBytes,
    formula: `weights ${weights.value} + overhead ${overhead.value} + kvBytesPerToken ${kv.bytesPerToken.value} × ${context.value} tokens = ${needBytes} B (${gib(needBytes)})`,
    fields: { weightsBytes: weights.value, overheadBytes: overhead.value, kvBytesPerToken: kv.bytesPerToken.value, maxModelLen: context.value },
  };
  const usable = totalBytes - reserveBytes;
  const fractionFor = (requests: number) => Math.ceil(((weights.value + overhead.value + requests * perRequest) / totalBytes) * 100) / 100;
  if (fractionFor(1) * totalBytes > usable) {
    throw new ModelRefusedError('too-large', `needs ${gib(needBytes)} to start (weights ${gib(weights.value)} + overhead ${gib(overhead.value)} + KV cache ${gib(perRequest)} for one ${context.value}-token request) but only ${gib(usable)} of ${gib(totalBytes)} can go to models (${gib(reserveBytes)} reserve)`, 'Pick a smaller or more quantized checkpoint, a shorter --max-model-len, or --kv-cache-dtype fp8');
  }
  const wanted = input.concurrency ?? DEFAULT_CONCURRENCY;
  let concurrency = wanted;
  while (concurrency > 1 && fractionFor(concurrency) * totalBytes > usable) concurrency--;
  const fractionValue = fractionFor(concurrency);
  const fraction: Figure = {
    value: fractionValue,
    formula: `ceil((weights + overhead + ${concurrency} × ${gib(perRequest)}) ÷ total ${gib(totalBytes)}, 2 decimals)`,
    fields: { concurrency, totalBytes },
    note: concurrency < wanted ? `room for ${concurrency} full-length request(s), not ${wanted}` : undefined,
  };
  return { weights, overhead, context, kv, need, totalBytes, reserveBytes, concurrency, fraction };
}
