/**
 * The memory picture per host: each host's own pool and the models placed on it, so the memory
 * view and `memory --json` show every Spark of a multi-host stack. The main host reads its pool
 * from `/proc/meminfo` as always; another host's comes from its `/proc/meminfo` over the same SSH
 * its `ssh://` Docker endpoint uses, else (a `tcp://` engine) from Docker's `/info` total, said so.
 */
import type { DockerEndpoint } from '../docker/endpoint';
import { sshTargetOf } from '../docker/ssh-dial';
import type { DockerClient } from '../docker/types';
import { scenarioOnHost } from '../scenarios/placement';
import type { MemInfo } from '../meminfo';
import { parseMemInfo } from '../meminfo';
import { fetchModelLoad } from '../metrics/vllm';
import type { ScenarioFile } from '../scenarios/file';
import type { HostEngine } from '../state/hosts-state';
import type { ServiceState } from '../state/service-state';
import type { LiveState } from './docker-source';
import { dockerContainerSource } from './docker-source';
import { SparkError } from '../errors';
import { sshArgs, sshLine } from '../ssh/target';
import type { RunFile } from './nvidia-smi';
import { runFile } from './nvidia-smi';
import type { MemorySources } from './read';
import { readMemorySnapshot } from './read';
import type { HostMemory } from './types';

export type { HostMemory } from './types';

/** One host to read: its rows (which models it runs) and its sources; undefined sources: not reachable at all. */
export interface HostMemoryInput extends Pick<HostEngine, 'name' | 'main' | 'reach' | 'address' | 'rows'> {
  /** `note` says how the last pool read fell short (another host's total only), for the snapshot's problems. */
  readonly sources: MemorySources & { readonly note?: () => string | undefined };
}

/**
 * `file` as one host sees it: only the models placed on it, each scenario cut to its part on
 * that host, so the running scenario, fractions and budgets are that host's. Pure.
 */
export function fileOnHost(file: ScenarioFile, host: string, models: ReadonlySet<string>): ScenarioFile {
  return {
    ...file,
    models: file.models.filter((m) => models.has(m.name)),
    scenarios: file.scenarios.map((s) => scenarioOnHost(s, host)).filter((s) => s.models.size > 0),
  };
}

/** Reads every host's memory at once; one host failing does not fail the others. */
export async function readHostsMemory(file: ScenarioFile, hosts: readonly HostMemoryInput[]): Promise<HostMemory[]> {
  return Promise.all(hosts.map(async ({ name, main, rows, reach, address, sources }): Promise<HostMemory> => {
    const base = { name, main, reach, ...(address !== undefined ? { address } : {}) };
    const models = new Set(rows.filter((r) => r.kind === 'model').map((r) => r.name));
    try {
      const snapshot = await readMemorySnapshot(fileOnHost(file, name, models), sources);
      const note = sources.note?.();
      return note ? { ...base, snapshot: { ...snapshot, problems: [...snapshot.problems, note] }, totalOnly: true } : { ...base, snapshot };
    } catch (error) {
      return { ...base, error: error instanceof Error ? error.message : String(error), ...(error instanceof SparkError && error.fix ? { fix: error.fix } : {}) };
    }
  }));
}

/**
 * The memory sources of another host: its pool from `/proc/meminfo` over SSH (`ssh://`
 * endpoints, with BatchMode so a missing key fails instead of prompting), else Docker's MemTotal
 * counted as all available (its `note` says so); containers and stats from its engine; `/metrics` on its address.
 */
export function remoteMemorySources(host: string, client: DockerClient, containers: MemorySources['containers'], address: string | undefined, run: RunFile = runFile): HostMemoryInput['sources'] {
  /** Why the last read fell back to Docker's total ('' for a non-SSH engine), undefined when it did not. */
  let fallback: string | undefined;
  return {
    memInfo: async () => {
      const read = await remoteMemInfo(client, run);
      fallback = read.fallback;
      return read.memInfo;
    },
    note: () => (fallback !== undefined ? totalOnlyNote(host, client.endpoint, fallback) : undefined),
    ...(containers ? { containers } : {}),
    // nvidia-smi runs on that host only; per-model use comes from its Docker stats.
    nvidiaSmi: () => Promise.resolve(undefined),
    containerIdOfPid: () => Promise.resolve(undefined),
    kvCacheUsage: (port) => fetchModelLoad(port, AbortSignal.timeout(1000), address).then((load) => load.kvCacheUsage),
    now: () => new Date(),
  };
}

/** The `ssh` arguments that print `/proc/meminfo` of an `ssh://` endpoint's host, or undefined for other endpoints. Pure. */
export function sshMemInfoCommand(endpoint: DockerEndpoint): readonly string[] | undefined {
  const target = sshTargetOf(endpoint);
  return target ? sshArgs(target, MEMINFO_COMMAND, 5) : undefined;
}

const MEMINFO_COMMAND = ['cat', '/proc/meminfo'];

async function remoteMemInfo(client: DockerClient, run: RunFile): Promise<{ memInfo: MemInfo; fallback?: string }> {
  const ssh = sshMemInfoCommand(client.endpoint);
  let why = '';
  if (ssh) {
    try {
      return { memInfo: parseMemInfo(await run('ssh', ssh, 6000)) };
    } catch (error) {
      // Fall back to the engine's total below (the engine's own error, if any, is the one to show); say why.
      why = ((error instanceof Error ? error.message : String(error)).trim().split('\n').pop() ?? '').replace(/^[\s:]+/, '');
    }
  }
  const info = await client.info();
  // Only the total is known: treat it all as available so nothing looks used that is not.
  return { memInfo: { totalBytes: info.memTotalBytes, availableBytes: info.memTotalBytes, freeBytes: info.memTotalBytes, cachedBytes: 0 }, fallback: why };
}

/** Words for a host whose pool came from Docker's total only (no `/proc/meminfo` over SSH). */
function totalOnlyNote(host: string, endpoint: DockerEndpoint, why: string): string {
  const target = sshTargetOf(endpoint);
  const how = target ? `\`${sshLine(target, MEMINFO_COMMAND)}\` failed${why ? ` (${why})` : ''}` : `it is reached over ${endpoint.url}, not SSH`;
  return `${host}: only its total memory is known (Docker's MemTotal): ${how}`;
}

/**
 * What to read for each host: the main host with `main` (this machine's sources), every other
 * host with its own engine's client. `live` gives the state models' view of a container on a
 * host, so the view's states match the tree's.
 */
export function hostMemoryInputs(engines: readonly HostEngine[], clientOf: (engine: HostEngine) => DockerClient, main: MemorySources, live?: (host: string, container: string) => { readonly containerId?: string; readonly state: ServiceState } | undefined): HostMemoryInput[] {
  return engines.map((engine) => {
    if (engine.main) return { ...engine, sources: main };
    const client = clientOf(engine);
    const liveState: LiveState | undefined = live ? (container) => live(engine.name, container) : undefined;
    return { ...engine, sources: remoteMemorySources(engine.name, client, dockerContainerSource(client, liveState), engine.address) };
  });
}
