/**
 * KV-cache bytes per token from a model's config.json, with the working shown. Per attention
 * layer and token vLLM stores K and V for every KV head: KV heads × head_dim × 2 × bytes per
 * element. Sliding-window (and chunked) layers keep at most their window; MLA layers (DeepSeek)
 * store one latent of kv_lora_rank + qk_rope_head_dim; linear-attention and state-space layers
 * keep a fixed state per request instead, counted apart.
 */
import type { ModelConfig } from './config';
import { intField, requireInt } from './config';

export type KvCacheDtype = 'auto' | 'fp8';
export const KV_CACHE_DTYPES: readonly KvCacheDtype[] = ['auto', 'fp8'];

/** One figure with the config fields it came from and its formula, for the UI to show. */
export interface Figure {
  readonly value: number;
  readonly formula: string;
  readonly fields: Readonly<Record<string, number | string>>;
  readonly note?: string;
}

export type LayerKind = 'full' | 'sliding' | 'mla' | 'state';

export interface LayerGroup {
  readonly kind: LayerKind;
  readonly layers: number;
  /** Bytes per token per layer (attention kinds), or per request per layer (state). */
  readonly bytesPerLayer: number;
  /** Tokens a sliding/chunked layer keeps at most. */
  readonly window?: number;
  /** Bytes this group holds for one request of the context length. */
  readonly bytesPerRequest: number;
  readonly formula: string;
}

export interface KvEstimate {
  readonly dtype: KvCacheDtype;
  readonly bytesPerElement: Figure;
  readonly headDim?: Figure;
  readonly groups: readonly LayerGroup[];
  /** KV cache plus state of one request of `contextTokens`. */
  readonly bytesPerRequest: number;
  /** bytesPerRequest ÷ contextTokens, rounded up: the scenarios.yaml `kvBytesPerToken`. */
  readonly bytesPerToken: Figure;
}

const DTYPE_BYTES: Record<string, number> = { bfloat16: 2, float16: 2, half: 2, float32: 2, float: 2, float8_e4m3fn: 1, fp8: 1 };

/** Bytes per KV element for `dtype` ("auto": the checkpoint's KV scheme, else its dtype). Pure. */
export function kvElementBytes(config: ModelConfig, dtype: KvCacheDtype): Figure {
  if (dtype === 'fp8') return { value: 1, formula: '--kv-cache-dtype fp8 → 1 byte', fields: { 'kv-cache-dtype': 'fp8' } };
  const quant = config.raw.quantization_config;
  const scheme = quant && typeof quant === 'object' && !Array.isArray(quant) ? quant.kv_cache_scheme : undefined;
  if (scheme && typeof scheme === 'object' && !Array.isArray(scheme) && scheme.num_bits === 8) {
    return { value: 1, formula: 'auto: the checkpoint ships an 8-bit KV cache scheme → 1 byte', fields: { 'quantization_config.kv_cache_scheme.num_bits': 8 } };
  }
  const name = ['torch_dtype', 'dtype'].find((k) => typeof config.text[k] === 'string');
  const value = name ? String(config.text[name]) : 'bfloat16';
  const bytes = DTYPE_BYTES[value] ?? 2;
  const note = value === 'float32' ? 'vLLM serves float32 checkpoints in 16-bit by default' : undefined;
  return { value: bytes, formula: `auto: the model's dtype ${value} → ${bytes} bytes`, fields: name ? { [name]: value } : {}, note };
}

/** Which layers are full attention, sliding, state (linear/SSM). Pure. */
function layerKinds(config: ModelConfig, layers: number): { kinds: LayerKind[]; window?: number; source: string } {
  const t = config.text;
  const window = intField(config, 'sliding_window', 'attention_chunk_size')?.value;
  const fill = (kind: (i: number) => LayerKind, source: string) => ({ kinds: Array.from({ length: layers }, (_, i) => kind(i)), window, source });
  if (Array.isArray(t.layer_types) && t.layer_types.length >= layers) {
    const types = t.layer_types.map(String);
    return fill((i) => {
      const type = types[i] ?? '';
      if (/sliding|chunked|local/.test(type)) return 'sliding';
      if (/^(full_attention|attention|global|full)$/.test(type)) return 'full';
      return 'state';
    }, 'layer_types');
  }
  if (typeof t.hybrid_override_pattern === 'string') {
    // Nemotron-H: M = Mamba, * = attention, - = MLP only, E = MoE (no cache at all).
    const pattern = t.hybrid_override_pattern;
    const attention = [...pattern].filter((c) => c === '*').length;
    const mamba = [...pattern].filter((c) => c === 'M').length;
    return { kinds: [...Array<LayerKind>(attention).fill('full'), ...Array<LayerKind>(mamba).fill('state')], window, source: 'hybrid_override_pattern' };
  }
  const period = intField(config, 'attn_layer_period')?.value;
  if (period) {
    const offset = intField(config, 'attn_layer_offset')?.value ?? 0;
    return fill((i) => (i % period === offset ? 'full' : 'state'), 'attn_layer_period, attn_layer_offset');
  }
  const interval = intField(config, 'full_attention_interval')?.value;
  if (interval) return fill((i) => ((i + 1) % interval === 0 ? 'full' : 'state'), 'full_attention_interval');
  const pattern = intField(config, 'sliding_window_pattern')?.value;
  if (window && pattern) return fill((i) => ((i + 1) % pattern === 0 ? 'full' : 'sliding'), 'sliding_window_pattern');
  if (Array.isArray(t.no_rope_layers) && intField(config, 'attention_chunk_size')) {
    // Llama 4: layers with RoPE (1) use chunked local attention; NoPE layers (0) are global.
    const rope = t.no_rope_layers;
    return fill((i) => (rope[i] === 0 ? 'full' : 'sliding'), 'no_rope_layers, attention_chunk_size');
  }
  if (window && t.use_sliding_window !== false && config.modelType === 'gemma2') return fill((i) => (i % 2 === 0 ? 'sliding' : 'full'), 'gemma2 alternates sliding and full layers');
  if (window && t.use_sliding_window !== false && !/^qwen/.test(config.modelType)) return fill(() => 'sliding', 'sliding_window on every layer');
  return fill(() => 'full', 'every layer is full attention');
}

/** Per-request state of one linear-attention or Mamba layer, when its fields are known. Pure. */
function stateBytesPerLayer(config: ModelConfig, bytes: number): { value: number; formula: string } {
  const mambaHeads = intField(config, 'mamba_num_heads')?.value;
  const mambaHeadDim = intField(config, 'mamba_head_dim')?.value;
  const stateSize = intField(config, 'ssm_state_size', 'mamba_d_state')?.value;
  if (mambaHeads && mambaHeadDim && stateSize) {
    const groups = intField(config, 'n_groups', 'mamba_n_groups')?.value ?? 1;
    const kernel = intField(config, 'conv_kernel', 'mamba_d_conv')?.value ?? 4;
    const inner = mambaHeads * mambaHeadDim;
    const elements = (kernel - 1) * (inner + 2 * groups * stateSize) + inner * stateSize;
    return { value: elements * bytes, formula: `Mamba2: ((conv_kernel ${kernel} − 1) × (heads ${mambaHeads} × head_dim ${mambaHeadDim} + 2 × n_groups ${groups} × state ${stateSize}) + ${inner} × state ${stateSize}) × ${bytes} B` };
  }
  const vHeads = intField(config, 'linear_num_value_heads')?.value;
  const kHeads = intField(config, 'linear_num_key_heads')?.value;
  const kDim = intField(config, 'linear_key_head_dim')?.value;
  const vDim = intField(config, 'linear_value_head_dim')?.value;
  if (vHeads && kHeads && kDim && vDim) {
    const kernel = intField(config, 'linear_conv_kernel_dim')?.value ?? 4;
    const elements = vHeads * kDim * vDim + (kernel - 1) * (2 * kHeads * kDim + vHeads * vDim);
    return { value: elements * bytes, formula: `gated delta net: (v_heads ${vHeads} × k_dim ${kDim} × v_dim ${vDim} + (conv ${kernel} − 1) × (2 × ${kHeads} × ${kDim} + ${vHeads} × ${vDim})) × ${bytes} B` };
  }
  return { value: 0, formula: 'state size not derivable from config.json (not counted)' };
}

/** The KV-cache estimate for one request of `contextTokens` at `dtype`. Pure. */
export function estimateKvCache(config: ModelConfig, dtype: KvCacheDtype, contextTokens: number): KvEstimate {
  const bytesPerElement = kvElementBytes(config, dtype);
  const bytes = bytesPerElement.value;
  const layers = requireInt(config, 'num_hidden_layers', 'n_layer', 'num_layers');
  const groups: LayerGroup[] = [];
  const kvLora = intField(config, 'kv_lora_rank');
  const rope = intField(config, 'qk_rope_head_dim');
  let headDim: Figure | undefined;
  if (kvLora && kvLora.value > 0 && rope) {
    const perLayer = (kvLora.value + rope.value) * bytes;
    groups.push({ kind: 'mla', layers: layers.value, bytesPerLayer: perLayer, bytesPerRequest: layers.value * perLayer * contextTokens, formula: `${layers.name} ${layers.value} × (${kvLora.name} ${kvLora.value} + ${rope.name} ${rope.value}) × ${bytes} B (one latent per token, no K/V pair)` });
  } else {
    const heads = requireInt(config, 'num_attention_heads', 'n_head');
    const kvHeads = intField(config, 'num_key_value_heads', 'num_kv_heads', 'multi_query_group_num') ?? heads;
    const explicit = intField(config, 'head_dim');
    if (explicit && explicit.value > 0) {
      headDim = { value: explicit.value, formula: `${explicit.name} from config.json`, fields: { [explicit.name]: explicit.value } };
    } else {
      const hidden = requireInt(config, 'hidden_size', 'n_embd', 'd_model');
      headDim = { value: hidden.value / heads.value, formula: `${hidden.name} ${hidden.value} ÷ ${heads.name} ${heads.value}`, fields: { [hidden.name]: hidden.value, [heads.name]: heads.value } };
    }
    const perLayer = kvHeads.value * headDim.value * 2 * bytes;
    const { kinds, window, source } = layerKinds(config, layers.value);
    const full = kinds.filter((k) => k === 'full').length;
    const sliding = kinds.filter((k) => k === 'sliding').length;
    const perLayerFormula = `${kvHeads.name} ${kvHeads.value} × head_dim ${headDim.value} × 2 (K and V) × ${bytes} B`;
    if (full > 0) groups.push({ kind: 'full', layers: full, bytesPerLayer: perLayer, bytesPerRequest: full * perLayer * contextTokens, formula: `${full} full-attention layers (${source}) × ${perLayerFormula} × ${contextTokens} tokens` });
    if (sliding > 0) {
      const kept = Math.min(contextTokens, window ?? contextTokens);
      groups.push({ kind: 'sliding', layers: sliding, bytesPerLayer: perLayer, window, bytesPerRequest: sliding * perLayer * kept, formula: `${sliding} sliding-window layers (${source}) × ${perLayerFormula} × min(${contextTokens}, window ${window}) tokens` });
    }
    const state = kinds.filter((k) => k === 'state').length;
    if (state > 0) {
      const perRequest = stateBytesPerLayer(config, bytes);
      groups.push({ kind: 'state', layers: state, bytesPerLayer: perRequest.value, bytesPerRequest: state * perRequest.value, formula: `${state} linear-attention/state-space layers (${source}), a fixed state per request: ${perRequest.formula}` });
    }
  }
  const bytesPerRequest = groups.reduce((sum, g) => sum + g.bytesPerRequest, 0);
  const perToken = Math.ceil(bytesPerRequest / contextTokens);
  const fields: Record<string, number | string> = { [layers.name]: layers.value, context: contextTokens };
  return {
    dtype,
    bytesPerElement,
    headDim,
    groups,
    bytesPerRequest,
    bytesPerToken: { value: perToken, formula: `(${groups.map((g) => g.bytesPerRequest).join(' + ')}) B for one ${contextTokens}-token request ÷ ${contextTokens} tokens, rounded up`, fields },
  };
}
