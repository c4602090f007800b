/** Which host's tree group and state model each service belongs to (from scenarios.yaml's placements). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DockerEndpoint } from '../../../src/core/docker/endpoint';
import { FileFormatError } from '../../../src/core/errors';
import { parseScenarioFile } from '../../../src/core/scenarios/file';
import { hostServiceRows } from '../../../src/core/stack/services';
import type { Stack } from '../../../src/core/stack/discovery';
import { hostClients, stackHostEngines } from '../../../src/core/state/hosts-state';
import { hostsYaml } from '../../support/fixtures';
import { FakeDocker } from '../../support/fake-docker';

const FILE = hostsYaml('      model-a: { fraction: 0.25, hosts: [spark-2, local] }\n');

function stack(text: string): Stack {
  return { root: '/stacks/demo', scenarios: parseScenarioFile(text, '/stacks/demo/scenarios.yaml'), source: 'explicit', template: false };
}

const LOCAL: DockerEndpoint = { source: 'default', url: 'unix:///var/run/docker.sock', modemOptions: { host: undefined } };

describe('services per host', () => {
  it('puts the gateway on the main host, each model on every host a scenario places it on, and unplaced models on the main host', () => {
    const byHost = hostServiceRows(stack(FILE)).map(({ host, rows }) => `${host.name}: ${rows.map((r) => r.name).join(' ')}`);
    assert.deepEqual(byHost, ['local: postgres redis litellm nginx model-a model-b', 'spark-2: model-a', 'spark-3: ']);
  });

  it('is the main host alone, with every row, when scenarios.yaml lists no hosts', () => {
    const plain = FILE.replace(/hosts:\n(  - .*\n(    .*\n)*)+/, '').replace('{ fraction: 0.25, hosts: [spark-2, local] }', '0.25');
    const byHost = hostServiceRows(stack(plain));
    assert.equal(byHost.length, 1);
    assert.equal(byHost[0]?.rows.length, 6);
  });

  it('gives a host whose Docker context does not resolve a client that reports that error (the other hosts get their own)', async () => {
    const missing = new FileFormatError('/fake-home/.docker/contexts/meta/x/meta.json', undefined, 'Docker context "sg-spark3" does not exist');
    const engines = stackHostEngines(stack(FILE), LOCAL, (host) => {
      if (host.docker === 'sg-spark3') throw missing;
      return { source: 'test', url: host.docker ?? '', modemOptions: { host: undefined } };
    });
    assert.deepEqual(engines.map((e) => [e.name, e.reach, e.endpoint.url]), [['local', 'this machine (DOCKER_HOST / current Docker context)', LOCAL.url], ['spark-2', 'ssh://root@10.231.7.2', 'ssh://root@10.231.7.2'], ['spark-3', 'Docker context "sg-spark3"', 'sg-spark3']]);
    const main = new FakeDocker(LOCAL);
    const clientFor = hostClients(main);
    assert.equal(clientFor(engines[0] ?? assert.fail()), main);
    await assert.rejects(clientFor(engines[2] ?? assert.fail()).listContainers(), (e: unknown) => e === missing);
  });
});
