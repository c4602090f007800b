/**
 * [live] The three ways Docker can be out of reach, each reported as one line with its fix — on
 * the real socket where the machine allows it (permission denied: the same socket, opened as
 * `nobody`, who is not in the docker group).
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from '../../src/cli/main';
import { missing } from '../support/components';
import { REPO_ROOT, STACK_DIR } from '../support/processes';

async function status(env: NodeJS.ProcessEnv): Promise<{ code: number; err: string }> {
  let err = '';
  const code = await runCli(['--stack', STACK_DIR, 'status'], { out: () => undefined, err: (t) => (err += t), cwd: STACK_DIR, env });
  return { code, err };
}

describe('[live] Docker out of reach: a typed error with the fix', () => {
  it('a socket that does not exist', async () => {
    const { code, err } = await status({ DOCKER_HOST: 'unix:///tmp/spark-gateway-no-such.sock' });
    assert.equal(code, 1);
    assert.match(err, /the Docker socket \/tmp\/spark-gateway-no-such\.sock does not exist — Install Docker and start it/);
  });

  it('a daemon that is down (nothing listens)', async () => {
    const { code, err } = await status({ DOCKER_HOST: 'tcp://127.0.0.1:9' });
    assert.equal(code, 1);
    assert.match(err, /the Docker daemon at tcp:\/\/127\.0\.0\.1:9 is not running — Start it/);
  });

  const runuser = ['/usr/sbin/runuser', '/sbin/runuser'].find((p) => existsSync(p));
  const asRoot = process.getuid?.() === 0;
  it('permission denied on the real socket, with the docker group as the fix', { skip: missing('docker') || (!asRoot || !runuser ? 'needs root and runuser to act as a user outside the docker group' : false) }, () => {
    execFileSync('test', ['-S', '/var/run/docker.sock']);
    const cli = path.join(REPO_ROOT, 'out', 'src', 'cli', 'main.js');
    const r = spawnSync(runuser as string, ['-u', 'nobody', '--', process.execPath, cli, '--stack', STACK_DIR, 'status'], { encoding: 'utf8', env: { PATH: process.env.PATH, HOME: '/tmp' } });
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stderr, /permission denied on the Docker socket \/var\/run\/docker\.sock — Add your user to the docker group: `sudo usermod -aG docker \$USER`/);
  });
});
