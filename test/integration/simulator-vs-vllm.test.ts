/**
 * The simulator answers like vLLM (issue [real-vllm] item 5): one real vLLM 0.31 (its CPU build,
 * serving the tiny random-weight Qwen3) and one simulator with the same served name and flags get
 * the same requests — the model list, chat plain and streamed (with and without the usage chunk),
 * a forced tool call streamed and not, reasoning, text completions, error bodies, /health,
 * /version, /load, /metrics — and their start-up logs are read side by side. What is compared is
 * the SHAPE, not the content: status codes, content types, JSON keys and value types
 * (recursively; arrays by the shapes of their items), the order of the streamed chunk kinds
 * (role → content/reasoning/tool-call deltas → finish → usage → [DONE]) and each kind's shape, the
 * values that are protocol rather than text (finish_reason, error type/param/code, object names,
 * id formats), the metric families, TYPEs, HELP texts and label sets of every name the simulator
 * exposes, and the start-up milestones in order with their logger source and process.
 *
 * Every difference either is fixed in the simulator or stands in KNOWN below with its reason, so a
 * new difference fails and names the request, the path and both shapes; a KNOWN entry that no
 * longer differs fails too, so the list stays true. simulator/README.md lists the same known
 * differences. The CPU build differs from the GPU vLLM the simulator imitates in a few start-up
 * lines and metric families; those are known, not fixed.
 *
 * Random weights need help to be predictable (FACTS.md "Real vLLM on CPU"): plain requests forbid
 * the end-of-sequence, <think> and <tool_call> tokens (so they always run to max_tokens with
 * finish_reason "length" and no reasoning), the tool requests suppress whitespace-only tokens and
 * push the end-of-sequence token, which vLLM's guided decoding only lets through once the
 * call's JSON is complete (so "stop" for a named function, "tool_calls" for "required").
 * Skipped without the vLLM venv; about 1–2 minutes, most of it vLLM's start.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { LoadPhase } from '../../src/core/logs/vllm-progress';
import { advanceProgress, INITIAL_PROGRESS } from '../../src/core/logs/vllm-progress';
import type { RealVllm } from '../support/real-vllm';
import { missingRealVllm, startRealVllm } from '../support/real-vllm';
import type { Simulator } from '../support/simulator';
import { startSimulator } from '../support/simulator';
import type { TinyModel, TinyModels } from '../support/tiny-models';
import { missingTinyModels, tinyModels, toolCallBias } from '../support/tiny-models';

/**
 * Differences that stay, each with its reason. `where` is a request name (or `start log` /
 * `metrics`), `path` where in it, `real` and `sim` the two sides as the comparison prints them.
 */
interface Known {
  readonly where: string;
  readonly path: string;
  readonly real: string;
  readonly sim: string;
  readonly why: string;
}

const KNOWN: readonly Known[] = [
  // The simulator says what it is before anything else.
  { where: 'start log', path: 'milestone "simulator banner"', real: 'absent', sim: 'present', why: 'the simulator\'s first line says it is a test double, not vLLM' },
  // GPU vs CPU: the simulator imitates vLLM 0.31 on a GPU; the comparison runs the CPU build.
  { where: 'start log', path: 'milestone "V2 model runner"', real: 'absent', sim: 'present', why: 'the CPU build falls back to the V1 model runner (Model Runner V2 needs Triton); 0.31 on a GPU logs "Using V2 Model Runner"' },
  { where: 'start log', path: 'milestone "model loading"', real: 'absent', sim: 'present', why: 'the CPU model runner logs no "Model loading took X GiB memory and Y seconds"; the GPU runner does' },
  { where: 'start log', path: 'milestone "KV cache memory"', real: 'absent', sim: 'present', why: 'the CPU worker takes its KV cache from VLLM_CPU_KVCACHE_SPACE; the GPU worker logs "Available KV cache memory"' },
  { where: 'start log', path: 'milestone "CPU KV cache budget"', real: 'present', sim: 'absent', why: 'the CPU worker\'s "Explicitly set (X/Y) GiB for KV cache on node 0." has no GPU counterpart' },
  { where: 'start log', path: 'milestone "load start".source', real: 'cpu_model_runner.py:69', sim: 'model_runner.py:375', why: 'V1 CPU model runner vs 0.31\'s V2 GPU model runner' },
  { where: 'start log', path: 'milestone "load start".message', real: 'Starting to load model <model>...', sim: 'Loading model from scratch...', why: 'the V1 runner\'s wording vs the V2 runner\'s (the progress parser reads both)' },
  { where: 'start log', path: 'milestone "load start".process', real: 'Worker', sim: 'EngineCore', why: 'the CPU build loads in a separate worker process (multiproc executor); one GPU loads inside EngineCore' },
  { where: 'start log', path: 'milestone "checkpoint filesystem".process', real: 'Worker', sim: 'EngineCore', why: 'as for "load start"' },
  { where: 'start log', path: 'milestone "weights loaded".process', real: 'Worker', sim: 'EngineCore', why: 'as for "load start"' },
  { where: 'start log', path: 'milestone "KV cache size".message', real: 'CPU KV cache size: # tokens, Maximum concurrency for # tokens per request: #x', sim: 'GPU KV cache size: # tokens, Maximum concurrency for # tokens per request: #x', why: 'the device word (the progress parser reads both)' },
  // Bytes, not words: tqdm redraws its bar on stderr with a carriage return first.
  { where: 'start log', path: 'carriage return before the shard bar', real: 'present', sim: 'absent', why: 'tqdm starts each redraw with \\r; the simulator writes plain lines (the project\'s log parser does not anchor on line starts)' },
];

/** What this comparison found and the simulator now does like vLLM 0.31 (printed in the summary). */
const FIXED_IN_SIMULATOR: readonly string[] = [
  'system_fingerprint "vllm-0.31.0-<hash8>" on responses, the finish chunk (no usage chunk) and the usage chunk',
  'null token_ids, routed_experts, prompt_token_ids, prompt_text, ec_transfer_params, metrics fields',
  'usage.completion_tokens_details ({reasoning_tokens} with a --reasoning-parser, else null); no null fields in the usage chunk',
  'the last token rides on the finish chunk when cut at max_tokens',
  'tool-call deltas: content null beside them, the name delta without arguments',
  'finish_reason "stop" for a named tool_choice, content "" for forced calls',
  '--reasoning-parser: reasoning in `reasoning` unless enable_thinking is false; content null when only reasoning came',
  'error params/types: max_tokens too large (param max_tokens), validation errors ("Bad Request", param body.<field>), unknown tool',
  '/metrics: labels sorted by name, finished_reason order, content type version=1.0.0',
  'start lines: api_utils.py:347, core.py:129, launcher.py:60/69, reasoning_parser in the non-default args',
];

// --- shapes -----------------------------------------------------------------------------------

/** A JSON value's shape: a type name, the distinct shapes of an array's items, or an object's keys' shapes. */
type Shape = string | readonly Shape[] | { readonly [key: string]: Shape };

function shapeOf(value: unknown): Shape {
  if (value === null) return 'null';
  if (Array.isArray(value)) {
    const distinct = new Map<string, Shape>();
    for (const item of value) {
      const shape = shapeOf(item);
      distinct.set(JSON.stringify(shape), shape);
    }
    return [...distinct.values()];
  }
  if (typeof value === 'object') {
    const object = value as Record<string, unknown>;
    return Object.fromEntries(Object.keys(object).sort().map((key) => [key, shapeOf(object[key])]));
  }
  return typeof value;
}

const show = (shape: Shape | undefined): string => (shape === undefined ? 'absent' : JSON.stringify(shape));

interface Difference {
  readonly where: string;
  readonly path: string;
  readonly real: string;
  readonly sim: string;
}

/** Appends where `real` and `sim` differ, key by key (an array with one item shape each is entered). */
function diffShapes(where: string, real: Shape, sim: Shape, at: string, out: Difference[]): void {
  if (show(real) === show(sim)) return;
  const isObject = (s: Shape): s is { readonly [key: string]: Shape } => typeof s === 'object' && !Array.isArray(s);
  if (isObject(real) && isObject(sim)) {
    for (const key of [...new Set([...Object.keys(real), ...Object.keys(sim)])].sort()) {
      const r = real[key];
      const s = sim[key];
      if (r === undefined || s === undefined) out.push({ where, path: `${at}.${key}`, real: show(r), sim: show(s) });
      else diffShapes(where, r, s, `${at}.${key}`, out);
    }
    return;
  }
  if (Array.isArray(real) && Array.isArray(sim) && real.length === 1 && sim.length === 1) {
    diffShapes(where, real[0] as Shape, sim[0] as Shape, `${at}[]`, out);
    return;
  }
  out.push({ where, path: at || '(body)', real: show(real), sim: show(sim) });
}

/** The value at a dotted path (`choices.0.finish_reason`). */
function valueAt(value: unknown, dotted: string): unknown {
  let current = value;
  for (const key of dotted.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** An id's form: hex runs replaced by their length (`chatcmpl-<hex16>`), so two random ids compare equal. */
const idForm = (value: unknown): string => (typeof value === 'string' ? value.replace(/[0-9a-f]{8,}/g, (hex) => `<hex${hex.length}>`) : show(shapeOf(value)));

// --- requests ---------------------------------------------------------------------------------

interface Answer {
  readonly status: number;
  readonly contentType: string | null;
  readonly text: string;
}

/**
 * One request sent to both. `values`: paths whose values must be equal; `forms`: paths of ids
 * compared by {@link idForm}. In a stream a path starts with the chunk kind it applies to
 * (`finish:choices.0.finish_reason`; `*:` = every chunk).
 */
interface Probe {
  readonly name: string;
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly body?: unknown;
  readonly values?: readonly string[];
  readonly forms?: readonly string[];
}

/** Values and id forms every chat response is held to. */
const CHAT_VALUES = ['object', 'model', 'choices.0.finish_reason', 'choices.0.message.role', 'usage.completion_tokens'];
const CHAT_FORMS = ['id', 'system_fingerprint'];
const STREAM_VALUES = ['*:object', '*:model', 'role:choices.0.delta.role', 'finish:choices.0.finish_reason'];
const STREAM_FORMS = ['*:id', 'finish:system_fingerprint', 'usage:system_fingerprint'];
const ERROR_VALUES = ['error.type', 'error.param', 'error.code'];

function probes(model: TinyModel, plainBias: Record<string, number>, toolBias: Record<string, number>): Probe[] {
  const name = model.name;
  const say = [{ role: 'user', content: 'Say hello to the world' }];
  const off = { enable_thinking: false };
  const plain = { model: name, messages: say, max_tokens: 6, logit_bias: plainBias, chat_template_kwargs: off };
  const think = { ...plain, chat_template_kwargs: { enable_thinking: true } };
  const tool = {
    type: 'function',
    function: {
      name: 'get_weather', description: 'Current weather', strict: true,
      parameters: { type: 'object', properties: { unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } }, required: ['unit'], additionalProperties: false },
    },
  };
  const ask = { model: name, messages: [{ role: 'user', content: 'What is the weather?' }], tools: [tool], max_tokens: 60, logit_bias: toolBias, chat_template_kwargs: off };
  const named = { type: 'function', function: { name: 'get_weather' } };
  const usage = { stream: true, stream_options: { include_usage: true } };
  return [
    { name: 'GET /v1/models', method: 'GET', path: '/v1/models', values: ['object', 'data.0.id', 'data.0.object', 'data.0.owned_by', 'data.0.root', 'data.0.max_model_len', 'data.0.parent'], forms: ['data.0.permission.0.id'] },
    { name: 'chat', method: 'POST', path: '/v1/chat/completions', body: plain, values: [...CHAT_VALUES, 'choices.0.message.reasoning'], forms: CHAT_FORMS },
    { name: 'chat streamed with usage', method: 'POST', path: '/v1/chat/completions', body: { ...plain, ...usage }, values: [...STREAM_VALUES, 'usage:usage.completion_tokens'], forms: STREAM_FORMS },
    { name: 'chat streamed without usage', method: 'POST', path: '/v1/chat/completions', body: { ...plain, max_tokens: 3, stream: true }, values: STREAM_VALUES, forms: STREAM_FORMS },
    { name: 'named tool call streamed', method: 'POST', path: '/v1/chat/completions', body: { ...ask, tool_choice: named, ...usage }, values: [...STREAM_VALUES, 'tool-name:choices.0.delta.tool_calls.0.function.name', 'tool-name:choices.0.delta.tool_calls.0.type', 'tool-name:choices.0.delta.tool_calls.0.index'], forms: [...STREAM_FORMS, 'tool-name:choices.0.delta.tool_calls.0.id'] },
    { name: 'required tool call streamed', method: 'POST', path: '/v1/chat/completions', body: { ...ask, tool_choice: 'required', stream: true }, values: [...STREAM_VALUES, 'tool-name:choices.0.delta.tool_calls.0.function.name'], forms: [...STREAM_FORMS, 'tool-name:choices.0.delta.tool_calls.0.id'] },
    { name: 'named tool call', method: 'POST', path: '/v1/chat/completions', body: { ...ask, tool_choice: named }, values: ['object', 'choices.0.finish_reason', 'choices.0.message.content', 'choices.0.message.tool_calls.0.function.name', 'choices.0.message.tool_calls.0.type'], forms: [...CHAT_FORMS, 'choices.0.message.tool_calls.0.id'] },
    { name: 'required tool call', method: 'POST', path: '/v1/chat/completions', body: { ...ask, tool_choice: 'required' }, values: ['object', 'choices.0.finish_reason', 'choices.0.message.content', 'choices.0.message.tool_calls.0.function.name'], forms: CHAT_FORMS },
    { name: 'reasoning', method: 'POST', path: '/v1/chat/completions', body: think, values: [...CHAT_VALUES, 'choices.0.message.content'], forms: CHAT_FORMS },
    { name: 'reasoning streamed', method: 'POST', path: '/v1/chat/completions', body: { ...think, ...usage }, values: [...STREAM_VALUES, 'usage:usage.completion_tokens'], forms: STREAM_FORMS },
    { name: 'completion', method: 'POST', path: '/v1/completions', body: { model: name, prompt: 'Hello world', max_tokens: 4, logit_bias: plainBias }, values: ['object', 'model', 'choices.0.finish_reason', 'usage.completion_tokens'], forms: CHAT_FORMS },
    { name: 'completion streamed', method: 'POST', path: '/v1/completions', body: { model: name, prompt: 'Hello world', max_tokens: 4, logit_bias: plainBias, ...usage }, values: ['*:object', 'finish:choices.0.finish_reason', 'usage:usage.completion_tokens'], forms: STREAM_FORMS },
    { name: 'unknown model', method: 'POST', path: '/v1/chat/completions', body: { ...plain, model: 'no-such-model' }, values: [...ERROR_VALUES, 'error.message'] },
    { name: 'max_tokens beyond the context', method: 'POST', path: '/v1/chat/completions', body: { ...plain, max_tokens: 5000 }, values: [...ERROR_VALUES, 'error.message'] },
    { name: 'max_tokens 0', method: 'POST', path: '/v1/chat/completions', body: { ...plain, max_tokens: 0 }, values: [...ERROR_VALUES, 'error.message'] },
    { name: 'no messages', method: 'POST', path: '/v1/chat/completions', body: { model: name }, values: [...ERROR_VALUES, 'error.message'] },
    { name: 'body not JSON', method: 'POST', path: '/v1/chat/completions', body: '{not json', values: ERROR_VALUES },
    { name: 'tool_choice naming no tool', method: 'POST', path: '/v1/chat/completions', body: { ...ask, tool_choice: { type: 'function', function: { name: 'nope' } } }, values: [...ERROR_VALUES, 'error.message'] },
    { name: 'unknown route', method: 'GET', path: '/v1/nothing', values: ['detail'] },
    { name: 'GET /health', method: 'GET', path: '/health' },
    { name: 'GET /version', method: 'GET', path: '/version', values: ['version'] },
    { name: 'GET /load', method: 'GET', path: '/load' },
  ];
}

/**
 * The byte-level BPE tokens whose bytes are no complete UTF-8 text (a piece of a multi-byte
 * character). GPT-2's byte-to-character table maps the vocabulary's characters back to bytes.
 */
function partialCharacterTokens(vocab: Readonly<Record<string, number>>): number[] {
  const bytes = [...range(33, 126), ...range(161, 172), ...range(174, 255)];
  const chars = [...bytes];
  for (let b = 0, n = 0; b < 256; b++) {
    if (!bytes.includes(b)) {
      bytes.push(b);
      chars.push(256 + n++);
    }
  }
  const byteOf = new Map(chars.map((c, i) => [String.fromCodePoint(c), bytes[i] as number]));
  const decoder = new TextDecoder('utf-8', { fatal: true });
  return Object.entries(vocab).filter(([token]) => {
    const raw = [...token].map((c) => byteOf.get(c));
    if (raw.some((b) => b === undefined)) return false;
    try {
      decoder.decode(Uint8Array.from(raw as number[]));
      return false;
    } catch {
      return true;
    }
  }).map(([, id]) => id);
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

async function send(base: string, probe: Probe): Promise<Answer> {
  const body = probe.body === undefined ? undefined : typeof probe.body === 'string' ? probe.body : JSON.stringify(probe.body);
  const response = await fetch(`${base}${probe.path}`, {
    method: probe.method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body }),
    signal: AbortSignal.timeout(120_000),
  });
  return { status: response.status, contentType: response.headers.get('content-type'), text: await response.text() };
}

// --- comparing answers ------------------------------------------------------------------------

type Chunk = Record<string, unknown>;

/** The `data:` payloads of an SSE body: JSON chunks, and `[DONE]`. */
function sseChunks(text: string): (Chunk | '[DONE]')[] {
  return text.split('\n\n').map((frame) => frame.trim()).filter((frame) => frame.length > 0).map((frame) => {
    assert.ok(frame.startsWith('data: '), `SSE frame without data: ${frame}`);
    const data = frame.slice('data: '.length);
    return data === '[DONE]' ? '[DONE]' : (JSON.parse(data) as Chunk);
  });
}

/** What a chunk carries: role, content, reasoning, tool-name, tool-arguments, finish, usage (or empty). */
function chunkKind(chunk: Chunk): string {
  const choices = chunk.choices as Record<string, unknown>[] | undefined;
  const choice = choices?.[0];
  if (!choice) return 'usage';
  const delta = (choice.delta ?? {}) as Record<string, unknown>;
  if (choice.finish_reason !== null && choice.finish_reason !== undefined) return 'finish';
  if ('role' in delta) return 'role';
  const calls = delta.tool_calls as Record<string, unknown>[] | undefined;
  if (Array.isArray(calls)) return calls[0]?.id !== undefined ? 'tool-name' : 'tool-arguments';
  if ('reasoning' in delta) return 'reasoning';
  if ('content' in delta || 'text' in choice) return 'content';
  return 'empty';
}

/** The kinds in order, repeats folded: `role content finish usage [DONE]`. */
function kindSequence(chunks: readonly (Chunk | '[DONE]')[]): string {
  const kinds = chunks.map((c) => (c === '[DONE]' ? '[DONE]' : chunkKind(c)));
  return kinds.filter((kind, i) => kind !== kinds[i - 1]).join(' ');
}

/** Every difference between the two answers to `probe`. */
function compareAnswers(probe: Probe, real: Answer, sim: Answer): Difference[] {
  const out: Difference[] = [];
  const where = probe.name;
  if (real.status !== sim.status) out.push({ where, path: 'HTTP status', real: String(real.status), sim: String(sim.status) });
  if (real.contentType !== sim.contentType) out.push({ where, path: 'content-type', real: String(real.contentType), sim: String(sim.contentType) });
  const type = real.contentType ?? '';
  const compareValues = (pick: (dotted: string, form: boolean) => [unknown, unknown]): void => {
    for (const [paths, form] of [[probe.values ?? [], false], [probe.forms ?? [], true]] as const) {
      for (const dotted of paths) {
        const [r, s] = pick(dotted, form);
        const rs = form ? idForm(r) : JSON.stringify(r) ?? 'absent';
        const ss = form ? idForm(s) : JSON.stringify(s) ?? 'absent';
        if (rs !== ss) out.push({ where, path: `${dotted} (value)`, real: rs, sim: ss });
      }
    }
  };
  if (type.startsWith('application/json')) {
    const r = JSON.parse(real.text) as unknown;
    const s = JSON.parse(sim.text) as unknown;
    diffShapes(where, shapeOf(r), shapeOf(s), '', out);
    compareValues((dotted) => [valueAt(r, dotted), valueAt(s, dotted)]);
  } else if (type.startsWith('text/event-stream')) {
    const r = sseChunks(real.text);
    const s = sseChunks(sim.text);
    if (kindSequence(r) !== kindSequence(s)) out.push({ where, path: 'chunk sequence', real: kindSequence(r), sim: kindSequence(s) });
    const byKind = (chunks: readonly (Chunk | '[DONE]')[]): Map<string, Chunk[]> => {
      const map = new Map<string, Chunk[]>();
      for (const chunk of chunks) if (chunk !== '[DONE]') map.set(chunkKind(chunk), [...(map.get(chunkKind(chunk)) ?? []), chunk]);
      return map;
    };
    const rk = byKind(r);
    const sk = byKind(s);
    for (const [kind, chunks] of rk) {
      const other = sk.get(kind);
      if (other) diffShapes(where, shapeOf(chunks), shapeOf(other), `<${kind} chunk>`, out);
    }
    compareValues((spec) => {
      const [kind = '*', dotted = ''] = spec.split(':');
      const pick = (m: Map<string, Chunk[]>, all: readonly (Chunk | '[DONE]')[]): unknown => {
        const chunks = kind === '*' ? all.filter((c): c is Chunk => c !== '[DONE]') : m.get(kind) ?? [];
        const values = [...new Set(chunks.map((c) => JSON.stringify(valueAt(c, dotted)) ?? 'absent'))];
        return values.length === 1 ? JSON.parse(values[0] === 'absent' ? 'null' : (values[0] as string)) as unknown : values;
      };
      return [pick(rk, r), pick(sk, s)];
    });
  } else if (real.text !== sim.text) {
    out.push({ where, path: '(body)', real: JSON.stringify(real.text.slice(0, 200)), sim: JSON.stringify(sim.text.slice(0, 200)) });
  }
  return out;
}

// --- /metrics ---------------------------------------------------------------------------------

interface Family {
  type: string;
  help: string;
  /** Per sample: its name and its labels (names, and the values of le/reason/finished_reason/source). */
  samples: string[];
}

function metricFamilies(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const family = (name: string): Family => {
    let f = families.get(name);
    if (!f) families.set(name, (f = { type: 'untyped', help: '', samples: [] }));
    return f;
  };
  const owner = (sample: string): string => {
    for (const suffix of ['_bucket', '_count', '_sum', '']) {
      const base = suffix ? sample.slice(0, -suffix.length) : sample;
      if ((!suffix || sample.endsWith(suffix)) && families.has(base)) return base;
    }
    return sample;
  };
  for (const line of text.split('\n')) {
    const typed = /^# TYPE (\S+) (\S+)$/.exec(line);
    const helped = /^# HELP (\S+) (.*)$/.exec(line);
    const sample = /^([^\s{#]+)(?:\{([^}]*)\})? \S+$/.exec(line);
    if (typed?.[1] && typed[2]) family(typed[1]).type = typed[2];
    else if (helped?.[1]) family(helped[1]).help = helped[2] ?? '';
    else if (sample?.[1]) {
      const labels = (sample[2] ?? '').split(',').filter(Boolean)
        .map((pair) => (/^(le|reason|finished_reason|source)=/.test(pair) ? pair : pair.slice(0, pair.indexOf('='))));
      family(owner(sample[1])).samples.push(`${sample[1]}{${labels.join(',')}}`);
    }
  }
  return families;
}

// --- start-up log -----------------------------------------------------------------------------

/** The milestones of a start, in vLLM's order (the ones the progress parser reads, and the rest). */
const MILESTONES: readonly (readonly [string, RegExp])[] = [
  ['simulator banner', /Spark Gateway vLLM simulator/],
  ['version logo', /█ +version \S+/],
  ['non-default args', /non-default args: \{/],
  ['engine config', /Initializing a V1 LLM engine \(v\S+\) with config: /],
  ['V2 model runner', /Using V2 Model Runner$/],
  ['load start', /Starting to load model |Loading model from scratch\.\.\./],
  ['checkpoint filesystem', /Filesystem type for checkpoints: \S+\. Checkpoint size: [\d.]+ GiB\. Available RAM: [\d.]+ GiB\.$/],
  ['checkpoint shards', /^Loading safetensors checkpoint shards: +\d+% Completed \| \d+\/\d+ \[/],
  ['weights loaded', /Loading weights took [\d.]+ seconds$/],
  ['model loading', /Model loading took [\d.]+ GiB memory and [\d.]+ seconds$/],
  ['compile', /Dynamo bytecode transform time: |torch\.compile took |Warming up model for the compilation|Warming up done\./],
  ['KV cache memory', /Available KV cache memory: [\d.]+ GiB$/],
  ['CPU KV cache budget', /Explicitly set \([\d.]+\/[\d.]+\) GiB for KV cache on node \d+\.$/],
  ['KV cache size', /[GC]PU KV cache size: [\d,]+ tokens, Maximum concurrency for [\d,]+ tokens per request: [\d.]+x$/],
  ['CUDA graphs', /Graph capturing finished in /],
  ['engine ready', /init engine \(profile, create kv cache, warmup model\) took [\d.]+ s$/],
  ['API server', /Starting vLLM server on http:\/\/\S+$/],
  ['routes', /Available routes are:$/],
  ['server process', /^INFO: +Started server process \[\d+\]$/],
  ['waiting for startup', /^INFO: +Waiting for application startup\.$/],
  ['startup complete', /^INFO: +Application startup complete\.$/],
];

interface Milestone {
  readonly name: string;
  readonly process: string;
  readonly source: string;
  readonly message: string;
}

const logLines = (log: string): string[] => log.split(/\r\n|\r|\n/);

/** The first line of each milestone, in order of appearance, with its prefix read apart. */
function milestones(log: string, model: string): Milestone[] {
  const found: Milestone[] = [];
  for (const line of logLines(log)) {
    const hit = MILESTONES.find(([, pattern]) => pattern.test(line));
    if (!hit || found.some((m) => m.name === hit[0])) continue;
    const prefix = /^\((\S+) pid=\d+\) \w+ \d\d-\d\d [\d:]+ \[([^\]]+)\] /.exec(line);
    const message = line.slice(prefix?.[0].length ?? 0).split(model).join('<model>').replace(/\d+(?:[.,]\d+)*/g, '#');
    found.push({ name: hit[0], process: prefix?.[1] ?? '-', source: prefix?.[2] ?? '-', message });
  }
  return found;
}

/** The keys of a logged Python dict or config (`'key': …` or `key=…`). */
function loggedKeys(message: string): Set<string> {
  return new Set([...message.matchAll(/'(\w+)': |(?:^|, |: )(\w+)=/g)].map((m) => m[1] ?? m[2] ?? ''));
}

/** The phases the project's progress parser goes through reading `log`. */
function phases(log: string): LoadPhase[] {
  const seen: LoadPhase[] = [];
  let progress = INITIAL_PROGRESS;
  for (const line of logLines(log)) {
    progress = advanceProgress(progress, line);
    if (seen.at(-1) !== progress.phase) seen.push(progress.phase);
  }
  return seen;
}

function compareStartLogs(realLog: string, simLog: string, model: string): Difference[] {
  const where = 'start log';
  const out: Difference[] = [];
  const real = milestones(realLog, model);
  const sim = milestones(simLog, model);
  for (const [name] of MILESTONES) {
    const r = real.find((m) => m.name === name);
    const s = sim.find((m) => m.name === name);
    if (!r !== !s) out.push({ where, path: `milestone "${name}"`, real: r ? 'present' : 'absent', sim: s ? 'present' : 'absent' });
    if (!r || !s) continue;
    if (r.process !== s.process) out.push({ where, path: `milestone "${name}".process`, real: r.process, sim: s.process });
    if (r.source !== s.source) out.push({ where, path: `milestone "${name}".source`, real: r.source, sim: s.source });
    if (name === 'non-default args' || name === 'engine config') {
      // Contents differ (the simulator's engine config names a few keys); every key it logs must be real.
      const realKeys = loggedKeys(r.message);
      const simOnly = [...loggedKeys(s.message)].filter((key) => !realKeys.has(key));
      const missing = name === 'non-default args' ? [...realKeys].filter((key) => !loggedKeys(s.message).has(key)) : [];
      if (simOnly.length + missing.length > 0) out.push({ where, path: `milestone "${name}".keys`, real: missing.join(', ') || '-', sim: simOnly.join(', ') || '-' });
    } else if (r.message !== s.message) {
      out.push({ where, path: `milestone "${name}".message`, real: r.message, sim: s.message });
    }
  }
  const order = (list: readonly Milestone[], other: readonly Milestone[]): string => list.filter((m) => other.some((o) => o.name === m.name)).map((m) => m.name).join(' → ');
  if (order(real, sim) !== order(sim, real)) out.push({ where, path: 'milestone order', real: order(real, sim), sim: order(sim, real) });
  const cr = (log: string): string => (/\rLoading safetensors checkpoint shards/.test(log) ? 'present' : 'absent');
  if (cr(realLog) !== cr(simLog)) out.push({ where, path: 'carriage return before the shard bar', real: cr(realLog), sim: cr(simLog) });
  const rp = phases(realLog).join(' → ');
  const sp = phases(simLog).join(' → ');
  if (rp !== sp) out.push({ where, path: 'progress phases (src/core/logs/vllm-progress.ts)', real: rp, sim: sp });
  return out;
}

// --- the allow-list ---------------------------------------------------------------------------

const describeDifference = (d: Difference): string => `${d.where} — ${d.path}\n    real: ${d.real}\n    sim:  ${d.sim}`;

/**
 * Fails on any difference not in KNOWN (naming request, path and both shapes), and on any KNOWN
 * entry for `wheres` that did not show up (fixed or changed: update the list and the README).
 */
function assertOnlyKnown(differences: readonly Difference[], wheres: readonly string[]): { known: number } {
  const isKnown = (d: Difference): boolean => KNOWN.some((k) => k.where === d.where && k.path === d.path && k.real === d.real && k.sim === d.sim);
  const unknown = differences.filter((d) => !isKnown(d));
  const stale = KNOWN.filter((k) => wheres.includes(k.where) && !differences.some((d) => k.where === d.where && k.path === d.path && k.real === d.real && k.sim === d.sim));
  assert.deepEqual(unknown.map(describeDifference), [], `the simulator differs from vLLM where no known difference says so:\n${unknown.map(describeDifference).join('\n')}`);
  assert.deepEqual(stale.map((k) => `${k.where} — ${k.path}`), [], 'KNOWN lists differences that are gone: update KNOWN and simulator/README.md');
  return { known: differences.length };
}

// --- the test ---------------------------------------------------------------------------------

describe('the simulator answers like vLLM 0.31 (real CPU build, same requests)', { skip: missingRealVllm() || missingTinyModels(), timeout: 900_000 }, () => {
  let set: TinyModels;
  let model: TinyModel;
  let real: RealVllm | undefined;
  let sim: Simulator | undefined;
  let list: Probe[] = [];
  const answers = new Map<string, { real: Answer; sim: Answer }>();
  let realMetrics: Answer;
  let simMetrics: Answer;
  const started = Date.now();
  const summary: string[] = [];

  before(async () => {
    set = await tinyModels();
    const found = set.models.find((m) => m.name === 'tiny-qwen3');
    assert.ok(found, 'tiny-qwen3 in the tiny models');
    model = found;
    const flags = [...model.vllmArgs, '--enforce-eager'];
    // Same served name, model path, context length and parser flags; eager on both (no compile).
    sim = await startSimulator({
      model: set.folder(model), servedName: model.name, flags: [...flags, '--max-model-len', '1024'],
      env: { SIM_REASONING_TOKENS: '8', SIM_SHARDS: '2' },
    });
    real = await startRealVllm(set, model, { extraArgs: ['--enforce-eager'] });

    const { tokens } = set.manifest.tokenizer;
    const special = (t: string): number => {
      const id = tokens[t];
      assert.ok(id !== undefined, `token ${t}`);
      return id;
    };
    const eos = special(set.manifest.tokenizer.eos);
    const vocab = (JSON.parse(readFileSync(path.join(set.folder(model), 'tokenizer.json'), 'utf8')) as { model: { vocab: Record<string, number> } }).model.vocab;
    // Plain requests: never stop, never think, never start a tool call, and no token that ends
    // inside a character (vLLM holds its bytes back, and the chunk, or the finish chunk's delta, is empty).
    const plainBias = Object.fromEntries([eos, special('<|endoftext|>'), special('<|im_start|>'), special('<think>'), special('</think>'),
      special('<tool_call>'), special('</tool_call>'), ...partialCharacterTokens(vocab)].map((id) => [String(id), -100]));
    // Tool requests: no whitespace-only tokens inside the JSON, and stop as soon as the grammar lets it.
    const toolBias = toolCallBias(set, model);

    list = probes(model, plainBias, toolBias);
    for (const probe of list) {
      answers.set(probe.name, { real: await send(real.url, probe), sim: await send(sim.url, probe) });
    }
    const metricsProbe: Probe = { name: 'GET /metrics', method: 'GET', path: '/metrics' };
    realMetrics = await send(real.url, metricsProbe);
    simMetrics = await send(sim.url, metricsProbe);
  });

  after(async () => {
    await sim?.stop();
    await real?.stop();
  });

  it('answers every request with the same status, content type and JSON shapes, chunk order and protocol values', (t) => {
    const differences = list.flatMap((probe) => {
      const pair = answers.get(probe.name);
      assert.ok(pair, probe.name);
      return compareAnswers(probe, pair.real, pair.sim);
    });
    const { known } = assertOnlyKnown(differences, list.map((p) => p.name));
    const streams = list.filter((p) => (answers.get(p.name)?.real.contentType ?? '').startsWith('text/event-stream')).length;
    summary.push(`${list.length} requests compared (${streams} streamed): ${known} known differences`);
    t.diagnostic(summary.at(-1) ?? '');
  });

  it('streams a tool call as vLLM does: name delta (id, type, index, name), argument fragments, then finish', () => {
    // Beyond shapes: the arguments joined are the JSON of the call on both sides.
    for (const name of ['named tool call streamed', 'required tool call streamed']) {
      for (const [side, answer] of Object.entries(answers.get(name) ?? {})) {
        const chunks = sseChunks(answer.text).filter((c): c is Chunk => c !== '[DONE]');
        const calls = chunks.flatMap((c) => (((c.choices as Record<string, unknown>[])[0]?.delta as Record<string, unknown> | undefined)?.tool_calls ?? []) as Record<string, unknown>[]);
        assert.ok(calls.length >= 2, `${side} ${name}: a name delta and argument fragments`);
        assert.deepEqual(Object.keys(calls[0] ?? {}).sort(), ['function', 'id', 'index', 'type'], `${side} ${name}: the name delta`);
        const args = calls.slice(1).map((c) => (c.function as { arguments: string }).arguments).join('');
        assert.ok(typeof (JSON.parse(args) as { unit: unknown }).unit === 'string', `${side} ${name}: arguments ${args}`);
      }
    }
  });

  it('exposes only metric families vLLM has, with its TYPE, HELP and label sets', (t) => {
    const where = 'metrics';
    const differences: Difference[] = [];
    if (realMetrics.contentType !== simMetrics.contentType) differences.push({ where, path: 'content-type', real: String(realMetrics.contentType), sim: String(simMetrics.contentType) });
    const realFamilies = metricFamilies(realMetrics.text);
    const simFamilies = metricFamilies(simMetrics.text);
    for (const [name, s] of simFamilies) {
      const r = realFamilies.get(name);
      if (!r) {
        differences.push({ where, path: name, real: 'absent', sim: s.type });
        continue;
      }
      if (r.type !== s.type) differences.push({ where, path: `${name} TYPE`, real: r.type, sim: s.type });
      if (r.help !== s.help) differences.push({ where, path: `${name} HELP`, real: r.help, sim: s.help });
      if (r.samples.join(' ') !== s.samples.join(' ')) differences.push({ where, path: `${name} series`, real: r.samples.join(' '), sim: s.samples.join(' ') });
    }
    assertOnlyKnown(differences, [where]);
    // Not a failure: what real vLLM has besides (process, HTTP and more vLLM families).
    const lacking = [...realFamilies.keys()].filter((name) => !simFamilies.has(name));
    const vllmLacking = lacking.filter((name) => name.startsWith('vllm:') && !name.endsWith('_created'));
    summary.push(`/metrics: ${simFamilies.size} simulator families all real; real has ${lacking.length} more `
      + `(${lacking.filter((n) => n.endsWith('_created')).length} _created, ${vllmLacking.length} other vllm:, the rest python_/process_/http_)`);
    t.diagnostic(summary.at(-1) ?? '');
    t.diagnostic(`vllm: families the simulator lacks: ${vllmLacking.join(', ')}`);
  });

  it('starts with the same milestones in the same order, read by the progress parser into the same phases', (t) => {
    assert.ok(real && sim);
    const differences = compareStartLogs(real.output(), sim.output(), set.folder(model));
    const { known } = assertOnlyKnown(differences, ['start log']);
    summary.push(`start log: ${milestones(real.output(), set.folder(model)).length} real milestones, ${known} known differences (GPU vs CPU build)`);
    t.diagnostic(summary.at(-1) ?? '');
  });

  it('summary', (t) => {
    t.diagnostic(`compared in ${((Date.now() - started) / 1000).toFixed(0)} s (real vLLM started in ${real?.startSeconds.toFixed(0)} s)`);
    for (const line of summary) t.diagnostic(line);
    t.diagnostic(`fixed in the simulator after the first comparison: ${FIXED_IN_SIMULATOR.length} differences`);
    for (const line of FIXED_IN_SIMULATOR) t.diagnostic(`  fixed: ${line}`);
    t.diagnostic(`known: ${KNOWN.length} differences`);
    for (const k of KNOWN) t.diagnostic(`  known: ${k.where} — ${k.path}: ${k.why}`);
  });
});
