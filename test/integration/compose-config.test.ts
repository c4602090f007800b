/**
 * Every compose file of the stack, both variants, is accepted by Docker Compose v2 and by the
 * v1 fallback with the template's values, the scenario's memory fraction reaches the model
 * server's command through its environment variable, and LITELLM_NUM_WORKERS reaches LiteLLM's.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { LITELLM_NUM_WORKERS_DEFAULT } from '../../src/core/sync-env';
import { parseScenarioFile } from '../../src/core/scenarios/file';
import { missing } from '../support/components';
import type { StackCopy } from '../support/stack-copy';
import { copyStack } from '../support/stack-copy';
import { STACK_DIR } from '../support/processes';

const scenarios = parseScenarioFile(readFileSync(path.join(STACK_DIR, 'scenarios.yaml'), 'utf8'), 'scenarios.yaml');
const FILES = [
  'docker-compose.yml',
  path.join('litellm', 'docker-compose.yml'),
  ...scenarios.models.flatMap((m) => [path.join(m.folder, 'docker-compose.yml'), path.join(m.folder, 'docker-compose-gpu.yml')]),
];

interface Rendered {
  services: Record<string, { command?: string[]; container_name?: string; image?: string; volumes?: { source?: string; target?: string }[] }>;
}

describe('compose files', { skip: missing('compose') }, () => {
  let stack: StackCopy;
  before(() => {
    // The template's own cache default is under test: no test cache in .env.
    stack = copyStack({ hfCache: false });
  });
  after(() => stack.remove());

  const tools: { name: string; command: string[] }[] = [{ name: 'docker compose (v2)', command: ['docker', 'compose'] }];
  // Debian's v1 is the documented fallback; provisioning installs it, so CI checks it too.
  if (existsSync('/usr/bin/docker-compose') || process.env.CI === 'true') tools.push({ name: 'docker-compose (v1)', command: ['docker-compose'] });

  for (const tool of tools) {
    for (const file of FILES) {
      it(`${tool.name} accepts ${file}`, () => {
        const [cmd, ...pre] = tool.command as [string, ...string[]];
        execFileSync(cmd, [...pre, '-f', path.basename(file), 'config', '--quiet'], { cwd: path.join(stack.dir, path.dirname(file)), stdio: 'pipe' });
      });
    }
  }

  for (const m of scenarios.models) {
    it(`passes a scenario's memory fraction to ${m.name} through ${m.memoryEnv}`, () => {
      for (const file of ['docker-compose.yml', 'docker-compose-gpu.yml']) {
        const render = (env: NodeJS.ProcessEnv) => JSON.parse(execFileSync('docker', ['compose', '-f', file, 'config', '--format', 'json'], { cwd: path.join(stack.dir, m.folder), env: { ...process.env, ...env }, encoding: 'utf8' })) as Rendered;
        const commandOf = (r: Rendered) => Object.values(r.services)[0]?.command ?? [];
        const fractionIn = (command: string[]) => command[command.indexOf('--gpu-memory-utilization') + 1];
        assert.equal(fractionIn(commandOf(render({ [m.memoryEnv]: '0.33' }))), '0.33', file);
        const unset = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== m.memoryEnv));
        assert.equal(Number(fractionIn(commandOf(render(unset)))), m.defaultFraction, `${file} default`);
      }
    });
  }

  it('takes every image from its variable, pinned when unset, and resolves them as the core does', async () => {
    const { composeImages } = await import('../../src/core/compose/images');
    const unset = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.endsWith('_IMAGE')));
    for (const file of FILES) {
      const cwd = path.join(stack.dir, path.dirname(file));
      const render = (env: NodeJS.ProcessEnv) => JSON.parse(execFileSync('docker', ['compose', '-f', path.basename(file), 'config', '--format', 'json'], { cwd, env, encoding: 'utf8' })) as Rendered;
      const images = (r: Rendered) => Object.values(r.services).map((s) => s.image ?? '');
      const pinned = images(render(unset));
      assert.deepEqual([...new Set(pinned)].sort(), (await composeImages(path.join(stack.dir, file), unset)).sort(), `${file}: compose and the core agree on the pinned images`);
      const mirrored = Object.fromEntries(['VLLM_SPARK_IMAGE', 'VLLM_GPU_IMAGE', 'LITELLM_IMAGE', 'REDIS_IMAGE', 'POSTGRES_IMAGE', 'NGINX_IMAGE'].map((k) => [k, `127.0.0.1:5999/mirror/${k.toLowerCase()}:1`]));
      const overridden = images(render({ ...unset, ...mirrored }));
      assert.ok(overridden.every((i) => i.startsWith('127.0.0.1:5999/mirror/')), `${file}: ${overridden.join(', ')}`);
      assert.deepEqual([...new Set(overridden)].sort(), (await composeImages(path.join(stack.dir, file), { ...unset, ...mirrored })).sort(), `${file}: compose and the core agree on the overrides`);
    }
  });

  it('mounts the one Hugging Face cache of the host: ~/.cache/huggingface, or HF_CACHE_DIR', () => {
    for (const m of scenarios.models) {
      for (const file of ['docker-compose.yml', 'docker-compose-gpu.yml']) {
        const render = (env: NodeJS.ProcessEnv) => JSON.parse(execFileSync('docker', ['compose', '-f', file, 'config', '--format', 'json'], { cwd: path.join(stack.dir, m.folder), env, encoding: 'utf8' })) as Rendered;
        const mountOf = (r: Rendered) => Object.values(r.services)[0]?.volumes?.find((v) => v.target === '/root/.cache/huggingface')?.source;
        const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'HF_CACHE_DIR'));
        assert.equal(mountOf(render({ ...base, HOME: '/fake-home/someone' })), '/fake-home/someone/.cache/huggingface', `${m.folder}/${file}`);
        assert.equal(mountOf(render({ ...base, HF_CACHE_DIR: '/data/hf' })), '/data/hf', `${m.folder}/${file}`);
      }
    }
  });

  it("passes LITELLM_NUM_WORKERS from litellm/.env (written by sync-env) to LiteLLM's --num_workers", () => {
    const dir = path.join(stack.dir, 'litellm');
    const envFile = path.join(dir, '.env');
    const original = readFileSync(envFile, 'utf8');
    const workersIn = () => {
      const rendered = JSON.parse(execFileSync('docker', ['compose', 'config', '--format', 'json'], { cwd: dir, env: Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'LITELLM_NUM_WORKERS')), encoding: 'utf8' })) as Rendered;
      const command = rendered.services.litellm?.command ?? [];
      return command[command.indexOf('--num_workers') + 1];
    };
    try {
      assert.equal(workersIn(), LITELLM_NUM_WORKERS_DEFAULT, 'sync-env wrote the default');
      writeFileSync(envFile, original.replace(/^LITELLM_NUM_WORKERS=.*$/m, 'LITELLM_NUM_WORKERS=3'));
      assert.equal(workersIn(), '3');
    } finally {
      writeFileSync(envFile, original);
    }
  });
});
