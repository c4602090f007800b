/**
 * The simulator image built by simulator/build-image.sh (FROM scratch, from this host's node
 * and curl) runs under the vLLM image tags the compose files name, in both command-line forms, and
 * the compose healthcheck command works inside it. Needs Docker: skipped with the reason on a
 * developer machine without it, a failure in CI (CI=true or SPARK_REQUIRE_ALL=1).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { missing } from '../support/components';
import { answers, freePort, STACK_DIR, waitFor } from '../support/processes';
import { SIMULATOR_DIR } from '../support/simulator';

const run = promisify(execFile);

const NVCR_TAG = 'nvcr.io/nvidia/vllm:26.10-py3';
const OPENAI_TAG = 'vllm/vllm-openai:v0.31.0';
const SIM_TAG = 'spark-gateway/vllm-simulator:0.1.0';
const DESCRIPTION = 'Spark Gateway vLLM simulator (test double, no GPU)';

async function docker(...args: string[]): Promise<string> {
  const { stdout } = await run('docker', args, { timeout: 120_000, maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}

/** Starts a container on 127.0.0.1:<free port> and waits until /v1/models answers. */
async function runContainer(name: string, image: string, command: string[]): Promise<{ url: string }> {
  const port = await freePort();
  await docker('run', '--rm', '-d', '--name', name, '-e', 'SIM_LOAD_SECONDS=1', '-p', `127.0.0.1:${port}:8000`, image, ...command);
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`${name} to serve /v1/models`, () => answers(`${url}/v1/models`), 30_000,
    () => `docker logs ${name} to see why`);
  return { url };
}

describe('simulator image (build-image.sh)', { skip: missing('docker') }, () => {
  const suffix = `${process.pid}-${Date.now()}`;
  const containers = [`sim-image-nvcr-${suffix}`, `sim-image-openai-${suffix}`];

  // freePort() unrefs its probe server; keep the loop alive while a test awaits it.
  let keepAlive: NodeJS.Timeout | undefined;
  before(async () => {
    keepAlive = setInterval(() => undefined, 1000);
    await run('bash', [path.join(SIMULATOR_DIR, 'build-image.sh')], { timeout: 300_000, maxBuffer: 16 * 1024 * 1024 });
  });
  after(async () => {
    for (const name of containers) {
      await run('docker', ['rm', '-f', name]).catch(() => undefined);
    }
    clearInterval(keepAlive);
  });

  it('tags the image as both vLLM images and labels it as a test double', async () => {
    for (const tag of [NVCR_TAG, OPENAI_TAG, SIM_TAG]) {
      const description = await docker('image', 'inspect', '--format', '{{index .Config.Labels "org.opencontainers.image.description"}}', tag);
      assert.equal(description.trim(), DESCRIPTION, tag);
    }
    assert.equal((await docker('image', 'inspect', '--format', '{{json .Config.Entrypoint}}', OPENAI_TAG)).trim(), '["vllm","serve"]');
    assert.match((await docker('image', 'inspect', '--format', '{{json .Config.Entrypoint}}', NVCR_TAG)).trim(), /^(null|\[\])$/);
  });

  it('bakes into each image of stack/vllm-images.yaml the vLLM version listed for it', async () => {
    const listed = readFileSync(path.join(STACK_DIR, 'vllm-images.yaml'), 'utf8').split('\n')
      .map((l) => /^([^#\s]\S*):\s+(\d+\.\d+\.\d+)/.exec(l)).filter((m): m is RegExpExecArray => m !== null);
    assert.deepEqual(listed.map((m) => m[1]).sort(), [NVCR_TAG, OPENAI_TAG].sort(), 'the compose files\' images are the listed ones');
    for (const [, image = '', version = ''] of listed) {
      const env = JSON.parse(await docker('image', 'inspect', '--format', '{{json .Config.Env}}', image)) as string[];
      assert.ok(env.includes(`VLLM_VERSION=${version}`), `${image}: ${env.join(' ')}`);
      assert.equal((await docker('run', '--rm', '--entrypoint', 'vllm', image, '--version')).trim(), version, image);
    }
  });

  it('runs `vllm serve MODEL` under the nvcr tag; the compose healthcheck command works inside', async () => {
    const name = containers[0] ?? '';
    const { url } = await runContainer(name, NVCR_TAG, ['vllm', 'serve', 'openai/gpt-oss-20b', '--served-model-name', 'gpt-oss-20b']);
    const models = (await (await fetch(`${url}/v1/models`)).json()) as { data: { id: string; root: string; owned_by: string }[] };
    assert.deepEqual(models.data.map((m) => [m.id, m.root, m.owned_by]), [['gpt-oss-20b', 'openai/gpt-oss-20b', 'vllm']]);

    // The healthcheck of the stack's compose files, run in the container as Docker runs it.
    const health = await run('docker', ['exec', name, 'curl', '-fsS', 'http://127.0.0.1:8000/health']);
    assert.equal(health.stdout, '');

    const logs = await docker('logs', name);
    assert.match(logs, /Spark Gateway vLLM simulator/);
    assert.match(logs, /Application startup complete\./);

    await docker('stop', '--time', '10', name);
  });

  it('runs `--model MODEL ...` under the vllm-openai tag (entrypoint vllm serve)', async () => {
    const name = containers[1] ?? '';
    const { url } = await runContainer(name, OPENAI_TAG,
      ['--model', 'Qwen/Qwen3-Coder-30B-A3B-Instruct-FP8', '--served-model-name', 'qwen-30b', '--enable-auto-tool-choice', '--tool-call-parser', 'qwen3_coder']);
    const models = (await (await fetch(`${url}/v1/models`)).json()) as { data: { id: string }[] };
    assert.deepEqual(models.data.map((m) => m.id), ['qwen-30b']);
    const chat = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'qwen-30b', messages: [{ role: 'user', content: 'ping' }] }),
    });
    assert.equal(chat.status, 200);
    const body = (await chat.json()) as { choices: { message: { content: string } }[] };
    assert.equal(body.choices[0]?.message.content, 'Simulated reply from qwen-30b to: ping');
    await docker('stop', '--time', '10', name);
  });
});
