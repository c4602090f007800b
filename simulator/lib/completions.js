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
 * @property {{ name: string, arguments: string, id: string } | null} toolCall
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
    throw new RequestError(400, 'BadRequestError', 'messages: Field required and must be a non-empty list.', 'messages');
  }
  const promptWords = gen.words(gen.chatPromptText(body.messages));
  const maxTokens = readMaxTokens(ctx, body, undefined, promptWords.length);
  const userText = gen.lastUserText(body.messages);

  const decision = decideToolCall(body, userText, ctx.args);
  if ('error' in decision) throw new RequestError(400, 'BadRequestError', decision.error, 'tool_choice');
  // gpt-oss reasons first (vLLM splits the harmony channels; the answer never contains it).
  const thinking = /gpt-oss/i.test(ctx.args.model) ? gen.reasoningTokens(userText, ctx.settings.reasoningTokens) : [];
  const thought = gen.limitTokens(thinking, maxTokens).tokens;
  const left = maxTokens === undefined ? undefined : maxTokens - thought.length;
  if (decision.call && (left === undefined || left > 0)) {
    const args = JSON.stringify(decision.call.arguments);
    const argPieces = args.match(/[\s\S]{1,8}/g) ?? [];
    return {
      model, promptWords, pieces: [...gen.pieces(thought), '', ...argPieces], reasoning: thought.length, finishReason: 'tool_calls',
      toolCall: { name: decision.call.name, arguments: args, id: wire.newId('chatcmpl-tool', ctx.settings.vllm) },
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
  if (!Number.isInteger(value) || value < 1) {
    throw new RequestError(400, 'BadRequestError', `max_tokens must be at least 1, got ${JSON.stringify(value)}.`, 'max_tokens');
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
  const head = { id: wire.newId(kind === 'chat' ? 'chatcmpl' : 'cmpl', v), created: wire.unixNow(), model: plan.model };
  const controller = new AbortController();
  let finished = false;
  res.on('close', () => {
    if (!finished) {
      ctx.stats.disconnects++;
      controller.abort();
    }
  });

  /** @type {(piece: string, index: number) => void} */
  let emit = () => {};
  if (stream) {
    ctx.startStream(res);
    if (kind === 'chat') res.write(wire.sse(wire.chatChunk(head, { role: 'assistant', content: '' })));
    emit = (piece, i) => res.write(wire.sse(streamChunk(kind, head, plan, piece, i, v)));
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

  const u = wire.usage(plan.promptWords.length, plan.pieces.length);
  if (stream) {
    const last = kind === 'chat'
      ? wire.chatChunk(head, plan.toolCall ? {} : wire.textDelta(v, { content: '' }), plan.finishReason)
      : wire.textChunk(head, '', plan.finishReason);
    res.write(wire.sse(last));
    if (includeUsage) res.write(wire.sse(wire.usageChunk(head, kind === 'chat' ? 'chat.completion.chunk' : 'text_completion', u)));
    res.end(wire.SSE_DONE);
  } else if (kind === 'chat') {
    const toolCalls = plan.toolCall
      ? [{ id: plan.toolCall.id, type: /** @type {const} */ ('function'), function: { name: plan.toolCall.name, arguments: plan.toolCall.arguments } }]
      : [];
    const reasoning = plan.pieces.slice(0, plan.reasoning).join('');
    const answer = plan.pieces.slice(plan.reasoning).join('');
    ctx.sendJson(res, 200, wire.chatCompletion({
      ...head, content: plan.toolCall ? null : answer, reasoning: reasoning || null, toolCalls, finishReason: plan.finishReason, usage: u,
    }, v));
  } else {
    ctx.sendJson(res, 200, wire.textCompletion({ ...head, text: plan.pieces.join(''), finishReason: plan.finishReason, usage: u }));
  }
  ctx.stats.completed++;
}

/**
 * The SSE chunk carrying generated unit `i`.
 * @param {'chat' | 'completion'} kind
 * @param {{ id: string, created: number, model: string }} head
 * @param {Plan} plan
 * @param {string} piece
 * @param {number} index
 * @param {import('./vllm-profiles').VllmProfile} v
 */
function streamChunk(kind, head, plan, piece, index, v) {
  if (kind === 'completion') return wire.textChunk(head, piece);
  if (index < plan.reasoning) return wire.chatChunk(head, wire.textDelta(v, { reasoning: piece }));
  const i = index - plan.reasoning;
  if (!plan.toolCall) return wire.chatChunk(head, wire.textDelta(v, { content: piece }));
  if (i === 0) {
    return wire.chatChunk(head, {
      tool_calls: [{ id: plan.toolCall.id, type: 'function', index: 0, function: { name: plan.toolCall.name, arguments: '' } }],
    });
  }
  return wire.chatChunk(head, { tool_calls: [{ index: 0, function: { arguments: piece } }] });
}

module.exports = { handleCompletion, RequestError };
