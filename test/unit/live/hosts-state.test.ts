/**
 * The per-host composition against scripted engines: each host follows its own engine, a host
 * whose engine goes away is reported unreachable (with the error and its fix) while the others
 * keep updating, and it comes back by itself once its engine answers again.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DockerEndpoint } from '../../../src/core/docker/endpoint';
import { DockerSshError, classifyDockerError } from '../../../src/core/docker/errors';
import { SshDialError } from '../../../src/core/docker/ssh-dial';
import type { ServiceRow } from '../../../src/core/stack/services';
import { Backoff } from '../../../src/core/state/backoff';
import type { HostEngine } from '../../../src/core/state/hosts-state';
import { HostsStateModel } from '../../../src/core/state/hosts-state';
import { FakeDocker, details, until } from '../../support/fake-docker';

const model20b: ServiceRow = { kind: 'model', name: 'gpt-oss-20b', label: 'gpt-oss-20b', container: 'vllm-gpt-oss-20b', folder: 'gpt-oss-20b', hostPort: 8001, detail: '' };
const litellm: ServiceRow = { kind: 'gateway', name: 'litellm', label: 'LiteLLM', container: 'litellm', folder: 'litellm', detail: '' };
const LOCAL: DockerEndpoint = { source: 'default', url: 'unix:///var/run/docker.sock', modemOptions: { host: undefined } };
const SPARK2: DockerEndpoint = { source: 'context "sg-spark2"', url: 'ssh://root@10.231.7.2', modemOptions: { host: '10.231.7.2', port: 22, protocol: 'ssh', username: 'root' } };

function specs(): HostEngine[] {
  return [
    { name: 'local', main: true, endpoint: LOCAL, rows: [litellm, model20b], reach: 'this machine' },
    { name: 'spark2', main: false, endpoint: SPARK2, rows: [model20b], address: '10.231.7.2', reach: 'Docker context "sg-spark2"' },
  ];
}

function twoHosts(): { model: HostsStateModel; local: FakeDocker; spark2: FakeDocker } {
  const local = new FakeDocker(LOCAL);
  const spark2 = new FakeDocker(SPARK2);
  const model = new HostsStateModel(specs(), '/s', {
    clientFor: (spec) => (spec.name === 'local' ? local : spark2),
    state: { debounceMs: 10, followProgress: false, backoff: new Backoff(20, 40) },
  });
  return { model, local, spark2 };
}

const stateOn = (model: HostsStateModel, host: string, name: string) => model.services.find((s) => s.host === host && s.name === name)?.state;

describe('the per-host state composition (scripted engines)', () => {
  it('follows each host on its own engine; the same model on two hosts is two services, each with its host', async () => {
    const { model, local, spark2 } = twoHosts();
    try {
      spark2.containers.set('vllm-gpt-oss-20b', details({ health: { status: 'healthy', failingStreak: 0 } }));
      model.start();
      await until(() => model.hosts.every((h) => h.synced));
      assert.deepEqual(model.services.map((s) => `${s.host}/${s.name}:${s.state}`), ['local/litellm:absent', 'local/gpt-oss-20b:absent', 'spark2/gpt-oss-20b:healthy']);
      await until(() => model.hosts.every((h) => h.info !== undefined));
      assert.equal(model.hosts[1]?.info?.memTotalBytes, 128 * 2 ** 30);

      local.containers.set('vllm-gpt-oss-20b', details({ health: { status: 'starting', failingStreak: 0 } }));
      local.emit('start');
      await until(() => stateOn(model, 'local', 'gpt-oss-20b') === 'starting');
      assert.equal(stateOn(model, 'spark2', 'gpt-oss-20b'), 'healthy', 'an event on one engine does not touch the other host');
    } finally {
      model.dispose();
    }
  });

  it('reports a host whose engine went away as unreachable, with the error and fix, while the other keeps updating', async () => {
    const { model, local, spark2 } = twoHosts();
    spark2.downError = () => classifyDockerError(new SshDialError('ssh: connect to host 10.231.7.2 port 22: Connection refused\n', 255), SPARK2) as Error;
    try {
      spark2.containers.set('vllm-gpt-oss-20b', details({}));
      model.start();
      await until(() => model.hosts.every((h) => h.synced));
      spark2.kill();
      // The stream's end is reported first; the reconnect attempt then says why.
      await until(() => { const c = model.hosts[1]?.connection; return c?.status === 'unreachable' && c.error instanceof DockerSshError; });
      const conn = model.hosts[1]?.connection;
      assert.ok(conn?.status === 'unreachable' && conn.error instanceof DockerSshError);
      assert.match(conn.error.message, /SSH server of ssh:\/\/root@10\.231\.7\.2 \(context "sg-spark2"\) refused/);
      assert.match(conn.error.fix ?? '', /Start the SSH server on 10\.231\.7\.2/);
      assert.equal(model.connection.status, 'connected', 'the window\'s Docker (the main host) is still there');

      local.containers.set('vllm-gpt-oss-20b', details({ status: 'exited', exitCode: 137 }));
      local.emit('die', 'vllm-gpt-oss-20b', { exitCode: '137' });
      await until(() => stateOn(model, 'local', 'gpt-oss-20b') === 'exited');
      assert.equal(model.hosts[1]?.connection.status, 'unreachable');
    } finally {
      model.dispose();
    }
  });

  it('reconnects a host on its own once its engine answers again, and reads it afresh', async () => {
    const { model, spark2 } = twoHosts();
    try {
      spark2.containers.set('vllm-gpt-oss-20b', details({}));
      model.start();
      await until(() => model.hosts.every((h) => h.synced));
      spark2.kill();
      await until(() => model.hosts[1]?.connection.status === 'unreachable');
      // While it was away its container was removed: the resync after reconnecting must show that.
      spark2.containers.clear();
      spark2.revive();
      await until(() => model.hosts[1]?.connection.status === 'connected');
      await until(() => stateOn(model, 'spark2', 'gpt-oss-20b') === 'absent');
    } finally {
      model.dispose();
    }
  });

  it('reads every host once for the CLI; an unreachable host does not fail the others', async () => {
    const { model, local, spark2 } = twoHosts();
    spark2.down = true;
    spark2.downError = () => classifyDockerError(new SshDialError('ssh: connect to host 10.231.7.2 port 22: Connection refused\n', 255), SPARK2) as Error;
    local.containers.set('vllm-gpt-oss-20b', details({ health: { status: 'healthy', failingStreak: 0 } }));
    try {
      const hosts = await model.syncOnce();
      assert.equal(hosts[0]?.services.find((s) => s.name === 'gpt-oss-20b')?.state, 'healthy');
      assert.equal(hosts[1]?.connection.status, 'unreachable');
      assert.equal(hosts[1]?.synced, false);
    } finally {
      model.dispose();
    }
  });

  it('keeps a host\'s connection when only its rows change, and closes hosts that were removed', async () => {
    const { model, local, spark2 } = twoHosts();
    try {
      model.start();
      await until(() => model.hosts.every((h) => h.synced));
      const streams = local.eventStreams;
      model.setHosts([{ name: 'local', main: true, endpoint: LOCAL, rows: [litellm], reach: 'this machine' }], '/s');
      await until(() => model.services.length === 1);
      assert.deepEqual(model.hosts.map((h) => h.name), ['local']);
      await until(() => model.synced);
      assert.equal(local.eventStreams, streams, 'same engine: the rows were resynced on the open event stream');
      assert.equal(spark2.eventStreams, 1);
    } finally {
      model.dispose();
    }
  });
});
