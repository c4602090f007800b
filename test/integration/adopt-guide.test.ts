/**
 * `adopt` on a faithful copy of the guide's public llms/vllm/ (test/fixtures/guide): afterwards
 * every compose file passes Docker Compose v2 and v1, `status` and `doctor` work on the folder,
 * and a model comes up healthy on the simulator (the GPU server's stand-in, tagged as the guide's
 * nvcr.io/nvidia/vllm:25.11-py3 image) from the folder's own compose file. A container the user
 * started by hand from the guide's files before adopting keeps running and is recognised.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../../src/cli/main';
import { missing } from '../support/components';
import { ensureSimulatorImage, inspect } from '../support/docker';
import type { GuideCopy } from '../support/guide-copy';
import { copyGuide } from '../support/guide-copy';
import { STACK_DIR } from '../support/processes';

const GUIDE_IMAGE = 'nvcr.io/nvidia/vllm:25.11-py3';

async function cli(cwd: string, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, { out: (t) => (out += t), err: (t) => (err += t), cwd, env: {}, bundledStack: STACK_DIR });
  return { code, out, err };
}

function composeFiles(stack: string): string[] {
  const models = readdirSync(stack).filter((d) => existsSync(path.join(stack, d, 'docker-compose-gpu.yml')));
  return ['docker-compose.yml', 'litellm/docker-compose.yml', ...models.flatMap((m) => [`${m}/docker-compose.yml`, `${m}/docker-compose-gpu.yml`])];
}

/** Removes vllm_network when no container uses it, so the guide's own files create it as they do on a fresh machine. */
function freshNetwork(): void {
  try {
    const users = execFileSync('docker', ['network', 'inspect', '-f', '{{len .Containers}}', 'vllm_network'], { encoding: 'utf8', stdio: 'pipe' }).trim();
    if (users === '0') execFileSync('docker', ['network', 'rm', 'vllm_network'], { stdio: 'pipe' });
  } catch {
    // no such network
  }
}

describe("adopt on the guide's llms/vllm/ (Docker)", { skip: missing('docker', 'compose') }, () => {
  let guide: GuideCopy;
  let taggedHere = false;
  let startedBefore = '';
  before(async () => {
    guide = copyGuide();
    ensureSimulatorImage();
    try {
      execFileSync('docker', ['image', 'inspect', GUIDE_IMAGE], { stdio: 'pipe' });
    } catch {
      execFileSync('docker', ['tag', 'nvcr.io/nvidia/vllm:26.10-py3', GUIDE_IMAGE], { stdio: 'pipe' });
      taggedHere = true;
    }
    // The user followed the guide before adopting: .env from the template, their sync-env.sh, one model up by hand.
    copyFileSync(path.join(guide.stack, 'env.example'), path.join(guide.stack, '.env'));
    execFileSync('bash', [path.join(guide.stack, 'sync-env.sh')], { stdio: 'pipe' });
    freshNetwork();
    execFileSync('docker', ['compose', 'up', '-d'], { cwd: path.join(guide.stack, 'gpt-oss-20b'), stdio: 'pipe', timeout: 120_000 });
    startedBefore = inspect('vllm-gpt-oss-20b').State.StartedAt ?? '';
    const adopted = await cli(guide.home, '--stack', 'llms/vllm', 'adopt');
    assert.equal(adopted.code, 0, adopted.err);
    const synced = await cli(guide.home, '--stack', 'llms/vllm', 'sync-env');
    assert.equal(synced.code, 0, synced.err);
  });
  after(() => {
    try {
      execFileSync('docker', ['rm', '-f', 'vllm-gpt-oss-20b'], { stdio: 'pipe' });
    } catch {
      // not created
    }
    if (taggedHere) execFileSync('docker', ['rmi', GUIDE_IMAGE], { stdio: 'pipe' });
    guide.remove();
  });

  it('their container started by hand from the guide files keeps running through adopt and is recognised', async () => {
    const container = inspect('vllm-gpt-oss-20b');
    assert.equal(container.State.Status, 'running');
    assert.equal(container.State.StartedAt, startedBefore, 'adopt did not restart it');
    const status = await cli(guide.home, '--stack', 'llms/vllm', 'status', '--json');
    const row = (JSON.parse(status.out) as { services: { name: string; state: string; container: string }[] }).services.find((s) => s.name === 'gpt-oss-20b');
    assert.ok(row && ['starting', 'loading', 'running', 'healthy'].includes(row.state), JSON.stringify(row));
  });

  const tools: { name: string; command: string[] }[] = [{ name: 'docker compose (v2)', command: ['docker', 'compose'] }];
  if (existsSync('/usr/bin/docker-compose') || process.env.CI === 'true') tools.push({ name: 'docker-compose (v1)', command: ['docker-compose'] });

  it('leaves every compose file accepted by Docker Compose v2 and v1', () => {
    for (const tool of tools) {
      for (const file of composeFiles(guide.stack)) {
        const [cmd, ...pre] = tool.command as [string, ...string[]];
        execFileSync(cmd, [...pre, '-f', path.basename(file), 'config', '--quiet'], { cwd: path.join(guide.stack, path.dirname(file)), stdio: 'pipe' });
      }
    }
  });

  it('status --json lists their models and doctor runs its checks on the folder', async () => {
    const status = await cli(guide.home, '--stack', 'llms/vllm', 'status', '--json');
    assert.equal(status.code, 0, status.err);
    const services = (JSON.parse(status.out) as { services: { name: string; kind: string; container: string }[] }).services;
    assert.deepEqual(services.filter((s) => s.kind === 'model').map((s) => [s.name, s.container]), [
      ['gpt-oss-120b', 'vllm-gpt-oss-120b'],
      ['gpt-oss-20b', 'vllm-gpt-oss-20b'],
      ['qwen-30b', 'vllm-qwen-30b'],
    ]);
    const doctor = await cli(guide.home, '--stack', 'llms/vllm', 'doctor', '--json');
    const ids = (JSON.parse(doctor.out) as { checks: { id: string }[] }).checks.map((c) => c.id);
    assert.ok(ids.includes('docker') && ids.includes('network'), ids.join(','));
    assert.ok(!ids.includes('stack'), 'no "needs adopting" row any more');
  });

  it('brings gpt-oss-20b up healthy on the simulator from its own compose file, with the user flags and the scenario fraction', { timeout: 300_000 }, async () => {
    const up = await cli(guide.home, '--stack', 'llms/vllm', 'up', 'gpt-oss-20b', '--backend', 'simulator', '--models-only');
    assert.equal(up.code, 0, up.out + up.err);
    assert.match(up.out, /gpt-oss-20b: healthy/);
    const container = inspect('vllm-gpt-oss-20b');
    assert.equal(container.Config.Image, GUIDE_IMAGE);
    assert.equal(container.Config.Labels['com.docker.compose.project.working_dir'], path.join(guide.stack, 'gpt-oss-20b'));
    const args = container.Args;
    assert.equal(args[args.indexOf('--served-model-name') + 1], 'gpt-oss-20b');
    assert.equal(args[args.indexOf('--gpu-memory-utilization') + 1], '0.85');
    assert.equal(args[args.indexOf('--chat-template') + 1], '/root/chat.template');
    const models = (await (await fetch('http://127.0.0.1:8001/v1/models')).json()) as { data: { id: string }[] };
    assert.deepEqual(models.data.map((m) => m.id), ['gpt-oss-20b']);
    const down = await cli(guide.home, '--stack', 'llms/vllm', 'down', 'gpt-oss-20b');
    assert.equal(down.code, 0, down.out + down.err);
  });
});
