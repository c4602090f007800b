// @ts-check
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { parseCommandLine, CliError, USAGE } = require('./cli-args');
const { readSettings, SettingsError } = require('./settings');
const { createLogger } = require('./log');
const { FaultState } = require('./faults');
const { modelProfile } = require('./model-profile');
const { runStartup, StartupError } = require('./startup-log');
const { Engine } = require('./engine');
const { createSimulatorServer } = require('./server');
const { startStatsLog } = require('./stats-log');
const { MemoryBallast } = require('./memory-ballast');
const { vllmProfile, UnknownVersionError } = require('./vllm-profiles');
const { emulateDownload, findSnapshot, hubCacheDir, writesCache } = require('./hf-cache');
const { apiKeyDigests } = require('./auth');

/**
 * Composition root of `vllm` (the simulator): parse the command line and settings, play the
 * start-up sequence, then listen — only after "loading", like vLLM, whose port refuses
 * connections until the engine is up — and shut down on SIGTERM/SIGINT like vLLM/uvicorn.
 *
 * Exit codes: 0 after SIGTERM/SIGINT; 1 on a start-up failure vLLM would also die of (tensor
 * parallel size not dividing the heads, not enough memory with SIM_ENFORCE_MEMORY=1, port in use)
 * and on the die-mid-stream fault; 2 on a command-line or settings error.
 *
 * @param {readonly string[]} argv arguments after the program name
 * @param {Readonly<Record<string, string | undefined>>} env
 */
async function main(argv, env) {
  let vllm;
  try {
    vllm = vllmProfile(env.VLLM_VERSION);
  } catch (err) {
    if (!(err instanceof UnknownVersionError)) throw err;
    process.stderr.write(`vllm simulator: ${err.message}\n`);
    process.exit(2);
  }
  let parsed;
  try {
    parsed = parseCommandLine(argv, vllm.toolCallParsers);
  } catch (err) {
    if (!(err instanceof CliError)) throw err;
    process.stderr.write(`${USAGE}vllm serve: error: ${err.message}\n`);
    process.exit(err.exitCode);
  }
  if (parsed.command === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  if (parsed.command === 'version') {
    process.stdout.write(`${vllm.version}\n`);
    return;
  }
  const { args } = parsed;

  let settings;
  try {
    settings = readSettings(env, args.sim);
  } catch (err) {
    if (!(err instanceof SettingsError)) throw err;
    process.stderr.write(`vllm simulator: ${err.message}\n`);
    process.exit(2);
  }

  const v = settings.vllm;
  const log = createLogger(process.stdout, {
    debug: (env.VLLM_LOGGING_LEVEL ?? '').toUpperCase() === 'DEBUG',
    prefixEveryLine: v.prefixEveryLine,
    engineProcess: v.engineProcess,
  });
  const faults = new FaultState(settings.fault);
  const profile = modelProfile(args, settings);
  const ballast = new MemoryBallast(settings.holdMemoryMb);

  /** @type {import('node:http').Server | undefined} */
  let server;
  let shuttingDown = false;
  const shutdown = (/** @type {string} */ signal) => {
    if (shuttingDown) return;
    shuttingDown = true;
    log.api('INFO', 'launcher.py:99', `Shutting down FastAPI HTTP server (${signal}).`);
    log.uvicorn('Shutting down');
    log.uvicorn('Waiting for application shutdown.');
    log.uvicorn('Application shutdown complete.');
    log.uvicorn(`Finished server process [${process.pid}]`);
    if (server) {
      server.close();
      server.closeAllConnections();
    }
    // Let stdout drain, then exit promptly (Docker's stop timeout must not be needed).
    setTimeout(() => process.exit(0), 20);
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

  const engine = new Engine({
    tokensPerSecond: settings.tokensPerSecond,
    maxNumSeqs: args.maxNumSeqs,
    kvCacheTokens: profile.kvCacheTokens,
    enablePrefixCaching: args.enablePrefixCaching,
  });
  const onFatal = (/** @type {string} */ reason) => {
    log.engine('ERROR', 'core.py:710', `EngineCore encountered a fatal error (simulated fault ${reason}).`);
    log.api('ERROR', 'async_llm.py:480', 'AsyncLLM output_handler failed.');
    log.raw('vllm.v1.engine.exceptions.EngineDeadError: EngineCore encountered an issue. See stack trace (above) for the root cause.');
    setTimeout(() => process.exit(1), 50);
  };
  const apiKeys = apiKeyDigests(args.apiKeys, env.VLLM_API_KEY);
  const created = createSimulatorServer({ args, settings, profile, engine, faults, log, onFatal, apiKeys });
  const http = created.server;
  server = http;
  http.on('error', (err) => {
    log.api('ERROR', 'launcher.py:80', `[Errno 98] error while attempting to bind on address (${args.host ?? '0.0.0.0'}, ${args.port}): ${err.message}`);
    process.exit(1);
  });
  /** Binds the port once the engine is up and logs the API server's lines; requests wait for uvicorn's start. */
  const startApiServer = () => new Promise((resolve) => {
    http.listen({ port: args.port, host: args.host }, () => {
      const address = http.address();
      const port = address && typeof address === 'object' ? address.port : args.port;
      const url = `http://${args.host ?? '0.0.0.0'}:${port}`;
      if (v.line === '0.31') log.api('INFO', 'entry.py:136', `Starting vLLM server on ${url}`);
      else log.api('INFO', 'api_server.py:1971', `Starting vLLM API server 0 on ${url}`);
      // launcher.py's line numbers: 0.31's read from its source (a running 0.31 logs the same).
      const [routesLine, routeLine] = v.line === '0.31' ? ['launcher.py:60', 'launcher.py:69'] : ['launcher.py:37', 'launcher.py:45'];
      log.api('INFO', routesLine, 'Available routes are:');
      for (const [route, method] of [['/health', 'GET'], ['/load', 'GET'], ['/ping', 'GET, POST'], ['/v1/models', 'GET'],
        ['/version', 'GET'], ['/metrics', 'GET'], ['/v1/chat/completions', 'POST'], ['/v1/completions', 'POST']]) {
        log.api('INFO', routeLine, `Route: ${route}, Methods: ${method}`);
      }
      resolve(undefined);
    });
  });

  // As vLLM: a model named by a repository id is looked up in the Hugging Face cache; absent,
  // it is downloaded (emulated: written into the cache only in the simulator's image, whose cache
  // is the host's mount; elsewhere the download is a silent wait).
  const hub = hubCacheDir();
  const byRepo = !path.isAbsolute(args.model) && !fs.existsSync(args.model);
  const weights = !byRepo ? undefined : findSnapshot(hub, args.model) ? 'cached'
    : writesCache() ? async (/** @type {number} */ ms) => {
      await emulateDownload({ hub, repo: args.model, totalBytes: settings.downloadMib * 1024 * 1024, shards: settings.shards, ms, sleep: (t) => new Promise((r) => setTimeout(r, t)) });
    } : undefined;
  try {
    await runStartup({ args, settings, profile, log, onShardLoaded: (k, n) => ballast.load(k, n), startApiServer, weights });
  } catch (err) {
    if (!(err instanceof StartupError)) throw err;
    log.engine('ERROR', 'core.py:708', `EngineCore failed to start.\n${err.exceptionType}: ${err.message}`);
    log.raw('RuntimeError: Engine core initialization failed. See root cause above. Failed core proc(s): {}');
    process.exitCode = 1;
    return;
  }
  if (shuttingDown) return;
  log.uvicorn(`Started server process [${process.pid}]`);
  log.uvicorn('Waiting for application startup.');
  log.uvicorn('Application startup complete.');
  created.open();
  if (!args.disableLogStats) startStatsLog(engine, log, settings.statsIntervalSeconds, v);
}

module.exports = { main };
