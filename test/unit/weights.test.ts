/**
 * The weights' small pure parts: where the shared cache is, which files vLLM reads, the cache
 * listing and removal, and the disk check's verdict and wording.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { hfCacheDir, repoFolder, repoOfFolder } from '../../src/core/weights/cache-dir';
import { listCachedModels, removeCachedModel } from '../../src/core/weights/cache-list';
import { DISK_MARGIN_BYTES, weightsDiskCheck } from '../../src/core/weights/disk';
import { filesVllmReads } from '../../src/core/weights/select';

describe('weights', () => {
  it('finds the cache as compose does: the process over .env, ~ as the home folder, the default', () => {
    assert.equal(hfCacheDir(new Map(), {}, '/fake-home/u'), '/fake-home/u/.cache/huggingface');
    assert.equal(hfCacheDir(new Map([['HF_CACHE_DIR', '~/models']]), {}, '/fake-home/u'), '/fake-home/u/models');
    assert.equal(hfCacheDir(new Map([['HF_CACHE_DIR', '/data/a']]), { HF_CACHE_DIR: '/data/b' }, '/fake-home/u'), '/data/b');
    assert.equal(repoFolder('/c', 'openai/gpt-oss-20b'), '/c/hub/models--openai--gpt-oss-20b');
    assert.equal(repoOfFolder('models--Qwen--Qwen3-Coder-30B-A3B-Instruct-FP8'), 'Qwen/Qwen3-Coder-30B-A3B-Instruct-FP8');
    assert.equal(repoOfFolder('datasets--x--y'), undefined);
  });

  it('keeps the files vLLM reads: safetensors and small files, not other runtimes\' copies or other weight formats', () => {
    const files = ['config.json', 'model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors', 'original/consolidated.safetensors', 'metal/model.bin', 'pytorch_model.bin', 'tokenizer.json', '.gitattributes', 'chat_template.jinja']
      .map((p) => ({ path: p, size: 1 }));
    assert.deepEqual(filesVllmReads(files).map((f) => f.path), ['config.json', 'model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors', 'tokenizer.json', 'chat_template.jinja']);
    assert.deepEqual(filesVllmReads([{ path: 'pytorch_model.bin', size: 1 }, { path: 'model.gguf', size: 1 }]).map((f) => f.path), ['pytorch_model.bin']);
  });

  it('lists the cache largest first with partial downloads, and removes only a repository of it', async () => {
    const cache = mkdtempSync(path.join(tmpdir(), 'hf-list-'));
    try {
      for (const [repo, sizes] of [['a/small', [10]], ['b/large', [100, 50]]] as const) {
        const blobs = path.join(repoFolder(cache, repo), 'blobs');
        mkdirSync(blobs, { recursive: true });
        sizes.forEach((n, i) => writeFileSync(path.join(blobs, `${'0'.repeat(63)}${i}${i === 1 ? '.incomplete' : ''}`), Buffer.alloc(n)));
      }
      const listed = await listCachedModels(cache);
      assert.deepEqual(listed.map((m) => [m.repo, m.sizeBytes, m.partialBytes]), [['b/large', 150, 50], ['a/small', 10, 0]]);
      await assert.rejects(removeCachedModel(cache, '../escape'), /not a Hugging Face model id/);
      await removeCachedModel(cache, 'a/small');
      assert.deepEqual((await listCachedModels(cache)).map((m) => m.repo), ['b/large']);
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  });

  it('refuses with the numbers and the models that could go (not those the start needs)', () => {
    const cached = [{ repo: 'old/big', folder: '', sizeBytes: 40e9, lastUsedMs: 0, partialBytes: 0 }, { repo: 'openai/gpt-oss-120b', folder: '', sizeBytes: 5e9, lastUsedMs: 0, partialBytes: 0 }];
    const base = { cacheDir: '/c', cached, keep: ['openai/gpt-oss-120b'], now: 0 };
    assert.equal(weightsDiskCheck({ ...base, freeBytes: 70e9, needBytes: 65e9 }).status, 'ok');
    assert.equal(weightsDiskCheck({ ...base, freeBytes: 65e9, needBytes: 0 }).status, 'ok');
    const refused = weightsDiskCheck({ ...base, freeBytes: 30e9, needBytes: 65e9 });
    assert.equal(refused.status, 'fail');
    assert.match(refused.detail, /65\.0 GB of weights still to download \(\+ 1\.1 GB margin\) but only 30\.0 GB free on the filesystem of \/c: 36\.1 GB short/);
    assert.match(refused.fix ?? '', /old\/big {2}40\.0 GB {2}never used/);
    assert.doesNotMatch(refused.fix ?? '', /gpt-oss-120b/);
    assert.equal(DISK_MARGIN_BYTES, 1024 ** 3);
  });
});
