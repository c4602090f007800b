/**
 * The gateway's models in VS Code's language model API, in the real extension host: the extension
 * finds the gateway (NGINX with the certificate certs.sh made in the workspace's stack, the key in
 * its .env), lists every model of the stack (those that do not answer too, so a participant can
 * run with one selected), streams text, answers a request to a model that is not running with the
 * reason and the fix, and passes tool calls through as LanguageModelToolCallPart — what any chat
 * participant or agent gets from the model picker.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LiteLlm, Redis } from '../../support/gateway';
import { loopbackConfig, startLiteLlm, startRedis } from '../../support/gateway';
import type { GatewayNginx } from '../../support/nginx';
import { startGatewayNginx } from '../../support/nginx';
import { freePort } from '../../support/processes';
import type { Simulator } from '../../support/simulator';
import { startSimulator } from '../../support/simulator';
import { activatedApi, waitFor, workspaceFolder } from './helpers';

async function text(response: vscode.LanguageModelChatResponse): Promise<string> {
  let all = '';
  for await (const piece of response.text) all += piece;
  return all;
}

suite('model picker: the spark-gateway provider', () => {
  const work = mkdtempSync(path.join(tmpdir(), 'spark-e2e-chat-'));
  let sim: Simulator;
  let redis: Redis;
  let litellm: LiteLlm;
  let nginx: GatewayNginx;

  suiteSetup(async function () {
    this.timeout(240_000);
    await activatedApi();
    const stackDir = path.join(workspaceFolder().uri.fsPath, 'stack');
    // certs.sh refuses to overwrite a pair an earlier run left in the workspace.
    if (!existsSync(path.join(stackDir, 'ssl', 'public.pem'))) execFileSync('bash', [path.join(stackDir, 'certs.sh')], { stdio: 'pipe' });
    sim = await startSimulator({ model: 'openai/gpt-oss-20b', servedName: 'gpt-oss-20b' });
    // The other two models point where nothing listens: "not loaded".
    const nothing = `http://127.0.0.1:${await freePort()}`;
    redis = await startRedis();
    litellm = await startLiteLlm(loopbackConfig(new Map([['vllm-gpt-oss-20b', sim.url], ['vllm-gpt-oss-120b', nothing], ['vllm-qwen-30b', nothing]]), work, stackDir), redis.port);
    nginx = await startGatewayNginx(stackDir, path.join(work, 'nginx'), new URL(litellm.url).host);
    writeFileSync(path.join(stackDir, '.env'), `NGINX_HTTPS_PORT=${nginx.httpsPort}\nLITELLM_MASTER_KEY=${litellm.masterKey}\n`);
    // The URL .env implies, set explicitly: a settings change makes the extension re-read the gateway and tell the picker.
    // A machine setting (a workspace may not name where the key goes): the user's settings, as a user sets it.
    await vscode.workspace.getConfiguration('sparkGateway').update('gatewayUrl', `https://localhost:${nginx.httpsPort}/v1`, vscode.ConfigurationTarget.Global);
  });

  suiteTeardown(async () => {
    await vscode.workspace.getConfiguration('sparkGateway').update('gatewayUrl', undefined, vscode.ConfigurationTarget.Global);
    await nginx?.stop();
    await litellm?.stop();
    await redis?.stop();
    await sim?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  test('lists every model of the stack, named "(Spark)", with limits from /model/info once the gateway answers', async function () {
    this.timeout(60_000);
    let models: vscode.LanguageModelChat[] = [];
    // Before the gateway answers the limits are scenarios.yaml's; LiteLLM's /model/info says 16384 for gpt-oss-20b.
    await waitFor('the provider to list gpt-oss-20b with LiteLLM\'s limits', async () => (models = await vscode.lm.selectChatModels({ vendor: 'spark-gateway' })).some((m) => m.id === 'gpt-oss-20b' && m.maxInputTokens === 16384), 45_000);
    assert.deepEqual(models.map((m) => [m.id, m.name, m.family]).sort(), [
      ['gpt-oss-120b', 'gpt-oss-120b (Spark)', 'gpt-oss-120b'],
      ['gpt-oss-20b', 'gpt-oss-20b (Spark)', 'gpt-oss-20b'],
      ['qwen-30b', 'qwen-30b (Spark)', 'qwen-30b'],
    ]);
  });

  test('answers a request to a model that is not running with the reason and the fix', async function () {
    this.timeout(60_000);
    const [model] = await vscode.lm.selectChatModels({ vendor: 'spark-gateway', id: 'gpt-oss-120b' });
    assert.ok(model);
    const response = await model.sendRequest([vscode.LanguageModelChatMessage.User('Hello?')], {}, new vscode.CancellationTokenSource().token);
    const answer = await text(response);
    assert.match(answer, /gpt-oss-120b is not running/);
    assert.match(answer, /\*\*Fix:\*\* Start a scenario with gpt-oss-120b: `spark-gateway up gpt-oss-120b`/);
  });

  test('streams the model\'s answer through NGINX and LiteLLM', async function () {
    this.timeout(60_000);
    const [model] = await vscode.lm.selectChatModels({ vendor: 'spark-gateway', id: 'gpt-oss-20b' });
    assert.ok(model);
    const response = await model.sendRequest([vscode.LanguageModelChatMessage.User('Hello from the extension host')], {}, new vscode.CancellationTokenSource().token);
    assert.equal(await text(response), 'Simulated reply from gpt-oss-20b to: Hello from the extension host');
  });

  test('passes a tool call through as a LanguageModelToolCallPart', async function () {
    this.timeout(60_000);
    const [model] = await vscode.lm.selectChatModels({ vendor: 'spark-gateway', id: 'gpt-oss-20b' });
    assert.ok(model);
    const tools: vscode.LanguageModelChatTool[] = [{ name: 'get_weather', description: 'Current weather for a city', inputSchema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } }];
    const response = await model.sendRequest([vscode.LanguageModelChatMessage.User(`What is the weather in Berlin? ${Date.now()}`)], { tools }, new vscode.CancellationTokenSource().token);
    const calls: vscode.LanguageModelToolCallPart[] = [];
    for await (const part of response.stream) if (part instanceof vscode.LanguageModelToolCallPart) calls.push(part);
    assert.equal(calls.length, 1);
    assert.equal(calls[0]?.name, 'get_weather');
    assert.deepEqual(calls[0]?.input, { city: 'Berlin' });
  });

  test('estimates tokens at four characters each', async () => {
    const [model] = await vscode.lm.selectChatModels({ vendor: 'spark-gateway', id: 'gpt-oss-20b' });
    assert.equal(await model?.countTokens('abcd efgh'), 3);
  });

  test('registers the @spark participant\'s key command and Ask @spark', async () => {
    const commands = await vscode.commands.getCommands(true);
    assert.ok(commands.includes('sparkGateway.setGatewayKey'));
    assert.ok(commands.includes('sparkGateway.askSpark'));
  });
});
