/**
 * [hosts] The per-host state composition on real engines: the main engine plus the two test hosts
 * (network namespaces with their own dockerd and sshd, reached over `ssh://` through the test's
 * `ssh` wrapper on PATH — test/support/hosts.ts). A model server started on sg-spark2 shows there (and not on
 * the main host's row of the same model); sg-spark3 with its SSH server stopped is reported
 * unreachable with the SSH error and its fix while sg-spark2 keeps updating from its own event
 * stream; sg-spark3 comes back by itself once its SSH server runs again.
 * Run under the Docker lock (fixed container names; it builds the simulator image).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { createDockerClient } from '../../src/core/docker/client';
import { DockerSshError } from '../../src/core/docker/errors';
import { hostEndpoint } from '../../src/core/docker/host-endpoint';
import { parseScenarioFile } from '../../src/core/scenarios/file';
import type { Stack } from '../../src/core/stack/discovery';
import { HostsStateModel, hostClients, stackHostEngines } from '../../src/core/state/hosts-state';
import { missing } from '../support/components';
import type { Hosts, TestHost } from '../support/hosts';
import { TEST_HOSTS, hostsEnv, missingHosts, setupHosts } from '../support/hosts';
import { scenariosWithHosts } from '../support/hosts-fixtures';
import { STACK_DIR, waitFor } from '../support/processes';

const [SPARK2, SPARK3] = TEST_HOSTS as [TestHost, TestHost];
const CONTAINER = 'vllm-gpt-oss-20b';

function dockerOn(host: TestHost, args: readonly string[]): string {
  return execFileSync('docker', ['-H', `unix://${host.socket}`, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
}

describe('[hosts] one state model per host engine, on the test hosts', { skip: missing('docker') || missingHosts() }, () => {
  let hosts: Hosts;
  let model: HostsStateModel | undefined;
  const env = { ...process.env, ...hostsEnv() };
  const savedPath = process.env.PATH;
  const stack: Stack = { root: STACK_DIR, scenarios: parseScenarioFile(scenariosWithHosts(TEST_HOSTS, { alsoLocal: true }), `${STACK_DIR}/scenarios.yaml`), source: 'explicit', template: false };

  before(async () => {
    hosts = await setupHosts();
    // The hosts' clients run the `ssh` of this process's PATH, as the extension's do: the test
    // wrapper (its key, config and known_hosts) goes first.
    process.env.PATH = hostsEnv().PATH;
    for (const host of TEST_HOSTS) dockerOn(host, ['rm', '-f', CONTAINER]);
  });

  after(() => {
    try {
      model?.dispose();
      hosts?.startSshd(SPARK3);
      for (const host of TEST_HOSTS) dockerOn(host, ['rm', '-f', CONTAINER]);
    } finally {
      process.env.PATH = savedPath;
      hosts?.teardown();
    }
  });

  const stateOn = (host: string) => model?.services.find((s) => s.host === host && s.name === 'gpt-oss-20b')?.state;

  it('follows each host\'s engine; a host whose SSH server is stopped is unreachable with the fix while the other keeps updating, then comes back by itself', { timeout: 240_000 }, async () => {
    hosts.stopSshd(SPARK3);
    const main = createDockerClient(env);
    model = new HostsStateModel(stackHostEngines(stack, main.endpoint, (host) => hostEndpoint(host, { env })), stack.root, { clientFor: hostClients(main), state: { followProgress: false } });
    const m = model;
    m.start();
    assert.deepEqual(m.hosts.map((h) => h.name), ['local', SPARK2.name, SPARK3.name]);
    await waitFor('local and sg-spark2 synced', async () => m.hosts.slice(0, 2).every((h) => h.synced), 60_000);
    await waitFor('sg-spark3 reported unreachable over SSH', async () => {
      const conn = m.hosts[2]?.connection;
      return conn?.status === 'unreachable' && conn.error instanceof DockerSshError;
    }, 60_000);
    const conn = m.hosts[2]?.connection;
    assert.ok(conn?.status === 'unreachable');
    assert.match(conn.error.message, /SSH server of ssh:\/\/root@10\.231\.7\.3 .*refused/);
    assert.match((conn.error as DockerSshError).fix ?? '', /Start the SSH server on 10\.231\.7\.3/);
    assert.equal(m.connection.status, 'connected', 'the main host (the window\'s Docker) is unaffected');

    // sg-spark2 keeps updating from its own event stream meanwhile.
    dockerOn(SPARK2, ['run', '-d', '--name', CONTAINER, '-e', 'SIM_LOAD_SECONDS=0.2', '-p', `${SPARK2.address}:18011:8000`, 'nvcr.io/nvidia/vllm:26.10-py3',
      'vllm', 'serve', 'openai/gpt-oss-20b', '--served-model-name', 'gpt-oss-20b', '--host', '0.0.0.0', '--port', '8000']);
    await waitFor('gpt-oss-20b up on sg-spark2', async () => ['running', 'starting', 'loading', 'healthy'].includes(stateOn(SPARK2.name) ?? ''), 60_000);
    assert.equal(stateOn('local'), 'absent', 'the main host\'s row of the same model keeps its own state');
    dockerOn(SPARK2, ['stop', '--time', '1', CONTAINER]);
    await waitFor('gpt-oss-20b exited on sg-spark2', async () => stateOn(SPARK2.name) === 'exited', 60_000);
    assert.equal(m.hosts[2]?.connection.status, 'unreachable');

    // Back by itself (back-off at most 15 s), read afresh.
    hosts.startSshd(SPARK3);
    await waitFor('sg-spark3 connected and synced again', async () => m.hosts[2]?.connection.status === 'connected' && m.hosts[2]?.synced === true, 60_000);
    assert.equal(stateOn(SPARK3.name), 'absent');
    await waitFor('sg-spark3\'s engine info (read once per connection)', async () => (m.hosts[2]?.info?.memTotalBytes ?? 0) > 0, 30_000);
  });
});
