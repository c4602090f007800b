/**
 * The memory view's container states: Docker's inspect alone cannot tell a vLLM server without a
 * healthcheck that finished loading ("starting") from one that serves; the state model can (it
 * read the log and /health), so its state wins for the same container run — and only for it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ContainerDetails, DockerClient } from '../../../src/core/docker/types';
import { dockerContainerSource } from '../../../src/core/memory/docker-source';

const details = (id: string): ContainerDetails => ({
  id,
  name: 'vllm-model-a',
  image: 'vllm/vllm-openai:v0.31.0',
  labels: {},
  status: 'running',
  exitCode: 0,
  startedAt: '2026-12-01T08:00:00Z',
  finishedAt: '0001-01-01T00:00:00Z',
  restartCount: 0,
  restartPolicy: 'no',
  ports: [],
  command: ['vllm', 'serve', '--gpu-memory-utilization', '0.25'],
});

// Only `inspect` is read by containers(); the rest of the client is not reached.
const client = (d: ContainerDetails) => ({ inspect: async () => d }) as unknown as DockerClient;

describe('dockerContainerSource', () => {
  it('takes the state model\'s state for the same container run (the tree and the view agree)', async () => {
    const source = dockerContainerSource(client(details('a'.repeat(64))), () => ({ containerId: 'a'.repeat(64), state: 'healthy' }));
    assert.deepEqual((await source.containers(['vllm-model-a'])).map((c) => c.state), ['healthy']);
  });

  it('falls back to inspect for another run of the container, or without a state model', async () => {
    const stale = dockerContainerSource(client(details('b'.repeat(64))), () => ({ containerId: 'a'.repeat(64), state: 'healthy' }));
    assert.deepEqual((await stale.containers(['vllm-model-a'])).map((c) => c.state), ['starting']);
    const alone = dockerContainerSource(client(details('b'.repeat(64))));
    assert.deepEqual((await alone.containers(['vllm-model-a'])).map((c) => c.state), ['starting']);
  });
});
