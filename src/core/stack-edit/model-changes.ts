/**
 * The change sets that add or remove a model: its folder and both compose files (from the
 * template), its `scenarios.yaml` entry with a one-model scenario of the same name, and its
 * LiteLLM `model_list` entry — computed from the files' current text, applied all or none by
 * {@link applyStackChanges}.
 */
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { SCENARIOS_FILE } from '../stack/discovery';
import type { VllmImages } from '../stack/vllm-images';
import { renderModelFolder } from '../stack/model-template';
import type { ModelSpec } from '../scenarios/file';
import { parseScenarioFile } from '../scenarios/file';
import type { StackChange } from '../files';
import { addLiteLlmModel, addModel, addScenario, hasLiteLlmModel, liteLlmEntryFor, removeLiteLlmModel, removeModel, removeScenario } from './yaml-edits';

export const LITELLM_CONFIG = path.join('litellm', 'config.yaml');

/** The current text of the two YAML files a model change edits. */
export interface StackTexts {
  readonly scenarios: string;
  readonly litellm: string;
}

/** Reads `scenarios.yaml` and `litellm/config.yaml` of the stack at `root`. */
export async function readStackTexts(root: string): Promise<StackTexts> {
  const [scenarios, litellm] = await Promise.all([readFile(path.join(root, SCENARIOS_FILE), 'utf8'), readFile(path.join(root, LITELLM_CONFIG), 'utf8')]);
  return { scenarios, litellm };
}

/**
 * Everything `add-model` writes for `model`: the folder, its two compose files, the model
 * entry plus a one-model scenario named like it (at its default fraction) in scenarios.yaml,
 * and the LiteLLM entry. Pure (given the texts); throws on a clash of name, folder or port.
 * Usage: `await applyStackChanges(root, modelAdditionChanges(await readStackTexts(root), spec, images, root))`.
 */
export function modelAdditionChanges(texts: StackTexts, model: ModelSpec, images: VllmImages, root = '.'): StackChange[] {
  const scenariosFile = path.join(root, SCENARIOS_FILE);
  const withModel = addModel(texts.scenarios, scenariosFile, model);
  const withScenario = addScenario(withModel, scenariosFile, { name: model.name, title: `${model.name} alone`, variant: 'spark', models: new Map([[model.name, model.defaultFraction]]) });
  return [
    { kind: 'mkdir', dir: model.folder },
    ...[...renderModelFolder(model, images)].map(([file, content]): StackChange => ({ kind: 'write', file, content })),
    { kind: 'write', file: SCENARIOS_FILE, content: withScenario },
    { kind: 'write', file: LITELLM_CONFIG, content: addLiteLlmModel(texts.litellm, path.join(root, LITELLM_CONFIG), liteLlmEntryFor(model)) },
  ];
}

/**
 * Everything `remove-model` changes for model `name`: its one-model scenario (the scenario named
 * like it with only it), its entry, its LiteLLM entries and its folder. Refuses (SparkError
 * naming them) when other scenarios use the model. Pure given the texts.
 */
export function modelRemovalChanges(texts: StackTexts, name: string, root = '.'): StackChange[] {
  const scenariosFile = path.join(root, SCENARIOS_FILE);
  const current = parseScenarioFile(texts.scenarios, scenariosFile);
  const model = current.models.find((m) => m.name === name);
  const own = current.scenarios.find((s) => s.name === name && s.models.size === 1 && s.models.has(name));
  let scenarios = own ? removeScenario(texts.scenarios, scenariosFile, own.name) : texts.scenarios;
  scenarios = removeModel(scenarios, scenariosFile, name);
  const liteLlmFile = path.join(root, LITELLM_CONFIG);
  const hasEntry = hasLiteLlmModel(texts.litellm, liteLlmFile, name);
  return [
    { kind: 'write', file: SCENARIOS_FILE, content: scenarios },
    ...(hasEntry ? [{ kind: 'write', file: LITELLM_CONFIG, content: removeLiteLlmModel(texts.litellm, liteLlmFile, name) } as const] : []),
    ...(model ? [{ kind: 'delete', file: model.folder } as const] : []),
  ];
}
