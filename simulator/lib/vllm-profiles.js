// @ts-check
'use strict';

/**
 * The vLLM versions the simulator imitates, selected with `VLLM_VERSION` (default: the version
 * inside the stack's Spark image, nvcr.io/nvidia/vllm:26.10-py3 = vLLM 0.31.0). Each profile holds
 * what differs between versions, read from that version's installed source (see FACTS.md "vLLM
 * across versions" and test/integration/vllm-wheel-formats.test.ts, which checks the simulator's
 * lines against the format strings of the installed wheels):
 *
 *                     0.11.0 / 0.11.2                          0.31.0
 *   version banner    "vLLM API server version V"              ASCII logo with "version V" / "model M"
 *                                                              (VLLM_DISABLE_LOG_LOGO=1: "vLLM server
 *                                                              version V, serving model M")
 *   load start        "Starting to load model M..."            "Using V2 Model Runner",
 *                                                              "Loading model from scratch..."
 *   before shards     -                                        "Filesystem type for checkpoints: ..."
 *   model loading     "%.4f GiB and" (0.11.2: "GiB memory and") "%s GiB memory and" (2 decimals)
 *   KV cache          two lines                                one line
 *   engine init       "took %.2f seconds"                      "took %.2f s"
 *   API server        "Starting vLLM API server 0 on URL"      "Starting vLLM server on URL"
 *   line prefix       on every line (tqdm, uvicorn too)        on logger lines only
 *   stats line        "GPU KV cache usage", prefix hit rate    the same, prefix hit rate only after
 *                     always                                   prefix-cache queries were seen
 *   reasoning field   reasoning_content (0.11.2: both)         reasoning
 *   random ids        32 hex characters                        16 hex characters
 *   message.tool_calls [] when there is no call                left out when empty
 *   metrics           -                                        + num_requests_waiting_by_reason,
 *                                                              prompt_tokens_cached; content type
 *                                                              `version=1.0.0` (prometheus_client 0.26)
 *   response extras   -                                        system_fingerprint `vllm-V-<hash8>`,
 *                                                              null `token_ids`, `prompt_token_ids`, ...,
 *                                                              `completion_tokens_details`, tool-call
 *                                                              deltas with `content: null`
 *   errors            own messages                             VLLMValidationError's `(parameter=…,
 *                                                              value=…)`; request validation errors
 *                                                              typed `Bad Request`, param `body.<field>`
 *
 * The 0.31 wire shapes (response extras, errors, metrics) were compared with a running vLLM 0.31.0
 * (its CPU build) by test/integration/simulator-vs-vllm.test.ts; 0.11 keeps the older shapes.
 */

/**
 * @typedef {object} VllmProfile
 * @property {string} version
 * @property {'0.11' | '0.31'} line release line whose log shapes apply
 * @property {boolean} prefixEveryLine 0.11 wraps stdout/stderr, so tqdm and uvicorn lines carry the process prefix too
 * @property {'reasoning_content' | 'both' | 'reasoning'} reasoningField the field streamed reasoning arrives in
 * @property {number} idHexChars length of the random part of ids (chatcmpl-…, chatcmpl-tool-…)
 * @property {boolean} emptyToolCalls a message without calls still has `tool_calls: []`
 * @property {string} modelLoadingUnit "GiB" (0.11.0) or "GiB memory"
 * @property {boolean} waitingByReason `vllm:num_requests_waiting_by_reason{reason}` exists
 * @property {string} engineProcess the engine core's process name in the line prefix
 * @property {readonly string[]} toolCallParsers the `--tool-call-parser` choices (its _TOOL_PARSERS_TO_REGISTER)
 * @property {boolean} wireExtras 0.31's response extras: `system_fingerprint`, the null `token_ids`,
 *   `routed_experts`, `prompt_token_ids`, `prompt_text`, `ec_transfer_params`, `metrics` fields,
 *   `completion_tokens_details`, and tool-call deltas shaped like the Hermes parser's
 * @property {'0.11' | '0.31'} errorStyle the wording and `param`/`type` of request errors
 * @property {string} metricsContentType what GET /metrics answers with
 */

/** Tool-call parsers registered in vLLM 0.11.0 and 0.11.2 (entrypoints/openai/tool_parsers/__init__.py). */
const TOOL_CALL_PARSERS_011 = Object.freeze([
  'deepseek_v3', 'deepseek_v31', 'ernie45', 'glm45', 'granite', 'granite-20b-fc', 'hermes',
  'hunyuan_a13b', 'internlm', 'jamba', 'kimi_k2', 'llama3_json', 'llama4_json', 'llama4_pythonic',
  'longcat', 'minimax', 'minimax_m2', 'mistral', 'olmo3', 'openai', 'phi4_mini_json', 'pythonic',
  'qwen3_coder', 'qwen3_xml', 'seed_oss', 'step3', 'xlam',
]);

/** Tool-call parsers registered in vLLM 0.31.0 (tool_parsers/__init__.py). */
const TOOL_CALL_PARSERS_031 = Object.freeze([
  'apertus', 'cohere_command3', 'cohere_command4', 'deepseek_v3', 'deepseek_v31', 'deepseek_v32', 'deepseek_v4',
  'deepseek_v41', 'dots', 'ernie45', 'functiongemma', 'gemma4', 'gigachat3', 'glm45', 'glm47', 'granite',
  'granite-20b-fc', 'granite4', 'hermes', 'hunyuan_a13b', 'hy_v3', 'hy_v4', 'inkling', 'internlm', 'jamba',
  'k2_horizon', 'kimi_k2', 'kimi_k3', 'lfm2', 'ling3', 'llama3_json', 'llama4_json', 'llama4_pythonic', 'longcat',
  'mimo', 'minicpm5', 'minimax_m2', 'minimax_m3', 'mistral', 'muse_glimmer', 'olmo3', 'openai', 'phi4_mini_json',
  'poolside_v1', 'pythonic', 'qwen3_coder', 'qwen3_xml', 'seed_oss', 'step3', 'step3p5', 'xlam',
]);

/** prometheus_client's text format content types (0.26, installed with vLLM 0.31, says 1.0.0). */
const METRICS_0_0_4 = 'text/plain; version=0.0.4; charset=utf-8';
const METRICS_1_0_0 = 'text/plain; version=1.0.0; charset=utf-8';

/** @type {Readonly<Record<string, VllmProfile>>} */
const PROFILES = {
  '0.11.0': {
    version: '0.11.0', line: '0.11', prefixEveryLine: true, reasoningField: 'reasoning_content', idHexChars: 32,
    emptyToolCalls: true, modelLoadingUnit: 'GiB', waitingByReason: false, engineProcess: 'EngineCore_DP0',
    toolCallParsers: TOOL_CALL_PARSERS_011, wireExtras: false, errorStyle: '0.11', metricsContentType: METRICS_0_0_4,
  },
  '0.11.2': {
    version: '0.11.2', line: '0.11', prefixEveryLine: true, reasoningField: 'both', idHexChars: 32,
    emptyToolCalls: true, modelLoadingUnit: 'GiB memory', waitingByReason: false, engineProcess: 'EngineCore_DP0',
    toolCallParsers: TOOL_CALL_PARSERS_011, wireExtras: false, errorStyle: '0.11', metricsContentType: METRICS_0_0_4,
  },
  '0.31.0': {
    version: '0.31.0', line: '0.31', prefixEveryLine: false, reasoningField: 'reasoning', idHexChars: 16,
    emptyToolCalls: false, modelLoadingUnit: 'GiB memory', waitingByReason: true, engineProcess: 'EngineCore',
    toolCallParsers: TOOL_CALL_PARSERS_031, wireExtras: true, errorStyle: '0.31', metricsContentType: METRICS_1_0_0,
  },
};

/** The version of the stack's Spark image (nvcr.io/nvidia/vllm:26.10-py3). */
const DEFAULT_VLLM_VERSION = '0.31.0';

/** An unknown VLLM_VERSION (exit code 2, like a settings error). */
class UnknownVersionError extends Error {}

/**
 * The profile `VLLM_VERSION` names: an exact version, or `0.11` / `0.31` for the newest of that line.
 * @param {string | undefined} requested
 * @returns {VllmProfile}
 */
function vllmProfile(requested) {
  const wanted = (requested ?? '').trim() || DEFAULT_VLLM_VERSION;
  const exact = PROFILES[wanted];
  if (exact) return exact;
  const ofLine = Object.values(PROFILES).filter((p) => p.line === wanted || wanted.startsWith(`${p.line}.`));
  const newest = ofLine[ofLine.length - 1];
  if (newest) return newest;
  throw new UnknownVersionError(`VLLM_VERSION=${wanted} is not a version the simulator imitates; `
    + `use one of ${Object.keys(PROFILES).join(', ')} (or 0.11 / 0.31 for the newest of that line)`);
}

module.exports = { PROFILES, DEFAULT_VLLM_VERSION, vllmProfile, UnknownVersionError };
