/**
 * Would a proposed model fit beside what runs now? The same check the start's pre-flight and the
 * Memory view use ({@link checkScenarioMemory}), asked for the new model's one-model scenario in
 * a stack that already has it, against the live memory snapshot.
 */
import { checkScenarioMemory } from '../memory/preflight';
import type { MemoryCheck, MemorySnapshot } from '../memory/types';
import type { ScenarioFile, ScenarioSpec } from '../scenarios/file';
import type { ModelProposal } from './propose';

/** The live verdict for starting `proposal`'s model now, beside the running models. Pure. */
export function fitsBesideRunning(file: ScenarioFile, proposal: ModelProposal, snapshot: MemorySnapshot): MemoryCheck {
  const scenario: ScenarioSpec = { name: proposal.scenario.name, title: proposal.scenario.title, variant: 'spark', models: new Map([[proposal.spec.name, proposal.scenario.fraction]]) };
  const withModel: ScenarioFile = { ...file, models: [...file.models, proposal.spec], scenarios: [...file.scenarios, scenario] };
  return checkScenarioMemory(withModel, scenario, snapshot);
}
