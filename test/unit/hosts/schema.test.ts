import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import type { FileFormatError } from '../../../src/core/errors';
import { hostDockerEnv, hostEndpoint } from '../../../src/core/docker/host-endpoint';
import { findHost, placements, resolvePlacements, scenarioHosts, scenarioOnHost } from '../../../src/core/scenarios/placement';
import { parseScenarioFile } from '../../../src/core/scenarios/file';
import { scenarioFileError, MODEL_A, MODEL_B } from '../../support/fixtures';

const FILE = '/stacks/demo/scenarios.yaml';

const HOSTS = `hosts:
  - name: spark-2
    docker: ssh://me@10.231.7.2
    address: 10.231.7.2
  - name: spark-3
    docker: spark-3
    address: 10.231.8.2
`;

/** A file with two extra hosts and `scenario` (indented as a list item) as its only scenario. */
function withHosts(scenario: string, hosts = HOSTS): string {
  return `version: 1
reserveGiB: 8
${hosts}models:
${MODEL_A}${MODEL_B}scenarios:
${scenario}`;
}

const SPREAD = `  - name: spread
    variant: spark
    models:
      model-a: { fraction: 0.25, hosts: [spark-2, spark-3] }
      model-b: 0.5
`;

const parseError = (text: string): FileFormatError => scenarioFileError(text, FILE);

function first<T>(items: readonly T[]): T {
  const item = items[0];
  assert.ok(item !== undefined, 'expected an item');
  return item;
}

function lineOf(text: string, needle: string, from = 0): number {
  return text.split('\n').findIndex((l, i) => i >= from && l.includes(needle)) + 1;
}

describe('hosts in scenarios.yaml', () => {
  it('has the main host alone when the file lists no hosts, and every model placed on it', () => {
    const file = parseScenarioFile(withHosts(SPREAD.replace('{ fraction: 0.25, hosts: [spark-2, spark-3] }', '0.25'), ''), FILE);
    assert.deepEqual(file.hosts.map((h) => [h.name, h.main]), [['local', true]]);
    const spread = first(file.scenarios);
    assert.equal(spread.hosts, undefined);
    assert.deepEqual(placements(spread), [{ model: 'model-a', host: 'local', fraction: 0.25 }, { model: 'model-b', host: 'local', fraction: 0.5 }]);
  });

  it('reads named hosts and places a model on several of them as replicas', () => {
    const file = parseScenarioFile(withHosts(SPREAD), FILE);
    assert.deepEqual(file.hosts.map((h) => ({ name: h.name, docker: h.docker, address: h.address })), [
      { name: 'local', docker: undefined, address: undefined },
      { name: 'spark-2', docker: 'ssh://me@10.231.7.2', address: '10.231.7.2' },
      { name: 'spark-3', docker: 'spark-3', address: '10.231.8.2' },
    ]);
    const spread = first(file.scenarios);
    assert.deepEqual([...spread.models], [['model-a', 0.25], ['model-b', 0.5]]);
    assert.deepEqual(placements(spread), [
      { model: 'model-a', host: 'spark-2', fraction: 0.25 },
      { model: 'model-a', host: 'spark-3', fraction: 0.25 },
      { model: 'model-b', host: 'local', fraction: 0.5 },
    ]);
    assert.deepEqual(resolvePlacements(file, spread).map((p) => `${p.model.container}@${p.host.name}`), ['vllm-model-a@spark-2', 'vllm-model-a@spark-3', 'vllm-model-b@local']);
    assert.deepEqual(scenarioHosts(file, spread).map((h) => h.name), ['local', 'spark-2', 'spark-3']);
    assert.deepEqual([...scenarioOnHost(spread, 'spark-3').models], [['model-a', 0.25]]);
    assert.deepEqual([...scenarioOnHost(spread, 'local').models], [['model-b', 0.5]]);
    assert.throws(() => findHost(file, 'spark-9'), /unknown host "spark-9" \(known: local, spark-2, spark-3\)/);
  });

  it('names the line of a placement on an unknown host, listing the known ones', () => {
    const text = withHosts(SPREAD.replace('spark-3]', 'spark-9]'));
    const error = parseError(text);
    assert.equal(error.line, lineOf(text, 'spark-9'));
    assert.match(error.message, /model-a is placed on unknown host "spark-9" \(known: local, spark-2, spark-3/);
  });

  it('refuses a model placed twice on one host', () => {
    const text = withHosts(SPREAD.replace('[spark-2, spark-3]', '[spark-2, spark-2]'));
    assert.match(parseError(text).message, /model-a is placed twice on host "spark-2"/);
  });

  it('refuses two models of a scenario publishing the same port on one host', () => {
    const text = withHosts(SPREAD.replace('model-b: 0.5', 'model-b: { fraction: 0.5, hosts: [spark-3] }')).replace('hostPort: 8002', 'hostPort: 8001');
    const error = parseError(text);
    assert.equal(error.line, lineOf(text, 'model-b: {'));
    assert.match(error.message, /puts model-a and model-b on host "spark-3" with the same hostPort 8001/);
  });

  it('accepts the same port on different hosts (each host publishes its own)', () => {
    const text = withHosts(SPREAD.replace('model-b: 0.5', 'model-b: { fraction: 0.5, hosts: [local] }')).replace('hostPort: 8002', 'hostPort: 8001');
    assert.deepEqual(placements(first(parseScenarioFile(text, FILE).scenarios)).map((p) => p.host), ['spark-2', 'spark-3', 'local']);
  });

  it('refuses duplicate host names, the reserved name of the main host, and duplicate addresses', () => {
    const twice = withHosts(SPREAD, HOSTS.replace('name: spark-3', 'name: spark-2'));
    const error = parseError(twice);
    assert.equal(error.line, lineOf(twice, 'name: spark-2', lineOf(twice, 'name: spark-2')));
    assert.match(error.message, /host "spark-2" is defined twice/);
    assert.match(parseError(withHosts(SPREAD, HOSTS.replace('name: spark-3', 'name: local'))).message, /"local" is the main host/);
    assert.match(parseError(withHosts(SPREAD, HOSTS.replace('10.231.8.2', '10.231.7.2'))).message, /hosts "spark-2" and "spark-3" have the same address 10.231.7.2/);
  });

  it('refuses a bad engine endpoint, naming its line', () => {
    for (const [bad, message] of [
      ['http://10.0.0.2:2375', /must start with ssh:\/\/, tcp:\/\/, unix:\/\//],
      ['ssh://', /not a valid endpoint|names no host/],
      ['unix://', /names no socket/],
      ['my context', /neither a Docker context name nor an endpoint/],
    ] as const) {
      const text = withHosts(SPREAD, HOSTS.replace('docker: spark-3', `docker: "${bad}"`));
      const error = parseError(text);
      assert.equal(error.line, lineOf(text, `docker: "${bad}"`), bad);
      assert.match(error.message, message, bad);
    }
  });

  it('refuses an address that is not an IP or means all interfaces', () => {
    assert.match(parseError(withHosts(SPREAD, HOSTS.replace('address: 10.231.8.2', 'address: spark-3.local'))).message, /must be an IP address/);
    const all = withHosts(SPREAD, HOSTS.replace('address: 10.231.8.2', 'address: 0.0.0.0'));
    const error = parseError(all);
    assert.equal(error.line, lineOf(all, 'address: 0.0.0.0'));
    assert.match(error.message, /means all interfaces/);
    assert.match(parseError(withHosts(SPREAD, HOSTS.replace('address: 10.231.8.2', 'address: "::"'))).message, /means all interfaces/);
  });

  it('refuses a missing field, an unknown key and a placement without hosts', () => {
    assert.match(parseError(withHosts(SPREAD, HOSTS.replace('    address: 10.231.8.2\n', ''))).message, /missing "address"/);
    assert.match(parseError(withHosts(SPREAD, HOSTS.replace('docker: spark-3', 'docker: spark-3\n    gpu: 1'))).message, /unknown key "gpu" for host "spark-3"/);
    assert.match(parseError(withHosts(SPREAD.replace('hosts: [spark-2, spark-3]', 'hosts: []'))).message, /"hosts" of model-a must be a non-empty list/);
    assert.match(parseError(withHosts(SPREAD.replace('hosts: [spark-2, spark-3]', 'host: [spark-2]'))).message, /"hosts" of model-a must be a non-empty list/);
    assert.match(parseError(withHosts(SPREAD.replace('fraction: 0.25', 'fraction: 1.25'))).message, /memory fraction of model-a must be at most 1/);
  });
});

describe('reaching a host\'s engine', () => {
  const file = parseScenarioFile(withHosts(SPREAD), FILE);
  const [local, ssh, context] = file.hosts as [typeof file.hosts[0], typeof file.hosts[0], typeof file.hosts[0]];

  it('leaves the main host to the caller\'s DOCKER_HOST or context', () => {
    assert.deepEqual(hostDockerEnv(local), {});
    assert.equal(hostEndpoint(local, { env: { DOCKER_HOST: 'unix:///run/other.sock' } }).url, 'unix:///run/other.sock');
  });

  it('reaches an endpoint host through DOCKER_HOST, whatever context the caller selected', () => {
    assert.deepEqual(hostDockerEnv(ssh), { DOCKER_HOST: 'ssh://me@10.231.7.2', DOCKER_CONTEXT: '' });
    const endpoint = hostEndpoint(ssh, { env: { DOCKER_CONTEXT: 'elsewhere', SSH_AUTH_SOCK: '/tmp/agent' } });
    assert.equal(endpoint.source, 'DOCKER_HOST');
    assert.deepEqual(endpoint.modemOptions, { host: '10.231.7.2', protocol: 'ssh', username: 'me' });
  });

  it('reaches a context host through that context, even with DOCKER_HOST set by the caller', () => {
    assert.deepEqual(hostDockerEnv(context), { DOCKER_HOST: '', DOCKER_CONTEXT: 'spark-3' });
    const files = new Map([['/cfg/contexts/meta/' + sha256('spark-3') + '/meta.json', JSON.stringify({ Endpoints: { docker: { Host: 'ssh://op@10.231.8.2' } } })]]);
    const endpoint = hostEndpoint(context, { env: { DOCKER_HOST: 'unix:///var/run/docker.sock' }, configDir: '/cfg', readFile: (f) => files.get(f) });
    assert.equal(endpoint.source, 'context "spark-3"');
    assert.equal(endpoint.url, 'ssh://op@10.231.8.2');
    assert.throws(() => hostEndpoint(context, { env: {}, configDir: '/cfg', readFile: () => undefined }), /Docker context "spark-3" is selected but has no meta.json/);
  });
});

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
