/**
 * [hosts] The test hosts themselves (test/support/hosts-env.sh): two network namespaces, each with
 * its own Docker engine and SSH server, reached through `ssh://` Docker contexts as a user reaches
 * a second Spark. The docker CLI and our own Docker client (HTTP over `ssh ... docker system
 * dial-stdio`, the docker CLI's way: src/core/docker/ssh-dial.ts) reach THAT
 * host's engine; a model server published on a host's address answers from the main namespace and
 * nowhere else; a host whose sshd is stopped is unreachable with an error that says so.
 * Run under the Docker lock (it builds the simulator image on the main engine).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createDockerClient } from '../../src/core/docker/client';
import { DockerSshError, DockerUnreachableError } from '../../src/core/docker/errors';
import { missing } from '../support/components';
import type { Hosts, TestHost } from '../support/hosts';
import { TEST_HOSTS, hostsEnv, missingHosts, setupHosts } from '../support/hosts';
import { answers, waitFor } from '../support/processes';

const CONTAINER = 'sg-hosts-env-probe';
const PORT = 18001;
const [SPARK2, SPARK3] = TEST_HOSTS as [TestHost, TestHost];

function dockerOn(host: TestHost, args: readonly string[]): string {
  return execFileSync('docker', ['--context', host.name, ...args], { env: { ...process.env, ...hostsEnv() }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
}

/** Our client for a host (no ssh-agent: the `ssh` wrapper signs in with the config's IdentityFile). */
function clientFor(host: TestHost, env: NodeJS.ProcessEnv = {}) {
  return createDockerClient({ ...process.env, ...hostsEnv(), DOCKER_CONTEXT: host.name, DOCKER_HOST: '', ...env });
}

/**
 * A PATH whose `ssh` is the test's (its key, config) but with a known_hosts that lacks the hosts'
 * keys: what a client sees when a host is new to it, or when someone else answers at its address.
 */
function strangerPath(dir: string): string {
  const bin = path.join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(path.join(dir, 'known_hosts'), '');
  const wrapper = readFileSync(path.join(hostsEnv().PATH?.split(':')[0] ?? '', 'ssh'), 'utf8').trim().split('\n').pop() ?? '';
  const config = /-F (\S+)/.exec(wrapper)?.[1] ?? '';
  writeFileSync(path.join(bin, 'ssh'), `#!/bin/sh\nexec /usr/bin/ssh -F ${config} -o UserKnownHostsFile=${path.join(dir, 'known_hosts')} "$@"\n`, { mode: 0o755 });
  return `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`;
}

describe('[hosts] test hosts: engines behind ssh:// contexts', { skip: missing('docker') || missingHosts() }, () => {
  let hosts: Hosts;

  before(async () => {
    hosts = await setupHosts();
    for (const host of TEST_HOSTS) dockerOn(host, ['rm', '-f', CONTAINER]);
  });

  after(() => {
    try {
      hosts?.startSshd(SPARK3);
      for (const host of TEST_HOSTS) dockerOn(host, ['rm', '-f', CONTAINER]);
    } finally {
      hosts?.teardown();
    }
  });

  it('the docker CLI reaches each host\'s own engine through its context', () => {
    for (const host of TEST_HOSTS) {
      assert.equal(dockerOn(host, ['info', '--format', '{{.DockerRootDir}}']).trim(), `/var/lib/spark-hosts/${host.name}`);
      assert.match(dockerOn(host, ['context', 'inspect', host.name, '--format', '{{.Endpoints.docker.Host}}']), new RegExp(`^${host.endpoint}\\s*$`));
    }
  });

  it('a model server published on a host\'s address answers from the main namespace, and only there', { timeout: 120_000 }, async () => {
    dockerOn(SPARK2, ['run', '-d', '--name', CONTAINER, '--label', 'spark-test=hosts-env', '-e', 'SIM_LOAD_SECONDS=0.2',
      '-p', `${SPARK2.address}:${PORT}:8000`, 'nvcr.io/nvidia/vllm:26.10-py3',
      'vllm', 'serve', 'openai/gpt-oss-20b', '--served-model-name', 'gpt-oss-20b', '--host', '0.0.0.0', '--port', '8000']);
    await waitFor('the simulator on sg-spark2', () => answers(`http://${SPARK2.address}:${PORT}/health`), 60_000, () => dockerOn(SPARK2, ['logs', CONTAINER]));
    const models = (await (await fetch(`http://${SPARK2.address}:${PORT}/v1/models`)).json()) as { data: { id: string }[] };
    assert.deepEqual(models.data.map((m) => m.id), ['gpt-oss-20b']);
    // Published on the namespace's address: nothing listens on the main namespace's loopback.
    await assert.rejects(fetch(`http://127.0.0.1:${PORT}/health`, { signal: AbortSignal.timeout(3000) }));
  });

  it('our Docker client reaches each engine over ssh and sees only that engine\'s containers', { timeout: 60_000 }, async () => {
    const on2 = clientFor(SPARK2);
    const on3 = clientFor(SPARK3);
    assert.equal(on2.endpoint.url, SPARK2.endpoint);
    await on2.ping();
    await on3.ping();
    const names2 = (await on2.listContainers()).map((c) => c.name);
    const names3 = (await on3.listContainers()).map((c) => c.name);
    assert.ok(names2.includes(CONTAINER), `sg-spark2 lists ${names2.join(', ')}`);
    assert.ok(!names3.includes(CONTAINER), `sg-spark3 lists ${names3.join(', ')}`);
    const details = await on2.inspect(CONTAINER);
    assert.equal(details?.labels['spark-test'], 'hosts-env');
  });

  it('our client checks the host key: a host not in known_hosts is refused with how to accept it', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sg-stranger-'));
    try {
      const error = await clientFor(SPARK2, { PATH: strangerPath(dir) }).ping().then(() => undefined, (e: unknown) => e);
      assert.ok(error instanceof DockerSshError, `got ${String(error)}`);
      assert.match(error.message, /host key of ssh:\/\/root@10\.231\.7\.2 .*Host key verification failed/);
      assert.match(error.fix ?? '', /ssh root@10\.231\.7\.2.*known_hosts/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a host whose SSH server is stopped is unreachable with an error naming it and the fix; the other host still answers', { timeout: 60_000 }, async () => {
    hosts.stopSshd(SPARK3);
    const error = await clientFor(SPARK3).ping().then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof DockerUnreachableError, `got ${String(error)}`);
    assert.match(error.message, /ssh:\/\/root@10\.231\.7\.3/);
    assert.match(error.message, /SSH/);
    assert.match(error.fix ?? '', /sshd|SSH server/);
    assert.throws(() => dockerOn(SPARK3, ['version']), /10\.231\.7\.3/);
    await clientFor(SPARK2).ping();
    hosts.startSshd(SPARK3);
    await clientFor(SPARK3).ping();
  });
});
