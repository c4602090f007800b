/**
 * ssh is spoken one way everywhere (src/core/ssh): the argument list a process gets, the line a
 * user is told to run, and the reading of ssh's own error words. The advice must be a line ssh
 * accepts as it is: `ssh -p 2222 me@spark-2`, never `me@spark-2:2222` (ssh reads that as a host
 * named "spark-2:2222").
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProcessFailedError } from '../../src/core/process/run';
import { unreachableReason } from '../../src/core/compose/hosts';
import { resolveDockerEndpoint } from '../../src/core/docker/endpoint';
import { DockerSshError, classifyDockerError } from '../../src/core/docker/errors';
import { SshDialError } from '../../src/core/docker/ssh-dial';
import { remoteMemorySources } from '../../src/core/memory/hosts';
import type { HostSpec } from '../../src/core/scenarios/file';
import { copyIdLine, hostKeyFix, readSshFailure } from '../../src/core/ssh/failure';
import { knownHostsName, sshArgs, sshLine, sshTargetOfUrl } from '../../src/core/ssh/target';
import { FakeDocker } from '../support/fake-docker';

/** A login with a port, the case the old advice got wrong. */
const URL_WITH_PORT = 'ssh://me@spark-2:2222';
const WITH_PORT = { host: 'spark-2', user: 'me', port: 2222 };
/** What a user could paste that ssh would not take. */
const HOST_COLON_PORT = /me@spark-2:2222/;

describe('ssh targets and command lines', () => {
  it('reads an ssh:// URL into user, host and port (no port unless the URL names one, no IPv6 brackets)', () => {
    assert.deepEqual(sshTargetOfUrl(URL_WITH_PORT), WITH_PORT);
    assert.deepEqual(sshTargetOfUrl('ssh://spark-2'), { host: 'spark-2' });
    assert.deepEqual(sshTargetOfUrl('ssh://root@[fd00::2]:22'), { host: 'fd00::2', user: 'root', port: 22 });
    assert.equal(sshTargetOfUrl('spark-2'), undefined, 'a Docker context name is not an ssh URL');
    assert.equal(sshTargetOfUrl('tcp://spark-2:2375'), undefined);
  });

  it('gives a process user and port as options and the host after --, never prompting', () => {
    assert.deepEqual(sshArgs(WITH_PORT, ['cat', '/proc/meminfo'], 5), ['-o', 'BatchMode=yes', '-o', 'ConnectTimeout=5', '-T', '-l', 'me', '-p', '2222', '--', 'spark-2', 'cat', '/proc/meminfo']);
    const hostile = sshArgs({ host: '-oProxyCommand=x' }, [], 5);
    assert.equal(hostile[hostile.indexOf('--') + 1], '-oProxyCommand=x', 'an option-shaped host stays a destination');
  });

  it('tells a user `ssh -p PORT user@host`, a line ssh accepts', () => {
    assert.equal(sshLine(WITH_PORT), 'ssh -p 2222 me@spark-2');
    assert.equal(sshLine({ host: 'spark-2', user: 'me' }), 'ssh me@spark-2');
    assert.equal(sshLine(WITH_PORT, ['cat', '/proc/meminfo']), 'ssh -p 2222 me@spark-2 cat /proc/meminfo');
    assert.equal(copyIdLine(WITH_PORT), 'ssh-copy-id -p 2222 me@spark-2');
    assert.equal(knownHostsName(WITH_PORT), '[spark-2]:2222', 'known_hosts files a non-22 port as [host]:port');
    assert.equal(knownHostsName({ host: 'spark-2', port: 22 }), 'spark-2');
    assert.match(hostKeyFix(WITH_PORT), /`ssh -p 2222 me@spark-2` once .*`ssh-keygen -R '\[spark-2\]:2222'`/);
  });

  it('reads ssh\'s own words into one kind, whoever ran it', () => {
    assert.equal(readSshFailure('Host key verification failed.\n'), 'host-key');
    assert.equal(readSshFailure('error during connect: … stderr=ssh: connect to host 10.0.0.2 port 22: Connection refused'), 'refused');
    assert.equal(readSshFailure('me@spark-2: Permission denied (publickey).'), 'auth');
    assert.equal(readSshFailure('ssh: Could not resolve hostname spark-9: Name or service not known'), 'unreachable');
    assert.equal(readSshFailure('Cannot connect to the Docker daemon at unix:///var/run/docker.sock.'), undefined, 'Docker\'s own words are not ssh\'s');
  });
});

describe('the advice for a host reached on another SSH port is a login ssh accepts', () => {
  const endpoint = resolveDockerEndpoint({ env: { DOCKER_HOST: URL_WITH_PORT } });
  const spark2: HostSpec = { name: 'spark-2', main: false, docker: URL_WITH_PORT, address: '10.231.7.2', line: 12 };

  it('from our Engine API client (ssh … docker system dial-stdio)', () => {
    const hostKey = classifyDockerError(new SshDialError('Host key verification failed.\n', 255), endpoint);
    assert.ok(hostKey instanceof DockerSshError);
    assert.match(hostKey.fix ?? '', /`ssh -p 2222 me@spark-2` once in a terminal/);
    assert.match(hostKey.fix ?? '', /`ssh-keygen -R '\[spark-2\]:2222'`/);
    const auth = classifyDockerError(new SshDialError('me@spark-2: Permission denied (publickey).\n', 255), endpoint);
    assert.ok(auth instanceof DockerSshError);
    assert.match(auth.fix ?? '', /`ssh -p 2222 me@spark-2` works without a password.*`ssh-copy-id -p 2222 me@spark-2`/);
    const other = classifyDockerError(new SshDialError('kex_exchange_identification: Connection closed by remote host\n', 255), endpoint);
    assert.ok(other instanceof DockerSshError);
    assert.match(other.fix ?? '', /`ssh -p 2222 me@spark-2 docker system dial-stdio`/);
    for (const e of [hostKey, auth, other]) assert.doesNotMatch(e.fix ?? '', HOST_COLON_PORT);
  });

  it('from the docker CLI (a host\'s `docker info` for hosts and the pre-flight)', () => {
    const said = (stderr: string) => unreachableReason(spark2, new ProcessFailedError('docker info', 1, `error during connect\n${stderr}\n`)).fix;
    const hostKey = said('Host key verification failed.');
    assert.match(hostKey, /`ssh -p 2222 me@spark-2` once in a terminal .*`ssh-keygen -R '\[spark-2\]:2222'`/);
    const auth = said('me@spark-2: Permission denied (publickey).');
    assert.match(auth, /ssh-copy-id -p 2222 me@spark-2$/);
    for (const fix of [hostKey, auth]) assert.doesNotMatch(fix, HOST_COLON_PORT);
  });

  it('from the Memory view\'s note when /proc/meminfo could not be read over SSH', async () => {
    const client = new FakeDocker(endpoint);
    const sources = remoteMemorySources('spark-2', client, undefined, undefined, async () => Promise.reject(new Error('me@spark-2: Permission denied (publickey).')));
    await sources.memInfo();
    const note = sources.note?.() ?? '';
    assert.match(note, /`ssh -p 2222 me@spark-2 cat \/proc\/meminfo` failed/);
    assert.doesNotMatch(note, HOST_COLON_PORT);
  });
});
