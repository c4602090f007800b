import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { INITIAL_PROGRESS, advanceProgress, progressFromLog } from '../../../src/core/logs/vllm-progress';

// Recorded from a vLLM 0.11-style start-up (the simulator's log, with the prefixes real vLLM prints).
const STARTUP = `(APIServer pid=18545) INFO 11-26 21:08:50 [api_server.py:1839] vLLM API server version 0.11.2
(APIServer pid=18545) INFO 11-26 21:08:50 [utils.py:233] non-default args: {'model_tag': 'openai/gpt-oss-20b', 'host': '127.0.0.1'}
(EngineCore_DP0 pid=18545) INFO 11-26 21:08:50 [gpu_model_runner.py:2602] Starting to load model openai/gpt-oss-20b...
Loading safetensors checkpoint shards:   0% Completed | 0/3 [00:00<?, ?it/s]
Loading safetensors checkpoint shards:  33% Completed | 1/3 [00:00<00:00,  4.51it/s]
Loading safetensors checkpoint shards:  66% Completed | 2/3 [00:00<00:00,  5.17it/s]
Loading safetensors checkpoint shards: 100% Completed | 3/3 [00:00<00:00,  5.46it/s]
(EngineCore_DP0 pid=18545) INFO 11-26 21:08:50 [default_loader.py:267] Loading weights took 0.55 seconds
(EngineCore_DP0 pid=18545) INFO 11-26 21:08:50 [gpu_model_runner.py:2653] Model loading took 13.7000 GiB and 0.699643 seconds
(EngineCore_DP0 pid=18545) INFO 11-26 21:08:50 [kv_cache_utils.py:1087] GPU KV cache size: 2,184,528 tokens
(EngineCore_DP0 pid=18545) INFO 11-26 21:08:50 [kv_cache_utils.py:1091] Maximum concurrency for 131,072 tokens per request: 16.67x
(EngineCore_DP0 pid=18545) INFO 11-26 21:08:51 [core.py:210] init engine (profile, create kv cache, warmup model) took 1.00 seconds
(APIServer pid=18545) INFO 11-26 21:08:51 [api_server.py:1971] Starting vLLM API server 0 on http://0.0.0.0:8000
(APIServer pid=18545) INFO:     Waiting for application startup.
(APIServer pid=18545) INFO:     Application startup complete.`.split('\n');

function upTo(fragment: string): string[] {
  const index = STARTUP.findIndex((l) => l.includes(fragment));
  assert.ok(index >= 0, fragment);
  return STARTUP.slice(0, index + 1);
}

describe('vLLM start-up progress from its log', () => {
  it('is "starting" before any milestone', () => {
    assert.deepEqual(progressFromLog([]), INITIAL_PROGRESS);
  });

  it('reports the shard being loaded as "shard k/n" with a growing fraction', () => {
    const one = progressFromLog(upTo('1/3'));
    const two = progressFromLog(upTo('2/3'));
    assert.equal(one.text, 'shard 1/3');
    assert.equal(two.text, 'shard 2/3');
    assert.ok(two.fraction > one.fraction && one.fraction > progressFromLog(upTo('Starting to load')).fraction);
    assert.equal(one.ready, false);
  });

  it('names the KV cache and API server phases after the weights', () => {
    assert.equal(progressFromLog(upTo('GPU KV cache size')).text, 'KV cache');
    assert.equal(progressFromLog(upTo('Starting vLLM API server')).text, 'starting API server');
  });

  it('is complete and ready after "Application startup complete."', () => {
    const done = progressFromLog(STARTUP);
    assert.equal(done.fraction, 1);
    assert.equal(done.ready, true);
  });

  it('never decreases along the recorded log', () => {
    let progress = INITIAL_PROGRESS;
    for (const line of STARTUP) {
      const next = advanceProgress(progress, line);
      assert.ok(next.fraction >= progress.fraction, line);
      progress = next;
    }
  });

  it('starts over when a restarted server logs its version line again', () => {
    const restarted = progressFromLog([...STARTUP, STARTUP[0] as string, STARTUP[2] as string]);
    assert.equal(restarted.ready, false);
    assert.equal(restarted.text, 'loading model');
  });

  it('reads a tqdm redraw with real vLLM spacing and elapsed times', () => {
    const p = advanceProgress(INITIAL_PROGRESS, 'Loading safetensors checkpoint shards:  43% Completed | 3/7 [00:41<00:55, 13.81s/it]');
    assert.equal(p.text, 'shard 3/7');
  });
});
