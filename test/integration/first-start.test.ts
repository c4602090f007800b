/**
 * The first start as a user lives it, on a machine where the model server's image is only in a
 * registry (Debian's docker-registry on loopback) and the weights only on the Hub (the Hub
 * stand-in, a test double on loopback, serving a small made-up checkpoint slowly enough to watch):
 * `up gpt-oss-20b --backend simulator --models-only` pulls, downloads and then waits for the load,
 * `status --json` run meanwhile shows the phases pull → download → load in that order, the CLI
 * output too, the model ends healthy, and the simulator container started from the real compose
 * file sees the downloaded files in the mounted cache.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../../src/cli/main';
import { missing } from '../support/components';
import { ensureSimulatorImage } from '../support/docker';
import type { HubStandIn } from '../support/hub-standin';
import { startHubStandIn } from '../support/hub-standin';
import type { LoopbackRegistry } from '../support/registry';
import { imagePresent, pushUniqueImage, removeImage, startRegistry } from '../support/registry';
import type { StackCopy } from '../support/stack-copy';
import { copyStack } from '../support/stack-copy';

const MB = 1024 * 1024;
const SHA = 'f'.repeat(8) + '0123456789abcdef0123456789abcdef';
const shards = [randomBytes(3 * MB), randomBytes(3 * MB)];

async function cli(dir: string, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(['--stack', dir, ...argv], { out: (t) => (out += t), err: (t) => (err += t), cwd: dir, env: {} });
  return { code, out, err };
}

describe('first start: image from a registry, weights from the Hub, then the load', { skip: missing('docker', 'compose', 'registry') }, () => {
  let registry: LoopbackRegistry;
  let hub: HubStandIn;
  let stack: StackCopy;
  let cache: string;
  let image: string;
  before(async () => {
    ensureSimulatorImage();
    registry = await startRegistry();
    image = `${registry.host}/spark-test/vllm:first-start-${process.pid}`;
    pushUniqueImage('nvcr.io/nvidia/vllm:26.10-py3', image, 96);
    hub = await startHubStandIn([{
      id: 'openai/gpt-oss-20b',
      sha: SHA,
      files: [
        { path: 'config.json', content: '{"architectures":["GptOssForCausalLM"]}\n' },
        ...shards.map((bytes, i) => ({ path: `model-0000${i + 1}-of-00002.safetensors`, bytes })),
      ],
    }]);
    hub.faults.slow = { path: /\.safetensors$/, chunkBytes: 256 * 1024, delayMs: 40 };
    cache = mkdtempSync(path.join(tmpdir(), 'hf-cache-'));
    stack = copyStack({ syncEnv: false });
    // As a user would: the settings in .env, then sync-env passes them to the model folders.
    appendFileSync(path.join(stack.dir, '.env.example'), `\nVLLM_SPARK_IMAGE=${image}\nHF_ENDPOINT=${hub.url}\nHF_CACHE_DIR=${cache}\n`);
    execFileSync('bash', [path.join(stack.dir, 'sync-env.sh')], { stdio: 'pipe' });
  });
  after(async () => {
    execFileSync('docker', ['rm', '-f', 'vllm-gpt-oss-20b'], { stdio: 'pipe' });
    if (image) removeImage(image);
    stack?.remove();
    await hub?.stop();
    await registry?.stop();
    if (cache) rmSync(cache, { recursive: true, force: true });
  });

  it('pull, download and load progress in order in status --json and the CLI output, then healthy', { timeout: 240_000 }, async () => {
    assert.equal(imagePresent(image), false);
    const phases: string[] = [];
    let running = true;
    const watcher = (async () => {
      while (running) {
        const status = await cli(stack.dir, 'status', '--json');
        const model = (JSON.parse(status.out) as { services: { name: string; state: string; progress?: { phase: string; doneBytes: number; totalBytes: number; fraction: number; text: string } }[] }).services.find((s) => s.name === 'gpt-oss-20b');
        const p = model?.progress;
        if (p) {
          assert.ok(p.doneBytes <= p.totalBytes && p.fraction >= 0 && p.fraction <= 1 && p.text.length > 0, JSON.stringify(p));
          if (phases.at(-1) !== p.phase) phases.push(p.phase);
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const up = await cli(stack.dir, 'up', 'gpt-oss-20b', '--backend', 'simulator', '--models-only');
    running = false;
    await watcher;
    assert.equal(up.code, 0, up.out + up.err);
    assert.deepEqual(phases, ['pull', 'download', 'load'], `phases seen by status --json: ${phases.join(' → ')}`);
    const at = (pattern: RegExp) => up.out.search(pattern);
    assert.ok(at(/pulling image [\d.]+ \/ [\d.]+ MB/) >= 0, up.out);
    assert.ok(at(/pulling image/) < at(/downloading [\d.]+ \/ [\d.]+ MB/), 'pull before download');
    assert.ok(at(/downloading/) < at(/gpt-oss-20b: loading: /), 'download before load');
    assert.ok(at(/gpt-oss-20b: loading: /) < at(/gpt-oss-20b: healthy/), 'load before healthy');
    assert.match(up.out, /gpt-oss-20b is up: gpt-oss-20b \(models only\)/);
    assert.equal(imagePresent(image), true);
    // The container reads the cache it mounts, as vLLM would: the snapshot's files through the links.
    const listed = execFileSync('docker', ['exec', 'vllm-gpt-oss-20b', 'node', '-e',
      `const fs=require('fs');const d='/root/.cache/huggingface/hub/models--openai--gpt-oss-20b';const sha=fs.readFileSync(d+'/refs/main','utf8');console.log(fs.readdirSync(d+'/snapshots/'+sha).map((f)=>f+':'+fs.statSync(d+'/snapshots/'+sha+'/'+f).size).join(','))`], { encoding: 'utf8' }).trim();
    assert.equal(listed, `config.json:40,model-00001-of-00002.safetensors:${3 * MB},model-00002-of-00002.safetensors:${3 * MB}`);
  });
});
