import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePrometheusText } from '../../../src/core/metrics/prometheus';
import { vllmLoadFromMetrics } from '../../../src/core/metrics/vllm';

const VLLM = `# HELP vllm:num_requests_running Number of requests in model execution batches.
# TYPE vllm:num_requests_running gauge
vllm:num_requests_running{engine="0",model_name="gpt-oss-20b"} 2.0
# HELP vllm:num_requests_waiting Number of requests waiting to be processed.
# TYPE vllm:num_requests_waiting gauge
vllm:num_requests_waiting{engine="0",model_name="gpt-oss-20b"} 1.0
# TYPE vllm:kv_cache_usage_perc gauge
vllm:kv_cache_usage_perc{engine="0",model_name="gpt-oss-20b"} 0.1234
# TYPE vllm:time_to_first_token_seconds histogram
vllm:time_to_first_token_seconds_bucket{engine="0",le="+Inf",model_name="gpt-oss-20b"} 7.0
vllm:prompt_tokens_total{engine="0",model_name="gpt-oss-20b"} 1.5e3
`;

describe('Prometheus text parsing', () => {
  it('reads names, labels and values and skips comments', () => {
    const samples = parsePrometheusText(VLLM);
    assert.equal(samples.length, 5);
    assert.deepEqual(samples[0], { name: 'vllm:num_requests_running', labels: { engine: '0', model_name: 'gpt-oss-20b' }, value: 2 });
    assert.equal(samples[3]?.labels.le, '+Inf');
    assert.equal(samples[4]?.value, 1500);
  });

  it('reads escaped label values, timestamps and special values', () => {
    const [a, b, c] = parsePrometheusText('m{path="a\\"b\\\\c"} 1 1700000000000\nn NaN\no{} +Inf\n');
    assert.equal(a?.labels.path, 'a"b\\c');
    assert.equal(a?.value, 1);
    assert.ok(Number.isNaN(b?.value));
    assert.equal(c?.value, Infinity);
  });

  it('skips lines it cannot read instead of failing', () => {
    assert.deepEqual(parsePrometheusText('garbage line here\nok 3\n').map((s) => s.name), ['ok']);
  });
});

describe('vLLM load from /metrics', () => {
  it('reads running and waiting requests and KV-cache use', () => {
    assert.deepEqual(vllmLoadFromMetrics(VLLM), { running: 2, waiting: 1, kvCacheUsage: 0.1234 });
  });

  it('sums requests over engines and takes the fullest KV cache', () => {
    const text = 'vllm:num_requests_running{engine="0"} 1\nvllm:num_requests_running{engine="1"} 3\nvllm:kv_cache_usage_perc{engine="0"} 0.2\nvllm:kv_cache_usage_perc{engine="1"} 0.5\n';
    assert.deepEqual(vllmLoadFromMetrics(text), { running: 4, waiting: 0, kvCacheUsage: 0.5 });
  });

  it('reads vLLM 0.31\'s metrics without counting the waiting requests by reason twice', () => {
    const text = [
      'vllm:num_requests_running{engine="0",model_name="gpt-oss-20b"} 1.0',
      'vllm:num_requests_waiting{engine="0",model_name="gpt-oss-20b"} 3.0',
      'vllm:num_requests_waiting_by_reason{engine="0",model_name="gpt-oss-20b",reason="capacity"} 2.0',
      'vllm:num_requests_waiting_by_reason{engine="0",model_name="gpt-oss-20b",reason="deferred"} 1.0',
      'vllm:kv_cache_usage_perc{engine="0",model_name="gpt-oss-20b"} 0.4',
      'vllm:prompt_tokens_cached_total{engine="0",model_name="gpt-oss-20b"} 12.0',
    ].join('\n');
    assert.deepEqual(vllmLoadFromMetrics(text), { running: 1, waiting: 3, kvCacheUsage: 0.4 });
  });

  it('falls back to the older gpu_cache_usage_perc', () => {
    assert.equal(vllmLoadFromMetrics('vllm:gpu_cache_usage_perc{engine="0"} 0.3\n').kvCacheUsage, 0.3);
  });
});
