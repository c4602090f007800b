/** Builds what the memory view draws from a snapshot: the picture plus every scenario checked against it. */
import type { ScenarioFile } from '../scenarios';
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
