/**
 * A model's `config.json` as the estimate reads it. Multimodal repositories keep the language
 * model's fields in `text_config` (Gemma 3, Llama 4, Mistral 3) while older ones keep them at the
 * top level (Qwen2.5-VL); the text fields are taken from `text_config` first, then the top level.
 */
import { FileFormatError } from '../errors';
import { jsonErrorOffset } from './json-position';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface ModelConfig {
  /** Where the text came from, for messages (`Qwen/Qwen3-8B/config.json`). */
  readonly source: string;
  readonly raw: JsonObject;
  /** The language model's fields (`text_config` when present). */
  readonly text: JsonObject;
  /** True when the fields come from `text_config`. */
  readonly fromTextConfig: boolean;
  readonly architectures: readonly string[];
  readonly modelType: string;
}

/**
 * Class defaults of Transformers config classes for fields the estimate reads, where real
 * checkpoints leave them out (Gemma 3's text config omits its 5:1 local/global layer pattern).
 */
const TRANSFORMERS_DEFAULTS: Readonly<Record<string, JsonObject>> = {
  gemma3_text: { sliding_window_pattern: 6, max_position_embeddings: 131072, head_dim: 256, num_key_value_heads: 4 },
};

/**
 * Parses `config.json`; throws {@link FileFormatError} naming the file and line of a syntax
 * error, or the missing field. Pure.
 */
export function parseModelConfig(json: string, source: string): ModelConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const offset = jsonErrorOffset(json);
    const line = offset === undefined ? undefined : json.slice(0, offset).split('\n').length;
    throw new FileFormatError(source, line, `not valid JSON (${message.split('\n')[0]})`, 'The repository\'s config.json is broken: pick another revision (--revision) or repository');
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new FileFormatError(source, 1, 'must be a JSON object');
  const top = raw as JsonObject;
  const textConfig = top.text_config;
  const hasText = textConfig !== null && typeof textConfig === 'object' && !Array.isArray(textConfig);
  const merged: JsonObject = hasText ? { ...top, ...(textConfig as JsonObject) } : top;
  const textType = typeof merged.model_type === 'string' ? merged.model_type : '';
  // Transformers omits fields at their class default from config.json; the estimate needs them.
  const text: JsonObject = { ...(TRANSFORMERS_DEFAULTS[textType] ?? {}), ...merged };
  const architectures = Array.isArray(top.architectures) ? top.architectures.filter((a): a is string => typeof a === 'string') : [];
  if (architectures.length === 0) throw new FileFormatError(source, undefined, 'has no "architectures" list, so vLLM cannot tell which model class to load', 'Pick a repository whose config.json names its architecture');
  const modelType = typeof top.model_type === 'string' ? top.model_type : '';
  return { source, raw: top, text, fromTextConfig: hasText, architectures, modelType };
}

/** A whole number field of the text config (or undefined); `name` may be a list of aliases. Pure. */
export function intField(config: ModelConfig, ...names: string[]): { name: string; value: number } | undefined {
  for (const name of names) {
    const value = config.text[name];
    if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return { name: fieldName(config, name), value };
  }
  return undefined;
}

/** The name of a field as the user finds it in config.json (`text_config.head_dim`). Pure. */
export function fieldName(config: ModelConfig, name: string): string {
  const tc = config.raw.text_config;
  return config.fromTextConfig && tc !== null && typeof tc === 'object' && !Array.isArray(tc) && name in tc ? `text_config.${name}` : name;
}

/** Like {@link intField} but required: throws {@link FileFormatError} naming the field. Pure. */
export function requireInt(config: ModelConfig, ...names: string[]): { name: string; value: number } {
  const found = intField(config, ...names);
  if (!found) throw new FileFormatError(config.source, undefined, `has no whole-number "${names[0]}"${config.fromTextConfig ? ' (in text_config or at the top level)' : ''}, which the memory estimate needs`, 'Pick a repository with a complete Transformers config.json');
  return found;
}
