// @ts-check
'use strict';

const http = require('node:http');
const wire = require('./openai-wire');
const { handleCompletion } = require('./completions');
const { renderMetrics } = require('./metrics');
const { authorized } = require('./auth');

/**
 * The HTTP server: vLLM's routes plus the simulator's admin routes.
 *
 *   GET  /health                 200, empty body (503, empty body, with SIM_FAULT=fail-health: a dead engine)
 *   GET|POST /ping               the same as /health (SageMaker's probe)
 *   GET  /load                   {"server_load": requests in flight}
 *   GET  /v1/models              OpenAI model list with max_model_len, owned_by "vllm", root = MODEL
 *   GET  /version                {"version": "<imitated vLLM version>"}
 *   GET  /metrics                Prometheus text, vLLM's metric names
 *   POST /v1/chat/completions    streaming and not, tool calls, usage
 *   POST /v1/completions         streaming and not, usage
 *   GET  /sim/stats              {requests, completed, failed, disconnects, running, waiting, fault, lastRequest}
 *   POST /sim/stats/reset        zero the counters above
 *   GET  /sim/fault              {"fault": "..."}
 *   POST /sim/fault              set the fault: {"fault":"hang"}, plain text `hang`, or ?fault=hang
 *
 * Access lines are logged like uvicorn's (`INFO:     127.0.0.1:5000 - "GET /health HTTP/1.1" 200 OK`)
 * unless --disable-uvicorn-access-log is given.
 */

const MAX_BODY_BYTES = 32 * 1024 * 1024;

/**
 * @typedef {Omit<import('./completions').CompletionContext, 'sendJson' | 'startStream' | 'stats'> & {
 *   log: import('./log').Logger, apiKeys?: readonly Buffer[] }} ServerContext
 */

/**
 * @param {ServerContext} base
 * @returns {{ server: http.Server, stats: import('./completions').SimStats, open: () => void }} `open()`
 *   ends the start-up: requests that arrived after the port was bound wait until then, as they
 *   wait in the socket's backlog until uvicorn has started
 */
function createSimulatorServer(base) {
  /** @type {() => void} */
  let open = () => {};
  const opened = new Promise((resolve) => { open = () => resolve(undefined); });
  /** @type {import('./completions').SimStats} */
  const stats = { requests: 0, completed: 0, failed: 0, disconnects: 0, lastRequest: null };
  const created = wire.unixNow();

  /**
   * @param {http.ServerResponse} res
   * @param {number} status
   * @param {Record<string, string>} headers
   */
  const writeHead = (res, status, headers) => {
    res.writeHead(status, headers);
    if (!base.args.disableAccessLog) {
      const req = res.req;
      const addr = `${req.socket.remoteAddress ?? '-'}:${req.socket.remotePort ?? 0}`;
      base.log.uvicorn(`${addr} - "${req.method} ${req.url} HTTP/${req.httpVersion}" ${status} ${http.STATUS_CODES[status] ?? ''}`);
    }
  };
  /** @type {import('./completions').CompletionContext['sendJson']} */
  const sendJson = (res, status, body) => {
    const text = JSON.stringify(body);
    writeHead(res, status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) });
    res.end(text);
  };
  /** @param {http.ServerResponse} res */
  const startStream = (res) => {
    writeHead(res, 200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
    res.flushHeaders();
  };
  /**
   * @param {http.ServerResponse} res
   * @param {number} status
   * @param {string} contentType
   * @param {string} text
   */
  const sendText = (res, status, contentType, text) => {
    writeHead(res, status, { 'content-type': contentType, 'content-length': String(Buffer.byteLength(text)) });
    res.end(text);
  };

  /** @type {import('./completions').CompletionContext} */
  const ctx = { ...base, stats, sendJson, startStream };

  /**
   * vLLM's health check: 200 with an empty body, or 503 with an empty body once the engine is dead
   * (EngineDeadError), which is what SIM_FAULT=fail-health stands for.
   * @param {http.IncomingMessage} _req
   * @param {http.ServerResponse} res
   */
  const health = (_req, res) => {
    writeHead(res, base.faults.current === 'fail-health' ? 503 : 200, { 'content-length': '0' });
    res.end();
  };

  /** @type {Record<string, Record<string, (req: http.IncomingMessage, res: http.ServerResponse, url: URL) => unknown>>} */
  const routes = {
    '/health': { GET: health },
    '/ping': { GET: health, POST: health },
    '/load': { GET: (_req, res) => sendJson(res, 200, { server_load: base.engine.running.size + base.engine.waiting.length }) },
    '/v1/models': { GET: (_req, res) => sendJson(res, 200, wire.modelList(base.args, base.profile.maxModelLen, created, base.settings.vllm)) },
    '/version': { GET: (_req, res) => sendJson(res, 200, { version: base.settings.vllm.version }) },
    '/metrics': {
      GET: (_req, res) => sendText(res, 200, base.settings.vllm.metricsContentType, renderMetrics(base.engine, base.args.servedModelNames[0], base.settings.vllm)),
    },
    '/v1/chat/completions': {
      POST: async (req, res) => withJsonBody(req, res, sendJson, base.settings.vllm.errorStyle, (body) => handleCompletion(ctx, 'chat', req, res, body)),
    },
    '/v1/completions': {
      POST: async (req, res) => withJsonBody(req, res, sendJson, base.settings.vllm.errorStyle, (body) => handleCompletion(ctx, 'completion', req, res, body)),
    },
    '/sim/stats': {
      GET: (_req, res) => sendJson(res, 200, {
        ...stats, running: base.engine.running.size, waiting: base.engine.waiting.length, fault: base.faults.current,
      }),
    },
    '/sim/stats/reset': {
      POST: (_req, res) => {
        Object.assign(stats, { requests: 0, completed: 0, failed: 0, disconnects: 0, lastRequest: null });
        sendJson(res, 200, { ok: true });
      },
    },
    '/sim/fault': {
      GET: (_req, res) => sendJson(res, 200, { fault: base.faults.current }),
      POST: async (req, res, url) => {
        const text = (await readBody(req)).toString('utf8').trim();
        let value = url.searchParams.get('fault') ?? text;
        if (text.startsWith('{')) {
          try {
            value = String(JSON.parse(text).fault ?? '');
          } catch {
            value = '';
          }
        }
        try {
          const fault = base.faults.set(value);
          base.log.api('WARNING', 'simulator.py:3', `fault injection set to '${fault}'`);
          sendJson(res, 200, { fault });
        } catch (err) {
          sendJson(res, 400, wire.errorBody(/** @type {Error} */ (err).message, 'BadRequestError', 400, 'fault'));
        }
      },
    },
  };

  const server = http.createServer(async (req, res) => {
    await opened;
    const url = new URL(req.url ?? '/', 'http://localhost');
    // Before routing, as vLLM's middleware: an unknown /v1 path without the key is 401, not 404.
    if (!authorized(req.method, url.pathname, req.headers.authorization, base.apiKeys ?? [])) return sendJson(res, 401, { error: 'Unauthorized' });
    const route = routes[url.pathname];
    const handler = route?.[req.method ?? 'GET'];
    if (!route) return sendJson(res, 404, { detail: 'Not Found' });
    if (!handler) return sendJson(res, 405, { detail: 'Method Not Allowed' });
    Promise.resolve()
      .then(() => handler(req, res, url))
      .catch((err) => {
        base.log.api('ERROR', 'simulator.py:4', `unhandled error on ${req.method} ${url.pathname}: ${err?.stack ?? err}`);
        if (!res.headersSent) sendJson(res, 500, wire.errorBody('Internal simulator error.', 'InternalServerError', 500));
        else res.destroy();
      });
  });
  // Streams can last long; never time a request out on the server side (uvicorn does not either).
  server.requestTimeout = 0;
  return { server, stats, open };
}

/**
 * Reads and parses a JSON body, answering 400 (like vLLM) when it is not JSON: 0.31 renders
 * FastAPI's validation error (`type` "Bad Request", `param` `body.<position of the error>`).
 * @param {http.IncomingMessage} req
 * @param {http.ServerResponse} res
 * @param {import('./completions').CompletionContext['sendJson']} sendJson
 * @param {'0.11' | '0.31'} errorStyle
 * @param {(body: any) => Promise<void>} next
 */
async function withJsonBody(req, res, sendJson, errorStyle, next) {
  let body;
  try {
    body = JSON.parse((await readBody(req)).toString('utf8'));
  } catch (err) {
    if (err instanceof BodyTooLargeError) {
      sendJson(res, 413, wire.errorBody('Request body too large.', 'BadRequestError', 413));
      return;
    }
    const message = /** @type {Error} */ (err).message;
    if (errorStyle === '0.31') {
      const loc = `body.${/at position (\d+)/.exec(message)?.[1] ?? 0}`;
      sendJson(res, 400, wire.errorBody(`1 validation error:\n  {'type': 'json_invalid', 'loc': '${loc}', 'msg': 'JSON decode error', `
        + `'input': '<dict of 0 items>', 'ctx': {'error': '${message.replace(/'/g, '"')}'}}`, 'Bad Request', 400, loc));
    } else {
      sendJson(res, 400, wire.errorBody(`Invalid JSON body: ${message}`, 'BadRequestError', 400));
    }
    return;
  }
  await next(body);
}

class BodyTooLargeError extends Error {}

/**
 * @param {http.IncomingMessage} req
 * @returns {Promise<Buffer>}
 */
function readBody(req) {
  return new Promise((resolve, reject) => {
    /** @type {Buffer[]} */
    const chunks = [];
    let size = 0;
    req.on('data', (/** @type {Buffer} */ chunk) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new BodyTooLargeError());
        req.resume();
      } else {
        chunks.push(chunk);
      }
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

module.exports = { createSimulatorServer };
