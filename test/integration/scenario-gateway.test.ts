/**
 * Scenario 2 from "nothing running" to "gateway answering over HTTPS": the CLI starts both
 * models from their real compose files on Docker (simulator backend) and makes the stack's
 * certificate; the stack's own LiteLLM config and NGINX config then serve them — as host
 * processes, because the gateway images cannot be pulled here (README, "Test") — and each model
 * answers at https://localhost:<port>/v1/chat/completions with the generated certificate trusted
 * (verification on).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../../src/cli/main';
import { missing } from '../support/components';
import { ensureSimulatorImage } from '../support/docker';
import type { LiteLlm, Redis } from '../support/gateway';
import { loopbackConfig, startLiteLlm, startRedis } from '../support/gateway';
import type { GatewayNginx } from '../support/nginx';
import { startGatewayNginx } from '../support/nginx';
import type { StackCopy } from '../support/stack-copy';
import { copyStack, envValue } from '../support/stack-copy';

async function cli(stackDir: string, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(['--stack', stackDir, ...argv], { out: (t) => (out += t), err: (t) => (err += t), cwd: stackDir, env: {} });
  return { code, out, err };
}

/** POSTs JSON over HTTPS to localhost, trusting only `ca`. */
function postJson(port: number, urlPath: string, body: unknown, key: string, ca: string): Promise<{ status: number; json: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: 'localhost', port, path: urlPath, method: 'POST', ca, headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) as unknown }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

describe('Scenario 2 answering through the gateway over HTTPS', { skip: missing('docker', 'compose', 'litellm', 'redis', 'nginx') }, () => {
  let stack: StackCopy;
  let redis: Redis | undefined;
  let litellm: LiteLlm | undefined;
  let nginx: GatewayNginx | undefined;

  before(() => {
    ensureSimulatorImage();
    stack = copyStack();
  });
  after(async () => {
    await nginx?.stop();
    await litellm?.stop();
    await redis?.stop();
    await cli(stack.dir, 'down', 'scenario-2');
    for (const name of ['vllm-gpt-oss-20b', 'vllm-qwen-30b']) {
      try {
        execFileSync('docker', ['rm', '-f', name], { stdio: 'pipe' });
      } catch {
        // already gone
      }
    }
    stack.remove();
  });

  it('each model answers at https://localhost/v1/chat/completions with the stack certificate trusted', { timeout: 300_000 }, async () => {
    const up = await cli(stack.dir, 'up', 'scenario-2', '--backend', 'simulator', '--models-only');
    assert.equal(up.code, 0, up.out + up.err);
    const certs = await cli(stack.dir, 'certs');
    assert.equal(certs.code, 0, certs.err);

    redis = await startRedis();
    const upstreams = new Map([['vllm-gpt-oss-20b', 'http://127.0.0.1:8001'], ['vllm-gpt-oss-120b', 'http://127.0.0.1:8002'], ['vllm-qwen-30b', 'http://127.0.0.1:8003']]);
    const key = envValue(readFileSync(path.join(stack.dir, '.env'), 'utf8'), 'LITELLM_MASTER_KEY');
    assert.ok(key && key.length >= 32, 'sync-env made a master key');
    litellm = await startLiteLlm(loopbackConfig(upstreams, path.join(path.dirname(stack.dir), 'litellm'), stack.dir), redis.port, key);
    nginx = await startGatewayNginx(stack.dir, path.join(path.dirname(stack.dir), 'nginx'), new URL(litellm.url).host);

    const ca = readFileSync(path.join(stack.dir, 'ssl', 'public.pem'), 'utf8');
    for (const model of ['gpt-oss-20b', 'qwen-30b']) {
      const answer = await postJson(nginx.httpsPort, '/v1/chat/completions', { model, messages: [{ role: 'user', content: `Hello ${model}` }], max_tokens: 8 }, key, ca);
      assert.equal(answer.status, 200, JSON.stringify(answer.json));
      const body = answer.json as { model: string; choices: { message: { content: string } }[] };
      assert.ok(body.choices[0]?.message.content, `${model} answered`);
    }
    // A model the scenario did not start is refused by the gateway, not silently rerouted.
    const absent = await postJson(nginx.httpsPort, '/v1/chat/completions', { model: 'gpt-oss-120b', messages: [{ role: 'user', content: 'hi' }], max_tokens: 4 }, key, ca);
    assert.notEqual(absent.status, 200);
  });
});
