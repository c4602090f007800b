/**
 * vLLM serving flags for a Hub model, from one table: the tool-call and reasoning parsers by
 * model family, `--trust-remote-code` only when config.json asks for custom code (auto_map), and
 * the checkpoint's quantization (vLLM reads it from config.json, so it needs no flag). Every parser
 * named here is registered in the pinned vLLM (a unit test checks the table against
 * vllm-registry.json).
 */
import type { ModelConfig } from './config';

interface FamilyRow {
  readonly family: string;
  /** Matches config.json's model_type. */
  readonly modelType: RegExp;
  /** Narrows by repository name (Qwen3-Coder shares model_type with Qwen3). */
  readonly repo?: RegExp;
  readonly toolCallParser?: string;
  readonly reasoningParser?: string;
}

/** First match wins, so the narrow rows come first. */
export const FAMILIES: readonly FamilyRow[] = [
  { family: 'gpt-oss', modelType: /^gpt_oss$/, toolCallParser: 'openai', reasoningParser: 'openai_gptoss' },
  { family: 'Qwen3-Coder', modelType: /^qwen3(_moe)?$/, repo: /coder/i, toolCallParser: 'qwen3_coder' },
  { family: 'Qwen3 Instruct-2507 (no thinking)', modelType: /^qwen3(_moe)?$/, repo: /instruct-2507/i, toolCallParser: 'hermes' },
  { family: 'Qwen3', modelType: /^qwen3(_moe|_next|_vl|_vl_moe)?$/, toolCallParser: 'hermes', reasoningParser: 'qwen3' },
  { family: 'DeepSeek-R1 distillations', modelType: /^(qwen2|llama)$/, repo: /deepseek-r1-distill/i, reasoningParser: 'deepseek_r1' },
  { family: 'Qwen2.5', modelType: /^qwen2(_moe|_vl|_5_vl)?$/, toolCallParser: 'hermes' },
  { family: 'Llama 4', modelType: /^llama4$/, toolCallParser: 'llama4_pythonic' },
  { family: 'Llama 3.x', modelType: /^llama$/, repo: /llama-3/i, toolCallParser: 'llama3_json' },
  { family: 'Magistral', modelType: /^(mistral|mistral3)$/, repo: /magistral/i, toolCallParser: 'mistral', reasoningParser: 'mistral' },
  { family: 'Mistral', modelType: /^(mistral|mistral3|mixtral)$/, toolCallParser: 'mistral' },
  { family: 'DeepSeek-V3.1', modelType: /^deepseek_v3$/, repo: /v3\.1/i, toolCallParser: 'deepseek_v31', reasoningParser: 'deepseek_v3' },
  { family: 'DeepSeek-R1', modelType: /^deepseek_v3$/, repo: /r1/i, toolCallParser: 'deepseek_v3', reasoningParser: 'deepseek_r1' },
  { family: 'DeepSeek-V3', modelType: /^deepseek_v3$/, toolCallParser: 'deepseek_v3' },
  { family: 'GLM-4.7', modelType: /^glm4_moe$/, repo: /glm-4\.7/i, toolCallParser: 'glm47', reasoningParser: 'glm47' },
  { family: 'GLM-4.5/4.6', modelType: /^glm4_moe$/, toolCallParser: 'glm45', reasoningParser: 'glm45' },
  { family: 'Granite', modelType: /^granite(moe|moehybrid)?$/, toolCallParser: 'granite', reasoningParser: 'granite' },
  { family: 'Kimi K2', modelType: /^kimi_k2$/, toolCallParser: 'kimi_k2', reasoningParser: 'kimi_k2' },
  { family: 'MiniMax-M2', modelType: /^minimax_m2$/, toolCallParser: 'minimax_m2', reasoningParser: 'minimax_m2' },
  { family: 'Nemotron-H', modelType: /^nemotron_h$/, reasoningParser: 'nemotron_v3' },
];

export interface ServingFlags {
  /** The table row that matched, or undefined for an unknown family. */
  readonly family?: string;
  readonly toolCallParser?: string;
  readonly reasoningParser?: string;
  readonly trustRemoteCode: boolean;
  readonly quantization?: string;
  /** vLLM arguments beyond the ones every model gets (served name, port, memory, context). */
  readonly args: readonly string[];
  /** What the user must be told (unknown family, custom code). */
  readonly notes: readonly string[];
}

/** Picks the serving flags for `repo` with `config`. Pure. */
export function servingFlags(repo: string, config: ModelConfig, quantization: string | undefined): ServingFlags {
  const row = FAMILIES.find((r) => r.modelType.test(config.modelType) && (!r.repo || r.repo.test(repo)));
  const trustRemoteCode = config.raw.auto_map !== undefined && config.raw.auto_map !== null;
  const args: string[] = [];
  const notes: string[] = [];
  if (row?.toolCallParser) args.push('--enable-auto-tool-choice', '--tool-call-parser', row.toolCallParser);
  else notes.push(`no tool-call parser is known for ${row?.family ?? `model_type "${config.modelType}"`}: the model is served without automatic tool choice (requests with tools get plain text)`);
  if (row?.reasoningParser) args.push('--reasoning-parser', row.reasoningParser);
  if (trustRemoteCode) {
    args.push('--trust-remote-code');
    notes.push(`config.json has auto_map, so vLLM runs Python code from ${repo} (--trust-remote-code): read it on the Hub before starting the model`);
  }
  if (quantization) notes.push(`quantization ${quantization} from config.json's quantization_config (vLLM reads it there; no flag)`);
  return { family: row?.family, toolCallParser: row?.toolCallParser, reasoningParser: row?.reasoningParser, trustRemoteCode, quantization, args, notes };
}
