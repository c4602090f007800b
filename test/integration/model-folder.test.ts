/**
 * A model folder made by the template, end to end on the real components: its compose files
 * pass `docker compose config` (v2 and v1), its one-model scenario comes up healthy on the
 * simulator image from the generated compose file (`up --backend simulator`, the simulator
 * standing in for the GPU server), `remove-model` refuses while it runs, and after `down` it
 * removes the model and its weights in the shared Hugging Face cache — the stack then byte for byte as before.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../../src/cli/main';
import { loadVllmImages } from '../../src/core/stack/vllm-images';
import type { ModelSpec } from '../../src/core/scenarios/file';
import { modelAdditionChanges, readStackTexts } from '../../src/core/stack-edit/model-changes';
import { applyStackChanges } from '../../src/core/files';
import { missing } from '../support/components';
import { ensureSimulatorImage, inspect } from '../support/docker';
import type { StackCopy } from '../support/stack-copy';
import { copyStack } from '../support/stack-copy';
import { snapshotTree } from '../support/tree-snapshot';

/** A model as add-model would write it, with every optional field the template knows. */
const MODEL: ModelSpec = {
  name: 'qwen3-4b', folder: 'qwen3-4b', container: 'vllm-qwen3-4b', hfModel: 'Qwen/Qwen3-4B',
  weightsGiB: 7.5, overheadGiB: 2, kvCacheDtype: 'fp8', kvBytesPerToken: 73728, maxModelLen: 32768,
  hostPort: 8004, memoryEnv: 'QWEN3_4B_GPU_MEMORY_UTILIZATION', defaultFraction: 0.15,
  toolCallParser: 'hermes', reasoningParser: 'qwen3', trustRemoteCode: true, quantization: 'fp8',
  extraArgs: ['--max-num-seqs', '16'], tensorParallel: { 'multi-gpu': 2 }, gpus: { 'multi-gpu': ['0', '1'] },
};

async function cli(stackDir: string, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(['--stack', stackDir, ...argv], { out: (t) => (out += t), err: (t) => (err += t), cwd: stackDir, env: {} });
  return { code, out, err };
}

const containerExists = (name: string) => execFileSync('docker', ['ps', '-a', '--format', '{{.Names}}'], { encoding: 'utf8' }).split('\n').includes(name);
const volumeExists = (name: string) => execFileSync('docker', ['volume', 'ls', '--quiet'], { encoding: 'utf8' }).split('\n').includes(name);

describe('a generated model folder on Docker', { skip: missing('docker', 'compose') }, () => {
  let stack: StackCopy;
  let original: Record<string, string>;
  let cache: string;
  before(async () => {
    ensureSimulatorImage();
    stack = copyStack({ syncEnv: false });
    // The shared weights cache in a folder of the test's own, set as a user would in .env.
    cache = mkdtempSync(path.join(tmpdir(), 'hf-cache-'));
    appendFileSync(path.join(stack.dir, '.env.example'), `\nHF_CACHE_DIR=${cache}\n`);
    execFileSync('bash', [path.join(stack.dir, 'sync-env.sh')], { stdio: 'pipe' });
    original = snapshotTree(stack.dir);
    await applyStackChanges(stack.dir, modelAdditionChanges(await readStackTexts(stack.dir), MODEL, await loadVllmImages(stack.dir), stack.dir));
    const synced = await cli(stack.dir, 'sync-env');
    assert.equal(synced.code, 0, synced.err);
    assert.ok(existsSync(path.join(stack.dir, 'qwen3-4b', '.env')), 'sync-env covers the new folder');
  });
  after(() => {
    if (containerExists(MODEL.container)) execFileSync('docker', ['rm', '-f', MODEL.container], { stdio: 'pipe' });
    if (volumeExists('qwen3-4b_huggingface_cache')) execFileSync('docker', ['volume', 'rm', 'qwen3-4b_huggingface_cache'], { stdio: 'pipe' });
    stack.remove();
    rmSync(cache, { recursive: true, force: true });
  });

  const tools: string[][] = [['docker', 'compose']];
  if (existsSync('/usr/bin/docker-compose') || process.env.CI === 'true') tools.push(['docker-compose']);
  for (const [cmd, ...pre] of tools as [string, ...string[]][]) {
    for (const file of ['docker-compose.yml', 'docker-compose-gpu.yml']) {
      it(`${[cmd, ...pre].join(' ')} accepts the generated ${file}`, () => {
        const rendered = execFileSync(cmd, [...pre, '-f', file, 'config'], { cwd: path.join(stack.dir, 'qwen3-4b'), encoding: 'utf8', env: { ...process.env, QWEN3_4B_GPU_MEMORY_UTILIZATION: '0.2' } });
        assert.match(rendered, /--reasoning-parser/);
        assert.match(rendered, /0\.2\b/, 'the scenario\'s fraction reaches the command');
      });
    }
  }

  it('comes up healthy on the simulator from the generated compose file; remove-model refuses while it runs', { timeout: 240_000 }, async () => {
    const up = await cli(stack.dir, 'up', 'qwen3-4b', '--backend', 'simulator', '--models-only');
    assert.equal(up.code, 0, up.out + up.err);
    assert.match(up.out, /qwen3-4b: healthy/);
    const args = inspect(MODEL.container).Args;
    for (const [flag, value] of [['--served-model-name', 'qwen3-4b'], ['--gpu-memory-utilization', '0.15'], ['--reasoning-parser', 'qwen3'], ['--tool-call-parser', 'hermes']]) {
      assert.equal(args[args.indexOf(flag as string) + 1], value, flag);
    }
    assert.equal((await fetch('http://127.0.0.1:8004/health')).status, 200);
    const models = (await (await fetch('http://127.0.0.1:8004/v1/models')).json()) as { data: { id: string }[] };
    assert.deepEqual(models.data.map((m) => m.id), ['qwen3-4b']);

    const refused = await cli(stack.dir, 'remove-model', 'qwen3-4b');
    assert.equal(refused.code, 1);
    assert.match(refused.err, /vllm-qwen3-4b is running: stop it before removing qwen3-4b — spark-gateway down qwen3-4b/);
    assert.ok(existsSync(path.join(stack.dir, 'qwen3-4b', 'docker-compose.yml')));
  });

  it('after down, remove-model --purge removes the model and its weights in the shared cache; the stack is as before', { timeout: 120_000 }, async () => {
    const down = await cli(stack.dir, 'down', 'qwen3-4b');
    assert.equal(down.code, 0, down.out + down.err);
    // `down` removed the container; create it again (not started) so remove-model meets a stopped one.
    execFileSync('docker', ['compose', 'create'], { cwd: path.join(stack.dir, 'qwen3-4b'), stdio: 'pipe' });
    assert.ok(containerExists(MODEL.container));
    // Its weights in the shared cache (the simulator downloads none: a made-up blob stands for them).
    const weights = path.join(cache, 'hub', 'models--Qwen--Qwen3-4B');
    mkdirSync(path.join(weights, 'blobs'), { recursive: true });
    writeFileSync(path.join(weights, 'blobs', '0'.repeat(64)), 'weights');
    const removed = await cli(stack.dir, 'remove-model', 'qwen3-4b', '--purge');
    assert.equal(removed.code, 0, removed.out + removed.err);
    assert.match(removed.out, /removed the stopped container vllm-qwen3-4b/);
    assert.match(removed.out, new RegExp(`removed the weights ${weights.replace(/[.]/g, '\\.')}`));
    assert.equal(containerExists(MODEL.container), false);
    assert.equal(existsSync(weights), false);
    assert.deepEqual(snapshotTree(stack.dir), original);
    assert.doesNotMatch(readFileSync(path.join(stack.dir, 'litellm', 'config.yaml'), 'utf8'), /qwen3-4b/);
  });
});
