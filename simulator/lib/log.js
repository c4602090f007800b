// @ts-check
'use strict';

/**
 * Log lines shaped like vLLM's, so log parsers and humans tailing `docker logs` see what they
 * would see with the real server. vLLM's logger format puts the process prefix on its own lines
 * (and, for a multi-line message, on each line, joined with `\r\n` as its NewLineFormatter does):
 *
 *   (APIServer pid=1) INFO 11-26 20:50:01 [entry.py:136] Starting vLLM server on http://0.0.0.0:8000
 *   (EngineCore pid=1) INFO 11-26 20:50:00 [kv_cache_utils.py:2464] GPU KV cache size: ...
 *
 * vLLM 0.11 also wraps stdout/stderr so that EVERY line carries the prefix — tqdm bars and uvicorn
 * lines too; vLLM 0.31 leaves those bare (`prefixEveryLine`):
 *
 *   0.11: (APIServer pid=1) INFO:     Application startup complete.
 *         (EngineCore_DP0 pid=1) Loading safetensors checkpoint shards:  40% Completed | 2/5 [...]
 *   0.31: INFO:     Application startup complete.
 *         Loading safetensors checkpoint shards:  40% Completed | 2/5 [...]
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
 * @property {(line: string) => void} bar  a tqdm progress line of the engine process
 * @property {(line: string) => void} raw  a line with no prefix (tracebacks)
 */

/**
 * @param {{ write: (text: string) => unknown }} out
 * @param {{ pid?: number, debug?: boolean, now?: () => Date, prefixEveryLine?: boolean, engineProcess?: string }} [options]
 * @returns {Logger}
 */
function createLogger(out, options = {}) {
  const pid = options.pid ?? process.pid;
  const debug = options.debug ?? false;
  const now = options.now ?? (() => new Date());
  const wrapped = options.prefixEveryLine ?? false;
  const engineProcess = options.engineProcess ?? 'EngineCore_DP0';

  /**
   * @param {string} proc
   * @param {Level} level
   * @param {string} source
   * @param {string} message
   */
  const line = (proc, level, source, message) => {
    if (level === 'DEBUG' && !debug) return;
    const prefix = `(${proc} pid=${pid}) ${level} ${timestamp(now())} [${source}] `;
    out.write(`${prefix}${message.split('\n').join(`\r\n${prefix}`)}\n`);
  };
  return {
    api: (level, source, message) => line('APIServer', level, source, message),
    engine: (level, source, message) => line(engineProcess, level, source, message),
    uvicorn: (message) => out.write(`${wrapped ? `(APIServer pid=${pid}) ` : ''}INFO:     ${message}\n`),
    bar: (text) => out.write(`${wrapped ? `(${engineProcess} pid=${pid}) ` : ''}${text}\n`),
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
