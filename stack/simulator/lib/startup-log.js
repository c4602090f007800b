// @ts-check
'use strict';

const { SIMULATOR_VERSION, VLLM_VERSION } = require('./version');

/**
 * The start-up sequence: vLLM's log milestones, spread over SIM_LOAD_SECONDS, in vLLM's order:
 *
 *   banner (this is the simulator) -> version, non-default args -> engine config
 *   -> "Starting to load model M..." -> "Loading safetensors checkpoint shards: NN% Completed | k/n [...]"
 *   -> "Loading weights took X seconds" -> "Model loading took X GiB and Y seconds"
 *   -> "GPU KV cache size: N tokens" -> "Maximum concurrency for N tokens per request: X"
 *   -> "init engine (profile, create kv cache, warmup model) took X seconds"
 *
 * The API-server lines that follow ("Starting vLLM API server 0 on ...", "Application startup
 * complete.") are written by main.js once the port listens. Like vLLM, nothing listens on the port
 * before then.
 */

/** A start-up failure that real vLLM would also die of (exit code 1). */
class StartupError extends Error {
  /**
   * @param {string} message
   * @param {string} exceptionType Python exception class vLLM raises
   */
  constructor(message, exceptionType) {
    super(message);
    this.name = 'StartupError';
    this.exceptionType = exceptionType;
  }
}

/**
 * @param {{ args: import('./cli-args').ServeArgs, settings: import('./settings').Settings,
 *   profile: import('./model-profile').ModelProfile, log: import('./log').Logger,
 *   onShardLoaded?: (index: number, total: number) => void,
 *   sleep?: (ms: number) => Promise<void> }} ctx
 * @returns {Promise<void>} resolves when the engine is "up"; rejects with StartupError
 */
async function runStartup(ctx) {
  const { args, settings, profile, log } = ctx;
  const sleep = ctx.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  const totalMs = settings.loadSeconds * 1000;
  const start = performance.now();
  const elapsed = () => (performance.now() - start) / 1000;
  /** Waits until `fraction` of the load time has passed since start. */
  const at = async (/** @type {number} */ fraction) => {
    const wait = start + fraction * totalMs - performance.now();
    if (wait > 0) await sleep(wait);
  };

  log.api('INFO', 'simulator.py:1', `Spark Gateway vLLM simulator ${SIMULATOR_VERSION}: a test double of `
    + "vLLM's OpenAI-compatible server, not vLLM. No GPU, no model weights; replies are synthetic.");
  log.api('INFO', 'api_server.py:1839', `vLLM API server version ${VLLM_VERSION}`);
  log.api('INFO', 'utils.py:233', `non-default args: ${pythonDict(args.nonDefault)}`);
  for (const flag of args.ignored) log.api('DEBUG', 'cli_args.py:1', `simulator ignores ${flag}`);

  await at(0.02);
  log.engine('INFO', 'core.py:77', `Initializing a V1 LLM engine (v${VLLM_VERSION}) with config: `
    + `model='${args.model}', tokenizer='${args.model}', max_seq_len=${profile.maxModelLen}, `
    + `tensor_parallel_size=${args.tensorParallelSize}, kv_cache_dtype=${args.kvCacheDtype}, `
    + `served_model_name=${args.servedModelNames[0]}, enable_prefix_caching=${pyBool(args.enablePrefixCaching)}`);
  if (profile.tensorParallelError) throw new StartupError(profile.tensorParallelError, 'ValueError');

  await at(0.05);
  log.engine('INFO', 'gpu_model_runner.py:2602', `Starting to load model ${args.model}...`);

  const shardsFrom = 0.1;
  const shardsTo = 0.65;
  const n = settings.shards;
  await at(shardsFrom);
  const shardsStart = performance.now();
  log.raw(shardProgress(0, n, 0));
  for (let k = 1; k <= n; k++) {
    await at(shardsFrom + ((shardsTo - shardsFrom) * k) / n);
    ctx.onShardLoaded?.(k, n);
    log.raw(shardProgress(k, n, (performance.now() - shardsStart) / 1000));
  }
  const weightsSeconds = (performance.now() - shardsStart) / 1000;
  log.engine('INFO', 'default_loader.py:267', `Loading weights took ${weightsSeconds.toFixed(2)} seconds`);

  await at(0.7);
  log.engine('INFO', 'gpu_model_runner.py:2653',
    `Model loading took ${profile.weightsGib.toFixed(4)} GiB and ${elapsed().toFixed(6)} seconds`);

  await at(0.85);
  if (profile.memoryError) {
    if (settings.enforceMemory) throw new StartupError(profile.memoryError, 'ValueError');
    log.engine('WARNING', 'simulator.py:2', `real vLLM would stop here: ${profile.memoryError} `
      + 'The simulator continues (set SIM_ENFORCE_MEMORY=1 to fail like vLLM).');
  }
  log.engine('INFO', 'gpu_worker.py:298', `Available KV cache memory: ${profile.kvCacheGib.toFixed(2)} GiB`);
  log.engine('INFO', 'kv_cache_utils.py:1087', `GPU KV cache size: ${thousands(profile.kvCacheTokens)} tokens`);
  log.engine('INFO', 'kv_cache_utils.py:1091', `Maximum concurrency for ${thousands(profile.maxModelLen)} `
    + `tokens per request: ${profile.maxConcurrency.toFixed(2)}x`);

  await at(1);
  log.engine('INFO', 'core.py:210',
    `init engine (profile, create kv cache, warmup model) took ${elapsed().toFixed(2)} seconds`);
}

/**
 * tqdm's bar as vLLM prints it: `Loading safetensors checkpoint shards:  40% Completed | 2/5 [00:01<00:01,  1.50it/s]`
 * @param {number} k shards loaded
 * @param {number} n shards in total
 * @param {number} seconds since the first shard started
 */
function shardProgress(k, n, seconds) {
  const pct = `${Math.floor((100 * k) / n)}`.padStart(3, ' ');
  if (k === 0) return `Loading safetensors checkpoint shards: ${pct}% Completed | 0/${n} [00:00<?, ?it/s]`;
  const perShard = seconds / k;
  const remaining = perShard * (n - k);
  const rate = perShard > 0 && perShard <= 1 ? `${(1 / perShard).toFixed(2).padStart(5, ' ')}it/s`
    : `${perShard.toFixed(2).padStart(5, ' ')}s/it`;
  return `Loading safetensors checkpoint shards: ${pct}% Completed | ${k}/${n} [${clock(seconds)}<${clock(remaining)}, ${rate}]`;
}

/** @param {number} seconds */
function clock(seconds) {
  const s = Math.floor(seconds);
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

/** @param {number} n */
function thousands(n) {
  return Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** @param {boolean} b */
function pyBool(b) {
  return b ? 'True' : 'False';
}

/**
 * Python repr of a flat dict, as vLLM logs its non-default args.
 * @param {Record<string, unknown>} obj
 */
function pythonDict(obj) {
  /** @param {unknown} v @returns {string} */
  const repr = (v) => {
    if (typeof v === 'string') return `'${v.replace(/'/g, "\\'")}'`;
    if (typeof v === 'boolean') return pyBool(v);
    if (Array.isArray(v)) return `[${v.map(repr).join(', ')}]`;
    if (v === undefined || v === null) return 'None';
    return String(v);
  };
  return `{${Object.entries(obj).map(([k, v]) => `'${k}': ${repr(v)}`).join(', ')}}`;
}

module.exports = { runStartup, StartupError, shardProgress, thousands };
