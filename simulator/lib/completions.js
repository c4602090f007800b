// @ts-check
'use strict';

const gen = require('./generate');
const wire = require('./openai-wire');
const { decideToolCall } = require('./tools');
const { DIE_AFTER_CHUNKS } = require('./faults');

/**
 * `POST /v1/chat/completions` and `POST /v1/completions`: validation like vLLM's, fault injection,
 * then generation paced by the engine, answered as JSON or as SSE chunks.
 */

/**
 * @typedef {object} SimStats counters exposed on GET /sim/stats
 * @property {number} requests     completion requests received (any outcome)
 * @property {number} completed    answered in full
 * @property {number} failed       answered with an error (validation or SIM_FAULT=fail)
 * @property {number} disconnects  client went away before the answer was complete
 * @property {Record<string, unknown> | null} lastRequest
 */

/**
 * @typedef {object} CompletionContext
 * @property {import('./cli-args').ServeArgs} args
 * @property {import('./settings').Settings} settings
 * @property {import('./model-profile').ModelProfile} profile
 * @property {import('./engine').Engine} engine
 * @property {import('./faults').FaultState} faults
 * @property {SimStats} stats
 * @property {(reason: string) => void} onFatal called to crash the process (die-mid-stream)
 * @property {(res: import('node:http').ServerResponse, status: number, body: unknown) => void} sendJson
 * @property {(res: import('node:http').ServerResponse) => void} startStream writes SSE headers
 */

/**
 * An OpenAI error answered before generation starts.
 */
class RequestError extends Error {
  /**
   * @param {number} status
   * @param {string} type
   * @param {string} message
   * @param {string | null} [param]
   */
  constructor(status, type, message, param = null) {
    super(message);
    this.status = status;
    this.type = type;
    this.param = param;
  }
}

/**
 * @param {CompletionContext} ctx
 * @param {'chat' | 'completion'} kind
 * @param {import('node:http').IncomingMessage} req
 * @param {import('node:http').ServerResponse} res
 * @param {any} body parsed JSON
 */
async function handleCompletion(ctx, kind, req, res, body) {
  const { stats, faults } = ctx;
  stats.requests++;
  stats.lastRequest = {
    method: req.method, path: req.url, model: body?.model ?? null, stream: body?.stream === true,
    receivedAt: new Date().toISOString(), body,
  };

  const fault = faults.current;
  if (fault === 'fail') {
    stats.failed++;
    ctx.engine.finished.error++;
    ctx.sendJson(res, 500, wire.errorBody('Simulated engine failure (SIM_FAULT=fail).', 'InternalServerError', 500));
    return;
  }
  if (fault === 'hang') {
    // Accept and never answer; the close handler below counts the client giving up.
    res.on('close', () => { stats.disconnects++; });
    return;
  }

  let plan;
  try {
    plan = kind === 'chat' ? planChat(ctx, body) : planText(ctx, body);
  } catch (err) {
    if (!(err instanceof RequestError)) throw err;
    stats.failed++;
    ctx.sendJson(res, err.status, wire.errorBody(err.message, err.type, err.status, err.param));
    return;
  }
  await generate(ctx, kind, res, body, plan, fault === 'die-mid-stream');
}

/**
 * @typedef {object} Plan
 * @property {string} model        served name the request used
 * @property {string[]} promptWords
 * @property {string[]} pieces     streamed units, one per generated token
 * @property {number} reasoning    how many of the first pieces are reasoning, not the answer
 * @property {'stop' | 'length' | 'tool_calls'} finishReason
 * @property {{ name: string, arguments: string, id: string, choice: 'named' | 'required' | 'auto' } | null} toolCall
 */

/**
 * @param {CompletionContext} ctx
 * @param {any} body
 * @returns {Plan}
 */
function planChat(ctx, body) {
  if (!body || typeof body !== 'object') throw new RequestError(400, 'BadRequestError', 'Request body must be a JSON object.');
  const model = checkModel(ctx, body.model);
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    if (ctx.settings.vllm.errorStyle === '0.31' && body.messages === undefined) throw missingField(body, 'messages');
    throw new RequestError(400, 'BadRequestError', 'messages: Field required and must be a non-empty list.', 'messages');
  }
  const promptWords = gen.words(gen.chatPromptText(body.messages));
  const maxTokens = readMaxTokens(ctx, body, undefined, promptWords.length);
  const userText = gen.lastUserText(body.messages);

  const decision = decideToolCall(body, userText, ctx.args);
  if ('error' in decision) {
    const unknownTool = ctx.settings.vllm.errorStyle === '0.31' && typeof body.tool_choice === 'object' && body.tool_choice !== null;
    throw new RequestError(400, 'BadRequestError', unknownTool
      ? 'The tool specified in `tool_choice` does not match any of the specified `tools` (parameter=tool_choice)'
      : decision.error, 'tool_choice');
  }
  // gpt-oss reasons first (vLLM splits the harmony channels; the answer never contains it); other
  // models reason when served with a --reasoning-parser and the request leaves thinking on
  // (Qwen3's chat template: chat_template_kwargs.enable_thinking, default true).
  const reasons = /gpt-oss/i.test(ctx.args.model)
    || (ctx.args.reasoningParser !== undefined && body.chat_template_kwargs?.enable_thinking !== false);
  const thinking = reasons ? gen.reasoningTokens(userText, ctx.settings.reasoningTokens) : [];
  const thought = gen.limitTokens(thinking, maxTokens).tokens;
  const left = maxTokens === undefined ? undefined : maxTokens - thought.length;
  if (decision.call && (left === undefined || left > 0)) {
    /** @type {'named' | 'required' | 'auto'} */
    const choice = typeof body.tool_choice === 'object' && body.tool_choice !== null ? 'named'
      : body.tool_choice === 'required' ? 'required' : 'auto';
    const args = JSON.stringify(decision.call.arguments);
    const argPieces = args.match(/[\s\S]{1,8}/g) ?? [];
    return {
      // OpenAI's rule, which vLLM follows: finish_reason "tool_calls" for "auto" and "required",
      // "stop" for a named function.
      model, promptWords, pieces: [...gen.pieces(thought), '', ...argPieces], reasoning: thought.length,
      finishReason: choice === 'named' ? 'stop' : 'tool_calls',
      toolCall: { name: decision.call.name, arguments: args, id: wire.newId('chatcmpl-tool', ctx.settings.vllm), choice },
    };
  }
  const full = left === 0 ? [] : gen.replyTokens('chat', model, userText, ctx.settings.responseTokens);
  const limited = gen.limitTokens(full, left);
  const finishReason = thought.length < thinking.length || left === 0 ? 'length' : limited.finishReason;
  return { model, promptWords, pieces: [...gen.pieces(thought), ...gen.pieces(limited.tokens)], reasoning: thought.length, finishReason, toolCall: null };
}

/**
 * @param {CompletionContext} ctx
 * @param {any} body
 * @returns {Plan}
 */
function planText(ctx, body) {
  if (!body || typeof body !== 'object') throw new RequestError(400, 'BadRequestError', 'Request body must be a JSON object.');
  const model = checkModel(ctx, body.model);
  if (body.prompt === undefined || body.prompt === null) {
    throw new RequestError(400, 'BadRequestError', 'prompt: Field required.', 'prompt');
  }
  const prompt = gen.completionPrompt(body.prompt);
  const promptWords = gen.words(prompt.text).slice(0, prompt.tokens);
  // /v1/completions defaults to 16 tokens (OpenAI's and vLLM's default).
  const maxTokens = readMaxTokens(ctx, body, 16, prompt.tokens);
  const full = gen.replyTokens('completion', model, prompt.text, ctx.settings.responseTokens);
  const { tokens, finishReason } = gen.limitTokens(full, maxTokens);
  return { model, promptWords, pieces: gen.pieces(tokens), reasoning: 0, finishReason, toolCall: null };
}

/**
 * @param {CompletionContext} ctx
 * @param {unknown} requested
 * @returns {string} the served name to answer with
 */
function checkModel(ctx, requested) {
  if (requested === undefined || requested === null) return ctx.args.servedModelNames[0];
  if (typeof requested === 'string' && ctx.args.servedModelNames.includes(requested)) return requested;
  throw new RequestError(404, 'NotFoundError', `The model \`${String(requested)}\` does not exist.`, 'model');
}

/**
 * vLLM 0.31's answer to a request body that lacks a required field: FastAPI's validation error
 * rendered by vLLM (`type` "Bad Request", `param` the field's location).
 * @param {Record<string, unknown>} body
 * @param {string} field
 */
function missingField(body, field) {
  return new RequestError(400, 'Bad Request', `1 validation error:\n  {'type': 'missing', 'loc': 'body.${field}', `
    + `'msg': 'Field required', 'input': '<dict of ${Object.keys(body).length} items>'}`, `body.${field}`);
}

/**
 * max_completion_tokens / max_tokens, checked against the context length like vLLM.
 * @param {CompletionContext} ctx
 * @param {any} body
 * @param {number | undefined} fallback
 * @param {number} promptTokens
 * @returns {number | undefined}
 */
function readMaxTokens(ctx, body, fallback, promptTokens) {
  const maxLen = ctx.profile.maxModelLen;
  if (promptTokens >= maxLen) {
    throw new RequestError(400, 'BadRequestError', `This model's maximum context length is ${maxLen} tokens. `
      + `However, your request has ${promptTokens} input tokens. Please reduce the length of the input messages.`);
  }
  const value = body.max_completion_tokens ?? body.max_tokens ?? fallback;
  if (value === undefined) return undefined;
  const new31 = ctx.settings.vllm.errorStyle === '0.31';
  if (!Number.isInteger(value) || value < 1) {
    // 0.31's VLLMValidationError appends `(parameter=…, value=…)` to its message.
    throw new RequestError(400, 'BadRequestError', `max_tokens must be at least 1, got ${JSON.stringify(value)}.`
      + (new31 ? ` (parameter=max_tokens, value=${JSON.stringify(value)})` : ''), 'max_tokens');
  }
  if (new31 && value > maxLen) {
    throw new RequestError(400, 'BadRequestError', `max_tokens=${value} cannot be greater than max_model_len=${maxLen}. `
      + `Please request fewer output tokens. (parameter=max_tokens, value=${value})`, 'max_tokens');
  }
  if (new31 && promptTokens + value > maxLen) {
    throw new RequestError(400, 'BadRequestError', `This model's maximum context length is ${maxLen} tokens. However, you `
      + `requested ${value} output tokens and your prompt contains ${promptTokens} input tokens, for a total of `
      + `${promptTokens + value} tokens. Please reduce the length of the input prompt or the number of requested output `
      + `tokens. (parameter=input_tokens, value=${promptTokens})`, 'input_tokens');
  }
  if (promptTokens + value > maxLen) {
    throw new RequestError(400, 'BadRequestError', `'max_tokens' or 'max_completion_tokens' is too large: ${value}. `
      + `This model's maximum context length is ${maxLen} tokens and your request has ${promptTokens} input tokens `
      + `(${value} > ${maxLen} - ${promptTokens}).`);
  }
  return value;
}

/**
 * Runs the plan through the engine and answers (JSON or SSE).
 * @param {CompletionContext} ctx
 * @param {'chat' | 'completion'} kind
 * @param {import('node:http').ServerResponse} res
 * @param {any} body
 * @param {Plan} plan
 * @param {boolean} dieMidStream
 */
async function generate(ctx, kind, res, body, plan, dieMidStream) {
  const stream = body.stream === true;
  const includeUsage = stream && body.stream_options?.include_usage === true;
  const v = ctx.settings.vllm;
  /** @type {import('./openai-wire').Head} */
  const head = {
    id: wire.newId(kind === 'chat' ? 'chatcmpl' : 'cmpl', v), created: wire.unixNow(), model: plan.model,
    fingerprint: wire.systemFingerprint(v, ctx.args),
  };
  const controller = new AbortController();
  let finished = false;
  res.on('close', () => {
    if (!finished) {
      ctx.stats.disconnects++;
      controller.abort();
    }
  });

  // vLLM sends one chunk per generated token, the last of them carrying the finish_reason: cut at
  // max_tokens, the last token rides on the final chunk; on a stop the final chunk is the
  // end-of-sequence token's (empty) delta.
  const lastRides = plan.finishReason === 'length' && plan.pieces.length > 0;
  /** @type {(piece: string, index: number) => void} */
  let emit = () => {};
  if (stream) {
    ctx.startStream(res);
    if (kind === 'chat') res.write(wire.sse(wire.roleChunk(head, v)));
    emit = (piece, i) => {
      if (!(lastRides && i === plan.pieces.length - 1)) res.write(wire.sse(streamChunk(ctx, kind, head, plan, piece, i)));
    };
  }
  const dieAfter = Math.min(DIE_AFTER_CHUNKS, plan.pieces.length);

  const reason = await ctx.engine.generate({
    promptWords: plan.promptWords,
    pieces: plan.pieces,
    finishReason: plan.finishReason === 'length' ? 'length' : 'stop',
    signal: controller.signal,
    onToken: (piece, i) => {
      emit(piece, i);
      if (dieMidStream && i + 1 >= dieAfter) {
        finished = true; // the crash is not a client disconnect
        controller.abort();
        ctx.onFatal('die-mid-stream');
      }
    },
  });
  if (reason === 'abort') return;
  finished = true;

  const reasoningTokens = Math.min(plan.reasoning, plan.pieces.length);
  // 0.31 reports reasoning tokens when a reasoning parser runs (chat only); else null, or (0.11) nothing.
  const details = !v.wireExtras ? undefined
    : kind === 'chat' && ctx.args.reasoningParser !== undefined ? { reasoning_tokens: reasoningTokens } : null;
  const u = wire.usage(plan.promptWords.length, plan.pieces.length, details);
  if (stream) {
    const lastIndex = plan.pieces.length - 1;
    const lastPiece = lastRides ? /** @type {string} */ (plan.pieces[lastIndex]) : undefined;
    let last;
    if (kind === 'completion') {
      last = wire.textChunk(head, lastPiece ?? '', v, plan.finishReason, !includeUsage);
    } else {
      /** @type {Record<string, unknown>} */
      let delta;
      if (lastPiece !== undefined) delta = tokenDelta(ctx, plan, lastPiece, lastIndex);
      // The end-of-sequence token: no delta after a tool call or through 0.31's reasoning parser.
      else delta = plan.toolCall || (v.wireExtras && ctx.args.reasoningParser !== undefined) ? {} : wire.textDelta(v, { content: '' });
      last = wire.chatChunk(head, delta, v, plan.finishReason, !includeUsage);
    }
    res.write(wire.sse(last));
    if (includeUsage) res.write(wire.sse(wire.usageChunk(head, kind === 'chat' ? 'chat.completion.chunk' : 'text_completion', u)));
    res.end(wire.SSE_DONE);
  } else if (kind === 'chat') {
    const toolCalls = plan.toolCall
      ? [{ id: plan.toolCall.id, type: /** @type {const} */ ('function'), function: { name: plan.toolCall.name, arguments: plan.toolCall.arguments } }]
      : [];
    const reasoning = plan.pieces.slice(0, plan.reasoning).join('');
    const answer = plan.pieces.slice(plan.reasoning).join('');
    // A forced call ("required" or a named function) comes with an empty content, an "auto" one
    // with none; a reply that only reasoned (cut at max_tokens) has no content either.
    const content = plan.toolCall ? (plan.toolCall.choice === 'auto' ? null : '') : answer === '' && reasoning !== '' ? null : answer;
    ctx.sendJson(res, 200, wire.chatCompletion({
      ...head, content, reasoning: reasoning || null, toolCalls, finishReason: plan.finishReason, usage: u,
    }, v));
  } else {
    ctx.sendJson(res, 200, wire.textCompletion({ ...head, text: plan.pieces.join(''), finishReason: plan.finishReason, usage: u }, v));
  }
  ctx.stats.completed++;
}

/**
 * The SSE chunk carrying generated unit `index` (not the final one).
 * @param {CompletionContext} ctx
 * @param {'chat' | 'completion'} kind
 * @param {import('./openai-wire').Head} head
 * @param {Plan} plan
 * @param {string} piece
 * @param {number} index
 */
function streamChunk(ctx, kind, head, plan, piece, index) {
  const v = ctx.settings.vllm;
  if (kind === 'completion') return wire.textChunk(head, piece, v);
  return wire.chatChunk(head, tokenDelta(ctx, plan, piece, index), v);
}

/**
 * The chat delta of generated unit `index`: reasoning, answer text, or a piece of the tool call
 * (its first unit is the name, the rest the arguments).
 * @param {CompletionContext} ctx
 * @param {Plan} plan
 * @param {string} piece
 * @param {number} index
 * @returns {Record<string, unknown>}
 */
function tokenDelta(ctx, plan, piece, index) {
  const v = ctx.settings.vllm;
  if (index < plan.reasoning) return wire.textDelta(v, { reasoning: piece });
  if (!plan.toolCall) return wire.textDelta(v, { content: piece });
  if (index === plan.reasoning) return wire.toolNameDelta(v, plan.toolCall.id, plan.toolCall.name);
  return wire.toolArgumentsDelta(v, piece);
}

module.exports = { handleCompletion, RequestError };
