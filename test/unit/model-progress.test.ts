/**
 * SPEC §9's progress of a model, the one function `status` and the Servers tree's state model both
 * read it with (src/core/weights/model-progress.ts): a recorded pull or download, the cache's
 * growth while vLLM downloads by itself (a partial blob), the load's shards.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FakeDocker, details, until } from '../support/fake-docker';
import { INITIAL_PROGRESS, progressFromLog } from '../../src/core/logs/vllm-progress';
import { byteProgress } from '../../src/core/progress/progress';
import { clearProgress, writeProgress } from '../../src/core/progress/progress-file';
import type { ServiceRow } from '../../src/core/stack/services';
import { StackStateModel } from '../../src/core/state/stack-state';
import { repoFolder } from '../../src/core/weights/cache-dir';
import { listCachedModels, readRepoBlobs } from '../../src/core/weights/cache-list';
import type { ModelProgressSource } from '../../src/core/weights/model-progress';
import { modelProgress } from '../../src/core/weights/model-progress';

const GIB = 1024 ** 3;
const REPO = 'openai/gpt-oss-20b';
const MODEL = 'gpt-oss-20b';

describe('the progress of a model (SPEC §9)', () => {
  let root: string;
  let source: ModelProgressSource;
  let blobs: string;

  before(() => {
    root = mkdtempSync(path.join(tmpdir(), 'model-progress-'));
    const cacheDir = path.join(root, 'cache');
    blobs = path.join(repoFolder(cacheDir, REPO), 'blobs');
    mkdirSync(blobs, { recursive: true });
    source = { stackRoot: path.join(root, 'stack'), cacheDir, models: [{ name: MODEL, hfModel: REPO, weightsGiB: 1 }] };
  });

  after(async () => {
    await clearProgress(source.stackRoot, [MODEL]);
    rmSync(root, { recursive: true, force: true });
  });

  it('is a pull or download a start recorded, before the server runs (not once it loads)', async () => {
    const pulled = byteProgress('pull', 3.1e9, 14.8e9);
    await writeProgress(source.stackRoot, [MODEL], pulled);
    try {
      for (const state of ['absent', 'created', 'starting']) assert.deepEqual(await modelProgress({ kind: 'model', name: MODEL, state }, source), pulled, state);
      assert.equal(await modelProgress({ kind: 'model', name: MODEL, state: 'exited' }, source), undefined);
      assert.equal((await modelProgress({ kind: 'model', name: MODEL, state: 'loading', progress: { fraction: 0.4, text: 'shard 2/4' } }, source))?.phase, 'load');
      assert.equal(await modelProgress({ kind: 'gateway', name: MODEL, state: 'absent' }, source), undefined, 'not a model');
    } finally {
      await clearProgress(source.stackRoot, [MODEL]);
    }
    assert.equal(await modelProgress({ kind: 'model', name: MODEL, state: 'absent' }, source), undefined, 'nothing recorded: nothing under way');
  });

  it('is the cache\'s growth while vLLM downloads by itself: the bytes of the blobs, the partial one included', async () => {
    writeFileSync(path.join(blobs, `${'a'.repeat(64)}`), Buffer.alloc(300));
    writeFileSync(path.join(blobs, `${'b'.repeat(64)}.incomplete`), Buffer.alloc(200));
    try {
      const downloading = byteProgress('download', 500, GIB);
      assert.equal(downloading.text, 'downloading 500 B / 1.1 GB');
      // Started by hand: no log line yet, or vLLM's "Loading model from scratch" (read as 'downloading weights').
      assert.deepEqual(await modelProgress({ kind: 'model', name: MODEL, state: 'starting' }, source), downloading);
      const fromScratch = progressFromLog(['(EngineCore pid=7) INFO 11-26 20:00:01 [gpu_model_runner.py:3500] Loading model from scratch...'], INITIAL_PROGRESS);
      assert.equal(fromScratch.text, 'downloading weights');
      assert.deepEqual(await modelProgress({ kind: 'model', name: MODEL, state: 'loading', progress: fromScratch }, source), downloading);
      // The same one read of the blobs as the cache listing's.
      const read = await readRepoBlobs(path.dirname(blobs));
      assert.deepEqual([read.sizeBytes, read.partialBytes, read.partialBlobs], [500, 200, 1]);
      assert.deepEqual((await listCachedModels(source.cacheDir)).map((m) => [m.repo, m.sizeBytes, m.partialBytes]), [[REPO, 500, 200]]);
      // Never more than the model's weights (the cache may hold other revisions' blobs).
      assert.deepEqual(await modelProgress({ kind: 'model', name: MODEL, state: 'starting' }, { ...source, models: [{ name: MODEL, hfModel: REPO, weightsGiB: 400 / GIB }] }), byteProgress('download', 400, 400));
      // A model of another repository, or one scenarios.yaml does not know, reads nothing of this cache.
      assert.equal(await modelProgress({ kind: 'model', name: 'other', state: 'starting' }, source), undefined);
      // A partial blob that has no byte yet is a download under way too.
      rmSync(path.join(blobs, `${'b'.repeat(64)}.incomplete`));
      writeFileSync(path.join(blobs, `${'c'.repeat(64)}.incomplete`), '');
      assert.deepEqual(await modelProgress({ kind: 'model', name: MODEL, state: 'starting' }, source), byteProgress('download', 300, GIB));
    } finally {
      for (const blob of [`${'a'.repeat(64)}`, `${'c'.repeat(64)}.incomplete`]) rmSync(path.join(blobs, blob), { force: true });
    }
    assert.equal(await modelProgress({ kind: 'model', name: MODEL, state: 'starting' }, source), undefined, 'no partial blob: not downloading');
  });

  it('is the load once vLLM reads the checkpoint: a shard line as that share of the weights\' bytes', async () => {
    const shard = progressFromLog(['Loading safetensors checkpoint shards:  50% Completed | 2/4 [00:01<00:01,  1.10it/s]']);
    assert.equal(shard.text, 'shard 2/4');
    // A partial blob left in the cache does not count once vLLM loads.
    writeFileSync(path.join(blobs, `${'d'.repeat(64)}.incomplete`), Buffer.alloc(10));
    try {
      assert.deepEqual(await modelProgress({ kind: 'model', name: MODEL, state: 'loading', progress: { fraction: shard.fraction, text: shard.text } }, source), { phase: 'load', doneBytes: GIB / 2, totalBytes: GIB, fraction: shard.fraction, text: 'shard 2/4' });
    } finally {
      rmSync(path.join(blobs, `${'d'.repeat(64)}.incomplete`));
    }
    assert.deepEqual(await modelProgress({ kind: 'model', name: MODEL, state: 'loading', progress: { fraction: 0.78, text: 'KV cache' } }, source), { phase: 'load', doneBytes: GIB, totalBytes: GIB, fraction: 0.78, text: 'KV cache' });
    assert.deepEqual(await modelProgress({ kind: 'model', name: MODEL, state: 'loading', progress: { fraction: 0.1, text: 'reading checkpoint' } }, source), { phase: 'load', doneBytes: 0, totalBytes: GIB, fraction: 0.1, text: 'reading checkpoint' });
    assert.equal(await modelProgress({ kind: 'model', name: MODEL, state: 'healthy' }, source), undefined);
  });

  it('is what the state model feeding the Servers tree carries: the same figure as status', async () => {
    const rows: ServiceRow[] = [{ kind: 'model', name: MODEL, label: MODEL, container: 'vllm-gpt-oss-20b', folder: MODEL, hostPort: 8001, detail: '' }];
    const docker = new FakeDocker();
    docker.logText = '(EngineCore pid=7) INFO 11-26 20:00:01 [gpu_model_runner.py:3500] Loading model from scratch...\n';
    docker.containers.set('vllm-gpt-oss-20b', details({ health: { status: 'starting', failingStreak: 0 } }));
    writeFileSync(path.join(blobs, `${'e'.repeat(64)}.incomplete`), Buffer.alloc(1000));
    const model = new StackStateModel(rows, source.stackRoot, docker, { debounceMs: 20, followProgress: false, progressSource: () => source, phaseProgressMs: 20 });
    try {
      model.start();
      await model.whenSynced();
      await until(() => model.services[0]?.phaseProgress !== undefined);
      const status = model.services[0];
      assert.equal(status?.state, 'loading');
      assert.deepEqual(status.phaseProgress, await modelProgress(status, source));
      assert.equal(status.phaseProgress?.text, 'downloading 1 kB / 1.1 GB');
      // The cache grows without any Docker event or log line: the figure follows.
      writeFileSync(path.join(blobs, `${'e'.repeat(64)}.incomplete`), Buffer.alloc(2000));
      await until(() => model.services[0]?.phaseProgress?.doneBytes === 2000);
      // The download ended: the figure is vLLM's load again.
      rmSync(path.join(blobs, `${'e'.repeat(64)}.incomplete`));
      await until(() => model.services[0]?.phaseProgress?.phase === 'load');
    } finally {
      model.dispose();
      rmSync(path.join(blobs, `${'e'.repeat(64)}.incomplete`), { force: true });
    }
    // Without a source (the CLI's one-shot read) the status has none.
    const plain = new StackStateModel(rows, source.stackRoot, docker, { followProgress: false });
    try {
      assert.equal((await plain.syncOnce())[0]?.phaseProgress, undefined);
    } finally {
      plain.dispose();
    }
  });
});
