/**
 * Our vLLM readers and the simulator, checked against vLLM itself: for every vLLM version the
 * stack pins (stack/vllm-images.yaml) — and the 0.11 line when its venv is there too — this reads
 * the format strings of the start-up milestones, the stats line and the metric names out of that
 * version's installed wheel (/opt/spark-gateway/vllm-<version>, provisioned by
 * scripts/provision-vllm.sh), formats them with sample values by Python's own rules
 * (test/support/vllm_formats.py, run with the venv's python; nothing of vLLM is imported), and
 * requires
 *   (a) that our progress parser yields the expected phase for each milestone line (and leaves the
 *       stats line alone), and our metrics reader reads the wheel's metric names;
 *   (b) that the simulator's profile for that version prints lines of the same form (the format
 *       string as a pattern: literal text exact, `%s` any text, `%.2f` two decimals, ...), exposes
 *       only metric names the wheel has, and takes exactly the wheel's `--tool-call-parser` choices.
 * When a new vLLM changes one of these lines, the failure names the file and the format string.
 * A missing venv skips a pinned version on a developer machine and fails in CI (CI=true).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import type { LoadPhase } from '../../src/core/logs/vllm-progress';
import { INITIAL_PROGRESS, advanceProgress, isStartLine, progressFromLog } from '../../src/core/logs/vllm-progress';
import { vllmLoadFromMetrics } from '../../src/core/metrics/vllm';
import { REQUIRE_ALL } from '../support/components';
import { REPO_ROOT, STACK_DIR } from '../support/processes';
import { SIMULATOR_DIR, startSimulator } from '../support/simulator';

type Line = '0.11' | '0.31';

interface FormatCheck {
  readonly name: string;
  /** The release lines whose wheels hold this string. */
  readonly lines: readonly Line[];
  /** Where in the vllm package (FACTS.md "vLLM across versions"). */
  readonly files: readonly string[];
  readonly needle: string;
  readonly exact?: boolean;
  readonly kind: 'percent' | 'template' | 'brace' | 'name' | 'dict-keys';
  readonly strArgs?: readonly string[];
  readonly braceArgs?: Readonly<Record<string, string | number>>;
  /** The phase our parser must report after this line, from a fresh start; 'none' = must not move it. */
  readonly phase?: LoadPhase | 'none';
  /** Starts a new start-up (the parser starts over at it). */
  readonly startLine?: boolean;
  /** Environment for the simulator run that prints it (default: the plain run). */
  readonly run?: 'plain' | 'no-logo';
  /** False: a line of vLLM's CPU backend, which the simulator (a GPU server's double) does not print. */
  readonly simulator?: false;
}

const MODEL = 'openai/gpt-oss-20b';
const URL = 'http://0.0.0.0:8000';
const API_SERVER = ['entrypoints/openai/api_server.py'];
const RUNNERS = ['v1/worker/gpu_model_runner.py', 'v1/worker/gpu/model_runner.py'];
const CPU_RUNNERS = ['v1/worker/cpu_model_runner.py', 'v1/worker/cpu/model_runner.py'];
const WEIGHT_UTILS = ['model_executor/model_loader/weight_utils.py'];
const SHARD_DESC = 'Loading safetensors checkpoint shards';

/** The log lines our parser and the simulator rely on, per vLLM release line. */
const LOG_CHECKS: readonly FormatCheck[] = [
  { name: 'version banner', lines: ['0.11'], files: API_SERVER, needle: 'vLLM API server version %s', exact: true, kind: 'percent', strArgs: ['0.11.2'], phase: 'starting', startLine: true },
  { name: 'version logo', lines: ['0.31'], files: ['entrypoints/serve/utils/api_utils.py'], needle: 'version ${w}%s', kind: 'template', strArgs: ['0.31.0', MODEL], phase: 'starting', startLine: true },
  { name: 'version line without logo', lines: ['0.31'], files: ['entrypoints/serve/utils/api_utils.py'], needle: 'vLLM server version %s, serving model %s', exact: true, kind: 'percent', strArgs: ['0.31.0', MODEL], phase: 'starting', startLine: true, run: 'no-logo' },
  { name: 'non-default args', lines: ['0.11', '0.31'], files: ['entrypoints/utils.py', 'entrypoints/serve/utils/api_utils.py'], needle: 'non-default args: %s', exact: true, kind: 'percent', strArgs: [`{'model_tag': '${MODEL}'}`], phase: 'starting', startLine: true },
  { name: 'V2 model runner', lines: ['0.31'], files: ['v1/worker/gpu_worker.py'], needle: 'Using V2 Model Runner', exact: true, kind: 'percent', phase: 'starting' },
  { name: 'load start', lines: ['0.11'], files: RUNNERS, needle: 'Starting to load model %s...', exact: true, kind: 'percent', strArgs: [MODEL], phase: 'download' },
  { name: 'load start', lines: ['0.31'], files: RUNNERS, needle: 'Loading model from scratch...', exact: true, kind: 'percent', phase: 'download' },
  { name: 'download time', lines: ['0.11', '0.31'], files: WEIGHT_UTILS, needle: 'Time spent downloading weights for %s', kind: 'percent', strArgs: [MODEL], phase: 'download' },
  { name: 'checkpoint filesystem', lines: ['0.31'], files: WEIGHT_UTILS, needle: 'Filesystem type for checkpoints: ', kind: 'percent', strArgs: ['EXT4'], phase: 'shards' },
  { name: 'shard bar description', lines: ['0.11', '0.31'], files: WEIGHT_UTILS, needle: SHARD_DESC, exact: true, kind: 'name' },
  {
    name: 'shard bar', lines: ['0.11', '0.31'], files: WEIGHT_UTILS, needle: '% Completed | {n_fmt}/{total_fmt}', kind: 'brace', phase: 'shards',
    braceArgs: { desc: SHARD_DESC, percentage: 40, n_fmt: '2', total_fmt: '5', elapsed: '00:01', remaining: '00:01', rate_fmt: '1.50it/s' },
  },
  { name: 'weights loaded', lines: ['0.11', '0.31'], files: ['model_executor/model_loader/default_loader.py'], needle: 'Loading weights took %.2f seconds', exact: true, kind: 'percent', phase: 'weights' },
  { name: 'model loading', lines: ['0.11', '0.31'], files: RUNNERS, needle: 'Model loading took ', kind: 'percent', strArgs: ['13.7'], phase: 'weights' },
  { name: 'compile: Dynamo', lines: ['0.31'], files: ['compilation/backends.py'], needle: 'Dynamo bytecode transform time: %.2f s', exact: true, kind: 'percent', phase: 'compile' },
  { name: 'compile: total', lines: ['0.31'], files: ['compilation/monitor.py'], needle: 'torch.compile took %.2f s in total', exact: true, kind: 'percent', phase: 'compile' },
  { name: 'compile warm-up (CPU)', lines: ['0.31'], files: CPU_RUNNERS, needle: 'Warming up model for the compilation...', exact: true, kind: 'percent', phase: 'compile', simulator: false },
  { name: 'compile warm-up done (CPU)', lines: ['0.31'], files: CPU_RUNNERS, needle: 'Warming up done.', exact: true, kind: 'percent', phase: 'compile', simulator: false },
  { name: 'KV cache memory', lines: ['0.11', '0.31'], files: ['v1/worker/gpu_worker.py'], needle: 'Available KV cache memory: ', kind: 'percent', strArgs: ['100.0'], phase: 'kv-cache' },
  { name: 'KV cache size', lines: ['0.11'], files: ['v1/core/kv_cache_utils.py'], needle: 'GPU KV cache size: %s tokens', exact: true, kind: 'percent', strArgs: ['2,184,528'], phase: 'kv-cache' },
  { name: 'maximum concurrency', lines: ['0.11'], files: ['v1/core/kv_cache_utils.py'], needle: 'Maximum concurrency for %s tokens per request: %.2fx', exact: true, kind: 'percent', strArgs: ['131,072'], phase: 'kv-cache' },
  { name: 'KV cache size and maximum concurrency', lines: ['0.31'], files: ['v1/core/kv_cache_utils.py'], needle: 'KV cache size: %s tokens, Maximum concurrency for', kind: 'percent', strArgs: ['GPU', '2,184,528', '131,072'], phase: 'kv-cache' },
  { name: 'CUDA graphs captured', lines: ['0.31'], files: RUNNERS, needle: 'Graph capturing finished in %.0f secs, took %.2f GiB', exact: true, kind: 'percent', phase: 'cuda-graphs' },
  { name: 'engine initialised', lines: ['0.11', '0.31'], files: ['v1/engine/core.py'], needle: 'init engine (profile, create kv cache, warmup model) took ', kind: 'percent', phase: 'engine' },
  { name: 'API server', lines: ['0.11'], files: API_SERVER, needle: 'Starting vLLM API server %d on %s', exact: true, kind: 'percent', strArgs: [URL], phase: 'api-server' },
  { name: 'API server', lines: ['0.31'], files: ['entrypoints/launchers/api_server/entry.py'], needle: 'Starting vLLM server on %s', exact: true, kind: 'percent', strArgs: [URL], phase: 'api-server' },
  { name: 'uvicorn startup', lines: ['0.11', '0.31'], files: ['../uvicorn/lifespan/on.py'], needle: 'Waiting for application startup.', exact: true, kind: 'percent', phase: 'api-server' },
  { name: 'uvicorn up', lines: ['0.11', '0.31'], files: ['../uvicorn/lifespan/on.py'], needle: 'Application startup complete.', exact: true, kind: 'percent', phase: 'up' },
];

/** The metric names our reader reads (src/core/metrics/vllm.ts). */
const READER_METRICS = ['vllm:num_requests_running', 'vllm:num_requests_waiting', 'vllm:kv_cache_usage_perc'];

interface Formatted {
  readonly name: string;
  readonly file?: string;
  readonly line?: number;
  readonly format?: string;
  readonly formatted?: string;
  readonly error?: string;
}

interface Wheel {
  readonly version: string;
  readonly line: Line;
  readonly python: string;
  readonly vllmDir: string;
}

const VENV_ROOT = process.env.SPARK_VLLM_VENV_ROOT ?? '/opt/spark-gateway';
const simRequire = createRequire(path.join(SIMULATOR_DIR, 'lib', 'index.js'));
const simProfiles = (simRequire('./vllm-profiles') as { PROFILES: Record<string, { line: Line; toolCallParsers: readonly string[] }> }).PROFILES;

/** The distinct vLLM versions of stack/vllm-images.yaml (`image: version` lines). */
function pinnedVersions(): string[] {
  const text = readFileSync(path.join(STACK_DIR, 'vllm-images.yaml'), 'utf8');
  const versions = text.split('\n').map((l) => /^[^#\s]\S*:\s+(\d+\.\d+\.\d+)\s*(?:#.*)?$/.exec(l)?.[1]).filter((v): v is string => v !== undefined);
  assert.ok(versions.length > 0, 'stack/vllm-images.yaml lists the pinned images with their vLLM versions');
  return [...new Set(versions)];
}

/** The venv of one version, or why it is unusable. */
function wheel(version: string): Wheel | string {
  const venv = path.join(VENV_ROOT, `vllm-${version}`);
  const python = path.join(venv, 'bin', 'python');
  const lib = path.join(venv, 'lib');
  const site = existsSync(lib) ? readdirSync(lib).filter((d) => d.startsWith('python3')).map((d) => path.join(lib, d, 'site-packages', 'vllm')).find((d) => existsSync(d)) : undefined;
  if (!existsSync(python) || !site) return `no vLLM ${version} venv at ${venv} (scripts/provision-vllm.sh installs one per version of stack/vllm-images.yaml)`;
  const line = version.startsWith('0.11.') ? '0.11' : version.startsWith('0.31.') ? '0.31' : undefined;
  if (!line) return `vLLM ${version} is pinned, but neither the parser checks nor the simulator know its release line yet: add its lines to LOG_CHECKS and a profile to simulator/lib/vllm-profiles.js`;
  return { version, line, python, vllmDir: site };
}

function readFormats(w: Wheel, checks: readonly FormatCheck[]): Formatted[] {
  const input = JSON.stringify(checks.map((c) => ({ name: c.name, files: c.files, needle: c.needle, exact: c.exact ?? false, kind: c.kind, str_args: c.strArgs ?? [], brace_args: c.braceArgs ?? {} })));
  const out = execFileSync(w.python, [path.join(REPO_ROOT, 'test', 'support', 'vllm_formats.py'), w.vllmDir], { input, encoding: 'utf8', timeout: 120_000, maxBuffer: 16 * 1024 * 1024 });
  return JSON.parse(out) as Formatted[];
}

/** "file: 'format string'" for failure messages. */
function where(w: Wheel, f: Formatted): string {
  return `vLLM ${w.version} ${f.file ?? '?'}:${f.line ?? '?'} ${JSON.stringify(f.format)}`;
}

/** A pattern for lines of the same form as a format string: literal text exact, conversions by kind. */
function formPattern(check: FormatCheck, format: string): RegExp {
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  let body: string;
  if (check.kind === 'brace') {
    body = format.replace(/\n$/, '').split(/(\{\w+(?::[^}]*)?\})/).map((part) => {
      const field = /^\{(\w+)/.exec(part)?.[1];
      if (!field) return escape(part);
      if (field === 'desc') return escape(String(check.braceArgs?.desc ?? ''));
      if (field === 'percentage') return ' *\\d+';
      if (field === 'n_fmt' || field === 'total_fmt') return '\\d+';
      return '[^\\],<]+';
    }).join('');
  } else {
    body = format.split(/(%(?:\(\w+\))?[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa%])/).map((part) => {
      const m = /^%[-#0 +]*\d*(?:\.(\d+))?([diouxXeEfFgGcrsa%])$/.exec(part);
      if (!m) return escape(part);
      if (m[2] === '%') return '%';
      if (m[2] === 's' || m[2] === 'r' || m[2] === 'a') return '.+?';
      if ('diouxXc'.includes(m[2] ?? '')) return '-?\\d+';
      // %.0f prints no decimal point at all ("1", not "1.").
      if (m[1] === '0') return '-?\\d+';
      return m[1] === undefined ? '-?\\d+\\.\\d+' : `-?\\d+\\.\\d{${m[1]}}`;
    }).join('');
  }
  // vLLM's logger prefix or uvicorn's `INFO:     ` (0.11 also puts the process prefix alone on tqdm and uvicorn lines).
  return new RegExp(`^(?:\\(\\w+ pid=\\d+\\) )?(?:[A-Z]+ \\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d \\[[\\w.]+:\\d+\\] |[A-Z]+: +)?${body}\\r?$`);
}

/** The message lines of a formatted (possibly multi-line) log message, as `docker logs` shows them. */
function messageLines(formatted: string): string[] {
  return formatted.replace(/\n$/, '').split('\n').map((l) => `(APIServer pid=1) INFO 12-01 09:00:00 [x.py:1] ${l}`);
}

/** The form lines of a format string worth matching (the logo's drawing-only lines are kept too, but not empty ones). */
function formLines(format: string): string[] {
  return format.replace(/\$\{\w\}/g, '').replace(/^\n/, '').replace(/\n$/, '').split('\n').filter((l) => l.trim() !== '');
}

/** Everything the simulator's profile prints for one start-up, a request and a stats line. */
async function simulatorOutput(version: string, noLogo: boolean): Promise<{ log: string; metrics: string }> {
  const sim = await startSimulator({
    env: { VLLM_VERSION: version, SIM_DOWNLOAD_SECONDS: '0.6', SIM_SHARDS: '2', SIM_STATS_INTERVAL_SECONDS: '0.2', ...(noLogo ? { VLLM_DISABLE_LOG_LOGO: '1' } : {}) },
  });
  try {
    const reply = await fetch(`${sim.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'gpt-oss-20b', messages: [{ role: 'user', content: 'hello' }] }) });
    assert.equal(reply.status, 200);
    await reply.text();
    const deadline = Date.now() + 10_000;
    while (!/Avg prompt throughput: [1-9]/.test(sim.output()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const metrics = await (await fetch(`${sim.url}/metrics`)).text();
    return { log: sim.output(), metrics };
  } finally {
    await sim.stop();
  }
}

const pinned = pinnedVersions();
// The previous release line too, for users who keep an older image: checked when its venv is there.
const previous = Object.keys(simProfiles).filter((v) => !pinned.includes(v) && existsSync(path.join(VENV_ROOT, `vllm-${v}`)));

for (const version of [...pinned, ...previous]) {
  const found = wheel(version);
  const isPinned = pinned.includes(version);
  if (typeof found === 'string' && isPinned && REQUIRE_ALL) throw new Error(`${found} — CI requires the wheel of every pinned vLLM version`);
  describe(`vLLM ${version} wheel (${isPinned ? 'pinned' : 'previous release line'}): our readers and the simulator`, { skip: typeof found === 'string' ? found : false }, () => {
    const w = found as Wheel;
    const checks = LOG_CHECKS.filter((c) => c.lines.includes(w.line));
    let formats: Formatted[] = [];
    let plain = '';
    let noLogo = '';
    let metricsText = '';

    it('has every format string we rely on, and it takes sample values', async (t) => {
      formats = readFormats(w, checks);
      t.diagnostic(`checked: ${formats.map((f) => `${f.name}: ${f.file ?? '?'}:${f.line ?? '?'} ${JSON.stringify(f.format)}`).join('; ')}`);
      const failures = formats.filter((f) => f.error).map((f) => `${f.name}: ${f.file ? `${where(w, f)}: ` : `vLLM ${w.version}: `}${f.error ?? ''}`);
      assert.deepEqual(failures, [], `vLLM ${w.version} changed lines our parser and simulator follow:\n${failures.join('\n')}`);
      const out = await simulatorOutput(w.version, false);
      plain = out.log;
      metricsText = out.metrics;
      noLogo = w.line === '0.31' ? (await simulatorOutput(w.version, true)).log : '';
    });

    it('(a) our progress parser reads each milestone as its phase and starts over at each start line', () => {
      assert.ok(formats.length >= checks.length, 'the format strings were read');
      const wrong: string[] = [];
      for (const f of formats) {
        const check = checks.find((c) => c.name === f.name && c.lines.includes(w.line));
        if (!check?.phase || f.formatted === undefined) continue;
        const lines = messageLines(f.formatted);
        const after = progressFromLog(lines);
        if (check.phase !== 'none' && after.phase !== check.phase) wrong.push(`${where(w, f)} -> ${JSON.stringify(f.formatted)}: phase ${after.phase}, expected ${check.phase}`);
        if (check.phase !== 'none' && after.fraction <= 0) wrong.push(`${where(w, f)}: still at 0 %`);
        const restarts = lines.some((l) => isStartLine(l));
        if (restarts !== (check.startLine ?? false)) wrong.push(`${where(w, f)}: ${check.startLine ? 'should' : 'should not'} start a new start-up`);
        // After a complete start, a start line begins again (no false "up" after a restart).
        const up = advanceProgress(INITIAL_PROGRESS, 'INFO:     Application startup complete.');
        if (check.startLine && progressFromLog(lines, up).ready) wrong.push(`${where(w, f)}: a restart still reads as up`);
      }
      assert.deepEqual(wrong, []);
    });

    it('(b) the simulator\'s profile prints a line of the same form for each', () => {
      assert.ok(formats.length >= checks.length && plain !== '', 'the format strings and the simulator\'s log were read');
      const missing: string[] = [];
      const byName = new Map<string, Formatted[]>();
      for (const f of formats) byName.set(f.name, [...(byName.get(f.name) ?? []), f]);
      for (const [name, variants] of byName) {
        const check = checks.find((c) => c.name === name);
        if (!check || check.kind === 'name' || check.simulator === false) continue;
        const output = (check.run === 'no-logo' ? noLogo : plain).split('\n');
        // vLLM has variants of some lines (engine init with compilation times): one is enough.
        const printed = variants.some((f) => formLines(f.format ?? '').every((form) => output.some((l) => formPattern(check, form).test(l))));
        if (!printed) missing.push(`${name}: ${variants.map((f) => where(w, f)).join(' or ')}`);
      }
      assert.deepEqual(missing, [], `the simulator's ${w.version} profile prints no line of this form:\n${missing.join('\n')}\n--- its log:\n${plain}`);
    });

    it('(a, b) the stats line: its parts in vLLM\'s order, printed by the simulator in that form, not read as progress', () => {
      // Each part is its own literal, joined with ", " (the KV part names the device in 0.31: "%s KV cache usage").
      const parts: readonly (readonly string[])[] = [
        ['Avg prompt throughput: %.1f tokens/s'], ['Avg generation throughput: %.1f tokens/s'], ['Running: %d reqs'], ['Waiting: %d reqs'],
        ['GPU KV cache usage: %.1f%%', '%s KV cache usage: %.1f%%'], ['Prefix cache hit rate: %.1f%%'],
      ];
      const partFormats = readFormats(w, parts.flat().map((needle) => ({ name: needle, lines: [w.line], files: ['v1/metrics/loggers.py'], needle, exact: true, kind: 'percent', strArgs: ['GPU'] })));
      const chosen = parts.map((alternatives) => partFormats.find((f) => alternatives.includes(f.name) && !f.error));
      const failures = parts.filter((_, i) => chosen[i] === undefined).map((alternatives) => alternatives.join(' or '));
      assert.deepEqual(failures, [], `vLLM ${w.version} v1/metrics/loggers.py changed its stats line: no literal`);
      const prefix = readFormats(w, [{ name: 'prefix', lines: [w.line], files: ['v1/metrics/loggers.py'], needle: 'Engine {:03d}: ', exact: true, kind: 'name' }]);
      assert.equal(prefix[0]?.error, undefined, `vLLM ${w.version} v1/metrics/loggers.py: the stats line's "Engine {:03d}: " prefix`);
      const format = `Engine 000: ${chosen.map((f) => f?.format ?? '').join(', ')}`;
      const check: FormatCheck = { name: 'stats line', lines: [w.line], files: ['v1/metrics/loggers.py'], needle: '', kind: 'percent' };
      const pattern = formPattern(check, format);
      assert.ok(plain.split('\n').some((l) => pattern.test(l)), `vLLM ${w.version} v1/metrics/loggers.py ${JSON.stringify(format)}: the simulator prints no stats line of this form:\n${plain}`);
      const line = plain.split('\n').find((l) => pattern.test(l)) ?? '';
      const up = advanceProgress(INITIAL_PROGRESS, 'INFO:     Application startup complete.');
      assert.deepEqual(advanceProgress(up, line), up, 'the stats line moves no progress');
    });

    it('(b) the simulator takes exactly the wheel\'s --tool-call-parser choices', () => {
      const [registered] = readFormats(w, [{ name: 'tool-call parsers', lines: [w.line], files: ['entrypoints/openai/tool_parsers/__init__.py', 'tool_parsers/__init__.py'], needle: '_TOOL_PARSERS_TO_REGISTER', kind: 'dict-keys' }]);
      assert.equal(registered?.error, undefined, `vLLM ${w.version}: ${registered?.error ?? ''}`);
      assert.deepEqual([...(simProfiles[w.version]?.toolCallParsers ?? [])].sort(), JSON.parse(registered?.formatted ?? '[]') as string[],
        `the simulator's ${w.version} profile vs ${registered ? where(w, registered) : ''}`);
    });

    it('(a, b) metric names: our reader reads the wheel\'s names; the simulator exposes only names the wheel has', () => {
      const families = [...new Set(metricsText.split('\n').map((l) => /^# TYPE (\S+) (\w+)/.exec(l)).filter((m): m is RegExpExecArray => m !== null)
        .map((m) => ((m[2] === 'counter' ? m[1]?.replace(/_total$/, '') : m[1]) ?? '')))];
      assert.ok(families.length >= 10, `the simulator's /metrics: ${metricsText}`);
      const names = readFormats(w, [...new Set([...READER_METRICS, ...families])].map((name) => ({ name, lines: [w.line], files: ['v1/metrics/loggers.py'], needle: name, exact: true, kind: 'name' })));
      const unknown = names.filter((n) => n.error).map((n) => n.name);
      assert.deepEqual(unknown, [], `vLLM ${w.version} v1/metrics/loggers.py has no metric of these names`);
      // The reader on the wheel's names, as prometheus_client prints them.
      const text = `vllm:num_requests_running{engine="0",model_name="m"} 2.0\nvllm:num_requests_waiting{engine="0",model_name="m"} 1.0\nvllm:kv_cache_usage_perc{engine="0",model_name="m"} 0.25\n`;
      assert.deepEqual(vllmLoadFromMetrics(text), { running: 2, waiting: 1, kvCacheUsage: 0.25 });
      const load = vllmLoadFromMetrics(metricsText);
      assert.equal(typeof load.kvCacheUsage, 'number', 'the reader finds the KV-cache use in the simulator\'s /metrics');
      assert.ok(!families.includes('vllm:gpu_cache_usage_perc'), 'hidden in 0.11, gone in 0.31');
    });
  });
}
