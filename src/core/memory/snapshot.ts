/**
 * The memory picture at one moment: the unified pool from `/proc/meminfo`, each model's actual
 * use (nvidia-smi per process where it reports, else Docker stats) against its planned budget
 * (fraction × total), and vLLM's KV-cache fill. The CLI's `memory --json`, the webview and the
 * start pre-flight all read this one model so they never disagree.
 */
import type { MemInfo } from '../meminfo';
import { GIB } from '../planner';
import type { ScenarioFile } from '../scenarios/file';
import { gpuMemoryUtilization, modelFractions, runningScenario } from './fractions';
import type { NvidiaSmiReport } from './nvidia-smi';
import { hasPerGpuMemory } from './nvidia-smi';
import type { MemorySnapshot, ModelMemory, ModelState, UsedSource } from './types';

export type { MemorySnapshot, ModelMemory, ModelState } from './types';

/** States in which a container holds (or is acquiring) its model's memory. */
export const HOLDING_MEMORY: ReadonlySet<ModelState> = new Set(['starting', 'loading', 'running', 'healthy', 'unhealthy', 'restarting', 'paused']);

export interface ModelContainer {
  readonly container: string;
  /** Full 64-hex id, to match nvidia-smi's PIDs through their cgroup. */
  readonly id: string;
  readonly state: ModelState;
  /** Entrypoint and args, for `--gpu-memory-utilization`. */
  readonly command: readonly string[];
}

/** Docker as the memory model needs it; one implementation wraps the project's Docker client. */
export interface ContainerSource {
  /** The containers among `names` that exist (absent ones are left out). */
  containers(names: readonly string[]): Promise<ModelContainer[]>;
  /** Memory in use per container name, from Docker stats, for the running ones given. */
  memoryUsage(containers: readonly string[]): Promise<Map<string, number>>;
}

/** Everything a snapshot is made of, already collected. */
export interface SnapshotInputs {
  readonly file: ScenarioFile;
  readonly memInfo: MemInfo;
  /** Undefined when Docker could not be asked. */
  readonly containers?: readonly ModelContainer[];
  readonly dockerUsage: ReadonlyMap<string, number>;
  readonly nvidiaSmi?: NvidiaSmiReport;
  /** Container id of each nvidia-smi PID that runs in a container. */
  readonly pidContainers: ReadonlyMap<number, string>;
  /** KV-cache usage by model name. */
  readonly kvCache: ReadonlyMap<string, number>;
  readonly problems: readonly string[];
  readonly takenAt: Date;
}

/** Builds the snapshot from collected inputs. Pure. */
export function assembleSnapshot(inputs: SnapshotInputs): MemorySnapshot {
  const { file, memInfo } = inputs;
  const totalBytes = memInfo.totalBytes;
  const byContainer = new Map((inputs.containers ?? []).map((c) => [c.container, c]));

  const running = new Map<string, number | undefined>();
  for (const model of file.models) {
    const c = byContainer.get(model.container);
    if (c && HOLDING_MEMORY.has(c.state)) running.set(model.name, gpuMemoryUtilization(c.command));
  }
  const scenario = runningScenario(file, running);
  const fractions = modelFractions(file, running, scenario);

  const gpuByContainerId = new Map<string, number>();
  for (const p of inputs.nvidiaSmi?.processes ?? []) {
    const id = inputs.pidContainers.get(p.pid);
    if (id !== undefined && p.usedBytes !== undefined) gpuByContainerId.set(id, (gpuByContainerId.get(id) ?? 0) + p.usedBytes);
  }

  const models = file.models.map((model): ModelMemory => {
    const c = byContainer.get(model.container);
    const state: ModelState = inputs.containers === undefined ? 'unknown' : c?.state ?? 'absent';
    const { fraction, source } = fractions.get(model.name) ?? { fraction: model.defaultFraction, source: 'default' as const };
    const dockerBytes = inputs.dockerUsage.get(model.container);
    const gpuBytes = c ? gpuByContainerId.get(c.id) : undefined;
    const usedSource: UsedSource = gpuBytes !== undefined ? 'nvidia-smi' : dockerBytes !== undefined ? 'docker' : 'none';
    const kvCacheUsage = inputs.kvCache.get(model.name);
    return {
      name: model.name,
      container: model.container,
      state,
      usedBytes: gpuBytes ?? dockerBytes ?? 0,
      usedSource,
      ...(dockerBytes !== undefined ? { dockerBytes } : {}),
      ...(gpuBytes !== undefined ? { gpuBytes } : {}),
      plannedBytes: Math.round(fraction * totalBytes),
      fraction,
      fractionSource: source,
      weightsBytes: model.weightsGiB * GIB,
      overheadBytes: model.overheadGiB * GIB,
      ...(kvCacheUsage !== undefined ? { kvCacheUsage } : {}),
    };
  });

  // The stacked bar, on the same split as the "used" and "available" figures beside it (so they
  // add up): used = total − MemAvailable, of which the models' share is what they use (capped,
  // since Docker's and the kernel's counts are taken at slightly different moments) and the rest
  // other processes; available = the page cache the kernel can give back + MemFree.
  const usedBytes = Math.max(0, totalBytes - memInfo.availableBytes);
  const freeBytes = Math.min(memInfo.freeBytes, memInfo.availableBytes);
  const cacheBytes = Math.max(0, memInfo.availableBytes - freeBytes);
  const modelsBytes = Math.min(usedBytes, models.reduce((sum, m) => sum + m.usedBytes, 0));
  const discrete = inputs.nvidiaSmi !== undefined && hasPerGpuMemory(inputs.nvidiaSmi);
  return {
    takenAt: inputs.takenAt.toISOString(),
    totalBytes,
    usedBytes,
    availableBytes: memInfo.availableBytes,
    reclaimableBytes: memInfo.cachedBytes,
    freeBytes: memInfo.freeBytes,
    parts: { modelsBytes, otherBytes: usedBytes - modelsBytes, cacheBytes, freeBytes },
    ...(scenario ? { runningScenario: scenario.name } : {}),
    gpuMemory: discrete ? 'discrete' : 'unified',
    gpus: inputs.nvidiaSmi?.gpus ?? [],
    models,
    problems: inputs.problems,
  };
}
