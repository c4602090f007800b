// @ts-check
'use strict';

const { randomBytes } = require('node:crypto');

/**
 * JSON bodies and SSE frames in the shapes vLLM's OpenAI-compatible server sends, per imitated
 * version (lib/vllm-profiles.js): the reasoning field(s), whether an empty `tool_calls` is sent,
 * and the length of random ids.
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
 * @param {number} prompt
 * @param {number} completion
 */
function usage(prompt, completion) {
  return { prompt_tokens: prompt, total_tokens: prompt + completion, completion_tokens: completion, prompt_tokens_details: null };
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
 */

/**
 * Non-streaming chat completion.
 * @param {{ id: string, created: number, model: string, content: string | null, reasoning: string | null,
 *   toolCalls: ToolCall[], finishReason: string, usage: ReturnType<typeof usage> }} r
 * @param {VllmProfile} v
 */
function chatCompletion(r, v) {
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
    }],
    service_tier: null,
    system_fingerprint: null,
    usage: r.usage,
    prompt_logprobs: null,
    kv_transfer_params: null,
  };
}

/**
 * One `chat.completion.chunk`. `finishReason` set = the final chunk of the choice.
 * @param {{ id: string, created: number, model: string }} head
 * @param {Record<string, unknown>} delta
 * @param {string | null} [finishReason]
 */
function chatChunk(head, delta, finishReason = null) {
  /** @type {Record<string, unknown>} */
  const choice = { index: 0, delta, logprobs: null, finish_reason: finishReason };
  if (finishReason !== null) choice.stop_reason = null;
  return { id: head.id, object: 'chat.completion.chunk', created: head.created, model: head.model, choices: [choice] };
}

/**
 * The usage chunk sent last when `stream_options.include_usage` is true.
 * @param {{ id: string, created: number, model: string }} head
 * @param {'chat.completion.chunk' | 'text_completion'} object
 * @param {ReturnType<typeof usage>} u
 */
function usageChunk(head, object, u) {
  return { id: head.id, object, created: head.created, model: head.model, choices: [], usage: u };
}

/**
 * Non-streaming text completion.
 * @param {{ id: string, created: number, model: string, text: string, finishReason: string,
 *   usage: ReturnType<typeof usage> }} r
 */
function textCompletion(r) {
  return {
    id: r.id,
    object: 'text_completion',
    created: r.created,
    model: r.model,
    choices: [{ index: 0, text: r.text, logprobs: null, finish_reason: r.finishReason, stop_reason: null, prompt_logprobs: null }],
    service_tier: null,
    system_fingerprint: null,
    usage: r.usage,
    kv_transfer_params: null,
  };
}

/**
 * One streamed text-completion chunk.
 * @param {{ id: string, created: number, model: string }} head
 * @param {string} text
 * @param {string | null} [finishReason]
 */
function textChunk(head, text, finishReason = null) {
  return {
    id: head.id,
    object: 'text_completion',
    created: head.created,
    model: head.model,
    choices: [{ index: 0, text, logprobs: null, finish_reason: finishReason, stop_reason: null }],
  };
}

/** @param {unknown} obj */
function sse(obj) {
  return `data: ${JSON.stringify(obj)}\n\n`;
}

const SSE_DONE = 'data: [DONE]\n\n';

module.exports = {
  newId, unixNow, errorBody, usage, modelList, chatCompletion, chatChunk, usageChunk, textDelta,
  textCompletion, textChunk, sse, SSE_DONE,
};
