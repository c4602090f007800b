import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { resolveDockerEndpoint } from '../../../src/core/docker/endpoint';
import { DockerDaemonDownError, DockerPermissionError, DockerSocketMissingError, DockerSshError, classifyDockerError } from '../../../src/core/docker/errors';
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
    assert.deepEqual(e.modemOptions, { host: 'spark', port: 22, protocol: 'ssh', username: 'me', sshOptions: { agent: undefined } });
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
    assert.deepEqual(e.modemOptions, { host: 'spark.local', port: 2222, protocol: 'ssh', username: 'me', sshOptions: { agent: 'agent.sock' } });
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
  const endpoint = resolveDockerEndpoint({ env: { DOCKER_HOST: 'ssh://me@spark2', SSH_AUTH_SOCK: '/tmp/agent.sock' } });
  const sshError = (props: Record<string, unknown>) => classifyDockerError(Object.assign(new Error(String(props.message ?? 'x')), props), endpoint);

  it('an SSH server that refuses the connection is not a stopped local daemon', () => {
    const e = sshError({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 10.0.0.2:22' });
    assert.ok(e instanceof DockerSshError && !(e instanceof DockerDaemonDownError));
    assert.equal(e.reason, 'unreachable');
    assert.match(e.message, /SSH server of ssh:\/\/me@spark2 \(DOCKER_HOST\) refused/);
    assert.match(e.fix ?? '', /Start the SSH server on spark2/);
  });

  it('a key the server does not take, and no agent at all', () => {
    const auth = sshError({ level: 'client-authentication', message: 'All configured authentication methods failed' });
    assert.ok(auth instanceof DockerSshError);
    assert.match(auth.fix ?? '', /ssh-add.*ssh-copy-id me@spark2/);
    const agent = sshError({ level: 'agent', message: 'Failed to connect to agent' });
    assert.match(agent instanceof DockerSshError ? agent.message : '', /no ssh-agent.*SSH_AUTH_SOCK does not answer/);
  });

  it('Docker behind a working SSH login', () => {
    const e = sshError({ code: 'ECONNRESET', message: 'socket hang up' });
    assert.ok(e instanceof DockerSshError);
    assert.match(e.message, /dial-stdio/);
  });

  it('leaves Docker API errors alone', () => {
    const other = Object.assign(new Error('conflict'), { statusCode: 409 });
    assert.equal(classifyDockerError(other, endpoint), other);
  });
});
