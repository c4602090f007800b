// @ts-check
'use strict';

const { randomBytes } = require('node:crypto');

/**
 * JSON bodies and SSE frames in the shapes vLLM 0.11's OpenAI-compatible server sends.
 */

/** @param {string} prefix e.g. `chatcmpl`, `cmpl`, `chatcmpl-tool` */
function newId(prefix) {
  return `${prefix}-${randomBytes(16).toString('hex')}`;
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
 */
function modelList(args, maxModelLen, created) {
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
        id: newId('modelperm'),
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
 * @param {{ id: string, created: number, model: string, content: string | null, toolCalls: ToolCall[],
 *   finishReason: string, usage: ReturnType<typeof usage> }} r
 */
function chatCompletion(r) {
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
        tool_calls: r.toolCalls,
        reasoning_content: null,
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
  newId, unixNow, errorBody, usage, modelList, chatCompletion, chatChunk, usageChunk,
  textCompletion, textChunk, sse, SSE_DONE,
};
