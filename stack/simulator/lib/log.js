// @ts-check
'use strict';

/**
 * Log lines shaped like vLLM 0.11's, so log parsers and humans tailing `docker logs` see what they
 * would see with the real server:
 *
 *   (APIServer pid=1) INFO 11-26 20:50:01 [api_server.py:1971] Starting vLLM API server 0 on ...
 *   (EngineCore_DP0 pid=1) INFO 11-26 20:50:00 [kv_cache_utils.py:1087] GPU KV cache size: ...
 *   (APIServer pid=1) INFO:     Application startup complete.          (uvicorn)
 *   Loading safetensors checkpoint shards:  40% Completed | 2/5 [...] (tqdm, no prefix)
 *
 * Everything goes to stdout (vLLM's logging handler writes to stdout; its tqdm bars go to stderr,
 * which `docker logs` merges anyway). DEBUG lines appear only with VLLM_LOGGING_LEVEL=DEBUG, as in vLLM.
 */

/** @typedef {'DEBUG' | 'INFO' | 'WARNING' | 'ERROR'} Level */

/**
 * @typedef {object} Logger
 * @property {(level: Level, source: string, message: string) => void} api    API-server process line
 * @property {(level: Level, source: string, message: string) => void} engine engine-core process line
 * @property {(message: string) => void} uvicorn uvicorn-style line (`INFO:     ...`)
 * @property {(line: string) => void} raw  a line with no prefix (progress bars)
 */

/**
 * @param {{ write: (text: string) => unknown }} out
 * @param {{ pid?: number, debug?: boolean, now?: () => Date }} [options]
 * @returns {Logger}
 */
function createLogger(out, options = {}) {
  const pid = options.pid ?? process.pid;
  const debug = options.debug ?? false;
  const now = options.now ?? (() => new Date());

  /**
   * @param {string} proc
   * @param {Level} level
   * @param {string} source
   * @param {string} message
   */
  const line = (proc, level, source, message) => {
    if (level === 'DEBUG' && !debug) return;
    out.write(`(${proc} pid=${pid}) ${level} ${timestamp(now())} [${source}] ${message}\n`);
  };
  return {
    api: (level, source, message) => line('APIServer', level, source, message),
    engine: (level, source, message) => line('EngineCore_DP0', level, source, message),
    uvicorn: (message) => out.write(`(APIServer pid=${pid}) INFO:     ${message}\n`),
    raw: (text) => out.write(`${text}\n`),
  };
}

/**
 * vLLM's `%m-%d %H:%M:%S` in local time (UTC in a container without time-zone data).
 * @param {Date} d
 */
function timestamp(d) {
  const p = (/** @type {number} */ n) => String(n).padStart(2, '0');
  return `${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

module.exports = { createLogger, timestamp };
