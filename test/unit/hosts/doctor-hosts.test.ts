/** The doctor's rows per other host, against the fake compose engine (each host's Docker answers as scripted). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DockerEndpoint } from '../../../src/core/docker/endpoint';
import { classifyDockerError } from '../../../src/core/docker/errors';
import { SshDialError } from '../../../src/core/docker/ssh-dial';
import { runHostChecks } from '../../../src/core/doctor/hosts';
import { parseScenarioFile } from '../../../src/core/scenarios/file';
import type { Stack } from '../../../src/core/stack/discovery';
import { stackHostEngines } from '../../../src/core/state/hosts-state';
import { fakeEngine } from '../../support/fake-engine';
import { scenariosWithHosts } from '../../support/hosts-fixtures';
import { STACK_DIR } from '../../support/processes';

const file = parseScenarioFile(scenariosWithHosts([{ name: 'spark-2', address: '10.231.7.2' }, { name: 'spark-3', address: '10.231.8.2' }]), `${STACK_DIR}/scenarios.yaml`);
const stack: Stack = { root: STACK_DIR, scenarios: file, source: 'explicit', template: false };
const LOCAL: DockerEndpoint = { source: 'default', url: 'unix:///var/run/docker.sock', modemOptions: { host: undefined } };
const engines = stackHostEngines(stack, LOCAL, (host) => ({ source: host.docker ?? '', url: host.docker ?? '', modemOptions: { host: undefined } }));
const spec = (name: string) => file.hosts.find((h) => h.name === name) ?? assert.fail(name);
const engineOf = (name: string) => engines.find((e) => e.name === name) ?? assert.fail(name);

describe('the doctor on each other host', () => {
  it('checks the engine, the network and the images of the models placed there; a host that does not answer gets one failing row with its fix', async () => {
    const refused = classifyDockerError(new SshDialError('ssh: connect to host 10.231.8.2 port 22: Connection refused\n', 255), { source: 'ssh://root@10.231.8.2', url: 'ssh://root@10.231.8.2', modemOptions: { host: '10.231.8.2', protocol: 'ssh', username: 'root' } });
    const rows = await runHostChecks(stack, [
      { host: spec('spark-2'), engine: engineOf('spark-2'), docker: fakeEngine({ networkExists: async () => false, imageExists: async () => false }) },
      { host: spec('spark-3'), engine: engineOf('spark-3'), docker: fakeEngine({ ping: () => Promise.reject(refused) }) },
    ]);
    const byId = new Map(rows.map((r) => [r.id, r]));
    assert.equal(byId.get('host-spark-2-docker')?.status, 'ok');
    assert.equal(byId.get('host-spark-2-network')?.status, 'fail');
    assert.match(byId.get('host-spark-2-network')?.fix ?? '', /docker -H ssh:\/\/root@10\.231\.7\.2 network create/);
    const images = rows.filter((r) => r.id.startsWith('host-spark-2-image-'));
    assert.ok(images.length > 0 && images.every((r) => r.status === 'warn'), 'the images of gpt-oss-20b and qwen-30b, missing on spark-2');
    assert.deepEqual(rows.filter((r) => r.id.startsWith('host-spark-3-')).map((r) => [r.id, r.status]), [['host-spark-3-docker', 'fail'], ['host-spark-3-network', 'skip']]);
    assert.match(byId.get('host-spark-3-docker')?.detail ?? '', /refused the connection/);
    assert.match(byId.get('host-spark-3-docker')?.fix ?? '', /Start the SSH server on 10\.231\.8\.2/);
  });
});
