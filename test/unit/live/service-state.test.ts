import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ContainerDetails } from '../../../src/core/docker/types';
import { INITIAL_PROGRESS } from '../../../src/core/logs/vllm-progress';
import { matchService } from '../../../src/core/state/recognise';
import { deriveState, describeLoad, describeRow, describeState, formatUptime, statusOf } from '../../../src/core/state/service-state';
import type { ServiceRow } from '../../../src/core/stack/services';

function container(over: Partial<ContainerDetails> = {}): ContainerDetails {
  return {
    id: 'abc', name: 'vllm-gpt-oss-20b', image: 'nvcr.io/nvidia/vllm:26.10-py3', labels: {}, status: 'running', exitCode: 0,
    startedAt: '2026-11-26T20:00:00Z', finishedAt: '0001-01-01T00:00:00Z', restartCount: 0, restartPolicy: 'unless-stopped',
    ports: [{ hostIp: '127.0.0.1', hostPort: 8001, containerPort: 8000, protocol: 'tcp' }], command: ['vllm', 'serve'], ...over,
  };
}

const MODEL = { kind: 'model', name: 'gpt-oss-20b', container: 'vllm-gpt-oss-20b' } as const;

describe('service state from a container', () => {
  it('absent without a container, with null health and no ports', () => {
    assert.deepEqual(statusOf(MODEL, undefined), { kind: 'model', name: 'gpt-oss-20b', container: 'vllm-gpt-oss-20b', state: 'absent', health: null, ports: [] });
  });

  it('maps Docker statuses one to one', () => {
    assert.equal(deriveState('model', container({ status: 'created' })), 'created');
    assert.equal(deriveState('model', container({ status: 'paused' })), 'paused');
    assert.equal(deriveState('model', container({ status: 'restarting' })), 'restarting');
    assert.equal(deriveState('model', container({ status: 'exited', exitCode: 137 })), 'exited');
  });

  it('a running model is starting, then loading once its log shows progress, healthy by its healthcheck', () => {
    const loading = container({ health: { status: 'starting', failingStreak: 0 } });
    assert.equal(deriveState('model', loading), 'starting');
    assert.equal(deriveState('model', loading, { fraction: 0.3, text: 'shard 1/5', ready: false, phase: 'shards' }), 'loading');
    assert.equal(deriveState('model', loading, { fraction: 1, text: 'API server up', ready: true, phase: 'up' }), 'loading', 'up but the healthcheck has not passed yet');
    assert.equal(deriveState('model', container({ health: { status: 'healthy', failingStreak: 0 } })), 'healthy');
    assert.equal(deriveState('model', container({ health: { status: 'unhealthy', failingStreak: 3 } })), 'unhealthy');
  });

  it('a model without a healthcheck (docker run) is running once vLLM logged it is up', () => {
    assert.equal(deriveState('model', container(), INITIAL_PROGRESS), 'starting');
    assert.equal(deriveState('model', container(), { fraction: 1, text: 'API server up', ready: true, phase: 'up' }), 'running');
  });

  it('a gateway service without a healthcheck is running', () => {
    assert.equal(deriveState('gateway', container({ name: 'vllm-litellm-redis' })), 'running');
  });

  it('reports the exit code and the last log line of a failed container', () => {
    const s = statusOf(MODEL, container({ status: 'exited', exitCode: 137 }), { lastLogLine: 'Killed' });
    assert.equal(s.exitCode, 137);
    assert.equal(s.lastLogLine, 'Killed');
    assert.equal(describeState(s), 'exited (137)');
  });

  it('shows load only for a healthy model', () => {
    const s = statusOf(MODEL, container({ health: { status: 'healthy', failingStreak: 0 } }), { load: { running: 2, waiting: 1, kvCacheUsage: 0.1234 } });
    assert.deepEqual(s.requests, { running: 2, waiting: 1 });
    assert.equal(describeLoad(s), '2 running · 1 waiting · KV 12%');
    assert.equal(statusOf(MODEL, container({ status: 'exited' }), { load: { running: 2, waiting: 1 } }).requests, undefined);
  });

  it('describes loading with its progress text and percentage', () => {
    const s = statusOf(MODEL, container({ health: { status: 'starting', failingStreak: 0 } }), { progress: { fraction: 0.43, text: 'shard 3/7', ready: false, phase: 'shards' } });
    assert.equal(describeState(s), 'loading shard 3/7 (43%)');
  });

  it('formats uptime', () => {
    const start = '2026-11-26T20:00:00Z';
    assert.equal(formatUptime(start, Date.parse(start) + 42_000), '42 s');
    assert.equal(formatUptime(start, Date.parse(start) + 3_900_000), '1 h 5 min');
    assert.equal(formatUptime('0001-01-01T00:00:00Z', Date.now()), undefined);
  });
});

describe('recognising stack containers', () => {
  const rows: ServiceRow[] = [
    { kind: 'gateway', name: 'litellm', label: 'LiteLLM', container: 'vllm-litellm-proxy', folder: 'litellm', detail: '' },
    { kind: 'model', name: 'gpt-oss-20b', label: 'gpt-oss-20b', container: 'vllm-gpt-oss-20b', folder: 'gpt-oss-20b', hostPort: 8001, detail: '' },
  ];

  it('by the SPEC name, however it was started (docker run has no labels)', () => {
    assert.equal(matchService(rows, '/s', 'vllm-gpt-oss-20b', {})?.name, 'gpt-oss-20b');
  });

  it('by compose labels when renamed, only in this stack\'s folder', () => {
    const labels = { 'com.docker.compose.service': 'gpt-oss-20b', 'com.docker.compose.project.working_dir': '/s/gpt-oss-20b' };
    assert.equal(matchService(rows, '/s', 'custom-name', labels)?.name, 'gpt-oss-20b');
    assert.equal(matchService(rows, '/other', 'custom-name', labels), undefined);
    assert.equal(matchService(rows, '/s', 'x', { 'com.docker.compose.service': 'litellm', 'com.docker.compose.project.working_dir': '/s/litellm' })?.name, 'litellm');
  });

  it('ignores unrelated containers', () => {
    assert.equal(matchService(rows, '/s', 'postgres-of-someone-else', {}), undefined);
  });
});

describe('the tree row\'s description', () => {
  const row = { kind: 'model', container: 'vllm-gpt-oss-20b', hostPort: 8001 } as const;
  // The default side bar leaves about 30 characters beside a model's name.
  const SHORT = 32;

  it('is the state and the port, or the load of a healthy model, never the uptime or KV cache', () => {
    const healthy = statusOf(MODEL, container({ health: { status: 'healthy', failingStreak: 0 } }), { load: { running: 2, waiting: 1, kvCacheUsage: 0.12 } });
    assert.equal(describeRow(row, healthy), 'healthy · 2 running · 1 waiting');
    assert.equal(describeRow(row, statusOf(MODEL, container({ health: { status: 'healthy', failingStreak: 0 } }), { load: { running: 0, waiting: 0 } })), 'healthy · idle');
    assert.equal(describeRow(row, statusOf(MODEL, container({ health: { status: 'starting', failingStreak: 0 } }))), 'starting · port 8001');
    assert.equal(describeRow(row, statusOf(MODEL, container({ status: 'exited', exitCode: 1 }))), 'exited (1)');
    assert.equal(describeRow(row, undefined), 'port 8001');
    for (const text of [describeRow(row, healthy), describeRow(row, statusOf(MODEL, container({ status: 'exited', exitCode: 137 })))]) assert.ok(text.length <= SHORT, text);
  });
});
