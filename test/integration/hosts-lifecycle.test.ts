/**
 * `up` / `status` / `hosts` / `down` across two hosts of scenarios.yaml on this machine's one
 * Docker engine: the second host ("twin") reaches the same engine through its own `docker:`
 * endpoint (unix:///var/run/docker.sock as DOCKER_HOST) and has the cluster address 127.0.0.2,
 * so its model server runs from the real compose file with that host's environment: published on
 * 127.0.0.2 only, with vLLM's API key from .env. (Hosts with engines and SSH servers of their own,
 * in network namespaces: the hosts-infra tests.) Simulator backend, models only, as
 * scenario-up.test.ts (the gateway's images cannot be pulled here).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { missing } from '../support/components';
import { ensureSimulatorImage, inspect } from '../support/docker';
import { cliWithEnv } from '../support/hub-standin';
import type { StackCopy } from '../support/stack-copy';
import { copyStack, envValue } from '../support/stack-copy';

const CONTAINERS = ['vllm-gpt-oss-20b', 'vllm-qwen-30b'];

const cli = (stackDir: string, ...argv: string[]) => cliWithEnv({}, stackDir, ...argv);

function removeContainers(): void {
  for (const name of CONTAINERS) execFileSync('docker', ['rm', '-f', name], { stdio: 'pipe' });
}

interface PortBinding {
  HostIp: string;
  HostPort: string;
}

describe('models placed on two hosts (one engine reached two ways)', { skip: missing('docker', 'compose') }, () => {
  let stack: StackCopy;
  let key = '';
  before(() => {
    ensureSimulatorImage();
    removeContainers();
    stack = copyStack();
    const file = path.join(stack.dir, 'scenarios.yaml');
    const text = readFileSync(file, 'utf8')
      .replace('\nmodels:\n', '\nhosts:\n  - name: twin\n    docker: unix:///var/run/docker.sock\n    address: 127.0.0.2\n\nmodels:\n')
      .concat('\n  - name: split\n    variant: spark\n    models:\n      gpt-oss-20b: 0.25\n      qwen-30b: { fraction: 0.45, hosts: [twin] }\n');
    writeFileSync(file, text);
    key = envValue(readFileSync(path.join(stack.dir, '.env'), 'utf8'), 'VLLM_API_KEY') ?? '';
  });
  after(() => {
    removeContainers();
    stack.remove();
  });

  it('hosts --json lists both hosts as reachable, with how each is reached and its memory', async () => {
    const { code, out, err } = await cli(stack.dir, 'hosts', '--json');
    assert.equal(code, 0, out + err);
    const { hosts } = JSON.parse(out) as { hosts: { name: string; reach: string; reachable: boolean; address: string | null; memTotalBytes: number }[] };
    assert.deepEqual(hosts.map((h) => [h.name, h.reachable, h.address]), [['local', true, null], ['twin', true, '127.0.0.2']]);
    assert.equal(hosts[1]?.reach, 'unix:///var/run/docker.sock');
    assert.ok(hosts.every((h) => h.memTotalBytes > 2 ** 30));
  });

  it('up starts each model on its host: the twin\'s on its address only, with the API key', { timeout: 240_000 }, async () => {
    assert.match(key, /^sk-[0-9a-f]{48}$/, 'sync-env generated VLLM_API_KEY');
    const up = await cli(stack.dir, 'up', 'split', '--backend', 'simulator', '--models-only');
    assert.equal(up.code, 0, up.out + up.err);
    assert.match(up.out, /Starting qwen-30b on twin \(memory fraction 0\.45\)/);
    assert.match(up.out, /\$ \[twin\] docker compose up -d/);
    assert.match(up.out, /qwen-30b on twin: healthy/);
    assert.match(up.out, /gpt-oss-20b: healthy/);
    const ports = (container: string) => (inspect(container) as unknown as { HostConfig: { PortBindings: Record<string, PortBinding[]> } }).HostConfig.PortBindings['8000/tcp'];
    assert.deepEqual(ports('vllm-qwen-30b'), [{ HostIp: '127.0.0.2', HostPort: '8003' }]);
    assert.deepEqual(ports('vllm-gpt-oss-20b'), [{ HostIp: '127.0.0.1', HostPort: '8001' }]);
    // The twin's server wants the key; this machine's does not (it is reached on 127.0.0.1 only).
    assert.equal((await fetch('http://127.0.0.2:8003/v1/models')).status, 401);
    assert.equal((await fetch('http://127.0.0.2:8003/v1/models', { headers: { authorization: `Bearer ${key}` } })).status, 200);
    assert.equal((await fetch('http://127.0.0.1:8001/v1/models')).status, 200);
    assert.ok(!up.out.includes(key) && !up.err.includes(key), 'the key is never printed');
  });

  it('status --json gives every service its host; --host shows one host', async () => {
    const all = await cli(stack.dir, 'status', '--json');
    assert.equal(all.code, 0, all.out + all.err);
    const services = (JSON.parse(all.out) as { services: { name: string; host: string; state: string; container: string }[] }).services;
    assert.ok(services.every((s) => typeof s.host === 'string'));
    const onTwin = services.filter((s) => s.host === 'twin');
    assert.deepEqual(onTwin.map((s) => [s.name, s.container]), [['qwen-30b', 'vllm-qwen-30b']]);
    // Up (Docker's own health check may not have run yet: then vLLM's log says where the start is).
    assert.ok(['loading', 'running', 'healthy'].includes(onTwin[0]?.state ?? ''), onTwin[0]?.state);
    assert.equal(services.find((s) => s.host === 'local' && s.name === 'litellm')?.state, 'absent');
    const twin = await cli(stack.dir, 'status', '--json', '--host', 'twin');
    assert.deepEqual((JSON.parse(twin.out) as { services: { name: string }[] }).services.map((s) => s.name), ['qwen-30b']);
    const unknown = await cli(stack.dir, 'status', '--host', 'spark-9');
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.err, /unknown host "spark-9" \(known: local, twin\)/);
  });

  it('down stops the models on each host', { timeout: 120_000 }, async () => {
    const down = await cli(stack.dir, 'down', 'split');
    assert.equal(down.code, 0, down.out + down.err);
    assert.match(down.out, /Stopped qwen-30b on twin, gpt-oss-20b\./);
    assert.equal(execFileSync('docker', ['ps', '-a', '--format', '{{.Names}}'], { encoding: 'utf8' }).split('\n').filter((n) => CONTAINERS.includes(n)).length, 0);
  });
});

describe('a host that cannot be reached', { skip: missing('docker') }, () => {
  let stack: StackCopy;
  before(() => {
    stack = copyStack();
    const file = path.join(stack.dir, 'scenarios.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('\nmodels:\n', '\nhosts:\n  - name: gone\n    docker: tcp://127.0.0.1:1\n    address: 127.0.0.3\n\nmodels:\n')
      .concat('\n  - name: away\n    variant: spark\n    models:\n      qwen-30b: { fraction: 0.45, hosts: [gone] }\n'));
  });
  after(() => stack.remove());

  it('shows in hosts as not reachable with the reason and the fix; the other hosts still answer', async () => {
    const { code, out } = await cli(stack.dir, 'hosts', '--json');
    assert.equal(code, 1);
    const hosts = (JSON.parse(out) as { hosts: { name: string; reachable: boolean; reason?: string; fix?: string }[] }).hosts;
    assert.equal(hosts.find((h) => h.name === 'local')?.reachable, true);
    const gone = hosts.find((h) => h.name === 'gone');
    assert.equal(gone?.reachable, false);
    assert.match(gone?.reason ?? '', /tcp:\/\/127\.0\.0\.1:1/);
    assert.match(gone?.fix ?? '', /Start Docker on host gone|check "docker:" of host gone/);
    const text = await cli(stack.dir, 'hosts');
    assert.match(text.out, /gone\s+tcp:\/\/127\.0\.0\.1:1\s+127\.0\.0\.3\s+NOT reachable/);
    assert.match(text.out, /fix: /);
  });

  it('up refuses before starting anything, naming the host and the fix', async () => {
    const up = await cli(stack.dir, 'up', 'away', '--backend', 'simulator', '--models-only');
    assert.notEqual(up.code, 0);
    assert.match(up.out, /✗ Docker on gone: tcp:\/\/127\.0\.0\.1:1: .* — fix: /);
    assert.match(up.err, /pre-flight refused/);
    assert.equal(execFileSync('docker', ['ps', '-a', '--filter', 'name=^vllm-qwen-30b$', '--format', '{{.Names}}'], { encoding: 'utf8' }).trim(), '');
  });

  it('status still shows this machine and lists the host it could not read; down says what it left', async () => {
    const status = await cli(stack.dir, 'status', '--json');
    assert.equal(status.code, 1);
    const body = JSON.parse(status.out) as { services: { name: string; host: string }[]; unreachable: { host: string; fix: string }[] };
    assert.ok(body.services.some((s) => s.name === 'litellm' && s.host === 'local'));
    assert.deepEqual(body.unreachable.map((u) => u.host), ['gone']);
    const down = await cli(stack.dir, 'down');
    assert.equal(down.code, 1);
    assert.match(down.err, /host gone was not reached, so what runs there still runs: .* — /);
  });
});
