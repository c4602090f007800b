import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { resolveDockerEndpoint } from '../../../src/core/docker/endpoint';
import { DockerDaemonDownError, DockerPermissionError, DockerSocketMissingError, DockerSshError, classifyDockerError } from '../../../src/core/docker/errors';
import { SshDialError } from '../../../src/core/docker/ssh-dial';
import { FileFormatError } from '../../../src/core/errors';

const CONFIG = path.join('fixture-home', '.docker'); // never read: the test passes the files' contents

function files(map: Record<string, string>): (file: string) => string | undefined {
  return (file) => map[file];
}

function metaFile(context: string): string {
  return path.join(CONFIG, 'contexts', 'meta', createHash('sha256').update(context).digest('hex'), 'meta.json');
}

describe('which Docker engine', () => {
  it('is the local socket by default', () => {
    const e = resolveDockerEndpoint({ env: {}, configDir: CONFIG, readFile: files({}) });
    assert.equal(e.socketPath, '/var/run/docker.sock');
    assert.equal(e.source, 'default');
  });

  it('honours DOCKER_HOST before any context (ssh, tcp, TLS from DOCKER_CERT_PATH)', () => {
    const e = resolveDockerEndpoint({ env: { DOCKER_HOST: 'ssh://me@spark', DOCKER_CONTEXT: 'x' }, configDir: CONFIG, readFile: files({}) });
    assert.equal(e.source, 'DOCKER_HOST');
    assert.deepEqual(e.modemOptions, { host: 'spark', protocol: 'ssh', username: 'me' }, 'no port: ssh takes the one of ~/.ssh/config');
    const tcp = resolveDockerEndpoint({ env: { DOCKER_HOST: 'tcp://10.0.0.2:2375' }, configDir: CONFIG, readFile: files({}) });
    assert.deepEqual(tcp.modemOptions, { host: '10.0.0.2', port: 2375, protocol: 'http' });
    const tls = resolveDockerEndpoint({ env: { DOCKER_HOST: 'tcp://10.0.0.2:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/certs' }, configDir: CONFIG, readFile: files({ '/certs/ca.pem': 'CA', '/certs/cert.pem': 'CERT', '/certs/key.pem': 'KEY' }) });
    assert.equal(tls.modemOptions.protocol, 'https');
    assert.equal(tls.modemOptions.cert?.toString(), 'CERT');
    const unix = resolveDockerEndpoint({ env: { DOCKER_HOST: 'unix:///run/user/1000/docker.sock' }, configDir: CONFIG, readFile: files({}) });
    assert.equal(unix.socketPath, '/run/user/1000/docker.sock');
  });

  it('follows the current context of config.json to an ssh:// host', () => {
    const e = resolveDockerEndpoint({
      env: { SSH_AUTH_SOCK: 'agent.sock' },
      configDir: CONFIG,
      readFile: files({
        [path.join(CONFIG, 'config.json')]: JSON.stringify({ currentContext: 'spark' }),
        [metaFile('spark')]: JSON.stringify({ Name: 'spark', Endpoints: { docker: { Host: 'ssh://me@spark.local:2222', SkipTLSVerify: false } } }),
      }),
    });
    assert.equal(e.source, 'context "spark"');
    assert.deepEqual(e.modemOptions, { host: 'spark.local', port: 2222, protocol: 'ssh', username: 'me' });
  });

  it('lets DOCKER_CONTEXT override config.json, and "default" means the local socket', () => {
    const read = files({ [path.join(CONFIG, 'config.json')]: JSON.stringify({ currentContext: 'spark' }) });
    assert.equal(resolveDockerEndpoint({ env: { DOCKER_CONTEXT: 'default' }, configDir: CONFIG, readFile: read }).source, 'default');
  });

  it('reads a context with a unix socket and one with tcp', () => {
    const read = files({ [metaFile('rootless')]: JSON.stringify({ Endpoints: { docker: { Host: 'unix:///run/user/1000/docker.sock' } } }), [metaFile('tcp')]: JSON.stringify({ Endpoints: { docker: { Host: 'tcp://10.0.0.2:2375' } } }) });
    assert.equal(resolveDockerEndpoint({ env: { DOCKER_CONTEXT: 'rootless' }, configDir: CONFIG, readFile: read }).socketPath, '/run/user/1000/docker.sock');
    assert.deepEqual(resolveDockerEndpoint({ env: { DOCKER_CONTEXT: 'tcp' }, configDir: CONFIG, readFile: read }).modemOptions, { host: '10.0.0.2', port: 2375, protocol: 'http' });
    assert.ok('host' in resolveDockerEndpoint({ env: { DOCKER_CONTEXT: 'rootless' }, configDir: CONFIG, readFile: read }).modemOptions, 'host: undefined overrides docker-modem\'s DOCKER_HOST default');
  });

  it('names the file when the selected context is missing or broken', () => {
    assert.throws(() => resolveDockerEndpoint({ env: { DOCKER_CONTEXT: 'gone' }, configDir: CONFIG, readFile: files({}) }), (e: unknown) => e instanceof FileFormatError && e.message.includes(metaFile('gone')));
    assert.throws(() => resolveDockerEndpoint({ env: {}, configDir: CONFIG, readFile: files({ [path.join(CONFIG, 'config.json')]: '{oops' }) }), /config\.json.*not valid JSON/);
  });
});

describe('why Docker is unreachable', () => {
  const endpoint = resolveDockerEndpoint({ env: {}, configDir: CONFIG, readFile: files({}) });

  it('a missing socket', () => {
    const e = classifyDockerError(Object.assign(new Error('connect ENOENT /var/run/docker.sock'), { code: 'ENOENT' }), endpoint);
    assert.ok(e instanceof DockerSocketMissingError);
    assert.equal(e.reason, 'socket-missing');
  });

  it('permission denied, with the docker group as the fix', () => {
    const e = classifyDockerError(Object.assign(new Error('connect EACCES'), { code: 'EACCES' }), endpoint);
    assert.ok(e instanceof DockerPermissionError);
    assert.match(e.fix ?? '', /usermod -aG docker \$USER/);
  });

  it('a daemon that is down', () => {
    assert.ok(classifyDockerError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), endpoint) instanceof DockerDaemonDownError);
  });

  it('leaves other errors alone', () => {
    const other = Object.assign(new Error('conflict'), { statusCode: 409 });
    assert.equal(classifyDockerError(other, endpoint), other);
  });
});

describe('why an ssh:// engine (another Spark) is unreachable', () => {
  const endpoint = resolveDockerEndpoint({ env: { DOCKER_HOST: 'ssh://me@spark2' } });
  /** What our `ssh ... docker system dial-stdio` process fails with (ssh-dial.ts): its stderr and exit status. */
  const sshSaid = (stderr: string, exitCode = 255) => classifyDockerError(new SshDialError(stderr, exitCode), endpoint);

  it('an SSH server that refuses the connection is not a stopped local daemon', () => {
    const e = sshSaid('ssh: connect to host spark2 port 22: Connection refused\n');
    assert.ok(e instanceof DockerSshError && !(e instanceof DockerDaemonDownError));
    assert.equal(e.reason, 'unreachable');
    assert.match(e.message, /SSH server of ssh:\/\/me@spark2 \(DOCKER_HOST\) refused/);
    assert.match(e.fix ?? '', /Start the SSH server on spark2/);
  });

  it('a host key that is unknown or changed is refused, with how to accept it', () => {
    for (const said of ['No ED25519 host key is known for spark2 and you have requested strict checking.\nHost key verification failed.\n', '@@@ WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED! @@@\nHost key verification failed.\n']) {
      const e = sshSaid(said);
      assert.ok(e instanceof DockerSshError);
      assert.match(e.message, /host key of ssh:\/\/me@spark2 .*Host key verification failed/);
      assert.match(e.fix ?? '', /ssh me@spark2.*once.*known_hosts/);
    }
  });

  it('a key the server does not take: the fix is ssh\'s own, no agent', () => {
    const auth = sshSaid('me@spark2: Permission denied (publickey).\n');
    assert.ok(auth instanceof DockerSshError);
    assert.match(auth.message, /did not accept any of our keys \(me@spark2: Permission denied \(publickey\)\.\)/);
    assert.match(auth.fix ?? '', /ssh-copy-id me@spark2.*IdentityFile/);
    assert.doesNotMatch(auth.fix ?? '', /agent/);
  });

  it('no ssh program on this machine', () => {
    const e = classifyDockerError(Object.assign(new Error('spawn ssh ENOENT'), { code: 'ENOENT', syscall: 'spawn ssh', path: 'ssh' }), endpoint);
    assert.ok(e instanceof DockerSshError);
    assert.match(e.fix ?? '', /openssh-client/);
  });

  it('a host that is not on the network', () => {
    const e = sshSaid('ssh: connect to host spark2 port 22: No route to host\n');
    assert.ok(e instanceof DockerSshError);
    assert.match(e.message, /cannot be reached: ssh: connect to host spark2 port 22: No route to host/);
  });

  it('Docker behind a working SSH login: the remote command failed, not ssh', () => {
    const e = sshSaid('sh: 1: docker: not found\n', 127);
    assert.ok(e instanceof DockerSshError);
    assert.match(e.message, /Docker there did not answer .*dial-stdio.*docker: not found/);
  });

  it('leaves Docker API errors alone', () => {
    const other = Object.assign(new Error('conflict'), { statusCode: 409 });
    assert.equal(classifyDockerError(other, endpoint), other);
  });
});
