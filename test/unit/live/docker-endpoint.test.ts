import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { resolveDockerEndpoint } from '../../../src/core/docker/endpoint';
import { DockerDaemonDownError, DockerPermissionError, DockerSocketMissingError, SshUnreachableError, classifyDockerError } from '../../../src/core/docker/errors';
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

describe('a host of the stack reached over SSH', () => {
  const meta = { [metaFile('sg-spark2')]: JSON.stringify({ Name: 'sg-spark2', Endpoints: { docker: { Host: 'ssh://root@10.231.7.2' } } }) };
  const spark2 = resolveDockerEndpoint({ env: { DOCKER_CONTEXT: 'sg-spark2' }, configDir: CONFIG, readFile: files(meta) });

  it('tells a refused SSH connection from a refused key and from a host that does not answer, each with its fix and the context', () => {
    const refused = classifyDockerError(Object.assign(new Error('connect ECONNREFUSED 10.231.7.2:22'), { code: 'ECONNREFUSED' }), spark2);
    assert.ok(refused instanceof SshUnreachableError);
    assert.equal(refused.message, 'ssh to root@10.231.7.2 refused');
    assert.equal(refused.fix, 'start its SSH server or check `docker context inspect sg-spark2`');
    const key = classifyDockerError(Object.assign(new Error('All configured authentication methods failed'), { level: 'client-authentication' }), spark2);
    assert.ok(key instanceof SshUnreachableError && /key refused/.test(key.message) && /authorized_keys/.test(key.fix ?? ''));
    const silent = classifyDockerError(Object.assign(new Error('connect EHOSTUNREACH'), { code: 'EHOSTUNREACH' }), spark2);
    assert.ok(silent instanceof SshUnreachableError && /got no answer/.test(silent.message));
  });
});
