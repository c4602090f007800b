/**
 * A Hub that lies (or a mirror named by HF_ENDPOINT, which may come from the stack's .env),
 * played by the Hub stand-in on 127.0.0.1: listings whose paths, blob hashes or commit leave the
 * cache, symbolic links planted inside the cache, a plain-HTTP endpoint for the token, and the
 * dry run of add-model. Each case is refused (or runs) with nothing written outside the cache:
 * the whole temporary root — the stack, the Hugging Face cache and a "victim" file beside them —
 * is pictured before and after, with every file's bytes, mode and modification time.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import { readHubModel } from '../../src/core/hub/model-files';
import { tokenMayGoTo } from '../../src/core/hub/transport';
import { GPT_OSS_20B, QWEN3_4B, STANDIN_TOKEN } from '../support/hub-repos';
import type { HubStandIn, StandInFile, StandInRepo } from '../support/hub-standin';
import { cliWithEnv, startHubStandIn } from '../support/hub-standin';
import type { StackCopy } from '../support/stack-copy';
import { copyStack } from '../support/stack-copy';
import { treePicture } from '../support/tree-picture';

const REPO_ID = 'openai/gpt-oss-20b';
const SHA = '0123456789abcdef0123456789abcdef01234567';
const SHARD = randomBytes(64 * 1024);
const GOOD_FILES: readonly StandInFile[] = [
  { path: 'config.json', content: '{"architectures":["GptOssForCausalLM"],"num_hidden_layers":2}\n' },
  { path: 'model.safetensors', bytes: SHARD },
];
const VICTIM_BYTES = 'canary: must never change\n';

function picture(dir: string): Record<string, string> {
  return treePicture(dir, { mtimes: true });
}

/** `picture` without the entries under `under` (a folder the case may fill, relative to the root). */
function outside(tree: Record<string, string>, under: string): Record<string, string> {
  return Object.fromEntries(Object.entries(tree).filter(([file]) => file !== `${under}/` && !file.startsWith(`${under}/`)));
}

describe('hostile Hub answers (Hub stand-in on 127.0.0.1)', () => {
  let stack: StackCopy;
  /** The temporary root: `stack/`, `hf-cache/` (the stack's HF_CACHE_DIR) and `victim`. */
  let root: string;
  let cache: string;
  let victim: string;
  let hub: HubStandIn | undefined;
  const repoFolder = () => path.join(cache, 'hub', 'models--openai--gpt-oss-20b');
  const snapshot = () => path.join(repoFolder(), 'snapshots', SHA);

  before(() => {
    stack = copyStack({ syncEnv: true });
    root = path.dirname(stack.dir);
    cache = stack.hfCache ?? path.join(root, 'hf-cache');
    victim = path.join(root, 'victim');
  });
  after(() => stack.remove());
  beforeEach(() => {
    rmSync(cache, { recursive: true, force: true });
    mkdirSync(cache);
    writeFileSync(victim, VICTIM_BYTES);
  });
  afterEach(async () => {
    await hub?.stop();
    hub = undefined;
  });

  async function serve(repo: Partial<StandInRepo> & { files: readonly StandInFile[] }): Promise<HubStandIn> {
    hub = await startHubStandIn([{ id: REPO_ID, sha: SHA, ...repo }]);
    return hub;
  }
  const download = (endpoint: string, extra: NodeJS.ProcessEnv = {}) => cliWithEnv({ HF_ENDPOINT: endpoint, HF_CACHE_DIR: cache, ...extra }, stack.dir, 'download', 'gpt-oss-20b');
  const resolves = (standIn: HubStandIn) => standIn.requests.filter((r) => r.path.includes('/resolve/'));
  const assertVictimUntouched = (before: { mtimeMs: number }) => {
    assert.equal(readFileSync(victim, 'utf8'), VICTIM_BYTES, 'the victim\'s bytes are unchanged');
    assert.ok(lstatSync(victim).isFile(), 'the victim is still a plain file, not a link');
    assert.equal(lstatSync(victim).mtimeMs, before.mtimeMs, 'the victim was not rewritten');
  };

  // The traversal lands exactly on the victim: snapshots/<sha>/a → up six folders is the root.
  const traversal = `a/${'../'.repeat(6)}victim`;
  const hostilePaths: readonly [string, string][] = [
    [traversal, 'a/../../…/victim'],
    ['', 'the victim\'s absolute path'],
    ['..', '..'],
    ['a\\..\\..\\victim', 'a\\..\\..\\victim (backslashes)'],
    ['config.json\0victim', 'a NUL byte'],
    ['./victim', './victim'],
  ];
  for (const [given, shown] of hostilePaths) {
    test(`hostile: Hub lists ${shown} → refused, nothing written`, async () => {
      const listed = given === '' ? victim : given;
      if (given === traversal) assert.equal(path.join(snapshot(), listed), victim, 'the listed path would land on the victim');
      const standIn = await serve({ files: [...GOOD_FILES, { path: listed, content: 'overwritten\n' }] });
      const victimBefore = lstatSync(victim);
      const before = picture(root);

      const result = await download(standIn.url);

      assert.notEqual(result.code, 0, result.out);
      assert.match(result.err, new RegExp(`refusing the answer of ${standIn.url.replace(/\./g, '\\.')} for openai/gpt-oss-20b: path ".*" (is absolute|has)`));
      assert.match(result.err, /nothing was written/);
      assert.match(result.err, /— .*HF_ENDPOINT/, 'the fix names HF_ENDPOINT');
      assert.deepEqual(picture(root), before, 'not one entry under the temporary root changed (stack, cache, victim)');
      assertVictimUntouched(victimBefore);
      assert.deepEqual(resolves(standIn), [], 'no file was even requested');
    });
  }

  const hostileOids: readonly [string, StandInFile][] = [
    ['an LFS oid ../../victim', { path: 'model.safetensors', bytes: SHARD, listedOid: `../../../../${'victim'}` }],
    ['an LFS oid that is not hex', { path: 'model.safetensors', bytes: SHARD, listedOid: 'z'.repeat(64) }],
    ['an LFS oid in upper case', { path: 'model.safetensors', bytes: SHARD, listedOid: createHash('sha256').update(SHARD).digest('hex').toUpperCase() }],
    ['a git blob id of 12 hex digits', { path: 'config.json', content: '{}\n', listedOid: 'abcdef012345' }],
  ];
  for (const [shown, file] of hostileOids) {
    test(`hostile: Hub lists ${shown} → refused, nothing written`, async () => {
      const standIn = await serve({ files: [file, ...GOOD_FILES.filter((f) => f.path !== file.path)] });
      const victimBefore = lstatSync(victim);
      const before = picture(root);

      const result = await download(standIn.url);

      assert.notEqual(result.code, 0, result.out);
      assert.match(result.err, new RegExp(`refusing the answer of .* for openai/gpt-oss-20b: "${file.path.replace('.', '\\.')}" has the (LFS sha256|git blob id) ".*", not (64|40) lower-case hex digits; nothing was written`));
      assert.deepEqual(picture(root), before);
      assertVictimUntouched(victimBefore);
      assert.deepEqual(resolves(standIn), []);
    });
  }

  for (const sha of ['../../../victim', 'g'.repeat(40), SHA.slice(0, 39)]) {
    test(`hostile: Hub answers the commit sha ${JSON.stringify(sha)} → refused, nothing written`, async () => {
      const standIn = await serve({ sha, files: GOOD_FILES });
      const before = picture(root);

      const result = await download(standIn.url);

      assert.notEqual(result.code, 0, result.out);
      assert.match(result.err, /refusing the answer of .* for openai\/gpt-oss-20b: its commit sha ".*" is not 40 lower-case hex digits; nothing was written/);
      assert.deepEqual(picture(root), before);
      assert.ok(standIn.requests.every((r) => !r.path.includes('/tree/') && !r.path.includes('/resolve/')), 'no listing or file requested after the bad commit');
    });
  }

  test('hostile: a link planted at snapshots/<sha>/sub → a folder outside the cache → refused, nothing written through it', async () => {
    const away = path.join(root, 'away');
    mkdirSync(away, { recursive: true });
    writeFileSync(path.join(away, 'extra.json'), VICTIM_BYTES);
    mkdirSync(snapshot(), { recursive: true });
    symlinkSync(away, path.join(snapshot(), 'sub'));
    const standIn = await serve({ files: [...GOOD_FILES, { path: 'sub/extra.json', content: '{"x":1}\n' }] });
    const before = picture(root);

    const result = await download(standIn.url);

    assert.notEqual(result.code, 0, result.out);
    assert.match(result.err, /refusing "snapshots\/0123456789abcdef0123456789abcdef01234567\/sub": it resolves to .*away through a symbolic link/);
    // The blobs are fetched into the cache (inside it, as they should be); nothing else changed.
    assert.deepEqual(outside(picture(root), 'hf-cache'), outside(before, 'hf-cache'), 'nothing outside the cache changed');
    assert.equal(readFileSync(path.join(away, 'extra.json'), 'utf8'), VICTIM_BYTES);
    assert.deepEqual(readdirSync(away), ['extra.json'], 'no link or file was made in the folder the link points to');
    rmSync(away, { recursive: true, force: true });
  });

  test('hostile: a link planted at blobs/<sha256>.incomplete → the victim → refused, the victim not truncated', async () => {
    const blobs = path.join(repoFolder(), 'blobs');
    mkdirSync(blobs, { recursive: true });
    symlinkSync(victim, path.join(blobs, `${createHash('sha256').update(SHARD).digest('hex')}.incomplete`));
    const standIn = await serve({ files: GOOD_FILES });
    const victimBefore = lstatSync(victim);
    const before = picture(root);

    const result = await download(standIn.url);

    assert.notEqual(result.code, 0, result.out);
    // (The validator shortens a long path in its message to 80 characters.)
    assert.match(result.err, /refusing "blobs\/[0-9a-f]{64}\.incomp[^"]*": it resolves to .*\/victim through a symbolic link/);
    assert.deepEqual(outside(picture(root), 'hf-cache'), outside(before, 'hf-cache'));
    assertVictimUntouched(victimBefore);
  });

  test('hostile: refs/ planted as a link to a folder outside the cache → refused, nothing written there', async () => {
    const away = path.join(root, 'away-refs');
    mkdirSync(away, { recursive: true });
    mkdirSync(repoFolder(), { recursive: true });
    symlinkSync(away, path.join(repoFolder(), 'refs'));
    const standIn = await serve({ files: GOOD_FILES });
    const before = picture(root);

    const result = await download(standIn.url);

    assert.notEqual(result.code, 0, result.out);
    assert.match(result.err, /refusing "refs\/main": it resolves to .*away-refs.* through a symbolic link/);
    assert.deepEqual(outside(picture(root), 'hf-cache'), outside(before, 'hf-cache'));
    assert.deepEqual(readdirSync(away), [], 'no refs/main written through the link');
    rmSync(away, { recursive: true, force: true });
  });

  test('control: the same stand-in with an honest listing downloads into the cache (the cases above fail for their input only)', async () => {
    const standIn = await serve({ files: [...GOOD_FILES, { path: 'sub/extra.json', content: '{"x":1}\n' }] });
    const before = picture(root);
    const result = await download(standIn.url);
    assert.equal(result.code, 0, result.err);
    assert.equal(readFileSync(path.join(snapshot(), 'model.safetensors')).equals(SHARD), true);
    assert.equal(readFileSync(path.join(snapshot(), 'sub', 'extra.json'), 'utf8'), '{"x":1}\n');
    assert.equal(readlinkSync(path.join(snapshot(), 'sub', 'extra.json')).startsWith(path.join('..', '..', '..', 'blobs')), true);
    assert.deepEqual(outside(picture(root), 'hf-cache'), outside(before, 'hf-cache'));
  });

  /** Replaces the global fetch (which the Hub transport uses) with one that records and fails. */
  function recordFetches(): { calls: string[]; restore: () => void } {
    const original = globalThis.fetch;
    const calls: string[] = [];
    globalThis.fetch = ((input: string | URL | Request) => {
      calls.push(input instanceof Request ? input.url : input.toString());
      return Promise.reject(new TypeError('fetch failed (recorded by the test; no network)'));
    }) as typeof fetch;
    return { calls, restore: () => { globalThis.fetch = original; } };
  }

  test('hostile: HF_ENDPOINT http://hub.invalid with HF_TOKEN set → refused before any request, the fix says https://', async () => {
    const spy = recordFetches();
    const before = picture(root);
    try {
      for (const argv of [['download', 'gpt-oss-20b'], ['add-model', QWEN3_4B.id, '--dry-run', '--total-gib', '128']]) {
        const result = await cliWithEnv({ HF_ENDPOINT: 'http://hub.invalid', HF_TOKEN: STANDIN_TOKEN, HF_CACHE_DIR: cache }, stack.dir, ...argv);
        assert.notEqual(result.code, 0, `${argv[0]}: ${result.out}`);
        assert.match(result.err, /HF_TOKEN is not sent over plain HTTP: HF_ENDPOINT is http:\/\/hub\.invalid, which is not this machine.*nothing was sent — Use https:\/\/ in HF_ENDPOINT/, argv[0]);
        assert.doesNotMatch(result.err, new RegExp(STANDIN_TOKEN), 'the token is not echoed');
      }
      assert.deepEqual(spy.calls, [], 'no request was made at all');
    } finally {
      spy.restore();
    }
    assert.deepEqual(picture(root), before);
    // Where a token may go: HTTPS anywhere, plain HTTP only to this machine.
    for (const url of ['https://huggingface.co', 'http://127.0.0.1:8080', 'http://127.9.8.7', 'http://localhost:1', 'http://[::1]:5000']) assert.equal(tokenMayGoTo(url), true, url);
    for (const url of ['http://hub.invalid', 'http://10.0.0.1', 'http://127.0.0.1.nip.io', 'http://localhost.evil.example', 'http://[::2]']) assert.equal(tokenMayGoTo(url), false, url);
  });

  test('hostile: HF_ENDPOINT http://hub.invalid without a token → not refused (nothing to leak): it is asked and fails as unreachable', async () => {
    const spy = recordFetches();
    try {
      const result = await cliWithEnv({ HF_ENDPOINT: 'http://hub.invalid', HF_CACHE_DIR: cache }, stack.dir, 'add-model', QWEN3_4B.id, '--dry-run', '--total-gib', '128');
      assert.notEqual(result.code, 0);
      assert.match(result.err, /cannot reach http:\/\/hub\.invalid/);
      assert.ok(spy.calls.length > 0 && spy.calls.every((url) => url.startsWith('http://hub.invalid/')), spy.calls.join(' '));
    } finally {
      spy.restore();
    }
  });

  for (const endpoint of ['file:///etc/passwd', 'https://user:secret@mirror.example', 'not a url', 'https://mirror.example/?next=x']) {
    test(`hostile: HF_ENDPOINT ${endpoint} → refused with the fix, no request`, async () => {
      const spy = recordFetches();
      try {
        const result = await cliWithEnv({ HF_ENDPOINT: endpoint, HF_CACHE_DIR: cache }, stack.dir, 'add-model', QWEN3_4B.id, '--dry-run', '--total-gib', '128');
        assert.notEqual(result.code, 0);
        assert.match(result.err, /HF_ENDPOINT ".*" \(from the process environment\) (is not|carries|has).* — Set HF_ENDPOINT in the process environment to the Hub's address, e\.g\. https:\/\/huggingface\.co, or remove it/);
        assert.doesNotMatch(result.err, /secret/, 'a password in the URL is not echoed');
        assert.deepEqual(spy.calls, []);
      } finally {
        spy.restore();
      }
    });
  }

  for (const [argv, expected] of [
    [['add-model', 'Qwen/..'], /"Qwen\/\.\." is not a Hugging Face model id/],
    [['add-model', 'Qwen/-rf'], /"Qwen\/-rf" is not a Hugging Face model id/],
    [['add-model', '../../victim'], /"\.\.\/\.\.\/victim" is not a Hugging Face model id/],
    [['add-model', QWEN3_4B.id, '--revision', '../../../victim'], /"\.\.\/\.\.\/\.\.\/victim" is not a revision/],
    [['add-model', QWEN3_4B.id, '--revision', '.'], /"\." is not a revision/],
  ] as const) {
    test(`hostile: ${argv.join(' ')} → refused before any request, nothing written`, async () => {
      const standIn = await serve({ files: GOOD_FILES });
      const before = picture(root);
      const result = await cliWithEnv({ HF_ENDPOINT: standIn.url, HF_CACHE_DIR: cache }, stack.dir, ...argv, '--dry-run', '--total-gib', '128');
      assert.notEqual(result.code, 0);
      assert.match(result.err, expected);
      assert.deepEqual(standIn.requests, []);
      assert.deepEqual(picture(root), before);
    });
  }

  test('hostile: add-model --dry-run → the stack byte-identical, also when the Hub cache is there and answers offline', async () => {
    hub = await startHubStandIn([QWEN3_4B, GPT_OSS_20B]);
    const standIn = hub;
    const stackBefore = picture(stack.dir);
    const dry = await cliWithEnv({ HF_ENDPOINT: standIn.url, HF_CACHE_DIR: cache }, stack.dir, 'add-model', QWEN3_4B.id, '--dry-run', '--json', '--total-gib', '128');
    assert.equal(dry.code, 0, dry.err);
    assert.equal((JSON.parse(dry.out) as { hfModel: string }).hfModel, QWEN3_4B.id);
    assert.ok(standIn.requests.some((r) => r.path.includes('/tree/')), 'the Hub was read');
    assert.deepEqual(picture(stack.dir), stackBefore, 'the dry run wrote nothing in the stack (no .cache/hub either)');

    // A cache written earlier (by a real add-model) is read, not rewritten, by a dry run.
    const cacheDir = path.join(stack.dir, '.cache', 'hub');
    await readHubModel(QWEN3_4B.id, { settings: { endpoint: standIn.url, timeoutMs: 5000 }, cacheDir });
    const withCache = picture(stack.dir);
    const offline = await cliWithEnv({ HF_ENDPOINT: 'http://127.0.0.1:9', HF_CACHE_DIR: cache }, stack.dir, 'add-model', QWEN3_4B.id, '--dry-run', '--json', '--total-gib', '128');
    assert.equal(offline.code, 0, offline.err);
    assert.equal((JSON.parse(offline.out) as { weightsBytes: number }).weightsBytes, 8044936192, 'answered from the cache');
    assert.deepEqual(picture(stack.dir), withCache, 'the cache was read, not rewritten');
    rmSync(path.join(stack.dir, '.cache'), { recursive: true, force: true });
  });
});
