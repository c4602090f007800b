import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseMemInfo } from '../../../src/core/meminfo';
import { parseComputeApps, parseGpuMemory } from '../../../src/core/memory/nvidia-smi';
import type { MemorySources } from '../../../src/core/memory/read';
import { readMemorySnapshot } from '../../../src/core/memory/read';
import type { ModelContainer, SnapshotInputs } from '../../../src/core/memory/snapshot';
import { assembleSnapshot } from '../../../src/core/memory/snapshot';
import { GIB } from '../../../src/core/planner';
import { parseScenarioFile } from '../../../src/core/scenarios/file';
import { scenariosYaml } from '../../support/fixtures';
import * as rec from './recorded';

const MIB = 1024 ** 2;
const file = parseScenarioFile(scenariosYaml(), 'scenarios.yaml');

function container(name: 'a' | 'b', state: ModelContainer['state'], fraction?: number): ModelContainer {
  return {
    container: `vllm-model-${name}`,
    id: name === 'a' ? rec.CONTAINER_A : rec.CONTAINER_B,
    state,
    command: ['vllm', 'serve', `org/model-${name}`, ...(fraction === undefined ? [] : ['--gpu-memory-utilization', String(fraction)])],
  };
}

function inputs(overrides: Partial<SnapshotInputs>): SnapshotInputs {
  return {
    file,
    memInfo: parseMemInfo(rec.GB10_MEMINFO),
    containers: [],
    dockerUsage: new Map(),
    pidContainers: new Map(),
    kvCache: new Map(),
    problems: [],
    takenAt: new Date('2026-11-26T21:00:00Z'),
    ...overrides,
  };
}

describe('memory snapshot', () => {
  it('on a GB10: unified pool from /proc/meminfo, model use from nvidia-smi per process, budgets from the running fractions', () => {
    const memInfo = parseMemInfo(rec.GB10_MEMINFO);
    const snap = assembleSnapshot(inputs({
      containers: [container('a', 'healthy', 0.2), container('b', 'loading', 0.6)],
      dockerUsage: new Map([['vllm-model-a', 1 * GIB], ['vllm-model-b', 2 * GIB]]),
      nvidiaSmi: { gpus: parseGpuMemory(rec.GB10_GPU_QUERY), processes: parseComputeApps(rec.GB10_APPS_QUERY) },
      pidContainers: new Map([[4242, rec.CONTAINER_A], [4343, rec.CONTAINER_B]]),
      kvCache: new Map([['model-a', 0.375]]),
    }));
    assert.equal(snap.totalBytes, 128452756 * 1024);
    assert.equal(snap.availableBytes, 45000000 * 1024);
    assert.equal(snap.usedBytes, snap.totalBytes - snap.availableBytes);
    assert.equal(snap.reclaimableBytes, 30000000 * 1024);
    assert.equal(snap.gpuMemory, 'unified');
    assert.equal(snap.runningScenario, 'both');
    const [a, b] = snap.models;
    assert.deepEqual(
      { state: a?.state, usedBytes: a?.usedBytes, usedSource: a?.usedSource, dockerBytes: a?.dockerBytes, fraction: a?.fraction, fractionSource: a?.fractionSource, kv: a?.kvCacheUsage },
      { state: 'healthy', usedBytes: 20480 * MIB, usedSource: 'nvidia-smi', dockerBytes: 1 * GIB, fraction: 0.2, fractionSource: 'container', kv: 0.375 },
    );
    assert.equal(a?.plannedBytes, Math.round(0.2 * memInfo.totalBytes));
    assert.equal(a?.weightsBytes, 10 * GIB);
    assert.equal(b?.usedBytes, 38912 * MIB);
    assert.equal(b?.kvCacheUsage, undefined);
    const { modelsBytes, otherBytes, cacheBytes, freeBytes } = snap.parts;
    assert.equal(modelsBytes + otherBytes + cacheBytes + freeBytes, snap.totalBytes);
    // The bar's parts are the figures beside it: models + other processes = used, page cache + free = available.
    assert.equal(modelsBytes + otherBytes, snap.usedBytes);
    assert.equal(cacheBytes + freeBytes, snap.availableBytes);
    assert.equal(modelsBytes, (20480 + 38912) * MIB);
  });

  it('on an H100 server: per-GPU memory listed, Docker stats when no GPU process maps to the container, the scenario fraction when the command has none', () => {
    const snap = assembleSnapshot(inputs({
      memInfo: parseMemInfo(rec.H100_MEMINFO),
      containers: [container('a', 'running')],
      dockerUsage: new Map([['vllm-model-a', 3 * GIB]]),
      nvidiaSmi: { gpus: parseGpuMemory(rec.H100_GPU_QUERY), processes: parseComputeApps(rec.H100_APPS_QUERY) },
    }));
    assert.equal(snap.gpuMemory, 'discrete');
    assert.equal(snap.gpus.length, 2);
    assert.equal(snap.runningScenario, 'model-a');
    const [a, b] = snap.models;
    assert.deepEqual([a?.usedBytes, a?.usedSource, a?.fraction, a?.fractionSource], [3 * GIB, 'docker', 0.25, 'scenario']);
    assert.deepEqual([b?.state, b?.usedBytes, b?.usedSource, b?.fraction, b?.fractionSource], ['absent', 0, 'none', 0.5, 'default']);
  });

  it('names no scenario when the running fractions match none', () => {
    const snap = assembleSnapshot(inputs({ containers: [container('a', 'healthy', 0.33)] }));
    assert.equal(snap.runningScenario, undefined);
    assert.equal(snap.models[0]?.fraction, 0.33);
  });

  it('says the states are unknown, not absent, when Docker could not be asked', () => {
    const snap = assembleSnapshot({ ...inputs({ problems: ['Docker: connect ENOENT /var/run/docker.sock'] }), containers: undefined });
    assert.deepEqual(snap.models.map((m) => m.state), ['unknown', 'unknown']);
    assert.deepEqual(snap.problems, ['Docker: connect ENOENT /var/run/docker.sock']);
  });
});

describe('reading a snapshot from the sources', () => {
  const base: MemorySources = {
    memInfo: () => Promise.resolve(parseMemInfo(rec.GB10_MEMINFO)),
    nvidiaSmi: () => Promise.resolve({ processes: parseComputeApps(rec.GB10_APPS_QUERY) }),
    containerIdOfPid: (pid) => Promise.resolve(pid === 4242 ? rec.CONTAINER_A : undefined),
    kvCacheUsage: (port) => Promise.resolve(port === 8001 ? 0.5 : undefined),
    now: () => new Date(0),
  };

  it('asks Docker stats and /metrics only for the running models and maps GPU processes to containers', async () => {
    const statsAskedFor: string[][] = [];
    const snap = await readMemorySnapshot(file, {
      ...base,
      containers: {
        containers: () => Promise.resolve([container('a', 'healthy', 0.25), { ...container('b', 'exited'), command: [] }]),
        memoryUsage: (names) => {
          statsAskedFor.push([...names]);
          return Promise.resolve(new Map([['vllm-model-a', GIB]]));
        },
      },
    });
    assert.deepEqual(statsAskedFor, [['vllm-model-a']]);
    assert.deepEqual(snap.models.map((m) => [m.name, m.state, m.usedBytes, m.usedSource, m.kvCacheUsage]), [
      ['model-a', 'healthy', 20480 * MIB, 'nvidia-smi', 0.5],
      ['model-b', 'exited', 0, 'none', undefined],
    ]);
    assert.deepEqual(snap.problems, []);
  });

  it('still draws /proc/meminfo when Docker and nvidia-smi fail, and says which failed', async () => {
    const snap = await readMemorySnapshot(file, {
      ...base,
      nvidiaSmi: () => Promise.reject(new Error('nvidia-smi timed out')),
      containers: { containers: () => Promise.reject(new Error('connect EACCES /var/run/docker.sock')), memoryUsage: () => Promise.resolve(new Map()) },
    });
    assert.equal(snap.totalBytes, 128452756 * 1024);
    assert.deepEqual(snap.problems.slice().sort(), ['Docker: connect EACCES /var/run/docker.sock', 'nvidia-smi: nvidia-smi timed out']);
  });
});
