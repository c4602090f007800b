/**
 * Memory per host: each host's own pool and the models placed on it; another host's pool read
 * over SSH (the command line checked, the program scripted), Docker's total when SSH cannot.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DockerEndpoint } from '../../../src/core/docker/endpoint';
import { DockerDaemonDownError } from '../../../src/core/docker/errors';
import { fileOnHost, hostMemoryInputs, readHostsMemory, remoteMemorySources, sshMemInfoCommand } from '../../../src/core/memory/hosts';
import { parseMemInfo } from '../../../src/core/meminfo';
import type { MemorySources } from '../../../src/core/memory/read';
import { parseScenarioFile } from '../../../src/core/scenarios/file';
import type { Stack } from '../../../src/core/stack/discovery';
import { stackHostEngines } from '../../../src/core/state/hosts-state';
import { FakeDocker, details } from '../../support/fake-docker';
import { hostsYaml } from '../../support/fixtures';
import { readHostsMemoryView } from '../../../src/core/memory/view-model';
import * as rec from './recorded';

const FILE = hostsYaml('      model-a: { fraction: 0.25, hosts: [local, spark-2] }\n      model-b: 0.5\n', false);
const file = parseScenarioFile(FILE, '/stacks/demo/scenarios.yaml');
const stack: Stack = { root: '/stacks/demo', scenarios: file, source: 'explicit', template: false };
const SPARK2: DockerEndpoint = { source: 'ssh://root@10.231.7.2', url: 'ssh://root@10.231.7.2', modemOptions: { host: '10.231.7.2', protocol: 'ssh', username: 'root' } };
const LOCAL: DockerEndpoint = { source: 'default', url: 'unix:///var/run/docker.sock', modemOptions: { host: undefined } };

/** This machine's sources, scripted: the GB10 pool recorded in recorded.ts, no containers. */
const mainSources: MemorySources = {
  memInfo: async () => parseMemInfo(rec.GB10_MEMINFO),
  containers: { containers: async () => [], memoryUsage: async () => new Map() },
  nvidiaSmi: async () => undefined,
  containerIdOfPid: async () => undefined,
  kvCacheUsage: async () => undefined,
  now: () => new Date('2026-12-01T12:00:00Z'),
};

describe('memory per host', () => {
  it('cuts the file to one host: its models, and each scenario to its part there', () => {
    const spark2 = fileOnHost(file, 'spark-2', new Set(['model-a']));
    assert.deepEqual(spark2.models.map((m) => m.name), ['model-a']);
    assert.deepEqual([...(spark2.scenarios[0]?.models ?? [])], [['model-a', 0.25]]);
  });

  it('reads another host\'s /proc/meminfo over SSH without prompting', () => {
    assert.deepEqual(sshMemInfoCommand(SPARK2), ['-o', 'BatchMode=yes', '-o', 'ConnectTimeout=5', '-T', '-l', 'root', '--', '10.231.7.2', 'cat', '/proc/meminfo']);
    assert.equal(sshMemInfoCommand(LOCAL), undefined);
  });

  it('shows each host\'s pool and the models placed on it; a running replica on the other host counts there', async () => {
    const spark2 = new FakeDocker(SPARK2);
    spark2.containers.set('vllm-model-a', details({ name: 'vllm-model-a', id: 'c'.repeat(64), health: { status: 'healthy', failingStreak: 0 }, command: ['vllm', 'serve', 'org/model-a', '--gpu-memory-utilization', '0.25'] }));
    spark2.stats = async () => ({ memoryBytes: 30 * 2 ** 30, memoryLimitBytes: 0, cpuPercent: 0 });
    const ran: string[][] = [];
    const inputs = hostMemoryInputs(stackHostEngines(stack, LOCAL, () => SPARK2), () => spark2, mainSources).map((input) => input.main ? input : {
      ...input,
      sources: remoteMemorySources('spark-2', spark2, input.sources.containers, '10.231.7.2', async (program, args) => {
        ran.push([program, ...args]);
        return rec.H100_MEMINFO;
      }),
    });
    const hosts = await readHostsMemory(file, inputs);
    assert.deepEqual(hosts.map((h) => [h.name, h.snapshot?.models.map((m) => `${m.name}:${m.state}`)]), [['local', ['model-a:absent', 'model-b:absent']], ['spark-2', ['model-a:healthy']]]);
    assert.equal(hosts[1]?.snapshot?.totalBytes, parseMemInfo(rec.H100_MEMINFO).totalBytes, 'the other host\'s own pool');
    assert.equal(hosts[1]?.snapshot?.models[0]?.usedBytes, 30 * 2 ** 30);
    assert.equal(hosts[1]?.snapshot?.runningScenario, 'spread');
    assert.equal(hosts[1]?.totalOnly, undefined, 'its pool was measured');
    assert.deepEqual(ran[0]?.slice(0, 1), ['ssh']);
  });

  it('falls back to Docker\'s total when SSH cannot read the pool (said in problems), and reports a host whose engine is down without failing the others', async () => {
    const spark2 = new FakeDocker(SPARK2);
    const noSsh = remoteMemorySources('spark-2', spark2, undefined, undefined, async () => Promise.reject(new Error('Permission denied (publickey)')));
    const [engineMain, engine2] = stackHostEngines(stack, LOCAL, () => SPARK2);
    assert.ok(engineMain && engine2);
    const [, partial] = await readHostsMemory(file, [{ ...engineMain, sources: mainSources }, { ...engine2, sources: noSsh }]);
    assert.equal(partial?.snapshot?.totalBytes, 128 * 2 ** 30);
    assert.equal(partial?.totalOnly, true);
    assert.match(partial?.snapshot?.problems.join('\n') ?? '', /spark-2: only its total memory is known .*`ssh root@10\.231\.7\.2 cat \/proc\/meminfo` failed \(Permission denied \(publickey\)\)/);

    spark2.down = true;
    spark2.downError = () => new DockerDaemonDownError(SPARK2.url);
    const [local, down] = await readHostsMemory(file, [{ ...engineMain, sources: mainSources }, { ...engine2, sources: remoteMemorySources('spark-2', spark2, undefined, undefined, async () => Promise.reject(new Error('no route'))) }]);
    assert.ok(local?.snapshot);
    assert.equal(down?.snapshot, undefined);
    assert.match(down?.error ?? '', /not running/);
    assert.match(down?.fix ?? '', /systemctl start docker/);
  });

  it('gives the memory view the main host\'s picture and scenarios plus each other host; without hosts: exactly the one picture', async () => {
    const spark2 = new FakeDocker(SPARK2);
    spark2.down = true;
    const engines = stackHostEngines(stack, LOCAL, () => SPARK2);
    const view = await readHostsMemoryView(file, hostMemoryInputs(engines, () => spark2, mainSources));
    assert.equal(view.mainHost, 'local');
    assert.deepEqual(view.hosts?.map((h) => [h.name, h.snapshot === undefined]), [['spark-2', true]]);
    assert.deepEqual(view.scenarios.map((c) => [c.scenario, c.models.map((m) => m.name)]), [['spread', ['model-a', 'model-b']]]);
    const single = await readHostsMemoryView(file, hostMemoryInputs(engines.slice(0, 1), () => spark2, mainSources));
    assert.equal(single.hosts, undefined);
    assert.equal(single.mainHost, undefined);
  });
});

