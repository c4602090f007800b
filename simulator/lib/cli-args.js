// @ts-check
'use strict';

const { vllmProfile } = require('./vllm-profiles');

/**
 * Parses vLLM's command line.
 *
 * Two invocations reach the simulator, and both arrive here as the same argv:
 *  - `vllm serve MODEL [flags]` (NVIDIA's `nvcr.io/nvidia/vllm` image: the compose command is the
 *    whole `vllm serve ...` line);
 *  - the `vllm/vllm-openai` image, whose entrypoint is `vllm serve`, so the compose command is only
 *    `MODEL [flags]` or `--model MODEL [flags]`.
 *
 * Like vLLM's FlexibleArgumentParser it accepts `--flag value`, `--flag=value` and underscores in
 * flag names (`--max_model_len`). Flags the simulator does not model are accepted and reported in
 * `ignored`, so the real compose files run unchanged.
 */

/** Default model of `vllm serve` when neither MODEL nor --model is given (vLLM 0.11). */
const DEFAULT_MODEL = 'Qwen/Qwen3-0.6B';

/** `--tool-call-parser` choices of the default vLLM version (each profile has its own). */
const TOOL_CALL_PARSERS = vllmProfile(undefined).toolCallParsers;

/** Flags the simulator honours that take one value, with the option key they set. */
const VALUE_FLAGS = Object.freeze({
  '--model': 'model',
  '--host': 'host',
  '--port': 'port',
  '--max-model-len': 'maxModelLen',
  '--gpu-memory-utilization': 'gpuMemoryUtilization',
  '--tensor-parallel-size': 'tensorParallelSize',
  '--kv-cache-dtype': 'kvCacheDtype',
  '--tool-call-parser': 'toolCallParser',
  // With one, the reply may reason first (SIM_REASONING_TOKENS) and 0.31 reports reasoning_tokens.
  '--reasoning-parser': 'reasoningParser',
  '--max-num-seqs': 'maxNumSeqs',
});

/** Short aliases vLLM defines. */
const ALIASES = Object.freeze({ '-tp': '--tensor-parallel-size' });

/** Boolean flags the simulator honours. */
const BOOLEAN_FLAGS = Object.freeze({
  '--enable-auto-tool-choice': ['enableAutoToolChoice', true],
  '--disable-uvicorn-access-log': ['disableAccessLog', true],
  '--disable-log-stats': ['disableLogStats', true],
  '--enable-prefix-caching': ['enablePrefixCaching', true],
  '--no-enable-prefix-caching': ['enablePrefixCaching', false],
  // Without it vLLM compiles (torch.compile) and captures CUDA graphs at start-up; the log says so.
  '--enforce-eager': ['enforceEager', true],
});

/**
 * vLLM flags that take no value and that the simulator ignores. Needed so that a following
 * positional MODEL is not swallowed as the flag's value. Any `--no-*` flag is boolean too.
 */
const IGNORED_BOOLEAN_FLAGS = new Set([
  '--trust-remote-code', '--disable-log-requests', '--enable-log-requests',
  '--enable-chunked-prefill', '--async-scheduling', '--disable-custom-all-reduce',
  '--enable-expert-parallel', '--disable-frontend-multiprocessing', '--enable-lora',
  '--enable-prompt-tokens-details', '--enable-force-include-usage', '--enable-server-load-tracking',
  '--headless', '--disable-fastapi-docs', '--enable-request-id-headers', '--enable-log-outputs',
  '--skip-tokenizer-init', '--enable-sleep-mode', '--disable-sliding-window',
  '--disable-cascade-attn', '--enable-tokenizer-info-endpoint', '--return-tokens-as-token-ids',
  '--enable-prompt-embeds', '--enable-eplb', '--enable-dbo', '--use-tqdm-on-load',
  '--disable-mm-preprocessor-cache', '--ssl-cert-reqs-none',
]);

/**
 * @typedef {object} ServeArgs
 * @property {string} model              model path or Hugging Face id (MODEL / --model)
 * @property {[string, ...string[]]} servedModelNames names clients use; defaults to [model]
 * @property {string | undefined} host   undefined = all interfaces (vLLM's default)
 * @property {number} port
 * @property {number | undefined} maxModelLen undefined = the model's own context length
 * @property {number} gpuMemoryUtilization
 * @property {number} tensorParallelSize
 * @property {string} kvCacheDtype
 * @property {boolean} enableAutoToolChoice
 * @property {string | undefined} toolCallParser
 * @property {string | undefined} reasoningParser  `--reasoning-parser` (any name; not checked)
 * @property {number} maxNumSeqs
 * @property {boolean} disableAccessLog
 * @property {boolean} disableLogStats
 * @property {boolean} enforceEager     no compile warm-up and no CUDA graphs at start-up
 * @property {boolean} enablePrefixCaching
 * @property {Record<string, unknown>} nonDefault flags given explicitly (for the start-up log)
 * @property {string[]} ignored          flags accepted but not simulated, as given
 * @property {Record<string, string>} sim `--sim-*` flags as SIM_* environment names
 * @property {string[]} apiKeys         `--api-key KEY [KEY ...]` (never logged)
 */

/** @typedef {{ command: 'serve', args: ServeArgs } | { command: 'version' } | { command: 'help' }} ParsedCommand */

/** A command-line error; vLLM's argparse exits with code 2 on these. */
class CliError extends Error {
  /** @param {string} message */
  constructor(message) {
    super(message);
    this.name = 'CliError';
    this.exitCode = 2;
  }
}

/**
 * Parses the argv that follows the `vllm` program name.
 * @param {readonly string[]} argv e.g. `['serve', 'openai/gpt-oss-20b', '--port', '8000']`
 * @param {readonly string[]} [toolCallParsers] the imitated version's `--tool-call-parser` choices
 * @returns {ParsedCommand}
 * @throws {CliError} on an unknown subcommand or a malformed value
 */
function parseCommandLine(argv, toolCallParsers = TOOL_CALL_PARSERS) {
  const [first, ...rest] = argv;
  if (first === undefined || first === '-h' || first === '--help') return { command: 'help' };
  if (first === '-v' || first === '--version' || first === 'version') return { command: 'version' };
  if (first !== 'serve') {
    throw new CliError(`argument subparser: invalid choice: '${first}' (choose from 'serve', '--version')`);
  }
  if (rest.includes('-h') || rest.includes('--help')) return { command: 'help' };
  return { command: 'serve', args: parseServeArgs(rest, toolCallParsers) };
}

/**
 * Parses the arguments of `vllm serve` (everything after `serve`).
 * @param {readonly string[]} argv
 * @param {readonly string[]} [toolCallParsers] the imitated version's `--tool-call-parser` choices
 * @returns {ServeArgs}
 */
function parseServeArgs(argv, toolCallParsers = TOOL_CALL_PARSERS) {
  /** @type {Record<string, string>} */
  const raw = {};
  /** @type {string[]} */
  const positionals = [];
  /** @type {[string, ...string[]] | undefined} */
  let servedModelNames;
  /** @type {Record<string, boolean>} */
  const booleans = {};
  /** @type {string[]} */
  const ignored = [];
  /** @type {Record<string, string>} */
  const sim = {};
  /** @type {string[]} */
  const apiKeys = [];

  for (let i = 0; i < argv.length; i++) {
    const token = /** @type {string} */ (argv[i]);
    if (!token.startsWith('-') || token === '-') {
      positionals.push(token);
      continue;
    }
    const eq = token.indexOf('=');
    const given = eq > 0 && token.startsWith('--') ? token.slice(0, eq) : token;
    const inlineValue = eq > 0 && token.startsWith('--') ? token.slice(eq + 1) : undefined;
    const flag = normaliseFlag(given);

    /** Takes the flag's value: inline, else the next token if it is not a flag. */
    const takeValue = () => {
      if (inlineValue !== undefined) return inlineValue;
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith('--') && next.length > 2)) {
        throw new CliError(`argument ${flag}: expected one argument`);
      }
      i++;
      return next;
    };

    /** nargs="+" in vLLM: the inline value, or every following token up to the next flag. */
    const takeValues = () => {
      /** @type {string[]} */
      const values = [];
      if (inlineValue !== undefined) values.push(inlineValue);
      else {
        for (let next = argv[i + 1]; next !== undefined && !next.startsWith('-'); next = argv[i + 1]) {
          values.push(next);
          i++;
        }
      }
      if (values.length === 0) throw new CliError(`argument ${flag}: expected at least one argument`);
      return /** @type {[string, ...string[]]} */ (values);
    };

    if (flag === '--api-key') {
      // Any of the keys is accepted; kept out of the logged arguments.
      apiKeys.push(...takeValues());
    } else if (flag === '--served-model-name') {
      servedModelNames = takeValues();
    } else if (flag in VALUE_FLAGS) {
      raw[VALUE_FLAGS[/** @type {keyof typeof VALUE_FLAGS} */ (flag)]] = takeValue();
    } else if (flag in BOOLEAN_FLAGS) {
      const [key, value] = BOOLEAN_FLAGS[/** @type {keyof typeof BOOLEAN_FLAGS} */ (flag)];
      booleans[/** @type {string} */ (key)] = /** @type {boolean} */ (value);
    } else if (flag.startsWith('--sim-')) {
      sim[`SIM_${flag.slice('--sim-'.length).replace(/-/g, '_').toUpperCase()}`] = takeValue();
    } else if (IGNORED_BOOLEAN_FLAGS.has(flag) || flag.startsWith('--no-')) {
      ignored.push(given);
    } else {
      // Unknown to the simulator: a vLLM flag with a value unless the next token is a flag.
      const next = argv[i + 1];
      const hasValue = inlineValue !== undefined || (next !== undefined && !next.startsWith('--'));
      ignored.push(hasValue ? `${given} ${inlineValue ?? next}` : given);
      if (hasValue && inlineValue === undefined) i++;
    }
  }

  if (positionals.length > 1) {
    throw new CliError(`unrecognized arguments: ${positionals.slice(1).join(' ')}`);
  }
  const model = positionals[0] ?? raw.model ?? DEFAULT_MODEL;
  const toolCallParser = raw.toolCallParser;
  if (toolCallParser !== undefined && !toolCallParsers.includes(toolCallParser)) {
    // vLLM rejects this in validate_parsed_serve_args before the engine starts.
    throw new CliError(
      `invalid tool call parser: ${toolCallParser} (chose from { ${toolCallParsers.join(',')} })`);
  }

  /** @type {Omit<ServeArgs, 'nonDefault'>} */
  const parsed = {
    model,
    servedModelNames: servedModelNames ?? [model],
    host: raw.host === undefined || raw.host === '' ? undefined : raw.host,
    port: raw.port === undefined ? 8000 : parseIntFlag('--port', raw.port, 0, 65535),
    maxModelLen: raw.maxModelLen === undefined ? undefined : parseModelLen(raw.maxModelLen),
    gpuMemoryUtilization: raw.gpuMemoryUtilization === undefined
      ? 0.9 : parseFraction('--gpu-memory-utilization', raw.gpuMemoryUtilization),
    tensorParallelSize: raw.tensorParallelSize === undefined
      ? 1 : parseIntFlag('--tensor-parallel-size', raw.tensorParallelSize, 1, 1024),
    kvCacheDtype: raw.kvCacheDtype ?? 'auto',
    enableAutoToolChoice: booleans.enableAutoToolChoice ?? false,
    toolCallParser,
    reasoningParser: raw.reasoningParser === undefined || raw.reasoningParser === '' ? undefined : raw.reasoningParser,
    maxNumSeqs: raw.maxNumSeqs === undefined ? 256 : parseIntFlag('--max-num-seqs', raw.maxNumSeqs, 1, 1 << 20),
    disableAccessLog: booleans.disableAccessLog ?? false,
    disableLogStats: booleans.disableLogStats ?? false,
    enforceEager: booleans.enforceEager ?? false,
    enablePrefixCaching: booleans.enablePrefixCaching ?? true,
    ignored,
    sim,
    apiKeys,
  };

  // What vLLM logs as "non-default args": the options given explicitly, with parsed values.
  /** @type {Record<string, unknown>} */
  const nonDefault = {};
  if (positionals[0] !== undefined) nonDefault.model_tag = positionals[0];
  nonDefault.model = model;
  for (const key of [...Object.keys(raw), ...Object.keys(booleans)]) {
    if (key !== 'model') nonDefault[snake(key)] = parsed[/** @type {keyof typeof parsed} */ (key)];
  }
  if (servedModelNames) nonDefault.served_model_name = servedModelNames;
  return { ...parsed, nonDefault };
}

/**
 * `--Max_Model_Len` → `--max-model-len`; aliases resolved.
 * @param {string} flag
 */
function normaliseFlag(flag) {
  if (flag in ALIASES) return ALIASES[/** @type {keyof typeof ALIASES} */ (flag)];
  return flag.startsWith('--') ? `--${flag.slice(2).replace(/_/g, '-')}` : flag;
}

/** @param {string} key camelCase option key */
function snake(key) {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/**
 * @param {string} flag
 * @param {string} value
 * @param {number} min
 * @param {number} max
 */
function parseIntFlag(flag, value, min, max) {
  if (!/^\d+$/.test(value)) throw new CliError(`argument ${flag}: invalid int value: '${value}'`);
  const n = Number(value);
  if (n < min || n > max) throw new CliError(`argument ${flag}: ${value} is not between ${min} and ${max}`);
  return n;
}

/**
 * `--max-model-len` accepts `8192`, `8k`, `1m` like vLLM's human-readable parser.
 * @param {string} value
 */
function parseModelLen(value) {
  const m = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(value);
  if (!m) throw new CliError(`argument --max-model-len: invalid human_readable_int value: '${value}'`);
  const unit = m[2] === 'k' ? 1000 : m[2] === 'K' ? 1024 : m[2] === 'm' ? 1e6 : m[2] === 'M' ? 1 << 20 : 1;
  const n = Math.round(Number(m[1]) * unit);
  if (n < 1) throw new CliError(`argument --max-model-len: must be positive, got ${value}`);
  return n;
}

/**
 * @param {string} flag
 * @param {string} value
 */
function parseFraction(flag, value) {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new CliError(`argument ${flag}: invalid float value: '${value}'`);
  if (n <= 0 || n > 1) throw new CliError(`argument ${flag}: must be in (0, 1], got ${value}`);
  return n;
}

const USAGE = `usage: vllm serve [model_tag] [options]

Spark Gateway vLLM simulator: a test double of vLLM's OpenAI-compatible server (no GPU).
Honoured options: --model, --served-model-name NAME [NAME ...], --host, --port (default 8000),
  --api-key KEY [KEY ...] (else VLLM_API_KEY),
  --max-model-len, --gpu-memory-utilization, --tensor-parallel-size/-tp, --kv-cache-dtype,
  --enable-auto-tool-choice, --tool-call-parser, --reasoning-parser, --max-num-seqs, --disable-uvicorn-access-log,
  --disable-log-stats, --[no-]enable-prefix-caching, --sim-<setting> VALUE (same as SIM_<SETTING>).
Other vLLM options are accepted and ignored. Settings: SIM_LOAD_SECONDS, SIM_TOKENS_PER_SECOND,
  SIM_FAULT, SIM_HOLD_MEMORY_MB, SIM_SHARDS, ... (see simulator/README.md).
`;

module.exports = {
  parseCommandLine, parseServeArgs, CliError, DEFAULT_MODEL, TOOL_CALL_PARSERS, USAGE,
};
