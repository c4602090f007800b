/**
 * The `ssh ... docker system dial-stdio` connections of an ssh:// engine (src/core/docker/ssh-dial.ts).
 * `ssh` is stood in by a small script (a stand-in for the process only): it logs its arguments and
 * either pipes stdin/stdout to a real HTTP server on a unix socket (as dial-stdio pipes them to
 * dockerd) or fails the way ssh does, on stderr with status 255. The real ssh against real sshd and
 * dockerd is tested in test/integration/hosts-env.test.ts.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SshDialError, dockerodeOptions, sshDialAgent, sshDialArgs, sshTargetOf } from '../../../src/core/docker/ssh-dial';
import { resolveDockerEndpoint } from '../../../src/core/docker/endpoint';

describe('ssh arguments for an ssh:// engine', () => {
  it('are the docker CLI\'s: options, then -- and the host, then the remote command', () => {
    assert.deepEqual(sshDialArgs({ host: 'spark2', user: 'me', port: 2222 }), ['-o', 'BatchMode=yes', '-o', 'ConnectTimeout=30', '-T', '-l', 'me', '-p', '2222', '--', 'spark2', 'docker', 'system', 'dial-stdio']);
    assert.deepEqual(sshDialArgs({ host: 'spark2' }), ['-o', 'BatchMode=yes', '-o', 'ConnectTimeout=30', '-T', '--', 'spark2', 'docker', 'system', 'dial-stdio']);
  });

  it('come from the endpoint URL; a host that looks like an option stays the host', () => {
    assert.deepEqual(sshTargetOf(resolveDockerEndpoint({ env: { DOCKER_HOST: 'ssh://root@10.231.7.2' } })), { host: '10.231.7.2', user: 'root' });
    assert.deepEqual(sshTargetOf(resolveDockerEndpoint({ env: { DOCKER_HOST: 'ssh://spark:2200' } })), { host: 'spark', port: 2200 });
    assert.equal(sshTargetOf(resolveDockerEndpoint({ env: { DOCKER_HOST: 'tcp://10.0.0.2:2375' } })), undefined);
    const args = sshDialArgs({ host: '-oProxyCommand=x' });
    assert.ok(args.indexOf('--') < args.indexOf('-oProxyCommand=x'));
  });

  it('dockerode gets our agent behind a socketPath (which VS Code\'s proxy patch leaves alone), never docker-modem\'s ssh', () => {
    const options = dockerodeOptions(resolveDockerEndpoint({ env: { DOCKER_HOST: 'ssh://root@10.231.7.2' } }));
    assert.equal(options.socketPath, 'ssh://root@10.231.7.2');
    assert.ok(options.agent instanceof http.Agent);
    assert.equal('protocol' in options, false);
    assert.equal('sshOptions' in options, false);
  });
});

describe('requests through ssh processes (ssh stood in by a script)', () => {
  let dir: string;
  let server: http.Server;
  let fake: string;
  let log: string;

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'sg-ssh-dial-'));
    const socket = path.join(dir, 'engine.sock');
    log = path.join(dir, 'ssh.log');
    server = http.createServer((req, res) => {
      if (req.url === '/events') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"n":1}\n');
        setTimeout(() => res.end('{"n":2}\n'), 200);
        return;
      }
      res.end(JSON.stringify({ path: req.url }));
    });
    await new Promise<void>((resolve) => server.listen(socket, resolve));
    fake = path.join(dir, 'ssh');
    writeFileSync(fake, `#!${process.execPath}
const fs = require('node:fs');
fs.appendFileSync(${JSON.stringify(log)}, JSON.stringify(process.argv.slice(2)) + '\\n');
if (process.env.FAKE_SSH_FAIL) { process.stderr.write(process.env.FAKE_SSH_FAIL); process.exit(255); }
const c = require('node:net').connect(${JSON.stringify(socket)});
process.stdin.pipe(c); c.pipe(process.stdout);
c.on('close', () => process.exit(0));
process.stdin.on('end', () => c.end());
`);
    chmodSync(fake, 0o755);
  });

  after(() => {
    server.closeAllConnections();
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function get(agent: http.Agent, pathname: string): Promise<string> {
    return new Promise((resolve, reject) => {
      // As docker-modem sends them: a socketPath (never opened: the agent's ssh carries the bytes).
      http.get({ socketPath: 'ssh://me@spark2', path: pathname, agent }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (t: string) => (body += t));
        res.on('end', () => resolve(body));
        res.on('error', reject);
      }).on('error', reject);
    });
  }

  const spawned = () => readFileSync(log, 'utf8').trim().split('\n').filter((l) => l !== '');

  it('reuses one ssh process for requests one after another; a long one gets its own', async () => {
    writeFileSync(log, '');
    const agent = sshDialAgent({ host: 'spark2', user: 'me' }, process.env, fake);
    try {
      assert.equal(await get(agent, '/_ping'), '{"path":"/_ping"}');
      assert.equal(await get(agent, '/containers/json'), '{"path":"/containers/json"}');
      assert.equal(spawned().length, 1, 'two requests, one ssh');
      assert.deepEqual(JSON.parse(spawned()[0] ?? '[]'), sshDialArgs({ host: 'spark2', user: 'me' }));
      const events = get(agent, '/events');
      assert.equal(await get(agent, '/info'), '{"path":"/info"}');
      assert.equal(await events, '{"n":1}\n{"n":2}\n');
      assert.equal(spawned().length, 2, 'the stream held one process, the other request another');
    } finally {
      agent.destroy();
    }
  });

  it('what ssh printed on stderr becomes the request\'s error', async () => {
    const agent = sshDialAgent({ host: 'spark2' }, { ...process.env, FAKE_SSH_FAIL: 'No ED25519 host key is known for spark2.\nHost key verification failed.\n' }, fake);
    try {
      const error = await get(agent, '/_ping').then(() => undefined, (e: unknown) => e);
      assert.ok(error instanceof SshDialError, `got ${String(error)}`);
      assert.equal(error.exitCode, 255);
      assert.equal(error.message, 'Host key verification failed.');
      assert.match(error.stderr, /No ED25519 host key is known/);
    } finally {
      agent.destroy();
    }
  });

  it('a missing ssh program is the spawn error', async () => {
    const agent = sshDialAgent({ host: 'spark2' }, process.env, path.join(dir, 'no-such-ssh'));
    try {
      const error = await get(agent, '/_ping').then(() => undefined, (e: unknown) => e);
      assert.equal((error as { code?: string }).code, 'ENOENT');
      assert.match(String((error as { syscall?: string }).syscall), /^spawn/);
    } finally {
      agent.destroy();
    }
  });
});
