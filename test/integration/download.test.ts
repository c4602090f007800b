/**
 * `spark-gateway download` against the Hub stand-in (a test double of the Hub on loopback; the
 * real Hub cannot be reached here) serving a small made-up checkpoint under the name of the
 * stack's gpt-oss-20b: the files land in the Hub's cache layout vLLM reads, progress rises to
 * the total, a cancelled and a broken download continue where they stopped (HTTP Range) without
 * fetching finished files again, and the bytes are identical to the Hub's.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { runCli } from '../../src/cli/main';
import { CancelledError } from '../../src/core/process/cancellation';
import { loadStack } from '../../src/core/stack/discovery';
import { DownloadFailedError } from '../../src/core/weights/download';
import { downloadPlans, modelsNamed, planModels, weightsContext } from '../../src/core/weights/models';
import type { HubStandIn, StandInRepo } from '../support/hub-standin';
import { startHubStandIn } from '../support/hub-standin';
import type { StackCopy } from '../support/stack-copy';
import { copyStack } from '../support/stack-copy';

const MB = 1024 * 1024;
const SHA = 'a'.repeat(8) + '0123456789abcdef0123456789abcdef';
const shards = [randomBytes(3 * MB), randomBytes(3 * MB), randomBytes(2 * MB)];
const shardName = (i: number) => `model-0000${i + 1}-of-00003.safetensors`;
const REPO: StandInRepo = {
  id: 'openai/gpt-oss-20b',
  sha: SHA,
  files: [
    { path: 'config.json', content: '{"architectures":["GptOssForCausalLM"],"num_hidden_layers":2}\n' },
    { path: 'tokenizer.json', content: '{"version":"1.0"}\n' },
    { path: 'model.safetensors.index.json', content: '{"metadata":{"total_size":8388608},"weight_map":{}}\n' },
    ...shards.map((bytes, i) => ({ path: shardName(i), bytes })),
    // A copy for another runtime: vLLM does not read it, so it is not downloaded.
    { path: 'original/model.safetensors', size: 64 * MB },
  ],
};
const TOTAL = shards.reduce((n, b) => n + b.length, 0) + REPO.files.filter((f) => f.content).reduce((n, f) => n + Buffer.byteLength(f.content ?? ''), 0);
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('download into the shared Hugging Face cache (Hub stand-in)', () => {
  let hub: HubStandIn;
  let stack: StackCopy;
  let cache: string;
  let env: NodeJS.ProcessEnv;
  before(async () => {
    hub = await startHubStandIn([REPO]);
    stack = copyStack({ syncEnv: true });
  });
  after(async () => {
    stack.remove();
    await hub.stop();
  });
  beforeEach(() => {
    cache = mkdtempSync(path.join(tmpdir(), 'hf-cache-'));
    env = { HF_ENDPOINT: hub.url, HF_CACHE_DIR: cache };
    hub.requests.length = 0;
    delete hub.faults.cutAfter;
  });
  afterEach(() => rmSync(cache, { recursive: true, force: true }));

  const folder = () => path.join(cache, 'hub', 'models--openai--gpt-oss-20b');
  const resolves = (file: string) => hub.requests.filter((r) => r.method === 'GET' && r.path.endsWith(`/resolve/${SHA}/${file}`));
  async function download(onProgress?: (done: number, total: number) => void, cancellation?: AbortSignal) {
    const loaded = await loadStack(stack.dir);
    const context = await weightsContext(loaded, env);
    const plans = await planModels(modelsNamed(loaded, 'gpt-oss-20b'), context);
    return downloadPlans(plans, context, { cancellation, onProgress: (p) => onProgress?.(p.doneBytes, p.totalBytes) });
  }
  function assertLayout() {
    assert.equal(readFileSync(path.join(folder(), 'refs', 'main'), 'utf8'), SHA);
    shards.forEach((bytes, i) => {
      const pointer = path.join(folder(), 'snapshots', SHA, shardName(i));
      assert.ok(lstatSync(pointer).isSymbolicLink(), `${shardName(i)} is a link into blobs`);
      assert.equal(readlinkSync(pointer), path.join('..', '..', 'blobs', sha256(bytes)));
      assert.ok(readFileSync(pointer).equals(bytes), `${shardName(i)}: identical bytes`);
    });
    assert.equal(readFileSync(path.join(folder(), 'snapshots', SHA, 'config.json'), 'utf8'), REPO.files[0]?.content);
    assert.equal(existsSync(path.join(folder(), 'snapshots', SHA, 'original')), false, 'original/ is not fetched');
    assert.deepEqual(resolves('original/model.safetensors'), []);
  }

  it('writes the cache layout (blobs, refs, snapshots) with progress rising monotonically to the total', async () => {
    const seen: number[] = [];
    let total = 0;
    await download((done, t) => {
      seen.push(done);
      total = t;
    });
    assert.equal(total, TOTAL);
    for (let i = 1; i < seen.length; i++) assert.ok((seen[i] ?? 0) >= (seen[i - 1] ?? 0), 'never falls');
    assert.equal(seen.at(-1), TOTAL);
    assert.ok(seen.length > 4, 'progress while the shards arrive');
    assertLayout();
  });

  it('a cancelled download continues where it stopped: finished files are not fetched again, the partial one by Range', async () => {
    const controller = new AbortController();
    const cutAt = (shards[0]?.length ?? 0) + 1.5 * MB;
    await assert.rejects(download((done) => { if (done > cutAt) controller.abort(); }, controller.signal), CancelledError);
    const partial = path.join(folder(), 'blobs', `${sha256(shards[1] ?? Buffer.alloc(0))}.incomplete`);
    const kept = lstatSync(partial).size;
    assert.ok(kept > 0 && kept < (shards[1]?.length ?? 0), `a partial second shard (${kept} bytes)`);
    const seen: number[] = [];
    await download((done) => seen.push(done));
    assert.ok((seen[0] ?? 0) >= (shards[0]?.length ?? 0) + kept, 'the resumed progress starts at what is cached');
    assert.equal(resolves(shardName(0)).length, 1, 'the finished first shard is fetched once');
    const second = resolves(shardName(1));
    assert.equal(second.length, 2);
    assert.equal(second[1]?.range, `bytes=${kept}-`);
    assertLayout();
  });

  it('a broken connection fails with the fix, and the next run completes the file from where it broke', async () => {
    hub.faults.cutAfter = { path: new RegExp(`${shardName(2)}$`), bytes: MB };
    await assert.rejects(download(), (error: unknown) => error instanceof DownloadFailedError && /broke off/.test(error.message) && /continues where it stopped/.test(error.fix ?? ''));
    delete hub.faults.cutAfter;
    await download();
    const third = resolves(shardName(2));
    assert.equal(third.length, 2);
    assert.match(third[1]?.range ?? '', /^bytes=\d+-$/);
    assert.ok(Number(/\d+/.exec(third[1]?.range ?? '')?.[0]) > 0);
    assert.equal(resolves(shardName(0)).length, 1);
    assertLayout();
  });

  it('`download` prints the plan, progress lines when piped, and says what was already cached on a second run', async () => {
    const run = async () => {
      let out = '';
      let err = '';
      const code = await runCli(['--stack', stack.dir, 'download', 'gpt-oss-20b'], { out: (t) => (out += t), err: (t) => (err += t), cwd: stack.dir, env });
      return { code, out, err };
    };
    const first = await run();
    assert.equal(first.code, 0, first.out + first.err);
    assert.match(first.out, /openai\/gpt-oss-20b@aaaaaaaa0123: 6 files, 8\.4 MB; 8\.4 MB to fetch/);
    assert.match(first.out, /downloading [\d.]+ \/ 8\.4 MB/);
    assert.doesNotMatch(first.out, /\r/);
    assert.match(first.out, /Done: 6 files fetched, 0 already in the cache/);
    const again = await run();
    assert.equal(again.code, 0);
    assert.match(again.out, /all in the cache/);
    assert.match(again.out, /Done: 0 files fetched, 6 already in the cache/);
    assert.equal(resolves(shardName(0)).length, 1);
  });

  // Mounting needs root (the test machines run the suite as root); elsewhere it is skipped.
  const canMount = process.getuid?.() === 0 ? false : 'mounting a tmpfs needs root';
  it('refuses before the first byte on a small filesystem (a tmpfs mounted as HF_CACHE_DIR), with the numbers and what to delete', { skip: canMount }, async () => {
    const small = mkdtempSync(path.join(tmpdir(), 'hf-small-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', small]);
    try {
      // Something already cached there, so the refusal can say what could go.
      mkdirSync(path.join(small, 'hub', 'models--old--model', 'blobs'), { recursive: true });
      writeFileSync(path.join(small, 'hub', 'models--old--model', 'blobs', 'b'.repeat(64)), Buffer.alloc(512 * 1024));
      let out = '';
      let err = '';
      const code = await runCli(['--stack', stack.dir, 'download', 'gpt-oss-20b'], { out: (t) => (out += t), err: (t) => (err += t), cwd: stack.dir, env: { HF_ENDPOINT: hub.url, HF_CACHE_DIR: small } });
      assert.equal(code, 1, out + err);
      assert.match(err, /8\.4 MB of weights still to download \(\+ 1\.1 GB margin\) but only [\d.]+ MB free on the filesystem of .*hf-small-.*: [\d.]+ GB short/);
      assert.match(err, /old\/model {2}524 kB {2}last used today/);
      assert.equal(err.trim().split('\n').length, 1, 'one line on stderr');
      assert.deepEqual(hub.requests.filter((r) => r.path.includes('/resolve/')), [], 'nothing downloaded');
      assert.equal(existsSync(path.join(small, 'hub', 'models--openai--gpt-oss-20b')), false);
    } finally {
      execFileSync('umount', [small]);
      rmSync(small, { recursive: true, force: true });
    }
  });
});
