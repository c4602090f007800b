// @ts-check
'use strict';

/**
 * vLLM's periodic stats line (its LoggingStatLogger), every SIM_STATS_INTERVAL_SECONDS while there is
 * traffic, plus one last line once the engine goes idle:
 *
 *   Engine 000: Avg prompt throughput: 12.0 tokens/s, Avg generation throughput: 48.5 tokens/s,
 *   Running: 1 reqs, Waiting: 0 reqs, GPU KV cache usage: 0.1%, Prefix cache hit rate: 50.0%
 *
 * vLLM 0.11 always shows the prefix-cache hit rate; 0.31 only once prefix-cache queries were seen.
 * (Both add `Preemptions: N` and 0.31 `Deferred: N reqs` when non-zero; the simulator has neither.)
 */

/**
 * @param {import('./engine').Engine} engine
 * @param {import('./log').Logger} log
 * @param {number} intervalSeconds
 * @param {import('./vllm-profiles').VllmProfile} v
 * @returns {{ stop: () => void }}
 */
function startStatsLog(engine, log, intervalSeconds, v) {
  let last = { ...engine.totals };
  let lastAt = performance.now();
  let wasActive = false;

  const timer = setInterval(() => {
    const now = performance.now();
    const seconds = Math.max((now - lastAt) / 1000, 1e-9);
    const t = engine.totals;
    const prompt = t.promptTokens - last.promptTokens;
    const generated = t.generationTokens - last.generationTokens;
    const queries = t.prefixQueries - last.prefixQueries;
    const hits = t.prefixHits - last.prefixHits;
    const active = prompt > 0 || generated > 0 || engine.running.size > 0 || engine.waiting.length > 0;
    if (active || wasActive) {
      log.api('INFO', v.line === '0.31' ? 'loggers.py:320' : 'loggers.py:127', statsLine({
        promptThroughput: prompt / seconds,
        generationThroughput: generated / seconds,
        running: engine.running.size,
        waiting: engine.waiting.length,
        kvCacheUsage: engine.kvCacheUsage(),
        prefixHitRate: v.line === '0.31' && t.prefixQueries === 0 ? undefined : queries > 0 ? hits / queries : 0,
      }));
    }
    wasActive = active;
    last = { ...t };
    lastAt = now;
  }, intervalSeconds * 1000);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

/**
 * @param {{ promptThroughput: number, generationThroughput: number, running: number, waiting: number,
 *   kvCacheUsage: number, prefixHitRate?: number }} s rates in tokens/s, usage and hit rate as 0..1
 *   (no hit rate: the part is left out)
 */
function statsLine(s) {
  return `Engine 000: Avg prompt throughput: ${s.promptThroughput.toFixed(1)} tokens/s, `
    + `Avg generation throughput: ${s.generationThroughput.toFixed(1)} tokens/s, `
    + `Running: ${s.running} reqs, Waiting: ${s.waiting} reqs, `
    + `GPU KV cache usage: ${(s.kvCacheUsage * 100).toFixed(1)}%`
    + (s.prefixHitRate === undefined ? '' : `, Prefix cache hit rate: ${(s.prefixHitRate * 100).toFixed(1)}%`);
}

module.exports = { startStatsLog, statsLine };
