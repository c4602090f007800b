/**
 * Edits of the stack's two hand-kept YAML files — `scenarios.yaml` and `litellm/config.yaml` —
 * through the `yaml` package's Document API, so the user's comments, blank lines and order
 * survive. Each function takes the file's text and returns the new text; the caller writes it
 * with the other files of the change (see ./transaction.ts). The results are re-validated, so
 * an edit can never leave a file the loader refuses.
 */
import type { Document, YAMLMap, YAMLSeq, Node as YamlNode } from 'yaml';
import { isMap, isScalar, isSeq, parseDocument } from 'yaml';
import { FileFormatError, SparkError, UnknownNameError } from '../errors';
import { GIB } from '../planner';
import type { ComposeVariant, ModelSpec } from '../scenarios/file';
import { parseScenarioFile } from '../scenarios/file';

/** A scenario to add: its models with their memory fractions (in the order given). */
export interface ScenarioEntry {
  readonly name: string;
  readonly title: string;
  readonly variant: ComposeVariant;
  readonly models: ReadonlyMap<string, number>;
}

/** A LiteLLM `model_list` entry for a model server on `vllm_network`. */
export interface LiteLlmEntry {
  readonly name: string;
  readonly container: string;
  readonly maxModelLen: number;
  /** True when the server has a tool-call parser (auto tool choice), so LiteLLM may send tools. */
  readonly supportsFunctionCalling: boolean;
}

/** The LiteLLM entry the stack uses for a model of scenarios.yaml. */
export function liteLlmEntryFor(model: ModelSpec): LiteLlmEntry {
  return { name: model.name, container: model.container, maxModelLen: model.maxModelLen, supportsFunctionCalling: model.toolCallParser !== undefined };
}

/**
 * Appends `model` to `models:` of a scenarios file. Refuses a name, folder, container, port or
 * memory variable another model has. Usage: `addModel(text, 'stack/scenarios.yaml', spec)`.
 */
export function addModel(text: string, file: string, model: ModelSpec): string {
  const current = parseScenarioFile(text, file);
  for (const key of ['name', 'folder', 'container', 'hostPort', 'memoryEnv'] as const) {
    const clash = current.models.find((m) => m[key] === model[key]);
    if (clash) throw new SparkError(`${file}: model "${clash.name}" already has ${key} ${String(model[key])}`, `Choose another ${key === 'name' ? 'name (--name)' : key === 'hostPort' ? 'port (--port)' : key}`);
  }
  const doc = editable(text, file);
  const node = doc.createNode(modelRecord(model)) as YAMLMap;
  for (const key of ['tensorParallel', 'gpus']) {
    const value = node.get(key, true);
    if (isMap(value)) {
      value.flow = true;
      for (const pair of value.items) if (isSeq(pair.value)) pair.value.flow = true;
    }
  }
  const len = node.get('maxModelLen', true);
  if (isScalar(len)) len.comment = ` need: ${model.weightsGiB} + ${model.overheadGiB} + ${round(model.kvBytesPerToken * model.maxModelLen / GIB)} = ${round(model.weightsGiB + model.overheadGiB + model.kvBytesPerToken * model.maxModelLen / GIB)} GiB`;
  append(seqOf(doc, 'models', file), node);
  return checked(doc, file);
}

/** Removes model `name` from `models:`; scenarios that use it must be removed first. */
export function removeModel(text: string, file: string, name: string): string {
  const current = parseScenarioFile(text, file);
  const users = current.scenarios.filter((s) => s.models.has(name)).map((s) => s.name);
  if (users.length > 0) throw new SparkError(`${file}: model "${name}" is used by scenario${users.length > 1 ? 's' : ''} ${users.join(', ')}`, 'Delete those scenarios from scenarios.yaml or take the model out of them, then try again');
  const doc = editable(text, file);
  removeNamed(seqOf(doc, 'models', file), name, 'model', current.models.map((m) => m.name));
  return checked(doc, file);
}

/** Appends a scenario to `scenarios:`; its models must exist and its name be new. */
export function addScenario(text: string, file: string, scenario: ScenarioEntry): string {
  const current = parseScenarioFile(text, file);
  if (current.scenarios.some((s) => s.name === scenario.name)) throw new SparkError(`${file}: a scenario "${scenario.name}" exists already`, 'Choose another scenario name');
  const doc = editable(text, file);
  const node = doc.createNode({ name: scenario.name, title: scenario.title, variant: scenario.variant, models: Object.fromEntries(scenario.models) }) as YAMLMap;
  const models = node.get('models', true);
  if (isMap(models)) models.flow = true;
  append(seqOf(doc, 'scenarios', file), node);
  return checked(doc, file);
}

/** Removes scenario `name` from `scenarios:`. */
export function removeScenario(text: string, file: string, name: string): string {
  const current = parseScenarioFile(text, file);
  const doc = editable(text, file);
  removeNamed(seqOf(doc, 'scenarios', file), name, 'scenario', current.scenarios.map((s) => s.name));
  return checked(doc, file);
}

/** Appends a `model_list` entry to LiteLLM's config (the form the stack's entries have). */
export function addLiteLlmModel(text: string, file: string, entry: LiteLlmEntry): string {
  const doc = editable(text, file);
  const list = seqOf(doc, 'model_list', file);
  if (list.items.some((item) => isMap(item) && item.get('model_name') === entry.name)) {
    throw new SparkError(`${file}: model_list already has "${entry.name}"`, 'Choose another name (--name)');
  }
  const node = doc.createNode({
    model_name: entry.name,
    litellm_params: {
      // LiteLLM's provider for vLLM's OpenAI-compatible server; one name end to end.
      model: `hosted_vllm/${entry.name}`,
      api_base: `http://${entry.container}:8000/v1`,
      api_key: 'not-used',
    },
    model_info: { mode: 'chat', max_tokens: entry.maxModelLen, max_input_tokens: entry.maxModelLen, supports_function_calling: entry.supportsFunctionCalling },
  }) as YAMLMap;
  const params = node.get('litellm_params', true);
  const key = isMap(params) ? params.get('api_key', true) : undefined;
  if (isScalar(key)) key.type = 'QUOTE_DOUBLE';
  append(list, node);
  return doc.toString(TO_STRING);
}

/** True when LiteLLM's config has a `model_list` entry named `name`. */
export function hasLiteLlmModel(text: string, file: string, name: string): boolean {
  return seqOf(editable(text, file), 'model_list', file).items.some((item) => isMap(item) && item.get('model_name') === name);
}

/** Removes the `model_list` entries named `name` (several deployments may share a name). */
export function removeLiteLlmModel(text: string, file: string, name: string): string {
  const doc = editable(text, file);
  const list = seqOf(doc, 'model_list', file);
  const before = list.items.length;
  list.items = list.items.filter((item) => !(isMap(item) && item.get('model_name') === name));
  if (list.items.length === before) throw new SparkError(`${file}: model_list has no "${name}"`);
  return doc.toString(TO_STRING);
}

/** Keeps long lines as written (the stack's comments and commands are wider than 80). */
const TO_STRING = { lineWidth: 0 } as const;

function editable(text: string, file: string): Document.Parsed {
  const doc = parseDocument(text, { prettyErrors: false });
  const error = doc.errors[0];
  if (error) throw new FileFormatError(file, error.linePos?.[0].line, error.message.split('\n')[0] ?? 'invalid YAML');
  return doc;
}

function seqOf(doc: Document.Parsed, key: string, file: string): YAMLSeq {
  const node = doc.get(key, true);
  if (isSeq(node)) return node;
  throw new FileFormatError(file, undefined, `"${key}" must be a list`);
}

/** Appends with a blank line before, as the stack's files separate their entries. */
function append(seq: YAMLSeq, node: YamlNode): void {
  if (seq.items.length > 0) node.spaceBefore = true;
  seq.items.push(node);
}

function removeNamed(seq: YAMLSeq, name: string, kind: string, known: readonly string[]): void {
  const index = seq.items.findIndex((item) => isMap(item) && item.get('name') === name);
  if (index < 0) throw new UnknownNameError(kind, name, known);
  const [removed] = seq.items.splice(index, 1);
  // A comment above the first entry belongs to the list (the file's explanations), not to it.
  const next = seq.items[index] as YamlNode | undefined;
  if (index === 0 && next && removed && (removed as YamlNode).commentBefore && !next.commentBefore) next.commentBefore = (removed as YamlNode).commentBefore;
}

function checked(doc: Document.Parsed, file: string): string {
  const text = doc.toString(TO_STRING);
  parseScenarioFile(text, file);
  return text;
}

/** The fields of a model entry in the order the stack's entries list them. */
function modelRecord(model: ModelSpec): Record<string, unknown> {
  const record: Record<string, unknown> = {
    name: model.name,
    folder: model.folder,
    container: model.container,
    hfModel: model.hfModel,
    weightsGiB: model.weightsGiB,
    overheadGiB: model.overheadGiB,
    kvCacheDtype: model.kvCacheDtype,
    kvBytesPerToken: model.kvBytesPerToken,
    maxModelLen: model.maxModelLen,
    hostPort: model.hostPort,
    memoryEnv: model.memoryEnv,
    defaultFraction: model.defaultFraction,
    toolCallParser: model.toolCallParser,
    reasoningParser: model.reasoningParser,
    trustRemoteCode: model.trustRemoteCode,
    quantization: model.quantization,
    extraArgs: model.extraArgs && model.extraArgs.length > 0 ? [...model.extraArgs] : undefined,
    tensorParallel: Object.keys(model.tensorParallel).length > 0 ? { ...model.tensorParallel } : undefined,
    gpus: Object.keys(model.gpus).length > 0 ? Object.fromEntries(Object.entries(model.gpus).map(([k, v]) => [k, [...(v ?? [])]])) : undefined,
  };
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined && value !== false));
}

function round(value: number): number {
  return Math.round(value * 10000) / 10000;
}
