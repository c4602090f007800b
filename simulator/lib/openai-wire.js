// @ts-check
'use strict';

const { createHash, randomBytes } = require('node:crypto');

/**
 * JSON bodies and SSE frames in the shapes vLLM's OpenAI-compatible server sends, per imitated
 * version (lib/vllm-profiles.js): the reasoning field(s), whether an empty `tool_calls` is sent,
 * the length of random ids, and 0.31's extra fields (`wireExtras`: system_fingerprint, null
 * token_ids & co., completion_tokens_details, Hermes-style tool-call deltas) — the 0.31 shapes as a
 * running vLLM 0.31 sends them (test/integration/simulator-vs-vllm.test.ts compares).
 *
 * @typedef {import('./vllm-profiles').VllmProfile} VllmProfile
 */

/**
 * vLLM's random_uuid(): 32 hex characters in 0.11, 16 in 0.31.
 * @param {string} prefix e.g. `chatcmpl`, `cmpl`, `chatcmpl-tool`
 * @param {Pick<VllmProfile, 'idHexChars'>} [v]
 */
function newId(prefix, v = { idHexChars: 32 }) {
  return `${prefix}-${randomBytes(v.idHexChars / 2).toString('hex')}`;
}

/**
 * The reasoning field(s) of the version: `reasoning_content` (0.11.0), both (0.11.2), `reasoning` (0.31).
 * @param {VllmProfile} v
 * @param {string | null} text
 * @returns {Record<string, string | null>}
 */
function reasoningFields(v, text) {
  if (v.reasoningField === 'both') return { reasoning: text, reasoning_content: text };
  return { [v.reasoningField]: text };
}

/**
 * A streamed delta carrying reasoning (`reasoning`) or answer text (`content`). 0.11.2 sends its
 * two reasoning fields as null on plain deltas; 0.11.0 and 0.31 leave unset fields out.
 * @param {VllmProfile} v
 * @param {{ content?: string, reasoning?: string }} part
 */
function textDelta(v, part) {
  if (part.reasoning !== undefined) return reasoningFields(v, part.reasoning);
  return v.reasoningField === 'both' ? { content: part.content ?? '', ...reasoningFields(v, null) } : { content: part.content ?? '' };
}

/** Seconds since the epoch, as OpenAI's `created`. */
function unixNow() {
  return Math.floor(Date.now() / 1000);
}

/**
 * vLLM >= 0.10.1 error body: `{"error": {"message", "type", "param", "code"}}`.
 * @param {string} message
 * @param {string} type e.g. BadRequestError, NotFoundError, InternalServerError
 * @param {number} code HTTP status
 * @param {string | null} [param]
 */
function errorBody(message, type, code, param = null) {
  return { error: { message, type, param, code } };
}

/**
 * Non-streaming `usage`. `completionDetails`: left out (undefined, 0.11), null, or
 * `{reasoning_tokens}` (0.31 with a `--reasoning-parser`).
 * @param {number} prompt
 * @param {number} completion
 * @param {{ reasoning_tokens: number } | null} [completionDetails]
 */
function usage(prompt, completion, completionDetails) {
  return {
    prompt_tokens: prompt, total_tokens: prompt + completion, completion_tokens: completion, prompt_tokens_details: null,
    ...(completionDetails === undefined ? {} : { completion_tokens_details: completionDetails }),
  };
}

/**
 * vLLM 0.31's `system_fingerprint` (`--fingerprint-mode full`, the default):
 * `vllm-<version>[-tp<N>]-<hash8>`, hash8 being the start of the engine config's hash; here a hash
 * of the flags that shape the engine, so it is stable for one configuration. 0.11 sends none.
 * @param {VllmProfile} v
 * @param {{ model: string, servedModelNames: readonly string[], maxModelLen?: number, tensorParallelSize: number, kvCacheDtype: string }} args
 * @returns {string | null}
 */
function systemFingerprint(v, args) {
  if (!v.wireExtras) return null;
  const hash8 = createHash('sha256')
    .update(JSON.stringify([args.model, args.servedModelNames, args.maxModelLen ?? null, args.tensorParallelSize, args.kvCacheDtype]))
    .digest('hex').slice(0, 8);
  return ['vllm', v.version, ...(args.tensorParallelSize > 1 ? [`tp${args.tensorParallelSize}`] : []), hash8].join('-');
}

/**
 * `GET /v1/models`: one card per served name.
 * @param {{ servedModelNames: readonly string[], model: string }} args
 * @param {number} maxModelLen
 * @param {number} created
 * @param {VllmProfile} [v]
 */
function modelList(args, maxModelLen, created, v) {
  return {
    object: 'list',
    data: args.servedModelNames.map((id) => ({
      id,
      object: 'model',
      created,
      owned_by: 'vllm',
      root: args.model,
      parent: null,
      max_model_len: maxModelLen,
      permission: [{
        id: newId('modelperm', v),
        object: 'model_permission',
        created,
        allow_create_engine: false,
        allow_sampling: true,
        allow_logprobs: true,
        allow_search_indices: false,
        allow_view: true,
        allow_fine_tuning: false,
        organization: '*',
        group: null,
        is_blocking: false,
      }],
    })),
  };
}

/**
 * @typedef {{ id: string, type: 'function', function: { name: string, arguments: string } }} ToolCall
 * @typedef {{ id: string, created: number, model: string, fingerprint: string | null }} Head
 */

/**
 * Non-streaming chat completion.
 * @param {Head & { content: string | null, reasoning: string | null,
 *   toolCalls: ToolCall[], finishReason: string, usage: ReturnType<typeof usage> }} r
 * @param {VllmProfile} v
 */
function chatCompletion(r, v) {
  const x = v.wireExtras;
  return {
    id: r.id,
    object: 'chat.completion',
    created: r.created,
    model: r.model,
    choices: [{
      index: 0,
      message: {
        role: 'assistant',
        content: r.content,
        refusal: null,
        annotations: null,
        audio: null,
        function_call: null,
        ...(r.toolCalls.length > 0 || v.emptyToolCalls ? { tool_calls: r.toolCalls } : {}),
        ...reasoningFields(v, r.reasoning),
      },
      logprobs: null,
      finish_reason: r.finishReason,
      stop_reason: null,
      ...(x ? { token_ids: null, routed_experts: null } : {}),
    }],
    service_tier: null,
    system_fingerprint: r.fingerprint,
    usage: r.usage,
    prompt_logprobs: null,
    ...(x ? { prompt_token_ids: null, prompt_text: null } : {}),
    kv_transfer_params: null,
    ...(x ? { ec_transfer_params: null, metrics: null } : {}),
  };
}

/**
 * The first chunk of a streamed chat: the role, empty content (0.31 adds the request's
 * `prompt_token_ids`/`prompt_text`, null unless asked for).
 * @param {Head} head
 * @param {VllmProfile} v
 */
function roleChunk(head, v) {
  return {
    id: head.id, object: 'chat.completion.chunk', created: head.created, model: head.model,
    choices: [{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }],
    ...(v.wireExtras ? { prompt_token_ids: null, prompt_text: null } : {}),
  };
}

/**
 * One `chat.completion.chunk` carrying a generated token's delta. `finishReason` set = the final
 * chunk of the choice; vLLM 0.31 stamps the `system_fingerprint` on it when no usage chunk follows.
 * @param {Head} head
 * @param {Record<string, unknown>} delta
 * @param {VllmProfile} v
 * @param {string | null} [finishReason]
 * @param {boolean} [last] no usage chunk follows
 */
function chatChunk(head, delta, v, finishReason = null, last = false) {
  /** @type {Record<string, unknown>} */
  const choice = { index: 0, delta, logprobs: null, finish_reason: finishReason };
  if (finishReason !== null) choice.stop_reason = null;
  if (v.wireExtras) choice.token_ids = null;
  return {
    id: head.id, object: 'chat.completion.chunk', created: head.created, model: head.model, choices: [choice],
    ...(finishReason !== null && last && head.fingerprint !== null ? { system_fingerprint: head.fingerprint } : {}),
  };
}

/**
 * The first delta of a streamed tool call: its id, type, index and name. vLLM 0.31's Hermes-style
 * parsers send the name without `arguments` and `content: null` beside it; 0.11 an empty `arguments`.
 * @param {VllmProfile} v
 * @param {string} id
 * @param {string} name
 */
function toolNameDelta(v, id, name) {
  if (v.wireExtras) return { content: null, tool_calls: [{ id, type: 'function', index: 0, function: { name } }] };
  return { tool_calls: [{ id, type: 'function', index: 0, function: { name, arguments: '' } }] };
}

/**
 * A fragment of a streamed tool call's arguments.
 * @param {VllmProfile} v
 * @param {string} piece
 */
function toolArgumentsDelta(v, piece) {
  const toolCalls = [{ index: 0, function: { arguments: piece } }];
  return v.wireExtras ? { content: null, tool_calls: toolCalls } : { tool_calls: toolCalls };
}

/**
 * The usage chunk sent last when `stream_options.include_usage` is true. vLLM serialises it
 * without null fields (`exclude_none`), and 0.31 stamps the `system_fingerprint` on it.
 * @param {Head} head
 * @param {'chat.completion.chunk' | 'text_completion'} object
 * @param {ReturnType<typeof usage>} u
 */
function usageChunk(head, object, u) {
  const streamed = Object.fromEntries(Object.entries(u).filter(([, value]) => value !== null));
  return {
    id: head.id, object, created: head.created, model: head.model, choices: [], usage: streamed,
    ...(head.fingerprint !== null ? { system_fingerprint: head.fingerprint } : {}),
  };
}

/**
 * Non-streaming text completion.
 * @param {Head & { text: string, finishReason: string, usage: ReturnType<typeof usage> }} r
 * @param {VllmProfile} v
 */
function textCompletion(r, v) {
  const x = v.wireExtras;
  return {
    id: r.id,
    object: 'text_completion',
    created: r.created,
    model: r.model,
    choices: [{
      index: 0, text: r.text, logprobs: null, finish_reason: r.finishReason, stop_reason: null,
      ...(x ? { token_ids: null } : {}), prompt_logprobs: null, ...(x ? { prompt_token_ids: null, routed_experts: null } : {}),
    }],
    service_tier: null,
    system_fingerprint: r.fingerprint,
    usage: r.usage,
    kv_transfer_params: null,
    ...(x ? { ec_transfer_params: null, metrics: null } : {}),
  };
}

/**
 * One streamed text-completion chunk (the final one has `finishReason`).
 * @param {Head} head
 * @param {string} text
 * @param {VllmProfile} v
 * @param {string | null} [finishReason]
 * @param {boolean} [last] no usage chunk follows
 */
function textChunk(head, text, v, finishReason = null, last = false) {
  return {
    id: head.id,
    object: 'text_completion',
    created: head.created,
    model: head.model,
    choices: [{
      index: 0, text, logprobs: null, finish_reason: finishReason, stop_reason: null,
      ...(v.wireExtras ? { prompt_token_ids: null, token_ids: null } : {}),
    }],
    ...(finishReason !== null && last && head.fingerprint !== null ? { system_fingerprint: head.fingerprint } : {}),
  };
}

/** @param {unknown} obj */
function sse(obj) {
  return `data: ${JSON.stringify(obj)}\n\n`;
}

const SSE_DONE = 'data: [DONE]\n\n';

module.exports = {
  newId, unixNow, errorBody, usage, systemFingerprint, modelList, chatCompletion, roleChunk, chatChunk, toolNameDelta,
  toolArgumentsDelta, usageChunk, textDelta, textCompletion, textChunk, sse, SSE_DONE,
};
