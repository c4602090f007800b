/**
 * What is known about the models the bundled stack and the guide serve, for a scenarios.yaml
 * written by `adopt`. Sources: the bundled scenarios.yaml (its "Memory figures") and, for the
 * guide's BF16 Qwen checkpoint, its parameter count (30.5 B x 2 bytes). A model not listed gets
 * a note that its figures are unknown and must be filled in.
 */
export interface KnownModel {
  readonly weightsGiB: number;
  readonly overheadGiB: number;
  /** layers x KV heads x head dim x 2 (K and V): bytes per token per byte of KV element. */
  readonly kvElementsPerToken: number;
}

const KNOWN: Readonly<Record<string, KnownModel>> = {
  'openai/gpt-oss-20b': { weightsGiB: 13.5, overheadGiB: 3, kvElementsPerToken: 24 * 8 * 64 * 2 },
  'openai/gpt-oss-120b': { weightsGiB: 61, overheadGiB: 5, kvElementsPerToken: 36 * 8 * 64 * 2 },
  'Qwen/Qwen3-Coder-30B-A3B-Instruct-FP8': { weightsGiB: 31, overheadGiB: 4, kvElementsPerToken: 48 * 4 * 128 * 2 },
  'Qwen/Qwen3-Coder-30B-A3B-Instruct': { weightsGiB: 57, overheadGiB: 4, kvElementsPerToken: 48 * 4 * 128 * 2 },
};

/** The known figures of a Hugging Face model id, or undefined. */
export function knownModel(hfModel: string | undefined): KnownModel | undefined {
  return hfModel === undefined ? undefined : KNOWN[hfModel];
}

/** Bytes per KV-cache element of a `--kv-cache-dtype` (auto means the model's BF16). */
export function kvElementBytes(dtype: string): number {
  return dtype.startsWith('fp8') ? 1 : 2;
}
