// @ts-check
'use strict';

const { parseFault } = require('./faults');
const { vllmProfile, UnknownVersionError } = require('./vllm-profiles');

/**
 * Simulator settings. Read from SIM_* environment variables (preferred, because the compose files
 * are shared with real vLLM), overridden by `--sim-*` flags on the command line.
 *
 * @typedef {object} Settings
 * @property {number} loadSeconds           start-up time before the port listens (SIM_LOAD_SECONDS)
 * @property {number} tokensPerSecond       generation pace per request (SIM_TOKENS_PER_SECOND)
 * @property {import('./faults').FaultName} fault initial fault (SIM_FAULT)
 * @property {number} holdMemoryMb          memory allocated and held, like weights (SIM_HOLD_MEMORY_MB)
 * @property {number} shards                checkpoint shards "loaded" at start-up (SIM_SHARDS)
 * @property {number} statsIntervalSeconds  period of the stats log line (SIM_STATS_INTERVAL_SECONDS)
 * @property {number} responseTokens        0 = natural reply length; N = every reply has N tokens (SIM_RESPONSE_TOKENS)
 * @property {number} totalMemoryGib        memory of the simulated GPU (SIM_TOTAL_MEMORY_GIB)
 * @property {number | undefined} weightsGib weights size; undefined = known model table (SIM_WEIGHTS_GIB)
 * @property {boolean} enforceMemory        exit like vLLM when weights + KV cache do not fit (SIM_ENFORCE_MEMORY)
 * @property {number} downloadSeconds       silent "download" after the load starts, on top of loadSeconds (SIM_DOWNLOAD_SECONDS)
 * @property {number} downloadMib           made-up bytes that download writes into a container's mounted cache (SIM_DOWNLOAD_MIB)
 * @property {number} reasoningTokens       reasoning words a gpt-oss model, or one served with --reasoning-parser, streams before its answer (SIM_REASONING_TOKENS)
 * @property {import('./vllm-profiles').VllmProfile} vllm the imitated vLLM version (VLLM_VERSION)
 * @property {boolean} logo                 0.31's ASCII logo; false with VLLM_DISABLE_LOG_LOGO=1, as in vLLM
 */

/** @type {Readonly<Omit<Settings, 'weightsGib' | 'vllm' | 'logo'>>} */
const DEFAULTS = Object.freeze({
  loadSeconds: 3,
  tokensPerSecond: 50,
  fault: 'none',
  holdMemoryMb: 0,
  shards: 5,
  statsIntervalSeconds: 10,
  responseTokens: 0,
  totalMemoryGib: 128,
  enforceMemory: false,
  downloadSeconds: 0,
  downloadMib: 32,
  reasoningTokens: 0,
});

/** An invalid setting; the message names the variable. */
class SettingsError extends Error {
  /** @param {string} message */
  constructor(message) {
    super(message);
    this.name = 'SettingsError';
  }
}

/**
 * @param {Readonly<Record<string, string | undefined>>} env process environment
 * @param {Readonly<Record<string, string>>} [flags] `--sim-*` flags as SIM_* names
 * @returns {Settings}
 * @throws {SettingsError}
 */
function readSettings(env, flags = {}) {
  /** @param {string} name */
  const get = (name) => {
    const value = flags[name] ?? env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  };
  /**
   * @param {string} name
   * @param {number} fallback
   * @param {{ min: number, integer?: boolean, positive?: boolean }} rule
   */
  const num = (name, fallback, rule) => {
    const text = get(name);
    if (text === undefined) return fallback;
    const n = Number(text);
    const ok = Number.isFinite(n) && n >= rule.min && (!rule.integer || Number.isInteger(n))
      && (!rule.positive || n > 0);
    if (!ok) {
      const kind = rule.integer ? 'an integer' : 'a number';
      const bound = rule.positive ? '> 0' : `>= ${rule.min}`;
      throw new SettingsError(`${name}=${text} is invalid: expected ${kind} ${bound}`);
    }
    return n;
  };

  const faultText = get('SIM_FAULT');
  const fault = faultText === undefined ? DEFAULTS.fault : parseFault(faultText);
  if (fault === undefined) {
    throw new SettingsError(
      `SIM_FAULT=${faultText} is invalid: expected none, fail, hang, die-mid-stream or fail-health`);
  }
  const weightsText = get('SIM_WEIGHTS_GIB');
  const enforce = get('SIM_ENFORCE_MEMORY');
  if (enforce !== undefined && !/^(0|1|true|false)$/i.test(enforce)) {
    throw new SettingsError(`SIM_ENFORCE_MEMORY=${enforce} is invalid: expected 1 or 0`);
  }

  let vllm;
  try {
    vllm = vllmProfile(env.VLLM_VERSION);
  } catch (err) {
    if (!(err instanceof UnknownVersionError)) throw err;
    throw new SettingsError(err.message);
  }
  const noLogo = (env.VLLM_DISABLE_LOG_LOGO ?? '').trim();

  return {
    loadSeconds: num('SIM_LOAD_SECONDS', DEFAULTS.loadSeconds, { min: 0 }),
    tokensPerSecond: num('SIM_TOKENS_PER_SECOND', DEFAULTS.tokensPerSecond, { min: 0, positive: true }),
    fault,
    holdMemoryMb: num('SIM_HOLD_MEMORY_MB', DEFAULTS.holdMemoryMb, { min: 0, integer: true }),
    shards: num('SIM_SHARDS', DEFAULTS.shards, { min: 1, integer: true }),
    statsIntervalSeconds: num('SIM_STATS_INTERVAL_SECONDS', DEFAULTS.statsIntervalSeconds, { min: 0, positive: true }),
    responseTokens: num('SIM_RESPONSE_TOKENS', DEFAULTS.responseTokens, { min: 0, integer: true }),
    totalMemoryGib: num('SIM_TOTAL_MEMORY_GIB', DEFAULTS.totalMemoryGib, { min: 0, positive: true }),
    weightsGib: weightsText === undefined ? undefined : num('SIM_WEIGHTS_GIB', 0, { min: 0 }),
    enforceMemory: enforce !== undefined && /^(1|true)$/i.test(enforce),
    downloadSeconds: num('SIM_DOWNLOAD_SECONDS', DEFAULTS.downloadSeconds, { min: 0 }),
    downloadMib: num('SIM_DOWNLOAD_MIB', DEFAULTS.downloadMib, { min: 0, integer: true }),
    reasoningTokens: num('SIM_REASONING_TOKENS', DEFAULTS.reasoningTokens, { min: 0, integer: true }),
    vllm,
    // vLLM reads it as bool(int(...)): any non-zero integer disables the logo.
    logo: !(noLogo !== '' && Number(noLogo) !== 0),
  };
}

module.exports = { readSettings, SettingsError, DEFAULTS };
