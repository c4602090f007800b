import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { containerIdFromCgroup } from '../../../src/core/memory/cgroup';
import { gpuMemoryUtilization } from '../../../src/core/memory/fractions';
import { APPS_QUERY_ARGS, GPU_QUERY_ARGS, NvidiaSmi, hasPerGpuMemory, parseComputeApps, parseGpuMemory } from '../../../src/core/memory/nvidia-smi';
import type { RunFile } from '../../../src/core/memory/nvidia-smi';
import * as rec from './recorded';

const MIB = 1024 ** 2;

describe('nvidia-smi parsing', () => {
  it('reads a GB10 (unified memory) as a GPU without memory figures', () => {
    for (const text of [rec.GB10_GPU_QUERY, rec.GB10_GPU_QUERY_NOT_SUPPORTED]) {
      assert.deepEqual(parseGpuMemory(text), [{ index: 0 }]);
      assert.equal(hasPerGpuMemory({ gpus: parseGpuMemory(text) }), false);
    }
  });

  it("reads a GB10's per-process memory, which works there", () => {
    assert.deepEqual(parseComputeApps(rec.GB10_APPS_QUERY), [{ pid: 4242, usedBytes: 20480 * MIB }, { pid: 4343, usedBytes: 38912 * MIB }]);
  });

  it("reads an H100 server's per-GPU memory in bytes", () => {
    const gpus = parseGpuMemory(rec.H100_GPU_QUERY);
    assert.deepEqual(gpus, [{ index: 0, usedBytes: 65536 * MIB, totalBytes: 81559 * MIB }, { index: 1, usedBytes: 4 * MIB, totalBytes: 81559 * MIB }]);
    assert.equal(hasPerGpuMemory({ gpus }), true);
    assert.deepEqual(parseComputeApps(rec.H100_APPS_QUERY), [{ pid: 5151, usedBytes: 65000 * MIB }]);
  });

  it('reads "no processes" and [N/A] per-process values as nothing known', () => {
    assert.deepEqual(parseComputeApps(rec.NO_PROCESSES), []);
    assert.deepEqual(parseComputeApps('77, [N/A]\n'), [{ pid: 77 }]);
  });

  it('asks both queries and, once nvidia-smi proves absent, never spawns it again', async () => {
    const calls: string[][] = [];
    const absent: RunFile = (_file, args) => {
      calls.push([...args]);
      return Promise.reject(Object.assign(new Error('spawn nvidia-smi ENOENT'), { code: 'ENOENT' }));
    };
    const smi = new NvidiaSmi('nvidia-smi', absent);
    assert.equal(await smi.query(), undefined);
    assert.equal(await smi.query(), undefined);
    assert.deepEqual(calls, [[...GPU_QUERY_ARGS], [...APPS_QUERY_ARGS]]);
  });

  it('keeps the per-process answer when the per-GPU query fails (a driver error on one query)', async () => {
    const run: RunFile = (_file, args) => (args[0]?.startsWith('--query-gpu') ? Promise.reject(new Error('exit 2')) : Promise.resolve(rec.GB10_APPS_QUERY));
    const report = await new NvidiaSmi('nvidia-smi', run).query();
    assert.equal(report?.gpus, undefined);
    assert.equal(report?.processes?.length, 2);
  });
});

describe('container of a process from its cgroup', () => {
  it('finds the id under cgroup v1 and v2, and none for a host process', () => {
    assert.equal(containerIdFromCgroup(rec.CGROUP_V1), rec.CONTAINER_A);
    assert.equal(containerIdFromCgroup(rec.CGROUP_V2), rec.CONTAINER_B);
    assert.equal(containerIdFromCgroup(rec.CGROUP_HOST), undefined);
  });
});

describe('--gpu-memory-utilization from a container command line', () => {
  it('reads the spaced, = and snake_case forms', () => {
    assert.equal(gpuMemoryUtilization(['vllm', 'serve', 'm', '--gpu-memory-utilization', '0.25']), 0.25);
    assert.equal(gpuMemoryUtilization(['m', '--gpu-memory-utilization=0.6']), 0.6);
    assert.equal(gpuMemoryUtilization(['m', '--gpu_memory_utilization', '0.3']), 0.3);
    assert.equal(gpuMemoryUtilization(['m', '--max-model-len', '8192']), undefined);
  });
});
