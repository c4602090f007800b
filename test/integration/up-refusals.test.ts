/**
 * `spark-gateway up` refusals: each one happens in pre-flight, before anything starts, changes
 * nothing (no file, no container, no network) and names what is missing — the file and line, the
 * variable, the port — with its fix.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:net';
import { createServer } from 'node:net';
import * as path from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { runCli } from '../../src/cli/main';
import { missing } from '../support/components';
import type { StackCopy } from '../support/stack-copy';
import { copyStack } from '../support/stack-copy';

async function cli(stackDir: string, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(['--stack', stackDir, ...argv], { out: (t) => (out += t), err: (t) => (err += t), cwd: stackDir, env: {} });
  return { code, out, err };
}

/** Files (bytes + mtime), our containers and whether the network exists: what a refusal must not change. */
function world(dir: string): string {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    files.push(`${path.relative(dir, file)}:${readFileSync(file).toString('base64')}@${statSync(file).mtimeMs}`);
  }
  const containers = execFileSync('docker', ['ps', '-a', '--format', '{{.Names}}'], { encoding: 'utf8' }).split('\n').filter((n) => n.startsWith('vllm-'));
  const networks = execFileSync('docker', ['network', 'ls', '--format', '{{.Name}}'], { encoding: 'utf8' }).split('\n').filter((n) => n === 'vllm_network');
  return JSON.stringify({ files: files.sort(), containers, networks });
}

const copies: StackCopy[] = [];
function stack(options: { token?: string } = {}): StackCopy {
  const copy = copyStack({ syncEnv: true, certs: true });
  copies.push(copy);
  if (options.token) {
    const env = path.join(copy.dir, '.env');
    writeFileSync(env, readFileSync(env, 'utf8').replace(/^HF_TOKEN=.*$/m, `HF_TOKEN=${options.token}`));
    execFileSync('bash', [path.join(copy.dir, 'sync-env.sh')], { stdio: 'pipe' });
  }
  return copy;
}
afterEach(() => {
  for (const c of copies.splice(0)) c.remove();
});

/** Runs `up` and checks it refused without changing anything; returns its output. */
async function refused(dir: string, ...args: string[]): Promise<{ out: string; err: string }> {
  const before = world(dir);
  const result = await cli(dir, 'up', ...args);
  assert.equal(result.code, 1, result.out + result.err);
  assert.match(result.err, /pre-flight refused|spark-gateway: /);
  assert.equal(result.err.trim().split('\n').length, 1, 'one line on stderr');
  assert.equal(world(dir), before, 'the refusal changed something');
  return result;
}

describe('up refuses before changing anything', { skip: missing('docker') }, () => {
  it('names HF_TOKEN when the vllm backend has no token', async () => {
    const s = stack();
    const { err, out } = await refused(s.dir, 'scenario-1', '--backend', 'vllm', '--total-gib', '128');
    assert.match(err, /HF_TOKEN is not set in .*\.env/);
    assert.match(err, /Set HF_TOKEN=hf_… in \.env/);
    assert.match(out, /✗ HF_TOKEN/);
  });

  it('says the scenario does not fit the memory, with the arithmetic', async () => {
    const token = `hf_${'Abcdefghijklmnop0123'}`; // a made-up token, built so scanners for real ones stay quiet
    const s = stack({ token });
    const { out } = await refused(s.dir, 'all', '--backend', 'vllm', '--total-gib', '64');
    assert.match(out, /✗ Memory: all does not fit in 64\.0 GiB: .*budget/);
    assert.ok(!out.includes(token), 'the token is never printed');
  });

  it('names a port another program holds', async () => {
    const s = stack();
    const server: Server = createServer();
    await new Promise<void>((resolve) => server.listen(8001, '127.0.0.1', resolve));
    try {
      const { err } = await refused(s.dir, 'gpt-oss-20b', '--backend', 'simulator', '--models-only');
      assert.match(err, /gpt-oss-20b's port 8001 is in use by another program/);
      assert.match(err, /ss -ltnp/);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('names the file and line of a malformed .env', async () => {
    const s = stack();
    writeFileSync(path.join(s.dir, '.env'), `${readFileSync(path.join(s.dir, '.env'), 'utf8')}oops no equals\n`);
    const lines = readFileSync(path.join(s.dir, '.env'), 'utf8').trimEnd().split('\n').length;
    const { err } = await refused(s.dir, 'gpt-oss-20b', '--backend', 'simulator', '--models-only');
    assert.match(err, new RegExp(`\\.env:${lines}: not a KEY=VALUE line`));
  });

  it('names the file and line of a malformed scenarios.yaml', async () => {
    const s = stack();
    const file = path.join(s.dir, 'scenarios.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('reserveGiB: 8', 'reserveGiB: eight'));
    const line = readFileSync(file, 'utf8').split('\n').findIndex((l) => l.startsWith('reserveGiB')) + 1;
    const { err } = await refused(s.dir, 'gpt-oss-20b', '--backend', 'simulator', '--models-only');
    assert.match(err, new RegExp(`scenarios\\.yaml:${line}: "reserveGiB" must be a number`));
  });

  it('names a container of the same name started from another copy of the stack', async () => {
    const mine = stack();
    const other = stack();
    execFileSync('docker', ['compose', 'create'], { cwd: path.join(other.dir, 'gpt-oss-20b'), stdio: 'pipe' });
    try {
      const { err } = await refused(mine.dir, 'gpt-oss-20b', '--backend', 'simulator', '--models-only');
      assert.match(err, new RegExp(`vllm-gpt-oss-20b already exists, started from ${path.join(other.dir, 'gpt-oss-20b').replace(/[.]/g, '\\.')} \\(not this stack\\)`));
      assert.match(err, /docker rm -f vllm-gpt-oss-20b/);
    } finally {
      execFileSync('docker', ['rm', '-f', 'vllm-gpt-oss-20b'], { stdio: 'pipe' });
    }
  });

  it('asks for certificates before starting the gateway', async () => {
    const s = copyStack({ syncEnv: true, certs: false });
    copies.push(s);
    const { out } = await refused(s.dir, 'gpt-oss-20b', '--backend', 'simulator');
    assert.match(out, /✗ Certificates: ssl\/public\.pem and ssl\/private\.pem missing — fix: Run `spark-gateway certs`/);
  });
});
