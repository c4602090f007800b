/**
 * Whether a repository sits complete in the Hugging Face cache, read offline: what lets the
 * pre-flight start the vllm backend without HF_TOKEN once `download` fetched the weights.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { repoInCache } from '../../src/core/weights/cache-list';

const SHA = 'a'.repeat(40);

describe('a repository complete in the cache', () => {
  const cache = mkdtempSync(path.join(tmpdir(), 'spark-repo-in-cache-'));
  after(() => rmSync(cache, { recursive: true, force: true }));
  const repo = (name: string, files: readonly string[], blobs: readonly string[] = ['b1']) => {
    const folder = path.join(cache, 'hub', `models--org--${name}`);
    mkdirSync(path.join(folder, 'snapshots', SHA), { recursive: true });
    mkdirSync(path.join(folder, 'refs'), { recursive: true });
    mkdirSync(path.join(folder, 'blobs'), { recursive: true });
    writeFileSync(path.join(folder, 'refs', 'main'), SHA);
    for (const f of files) writeFileSync(path.join(folder, 'snapshots', SHA, f), '{}');
    for (const b of blobs) writeFileSync(path.join(folder, 'blobs', b), 'x');
    return `org/${name}`;
  };

  it('is there with refs/main, a config.json and weights, and no partial blob', async () => {
    assert.equal(await repoInCache(cache, repo('whole', ['config.json', 'model.safetensors'])), true);
  });

  it('is not there without weights, with a partial blob, or at all', async () => {
    assert.equal(await repoInCache(cache, repo('config-only', ['config.json'])), false);
    assert.equal(await repoInCache(cache, repo('partial', ['config.json', 'model.safetensors'], ['b1', 'b2.incomplete'])), false);
    assert.equal(await repoInCache(cache, 'org/never-downloaded'), false);
  });
});
