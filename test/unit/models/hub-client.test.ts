/**
 * The Hub client against the Hub STAND-IN (test/support/hub-standin.ts; the Hub cannot be reached
 * here): what it reads through @huggingface/hub, the typed errors with their fixes, where the token
 * goes, and the per-commit cache that answers offline.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CancelledError } from '../../../src/core/process/cancellation';
import { HubGatedError, HubNetworkError, HubNotFoundError, HubPrivateError, HubRateLimitedError, HubTimeoutError } from '../../../src/core/hub/errors';
import { readHubModel } from '../../../src/core/hub/model-files';
import { hubSettings } from '../../../src/core/hub/transport';

import { GEMMA3_27B, GPT_OSS_20B, KNOWN_REPOS, PRIVATE, QWEN3_4B, STANDIN_TOKEN } from '../../support/hub-repos';
import type { HubStandIn } from '../../support/hub-standin';
import { startHubStandIn } from '../../support/hub-standin';
import { isPlaceholderToken } from '../../../src/core/stack/env';

describe('Hub client (against the Hub stand-in)', () => {
  let hub: HubStandIn;
  const work = mkdtempSync(path.join(tmpdir(), 'spark-hub-'));
  const settings = (token?: string) => ({ endpoint: hub.url, token, timeoutMs: 5000 });
  before(async () => {
    hub = await startHubStandIn(KNOWN_REPOS, { token: STANDIN_TOKEN });
  });
  after(async () => {
    await hub.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('reads config.json, the root files with their sizes and the index total through the Hub paths', async () => {
    hub.requests.length = 0;
    const model = await readHubModel(QWEN3_4B.id, { settings: settings() });
    assert.equal(model.sha, QWEN3_4B.sha);
    assert.equal(model.indexTotalSize, 8044936192);
    assert.equal(JSON.parse(model.configText ?? '{}').head_dim, 128);
    assert.equal(model.files.find((f) => f.path === 'model-00002-of-00003.safetensors')?.size, 3987450520);
    const paths = hub.requests.map((r) => r.path.split('?')[0]);
    assert.deepEqual(paths.slice(0, 2), [`/api/models/${QWEN3_4B.id}/revision/main`, `/api/models/${QWEN3_4B.id}/tree/${QWEN3_4B.sha}`]);
    assert.ok(paths.includes(`/${QWEN3_4B.id}/resolve/${QWEN3_4B.sha}/config.json`), paths.join(' '));
  });

  it('names the gated repository and the fix (accept the terms, set HF_TOKEN) when the stack has no token', async () => {
    await assert.rejects(readHubModel(GEMMA3_27B.id, { settings: settings() }), (error: unknown) => {
      assert.ok(error instanceof HubGatedError);
      assert.match(error.message, /gemma-3-27b-it is gated.*no HF_TOKEN/);
      assert.match(error.fix ?? '', /HF_TOKEN=hf_/);
      return true;
    });
    const withToken = await readHubModel(GEMMA3_27B.id, { settings: settings(STANDIN_TOKEN) });
    assert.equal(withToken.gated, 'manual');
  });

  it('says "not found, or private" without a token and "does not exist" with one', async () => {
    await assert.rejects(readHubModel('nobody/no-such-model', { settings: settings() }), HubPrivateError);
    await assert.rejects(readHubModel('nobody/no-such-model', { settings: settings(STANDIN_TOKEN) }), HubNotFoundError);
    await assert.rejects(readHubModel(PRIVATE.id, { settings: settings() }), HubPrivateError);
    assert.equal((await readHubModel(PRIVATE.id, { settings: settings(STANDIN_TOKEN) })).private, true);
  });

  it('names a revision that does not exist', async () => {
    await assert.rejects(readHubModel(QWEN3_4B.id, { settings: settings(), revision: 'v9' }), /has no revision "v9"/);
  });

  it('reports rate limiting with the Retry-After the Hub sent', async () => {
    hub.faults.rateLimit = true;
    try {
      await assert.rejects(readHubModel(QWEN3_4B.id, { settings: settings() }), (error: unknown) => error instanceof HubRateLimitedError && /retry after 3600 s/.test(error.message));
    } finally {
      hub.faults.rateLimit = false;
    }
  });

  it('reports a connection dropped mid-way as a network error naming the endpoint', async () => {
    hub.faults.dropPath = /config\.json$/;
    try {
      await assert.rejects(readHubModel(QWEN3_4B.id, { settings: settings() }), (error: unknown) => error instanceof HubNetworkError && error.message.includes(hub.url));
    } finally {
      hub.faults.dropPath = undefined;
    }
  });

  it('gives up on a Hub that does not answer, naming the endpoint and the time waited', async () => {
    hub.faults.hangPath = /\/tree\//;
    try {
      await assert.rejects(readHubModel(QWEN3_4B.id, { settings: { endpoint: hub.url, timeoutMs: 300 } }), (error: unknown) => error instanceof HubTimeoutError && error.message.includes(hub.url));
    } finally {
      hub.faults.hangPath = undefined;
    }
  });

  it('stops at once when cancelled, as the progress notification\'s Cancel does', async () => {
    hub.faults.hangPath = /config\.json$/;
    const controller = new AbortController();
    try {
      const reading = readHubModel(QWEN3_4B.id, { settings: settings(), cancellation: controller.signal, onStep: (step) => step === 'config.json' && setTimeout(() => controller.abort(), 50) });
      await assert.rejects(reading, CancelledError);
    } finally {
      hub.faults.hangPath = undefined;
    }
  });

  it('reports a Hub that is down as a network error', async () => {
    await assert.rejects(readHubModel(QWEN3_4B.id, { settings: { endpoint: 'http://127.0.0.1:9', timeoutMs: 5000 } }), HubNetworkError);
  });

  it('sends the token to the endpoint only, never to the CDN a download is redirected to', async () => {
    const cdn = await startHubStandIn(KNOWN_REPOS);
    hub.requests.length = 0;
    hub.faults.redirectResolveTo = cdn.url;
    try {
      const model = await readHubModel(GPT_OSS_20B.id, { settings: settings(STANDIN_TOKEN) });
      assert.equal(JSON.parse(model.configText ?? '{}').model_type, 'gpt_oss');
    } finally {
      hub.faults.redirectResolveTo = undefined;
      await cdn.stop();
    }
    assert.ok(hub.requests.length >= 3);
    assert.ok(hub.requests.every((r) => r.authorization === `Bearer ${STANDIN_TOKEN}`));
    assert.ok(cdn.requests.length >= 2, 'the downloads went to the CDN');
    assert.ok(cdn.requests.every((r) => r.authorization === undefined), JSON.stringify(cdn.requests));
  });

  it('caches each answer per commit in the stack, so a repeat works with the network down', async () => {
    const cacheDir = path.join(work, 'stack', '.cache', 'hub');
    const first = await readHubModel(QWEN3_4B.id, { settings: settings(), cacheDir });
    assert.notEqual(first.fromCache, true);
    assert.ok(existsSync(path.join(cacheDir, 'models--Qwen--Qwen3-4B', 'answers', `${QWEN3_4B.sha}.json`)));
    assert.deepEqual(readdirSync(path.join(cacheDir, 'models--Qwen--Qwen3-4B', 'refs')), ['main']);
    const offline = await readHubModel(QWEN3_4B.id, { settings: { endpoint: 'http://127.0.0.1:9', timeoutMs: 5000 }, cacheDir });
    assert.equal(offline.fromCache, true);
    assert.equal(offline.indexTotalSize, first.indexTotalSize);
    hub.requests.length = 0;
    const pinned = await readHubModel(QWEN3_4B.id, { settings: settings(), cacheDir, revision: QWEN3_4B.sha });
    assert.equal(pinned.fromCache, true);
    assert.equal(hub.requests.length, 0, 'a cached commit is never fetched again');
  });

  it('takes HF_ENDPOINT from the process before the stack, the token from the stack, and ignores the placeholder', () => {
    const stackEnv = new Map([['HF_TOKEN', 'hf_your_token_here'], ['HF_ENDPOINT', 'http://mirror.example/']]);
    assert.deepEqual(hubSettings(stackEnv, {}, isPlaceholderToken), { endpoint: 'http://mirror.example', token: undefined, timeoutMs: 30000 });
    assert.equal(hubSettings(new Map(), { HF_ENDPOINT: 'http://127.0.0.1:1' }, isPlaceholderToken).endpoint, 'http://127.0.0.1:1');
    assert.equal(hubSettings(new Map(), {}, isPlaceholderToken).endpoint, 'https://huggingface.co');
    assert.equal(hubSettings(new Map([['HF_TOKEN', STANDIN_TOKEN]]), { HF_TOKEN: 'hf_other' }, isPlaceholderToken).token, STANDIN_TOKEN);
  });
});
