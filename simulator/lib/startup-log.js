// @ts-check
'use strict';

const { SIMULATOR_VERSION } = require('./version');

/**
 * The start-up sequence: vLLM's log milestones, spread over SIM_LOAD_SECONDS, in vLLM's order and
 * in the wording of the imitated version (lib/vllm-profiles.js):
 *
 *   banner (this is the simulator) -> version banner (0.31: the logo), non-default args -> engine config
 *   -> load start (0.11 "Starting to load model M...", 0.31 "Using V2 Model Runner" + "Loading model
 *      from scratch...") -> silence while the weights download (SIM_DOWNLOAD_SECONDS, unless the
 *      cache has them: lib/hf-cache.js; vLLM prints nothing), then "Time spent downloading
 *      weights for M: X seconds" when it took over 0.5 s
 *   -> (0.31) "Filesystem type for checkpoints: ..." -> "Loading safetensors checkpoint shards: NN% Completed | k/n [...]"
 *   -> "Loading weights took X seconds" -> "Model loading took X GiB [memory] and Y seconds"
 *   -> KV cache size and maximum concurrency (0.11 two lines, 0.31 one)
 *   -> "init engine (profile, create kv cache, warmup model) took X seconds" (0.31: "X s")
 *
 *   -> the API server starts (main.js binds the port and logs 0.11 "Starting vLLM API server 0 on URL",
 *      0.31 "Starting vLLM server on URL"; requests wait) -> at the end uvicorn's "Application startup
 *      complete." (main.js), from when on requests are answered.
 *
 * Each phase takes a visible share of the load time, so a status poll sees every one of them. Like
 * vLLM, nothing listens on the port while the model loads.
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
 *   startApiServer?: () => Promise<void>,
 *   weights?: 'cached' | ((ms: number) => Promise<void>),
 *   sleep?: (ms: number) => Promise<void> }} ctx
 * @returns {Promise<void>} resolves when the engine is "up"; rejects with StartupError
 */
async function runStartup(ctx) {
  const { args, settings, profile, log } = ctx;
  const v = settings.vllm;
  const new31 = v.line === '0.31';
  const sleep = ctx.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  const totalMs = settings.loadSeconds * 1000;
  const downloadMs = settings.downloadSeconds * 1000;
  const start = performance.now();
  /** Time spent in the silent download, once it is over (it comes on top of the load time). */
  let downloaded = 0;
  const elapsed = () => (performance.now() - start) / 1000;
  /** Waits until `fraction` of the load time (plus any download) has passed since start. */
  const at = async (/** @type {number} */ fraction) => {
    const wait = start + downloaded + fraction * totalMs - performance.now();
    if (wait > 0) await sleep(wait);
  };

  log.api('INFO', 'simulator.py:1', `Spark Gateway vLLM simulator ${SIMULATOR_VERSION}: a test double of `
    + `vLLM ${v.version}'s OpenAI-compatible server, not vLLM. No GPU, no model weights; replies are synthetic.`);
  if (new31) log.api('INFO', 'api_utils.py:347', versionBanner(v.version, args.model, settings.logo));
  else log.api('INFO', 'api_server.py:1839', `vLLM API server version ${v.version}`);
  log.api('INFO', new31 ? 'api_utils.py:286' : 'utils.py:233', `non-default args: ${pythonDict(args.nonDefault)}`);
  for (const flag of args.ignored) log.api('DEBUG', 'cli_args.py:1', `simulator ignores ${flag}`);

  await at(0.02);
  log.engine('INFO', new31 ? 'core.py:129' : 'core.py:77', `Initializing a V1 LLM engine (v${v.version}) with config: `
    + `model='${args.model}', tokenizer='${args.model}', max_seq_len=${profile.maxModelLen}, `
    + `tensor_parallel_size=${args.tensorParallelSize}, kv_cache_dtype=${args.kvCacheDtype}, `
    + `served_model_name=${args.servedModelNames[0]}, enable_prefix_caching=${pyBool(args.enablePrefixCaching)}`);
  if (profile.tensorParallelError) throw new StartupError(profile.tensorParallelError, 'ValueError');

  await at(0.05);
  if (new31) {
    log.engine('INFO', 'gpu_worker.py:479', 'Using V2 Model Runner');
    log.engine('INFO', 'model_runner.py:375', 'Loading model from scratch...');
  } else {
    log.engine('INFO', 'gpu_model_runner.py:2602', `Starting to load model ${args.model}...`);
  }
  // vLLM looks in the Hugging Face cache first: weights found there are loaded, not downloaded.
  if (downloadMs > 0 && ctx.weights !== 'cached') {
    // vLLM downloads with its progress bars disabled: nothing is printed until it is done.
    const downloadStart = performance.now();
    await (ctx.weights ? ctx.weights(downloadMs) : sleep(downloadMs));
    downloaded = performance.now() - downloadStart;
    if (downloaded > 500) {
      log.engine('INFO', new31 ? 'weight_utils.py:523' : 'weight_utils.py:442',
        `Time spent downloading weights for ${args.model}: ${(downloaded / 1000).toFixed(6)} seconds`);
    }
  }

  const shardsFrom = 0.1;
  const shardsTo = 0.6;
  const n = settings.shards;
  await at(shardsFrom);
  if (new31) {
    log.engine('INFO', 'weight_utils.py:1063', `Filesystem type for checkpoints: EXT4. Checkpoint size: `
      + `${profile.weightsGib.toFixed(2)} GiB. Available RAM: ${(settings.totalMemoryGib * 0.9).toFixed(2)} GiB.`);
  }
  const shardsStart = performance.now();
  log.bar(shardProgress(0, n, 0));
  for (let k = 1; k <= n; k++) {
    await at(shardsFrom + ((shardsTo - shardsFrom) * k) / n);
    ctx.onShardLoaded?.(k, n);
    log.bar(shardProgress(k, n, (performance.now() - shardsStart) / 1000));
  }
  const weightsSeconds = (performance.now() - shardsStart) / 1000;
  log.engine('INFO', new31 ? 'default_loader.py:484' : 'default_loader.py:267', `Loading weights took ${weightsSeconds.toFixed(2)} seconds`);

  await at(0.65);
  // 0.31 formats the size with format_gib (Python's str(round(x, 2))), 0.11 with %.4f.
  const size = new31 ? formatGib(profile.weightsGib) : profile.weightsGib.toFixed(4);
  log.engine('INFO', new31 ? 'model_runner.py:407' : 'gpu_model_runner.py:2653',
    `Model loading took ${size} ${v.modelLoadingUnit} and ${elapsed().toFixed(6)} seconds`);

  // vLLM 0.31 compiles the model (torch.compile) during the memory profile unless --enforce-eager:
  // on a Spark the longest silent stretch after the weights (compilation/backends.py, monitor.py).
  if (new31 && !args.enforceEager) {
    await at(0.7);
    log.engine('INFO', 'backends.py:1152', `Dynamo bytecode transform time: ${(elapsed() * 0.05).toFixed(2)} s`);
    await at(0.73);
    log.engine('INFO', 'monitor.py:34', `torch.compile took ${(elapsed() * 0.1).toFixed(2)} s in total`);
  }

  await at(0.75);
  if (profile.memoryError) {
    if (settings.enforceMemory) throw new StartupError(profile.memoryError, 'ValueError');
    log.engine('WARNING', 'simulator.py:2', `real vLLM would stop here: ${profile.memoryError} `
      + 'The simulator continues (set SIM_ENFORCE_MEMORY=1 to fail like vLLM).');
  }
  const kvGib = new31 ? formatGib(profile.kvCacheGib) : profile.kvCacheGib.toFixed(2);
  log.engine('INFO', new31 ? 'gpu_worker.py:693' : 'gpu_worker.py:298', `Available KV cache memory: ${kvGib} GiB`);
  const kvSize = `GPU KV cache size: ${thousands(profile.kvCacheTokens)} tokens`;
  const concurrency = `Maximum concurrency for ${thousands(profile.maxModelLen)} tokens per request: ${profile.maxConcurrency.toFixed(2)}x`;
  if (new31) {
    log.engine('INFO', 'kv_cache_utils.py:2464', `${kvSize}, ${concurrency}`);
  } else {
    log.engine('INFO', 'kv_cache_utils.py:1087', kvSize);
    log.engine('INFO', 'kv_cache_utils.py:1091', concurrency);
  }

  // CUDA graphs are captured once the KV cache is sized (model_runner.py), again unless eager.
  if (new31 && !args.enforceEager) {
    await at(0.8);
    log.engine('INFO', 'model_runner.py:1088', `Graph capturing finished in ${Math.max(1, Math.round(elapsed() * 0.05))} secs, took 0.43 GiB`);
  }

  await at(0.85);
  const took = `init engine (profile, create kv cache, warmup model) took ${elapsed().toFixed(2)}`;
  log.engine('INFO', new31 ? 'core.py:380' : 'core.py:210', new31 ? `${took} s` : `${took} seconds`);

  await at(0.9);
  await ctx.startApiServer?.();
  await at(1);
}

/**
 * vLLM 0.31's format_gib: Python's `str(round(x, 2))` (`13.7`, `100.0`).
 * @param {number} gib
 */
function formatGib(gib) {
  const r = Math.round(gib * 100) / 100;
  return Number.isInteger(r) ? r.toFixed(1) : String(r);
}

/**
 * vLLM 0.31's version banner: the monochrome ASCII logo (a container's stdout is no TTY, so no
 * colour), or its one-line form with VLLM_DISABLE_LOG_LOGO=1.
 * @param {string} version
 * @param {string} model
 * @param {boolean} logo
 */
function versionBanner(version, model, logo) {
  if (!logo) return `vLLM server version ${version}, serving model ${model}`;
  return `\n       █     █     █▄   ▄█\n`
    + ` ▄▄ ▄█ █     █     █ ▀▄▀ █  version ${version}\n`
    + `  █▄█▀ █     █     █     █  model   ${model}\n`
    + `   ▀▀  ▀▀▀▀▀ ▀▀▀▀▀ ▀     ▀\n`;
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
