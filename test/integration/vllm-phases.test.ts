/**
 * [live] On the vLLM version of the pinned Spark image (0.31.0), a model started from the stack's
 * real compose file on the simulator image (tagged with that version by build-image.sh) shows
 * every start-up phase in order in `status --json` — from the download (vLLM prints nothing while
 * it downloads: the simulator, finding no weights in the mounted cache, writes them into it as
 * huggingface_hub does, and status reads the cache's growth) through the shards, the weights, the KV cache and the engine to the
 * API server, with no "0 %" plateau before the shards — and after a crash restart it never reads
 * as up from its previous run. The simulator stands in for vLLM (no GPU); Docker, compose, the
 * CLI and the state model are real.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../../src/cli/main';
import { missing } from '../support/components';
import { ensureNetwork, ensureSimulatorImage, removeNetwork } from '../support/docker';
import { composeModel, prepareModelFolder } from '../support/live';
import { STACK_DIR } from '../support/processes';
import type { StackCopy } from '../support/stack-copy';
import { copyStack } from '../support/stack-copy';

const CONTAINER = 'vllm-gpt-oss-20b';

interface Sample {
  readonly state: string;
  readonly text?: string;
  readonly fraction?: number;
  readonly restartCount?: number;
}

/** The phase order of the progress texts (src/core/logs/vllm-progress.ts); states without progress count by state. */
const PHASE_OF: readonly [RegExp, number][] = [
  [/^(starting|loading model)$/, 0],
  // The download as the cache's growth (a partial blob in the mounted cache), or vLLM's milestones.
  [/^(downloading weights|weights downloaded|downloading [\d.]+( (kB|MB))? \/ [\d.]+ (kB|MB|GB))$/, 1],
  [/^(reading checkpoint|shard \d+\/\d+)$/, 2],
  [/^weights loaded$/, 3],
  [/^(compiling|compiled)$/, 4],
  [/^KV cache$/, 5],
  [/^(capturing CUDA graphs|CUDA graphs captured)$/, 6],
  [/^engine ready$/, 7],
  [/^starting API server$/, 8],
  [/^API server up$/, 9],
];

function phaseOf(s: Sample): number {
  if (s.state === 'healthy' || s.state === 'running') return 9;
  if (s.text === undefined) return 0;
  const hit = PHASE_OF.find(([pattern]) => pattern.test(s.text ?? ''));
  assert.ok(hit, `a progress text we know: ${JSON.stringify(s)}`);
  return hit[1];
}

async function status(stackDir: string): Promise<Sample> {
  let out = '';
  let err = '';
  const code = await runCli(['--stack', stackDir, 'status', '--json'], { out: (t) => (out += t), err: (t) => (err += t), cwd: stackDir, env: {} });
  assert.equal(code, 0, err);
  const s = (JSON.parse(out) as { services: { name: string; state: string; progress?: { text: string; fraction: number }; restartCount?: number }[] }).services.find((x) => x.name === 'gpt-oss-20b');
  assert.ok(s, 'gpt-oss-20b in status --json');
  return { state: s.state, ...(s.progress ? { text: s.progress.text, fraction: s.progress.fraction } : {}), ...(s.restartCount !== undefined ? { restartCount: s.restartCount } : {}) };
}

/** Polls `status --json` until `done` holds for a sample; returns every distinct sample in order. */
async function pollStatus(stackDir: string, done: (s: Sample) => boolean, timeoutMs: number): Promise<Sample[]> {
  const samples: Sample[] = [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await status(stackDir);
    const last = samples[samples.length - 1];
    if (!last || last.state !== s.state || last.text !== s.text || last.fraction !== s.fraction) samples.push(s);
    if (done(s)) return samples;
    if (Date.now() > deadline) throw new Error(`timed out; status --json went through ${JSON.stringify(samples)}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

/** Asserts the samples go through the phases in order and show each of `required`. */
function assertPhasesInOrder(samples: readonly Sample[], required: readonly number[]): void {
  const phases = samples.map(phaseOf);
  phases.forEach((p, i) => assert.ok(i === 0 || p >= (phases[i - 1] ?? 0), `phase went back at ${JSON.stringify(samples[i])}: ${JSON.stringify(samples)}`));
  for (const p of required) assert.ok(phases.includes(p), `phase ${PHASE_OF.find(([, n]) => n === p)?.[0] ?? p} seen in status --json: ${JSON.stringify(samples)}`);
  // The load's fraction never goes back (the download's is of bytes, a figure of its own).
  const fractions = samples.filter((s) => s.fraction !== undefined && phaseOf(s) >= 2).map((s) => s.fraction ?? 0);
  fractions.forEach((f, i) => assert.ok(i === 0 || f >= (fractions[i - 1] ?? 0), `progress went back: ${JSON.stringify(samples)}`));
  // No "0 %" plateau: whenever the row shows progress, it is above 0, also before the first shard.
  assert.ok(samples.every((s) => s.state !== 'loading' || (s.fraction ?? 0) > 0), `a loading row at 0 %: ${JSON.stringify(samples)}`);
}

/** `state text NN%` per sample, for the test's diagnostics. */
function sampleText(samples: readonly Sample[]): string {
  return samples.map((s) => (s.text ? `${s.state} ${s.text} ${Math.round((s.fraction ?? 0) * 100)}%` : s.state)).join(' → ');
}

/** The vLLM version stack/vllm-images.yaml records for an image. */
function versionOf(image: string): string | undefined {
  const line = readFileSync(path.join(STACK_DIR, 'vllm-images.yaml'), 'utf8').split('\n').find((l) => l.startsWith(`${image}:`));
  return line ? /:\s+(\d+\.\d+\.\d+)/.exec(line.slice(image.length))?.[1] : undefined;
}

describe('[live] start-up phases on the pinned vLLM version, from the real compose file', { skip: missing('docker', 'compose') }, () => {
  let stack: StackCopy;
  let createdNetwork = false;
  let dir = '';

  before(() => {
    ensureSimulatorImage();
    createdNetwork = ensureNetwork();
    execFileSync('docker', ['rm', '-f', CONTAINER], { stdio: 'pipe' });
    stack = copyStack();
    // 4 s of silent download, then 16 s of loading over 4 shards: each phase lasts long enough to poll.
    dir = prepareModelFolder(stack.dir, 'gpt-oss-20b', { SIM_DOWNLOAD_SECONDS: '4', SIM_LOAD_SECONDS: '16', SIM_SHARDS: '4' });
  });

  after(() => {
    try {
      execFileSync('docker', ['rm', '-f', CONTAINER], { stdio: 'pipe' });
      if (createdNetwork) removeNetwork();
    } finally {
      stack?.remove();
    }
  });

  it('the compose file\'s image runs the simulator profile of the vLLM inside that image', async () => {
    // The image as compose resolves it (the file takes it from VLLM_SPARK_IMAGE, pinned when unset).
    const { composeImages } = await import('../../src/core/compose/images');
    const image = (await composeImages(path.join(dir, 'docker-compose.yml'), {}))[0] ?? '';
    const version = versionOf(image);
    assert.ok(version, `stack/vllm-images.yaml lists ${image}`);
    const reported = execFileSync('docker', ['run', '--rm', '--entrypoint', 'vllm', image, '--version'], { encoding: 'utf8' }).trim();
    assert.equal(reported, version);
  });

  it('status --json shows every phase in order, from the silent download to the API server, never 0 % while loading', { timeout: 120_000 }, async (t) => {
    composeModel(dir, ['up', '-d']);
    const samples = await pollStatus(stack.dir, (s) => s.state === 'healthy', 90_000);
    t.diagnostic(`status --json went through: ${sampleText(samples)}`);
    assertPhasesInOrder(samples, [1, 2, 3, 5, 7, 8, 9]);
    assert.ok(samples.some((s) => s.text === 'downloading weights' || /^downloading /.test(s.text ?? '')), `the silent download is named: ${JSON.stringify(samples)}`);
    // The simulator found no weights in the mounted cache and downloaded as vLLM does: silently,
    // into blobs/<etag>.incomplete, which status --json read as the download's bytes.
    const bytes = samples.filter((s) => /^downloading [\d.]+ MB \/ /.test(s.text ?? '')).map((s) => Number(/^downloading ([\d.]+)/.exec(s.text ?? '')?.[1]));
    assert.ok(bytes.length >= 2 && bytes.every((b, i) => i === 0 || b >= (bytes[i - 1] ?? 0)) && (bytes.at(-1) ?? 0) > (bytes[0] ?? 0), `the cache's growth rises: ${JSON.stringify(samples)}`);
    const logs = execFileSync('docker', ['logs', CONTAINER], { encoding: 'utf8' });
    assert.match(logs, /Time spent downloading weights for openai\/gpt-oss-20b: \d+\.\d{6} seconds/);
    const folder = path.join(stack.hfCache ?? '', 'hub', 'models--openai--gpt-oss-20b');
    const sha = readFileSync(path.join(folder, 'refs', 'main'), 'utf8');
    assert.deepEqual(readdirSync(path.join(folder, 'snapshots', sha)).sort(), ['config.json', 'model-00001-of-00004.safetensors', 'model-00002-of-00004.safetensors', 'model-00003-of-00004.safetensors', 'model-00004-of-00004.safetensors']);
    assert.ok(!readdirSync(path.join(folder, 'blobs')).some((b) => b.endsWith('.incomplete')), 'no partial blob left');
    assert.match(logs, /Starting vLLM server on http:\/\/0\.0\.0\.0:8000/, 'the 0.31 profile ran');
  });

  it('after a crash restart it starts over: no "up" from the previous run until the new start is up', { timeout: 120_000 }, async (t) => {
    const before = await status(stack.dir);
    await fetch('http://127.0.0.1:8001/sim/fault', { method: 'POST', body: JSON.stringify({ fault: 'die-mid-stream' }) });
    await fetch('http://127.0.0.1:8001/v1/chat/completions', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'gpt-oss-20b', stream: true, messages: [{ role: 'user', content: 'tell me a long story please' }] }) })
      .then((r) => r.text())
      .catch(() => undefined);
    const restarted = (s: Sample) => (s.restartCount ?? 0) > (before.restartCount ?? 0);
    const samples = await pollStatus(stack.dir, (s) => restarted(s) && s.state === 'healthy', 90_000);
    const afterRestart = samples.slice(samples.findIndex(restarted));
    t.diagnostic(`after the restart: ${sampleText(afterRestart)}`);
    assert.ok(afterRestart.length > 0, JSON.stringify(samples));
    assertPhasesInOrder(afterRestart.filter((s) => s.state !== 'restarting' && s.state !== 'exited'), [2, 8, 9]);
    // The weights the first start downloaded are in the cache now: the restart loads them.
    const logs = execFileSync('docker', ['logs', CONTAINER], { encoding: 'utf8' });
    assert.equal(logs.match(/Time spent downloading weights/g)?.length, 1, 'downloaded once, not again after the restart');
    const firstShard = afterRestart.findIndex((s) => phaseOf(s) === 2);
    assert.ok(firstShard >= 0 && afterRestart.slice(0, firstShard).every((s) => phaseOf(s) < 2), `nothing past the download before the new shards: ${JSON.stringify(afterRestart)}`);
  });
});
