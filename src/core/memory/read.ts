/**
 * Collects a {@link MemorySnapshot} from the live sources. Each source may fail on its own (no
 * Docker, no nvidia-smi, a model still loading): the snapshot then says what is missing rather
 * than failing whole, because `/proc/meminfo` alone is already a useful picture.
 */
import type { MemInfo } from '../meminfo';
import { readMemInfo } from '../meminfo';
import type { ScenarioFile } from '../scenarios/file';
import { containerIdOfPid } from './cgroup';
import { fetchModelLoad } from '../metrics/vllm';
import type { NvidiaSmiReport } from './nvidia-smi';
import { NvidiaSmi } from './nvidia-smi';
import type { ContainerSource, MemorySnapshot, ModelContainer } from './snapshot';
import { HOLDING_MEMORY, assembleSnapshot } from './snapshot';

export interface MemorySources {
  readonly memInfo: () => Promise<MemInfo>;
  /** Undefined when there is no Docker to ask. */
  readonly containers?: ContainerSource;
  readonly nvidiaSmi: () => Promise<NvidiaSmiReport | undefined>;
  readonly containerIdOfPid: (pid: number) => Promise<string | undefined>;
  /** KV-cache usage of the model server published on this host port. */
  readonly kvCacheUsage: (hostPort: number) => Promise<number | undefined>;
  readonly now: () => Date;
}

/** The sources of this machine; `containers` comes from the Docker client the caller owns. */
export function systemMemorySources(containers: ContainerSource | undefined, options: { nvidiaSmiBinary?: string } = {}): MemorySources {
  const smi = new NvidiaSmi(options.nvidiaSmiBinary);
  return {
    memInfo: () => readMemInfo(),
    ...(containers ? { containers } : {}),
    nvidiaSmi: () => smi.query(),
    containerIdOfPid: (pid) => containerIdOfPid(pid),
    // A model still loading does not answer /metrics; one second is all a 1 Hz picture can wait.
    kvCacheUsage: (port) => fetchModelLoad(port, AbortSignal.timeout(1000)).then((load) => load.kvCacheUsage),
    now: () => new Date(),
  };
}

function why(error: unknown): string {
  return error instanceof Error ? error.message.split('\n')[0] ?? error.message : String(error);
}

/** Reads the memory picture of the stack described by `file` now. */
export async function readMemorySnapshot(file: ScenarioFile, sources: MemorySources): Promise<MemorySnapshot> {
  const problems: string[] = [];
  const takenAt = sources.now();
  const names = file.models.map((m) => m.container);

  const [memInfo, containers, nvidiaSmi] = await Promise.all([
    sources.memInfo(),
    listContainers(sources.containers, names, problems),
    sources.nvidiaSmi().catch((error: unknown) => {
      problems.push(`nvidia-smi: ${why(error)}`);
      return undefined;
    }),
  ]);

  const holding: ModelContainer[] = (containers ?? []).filter((c) => HOLDING_MEMORY.has(c.state));
  const runningModels = file.models.filter((m) => holding.some((c) => c.container === m.container));
  const [dockerUsage, pidContainers, kvCache] = await Promise.all([
    holding.length === 0 || !sources.containers
      ? Promise.resolve(new Map<string, number>())
      : sources.containers.memoryUsage(holding.map((c) => c.container)).catch((error: unknown) => {
        problems.push(`Docker stats: ${why(error)}`);
        return new Map<string, number>();
      }),
    pidsToContainers(nvidiaSmi, sources),
    Promise.all(runningModels.map(async (m) => [m.name, await sources.kvCacheUsage(m.hostPort).catch(() => undefined)] as const)).then(
      (pairs) => new Map(pairs.filter((p): p is readonly [string, number] => p[1] !== undefined)),
    ),
  ]);

  return assembleSnapshot({ file, memInfo, ...(containers ? { containers } : {}), dockerUsage, ...(nvidiaSmi ? { nvidiaSmi } : {}), pidContainers, kvCache, problems, takenAt });
}

async function listContainers(source: ContainerSource | undefined, names: readonly string[], problems: string[]): Promise<ModelContainer[] | undefined> {
  if (!source) {
    problems.push('Docker: no client configured');
    return undefined;
  }
  try {
    return await source.containers(names);
  } catch (error) {
    problems.push(`Docker: ${why(error)}`);
    return undefined;
  }
}

async function pidsToContainers(report: NvidiaSmiReport | undefined, sources: MemorySources): Promise<Map<number, string>> {
  const out = new Map<number, string>();
  await Promise.all(
    (report?.processes ?? []).map(async ({ pid }) => {
      const id = await sources.containerIdOfPid(pid);
      if (id !== undefined) out.set(pid, id);
    }),
  );
  return out;
}
