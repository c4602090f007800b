/** Builds what the memory view draws from a snapshot (per host with `hosts:`): the picture plus every scenario checked against it. */
import type { ScenarioFile } from '../scenarios/file';
import type { HostMemoryInput } from './hosts';
import { fileOnHost, readHostsMemory } from './hosts';
import type { MemoryViewModel } from './messages';
import { checkScenarioMemory } from './preflight';
import type { MemorySources } from './read';
import { readMemorySnapshot } from './read';
import type { MemorySnapshot } from './types';

/** Checks each scenario of `file` against `snapshot`. Pure. */
export function memoryViewModel(file: ScenarioFile, snapshot: MemorySnapshot): MemoryViewModel {
  return { snapshot, scenarios: file.scenarios.map((s) => checkScenarioMemory(file, s, snapshot)) };
}

/** Reads the live memory and builds the view model. */
export async function readMemoryView(file: ScenarioFile, sources: MemorySources): Promise<MemoryViewModel> {
  return memoryViewModel(file, await readMemorySnapshot(file, sources));
}

/**
 * Reads every host's memory and builds the view model: with one host exactly {@link readMemoryView};
 * with others the main host's picture (its models, its part of each scenario) plus each other host.
 */
export async function readHostsMemoryView(file: ScenarioFile, hosts: readonly HostMemoryInput[]): Promise<MemoryViewModel> {
  const main = hosts.find((h) => h.main);
  if (!main) throw new Error('no main host');
  if (hosts.length === 1) return readMemoryView(file, main.sources);
  const read = await readHostsMemory(file, hosts);
  const mainRead = read.find((h) => h.main);
  if (!mainRead?.snapshot) throw new Error(mainRead?.error ?? 'the main host could not be read');
  const mainFile = fileOnHost(file, main.name, new Set(main.rows.filter((r) => r.kind === 'model').map((r) => r.name)));
  return { ...memoryViewModel(mainFile, mainRead.snapshot), mainHost: main.name, hosts: read.filter((h) => !h.main) };
}
