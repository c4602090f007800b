// @ts-check
'use strict';

/**
 * `GET /metrics`: Prometheus text format 0.0.4 as vLLM exposes it through prometheus_client —
 * metric names with the `vllm:` prefix, labels `model_name` (the first served name) and
 * `engine="0"` in alphabetical order as prometheus_client writes them (`{engine="0",le="0.1",model_name="m"}`),
 * counters with `_total` on their HELP/TYPE lines, float values (`0.0`). The `_created` gauges
 * prometheus_client adds for each counter and histogram are left out, as are the Python process,
 * HTTP and most vLLM families (README: "Known differences from vLLM 0.31").
 * vLLM 0.31 adds `vllm:num_requests_waiting_by_reason{reason="capacity"|"deferred"}` and
 * `vllm:prompt_tokens_cached`, and counts finished requests with reasons `error` and `repetition`
 * too. (`vllm:gpu_cache_usage_perc` is hidden in 0.11 and gone in 0.31: never shown.)
 */

/**
 * @param {import('./engine').Engine} engine
 * @param {string} modelName
 * @param {Pick<import('./vllm-profiles').VllmProfile, 'waitingByReason'>} v
 * @returns {string}
 */
function renderMetrics(engine, modelName, v) {
  const model = `model_name="${escapeLabel(modelName)}"`;
  /** A series' labels (`extra`, e.g. `le="1.0"`, may be '') sorted by name, as prometheus_client writes them. */
  const labels = (/** @type {string} */ extra = '') => ['engine="0"', model, ...(extra ? [extra] : [])]
    .sort((a, b) => (a.slice(0, a.indexOf('=')) < b.slice(0, b.indexOf('=')) ? -1 : 1)).join(',');
  /** @type {string[]} */
  const out = [];
  /**
   * @param {string} name
   * @param {'gauge' | 'counter'} type
   * @param {string} help
   * @param {Array<[string, number]>} series extra label (may be '') and value
   */
  const metric = (name, type, help, series) => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [extra, value] of series) out.push(`${name}{${labels(extra)}} ${num(value)}`);
  };

  metric('vllm:num_requests_running', 'gauge', 'Number of requests in model execution batches.',
    [['', engine.running.size]]);
  metric('vllm:num_requests_waiting', 'gauge', 'Number of requests waiting to be processed.',
    [['', engine.waiting.length]]);
  if (v.waitingByReason) {
    metric('vllm:num_requests_waiting_by_reason', 'gauge', 'Number of waiting requests by reason. '
      + "Reason labels: 'capacity' = waiting for scheduling capacity; 'deferred' = deferred by transient "
      + 'constraints (LoRA budget, KV transfer, blocked status). Sum of all reasons equals vllm:num_requests_waiting.',
    [['reason="capacity"', engine.waiting.length], ['reason="deferred"', 0]]);
  }
  metric('vllm:kv_cache_usage_perc', 'gauge', 'KV-cache usage. 1 means 100 percent usage.',
    [['', engine.kvCacheUsage()]]);
  metric('vllm:prefix_cache_queries_total', 'counter',
    'Prefix cache queries, in terms of number of queried tokens.', [['', engine.totals.prefixQueries]]);
  metric('vllm:prefix_cache_hits_total', 'counter',
    'Prefix cache hits, in terms of number of cached tokens.', [['', engine.totals.prefixHits]]);
  metric('vllm:num_preemptions_total', 'counter', 'Cumulative number of preemption from the engine.',
    [['', engine.totals.preemptions]]);
  metric('vllm:prompt_tokens_total', 'counter', 'Number of prefill tokens processed.',
    [['', engine.totals.promptTokens]]);
  if (v.waitingByReason) {
    metric('vllm:prompt_tokens_cached_total', 'counter', 'Number of cached prompt tokens (local + external).',
      [['', engine.totals.prefixHits]]);
  }
  metric('vllm:generation_tokens_total', 'counter', 'Number of generation tokens processed.',
    [['', engine.totals.generationTokens]]);
  metric('vllm:request_success_total', 'counter', 'Count of successfully processed requests.',
    // vLLM's order: stop, length, abort (0.31 adds error and repetition).
    Object.entries({ ...engine.finished, ...(v.waitingByReason ? { repetition: 0 } : {}) })
      .filter(([reason]) => v.waitingByReason || reason !== 'error')
      .map(([reason, n]) => [`finished_reason="${reason}"`, n]));
  histogram(out, 'vllm:time_to_first_token_seconds', 'Histogram of time to first token in seconds.',
    labels, engine.ttft);
  histogram(out, 'vllm:e2e_request_latency_seconds', 'Histogram of e2e request latency in seconds.',
    labels, engine.e2e);
  return `${out.join('\n')}\n`;
}

/**
 * @param {string[]} out
 * @param {string} name
 * @param {string} help
 * @param {(extra?: string) => string} labels
 * @param {import('./engine').Histogram} h
 */
function histogram(out, name, help, labels, h) {
  out.push(`# HELP ${name} ${help}`, `# TYPE ${name} histogram`);
  h.buckets.forEach((b, i) => out.push(`${name}_bucket{${labels(`le="${num(b)}"`)}} ${num(h.counts[i] ?? 0)}`));
  out.push(`${name}_bucket{${labels('le="+Inf"')}} ${num(h.count)}`);
  out.push(`${name}_count{${labels()}} ${num(h.count)}`);
  out.push(`${name}_sum{${labels()}} ${num(h.sum)}`);
}

/**
 * Python's float repr for the values we produce: integers as `3.0`, others as JavaScript prints them.
 * @param {number} v
 */
function num(v) {
  return Number.isInteger(v) ? v.toFixed(1) : String(v);
}

/** @param {string} v */
function escapeLabel(v) {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

module.exports = { renderMetrics };
