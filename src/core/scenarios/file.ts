/**
 * `scenarios.yaml`: the one file that knows the models and which of them run together.
 * Parsing is strict and every problem names the file and line, because a user edits this file
 * by hand and a silent default would start the wrong models or the wrong memory budget.
 */
import { readFile } from 'node:fs/promises';
import type { Node as YamlNode } from 'yaml';
import { LineCounter, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import { FileFormatError } from '../errors';
import { MAIN_HOST, addressProblem, dockerTargetProblem, hostNameProblem } from './hosts';
import { nameProblem, printable, repoIdProblem, stackNameProblem } from '../inputs';

export type ComposeVariant = 'spark' | 'multi-gpu';
export const COMPOSE_VARIANTS: readonly ComposeVariant[] = ['spark', 'multi-gpu'];

export interface ModelSpec {
  /** Served name, the same in vLLM, LiteLLM, scenarios and the UI. */
  readonly name: string;
  /** Folder under the stack holding the model's compose files. */
  readonly folder: string;
  readonly container: string;
  readonly hfModel: string;
  readonly weightsGiB: number;
  readonly overheadGiB: number;
  readonly kvCacheDtype: string;
  readonly kvBytesPerToken: number;
  readonly maxModelLen: number;
  readonly hostPort: number;
  /** Environment variable the compose files read `--gpu-memory-utilization` from. */
  readonly memoryEnv: string;
  readonly defaultFraction: number;
  /** vLLM `--tool-call-parser`; with it the server also gets `--enable-auto-tool-choice`. */
  readonly toolCallParser?: string;
  /** vLLM `--reasoning-parser` (gpt-oss in vLLM 0.31 emits reasoning only with `openai_gptoss`). */
  readonly reasoningParser?: string;
  /** `--trust-remote-code`: only for repositories whose architecture needs their own Python code. */
  readonly trustRemoteCode?: boolean;
  /** vLLM `--quantization`, when the checkpoint's own `quantization_config` is not enough. */
  readonly quantization?: string;
  /** Further `vllm serve` arguments the user added, appended after the generated ones. */
  readonly extraArgs?: readonly string[];
  readonly tensorParallel: Readonly<Partial<Record<ComposeVariant, number>>>;
  readonly gpus: Readonly<Partial<Record<ComposeVariant, readonly string[]>>>;
}

export interface ScenarioSpec {
  readonly name: string;
  readonly title: string;
  readonly variant: ComposeVariant;
  /** Model name → fraction of total memory given to it (`--gpu-memory-utilization`), on each of its hosts. */
  readonly models: ReadonlyMap<string, number>;
  /**
   * Model name → the hosts it runs on (several: replicas behind one LiteLLM name). A model
   * missing here, or the whole map missing, runs on the main host ({@link MAIN_HOST}) alone.
   * Read it through `placements()` (src/core/scenarios/placement.ts) rather than directly.
   */
  readonly hosts?: ReadonlyMap<string, readonly string[]>;
}

/**
 * A machine whose Docker engine runs model servers. The main host (`local`, first in
 * {@link ScenarioFile.hosts}) is this machine's engine as the Docker CLI resolves it and also runs
 * the gateway; the others come from the file's top-level `hosts:` list.
 */
export interface HostSpec {
  readonly name: string;
  /** True for the implicit main host only. */
  readonly main: boolean;
  /** A Docker context name or an endpoint URL (`ssh://user@host`, `tcp://…`, `unix://…`); absent: resolved as the Docker CLI does (main host). */
  readonly docker?: string;
  /** The IP address the gateway reaches this host's model servers on (the cluster link); absent for the main host. */
  readonly address?: string;
  /** Line of the entry in the file (for messages), when it comes from the file. */
  readonly line?: number;
}

/** The implicit main host entry. */
export const MAIN_HOST_SPEC: HostSpec = { name: MAIN_HOST, main: true };

export interface ScenarioFile {
  readonly file: string;
  readonly reserveGiB: number;
  /** The main host first, then the file's `hosts:` in order. */
  readonly hosts: readonly HostSpec[];
  readonly models: readonly ModelSpec[];
  readonly scenarios: readonly ScenarioSpec[];
}

/** Reads and validates a scenarios file; throws {@link FileFormatError} naming file and line. */
export async function loadScenarioFile(file: string): Promise<ScenarioFile> {
  return parseScenarioFile(await readFile(file, 'utf8'), file);
}

/** Parses the text of a scenarios file; `file` is used in error messages only. */
export function parseScenarioFile(text: string, file: string): ScenarioFile {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const firstError = doc.errors[0];
  if (firstError) {
    const line = firstError.linePos?.[0].line ?? lines.linePos(firstError.pos[0]).line;
    throw new FileFormatError(file, line, firstError.message.split('\n')[0] ?? 'invalid YAML');
  }
  const reader = new Reader(lines, file);
  const root = reader.map(doc.contents, 'the file');
  const version = reader.number(root, 'version', { integer: true });
  if (version !== 1) reader.fail(root.get('version', true) as YamlNode, `unsupported version ${version}; this tool reads version 1`);
  const reserveGiB = reader.number(root, 'reserveGiB', { min: 0 });

  const hosts = readHosts(reader, root, lines);

  const models: ModelSpec[] = [];
  for (const item of reader.seq(root, 'models')) {
    const m = reader.map(item, 'a model');
    // Names become folders (remove-model deletes them), container and DNS names, file names and
    // `docker` arguments: checked here, once, so nothing after this builds a path or a command
    // line from an unchecked one.
    const name = reader.checked(m, 'name', (v) => stackNameProblem(v, 'model name'), MODEL_NAME_FIX);
    if (models.some((other) => other.name === name)) reader.fail(m.get('name', true) as YamlNode, `model "${name}" is defined twice`);
    const folder = reader.checked(m, 'folder', (v) => stackNameProblem(v, 'folder'), `Give the model its own folder under the stack, e.g. folder: ${name}`);
    const folderTwin = models.find((other) => other.folder === folder);
    if (folderTwin) reader.fail(m.get('folder', true) as YamlNode, `models "${folderTwin.name}" and "${name}" have the same folder "${folder}"`, `Give ${name} its own folder, e.g. folder: ${name}`);
    const container = reader.checked(m, 'container', (v) => stackNameProblem(v, 'container'), `Name the container after the model, e.g. container: vllm-${name}`);
    const containerTwin = models.find((other) => other.container === container);
    if (containerTwin) reader.fail(m.get('container', true) as YamlNode, `models "${containerTwin.name}" and "${name}" have the same container "${container}"`, `Name the container after the model, e.g. container: vllm-${name}`);
    models.push({
      name,
      folder,
      container,
      hfModel: reader.checked(m, 'hfModel', repoIdProblem, 'Give the model\'s Hugging Face id as owner/name, e.g. hfModel: Qwen/Qwen3-4B'),
      weightsGiB: reader.number(m, 'weightsGiB', { min: 0 }),
      overheadGiB: reader.number(m, 'overheadGiB', { min: 0 }),
      kvCacheDtype: reader.token(m, 'kvCacheDtype'),
      kvBytesPerToken: reader.number(m, 'kvBytesPerToken', { min: 0 }),
      maxModelLen: reader.number(m, 'maxModelLen', { min: 1, integer: true }),
      hostPort: reader.number(m, 'hostPort', { min: 1, max: 65535, integer: true }),
      memoryEnv: reader.checked(m, 'memoryEnv', memoryEnvProblem, `Use an environment variable name, e.g. memoryEnv: ${name.toUpperCase().replace(/-/g, '_')}_GPU_MEMORY_UTILIZATION`),
      defaultFraction: reader.number(m, 'defaultFraction', { min: 0, max: 1, exclusiveMin: true }),
      toolCallParser: reader.optionalToken(m, 'toolCallParser'),
      reasoningParser: reader.optionalToken(m, 'reasoningParser'),
      trustRemoteCode: reader.optionalBoolean(m, 'trustRemoteCode'),
      quantization: reader.optionalToken(m, 'quantization'),
      extraArgs: reader.extraArgs(m, 'extraArgs'),
      tensorParallel: reader.perVariant(m, 'tensorParallel', (node) => reader.tensorParallel(node)),
      gpus: reader.perVariant(m, 'gpus', (node) => reader.gpuIds(node)),
    });
  }

  const scenarios: ScenarioSpec[] = [];
  for (const item of reader.seq(root, 'scenarios')) {
    const s = reader.map(item, 'a scenario');
    const name = reader.checked(s, 'name', (v) => nameProblem(v, 'scenario name'), 'Name the scenario with lower-case letters, digits and dashes, e.g. name: coding-pair (its title may say anything)');
    if (scenarios.some((other) => other.name === name)) reader.fail(s.get('name', true) as YamlNode, `scenario "${name}" is defined twice`);
    const variantNode = s.get('variant', true) as YamlNode | undefined;
    const variant = reader.string(s, 'variant');
    if (!COMPOSE_VARIANTS.includes(variant as ComposeVariant)) {
      reader.fail(variantNode, `variant must be one of ${COMPOSE_VARIANTS.join(', ')}, not "${variant}"`);
    }
    const fractions = new Map<string, number>();
    const placed = new Map<string, readonly string[]>();
    const modelsNode = reader.map(s.get('models', true), `the models of scenario "${name}"`);
    if (modelsNode.items.length === 0) reader.fail(modelsNode, `scenario "${name}" has no models`);
    for (const pair of modelsNode.items) {
      const modelName = isScalar(pair.key) ? String(pair.key.value) : '';
      if (!models.some((m) => m.name === modelName)) {
        reader.fail(pair.key as YamlNode, `scenario "${name}" names unknown model "${modelName}" (known: ${models.map((m) => m.name).join(', ')})`);
      }
      const value = pair.value as YamlNode | null;
      if (isMap(value)) {
        // The placed form: `model: { fraction: 0.25, hosts: [spark-2, spark-3] }`.
        fractions.set(modelName, reader.fraction(value.get('fraction', true) as YamlNode | null, `the memory fraction of ${modelName}`));
        placed.set(modelName, readPlacement(reader, value, modelName, hosts));
        for (const key of value.items) {
          const k = isScalar(key.key) ? String(key.key.value) : '';
          if (k !== 'fraction' && k !== 'hosts') reader.fail(key.key as YamlNode, `unknown key "${k}" for ${modelName} (a placed model has "fraction" and "hosts")`);
        }
      } else {
        fractions.set(modelName, reader.fraction(value, `the memory fraction of ${modelName}`));
      }
    }
    checkPorts(reader, modelsNode, name, models, fractions, placed);
    scenarios.push({ name, title: reader.optionalText(s, 'title') ?? name, variant: variant as ComposeVariant, models: fractions, ...(placed.size > 0 ? { hosts: placed } : {}) });
  }
  return { file, reserveGiB, hosts, models, scenarios };
}

/** The top-level `hosts:` list (optional), after the implicit main host. */
function readHosts(reader: Reader, root: YamlMap, lines: LineCounter): HostSpec[] {
  const hosts: HostSpec[] = [MAIN_HOST_SPEC];
  if (!root.has('hosts')) return hosts;
  for (const item of reader.seq(root, 'hosts')) {
    const h = reader.map(item, 'a host');
    const nameNode = h.get('name', true) as YamlNode;
    const name = reader.string(h, 'name');
    const docker = reader.string(h, 'docker');
    const address = reader.string(h, 'address');
    const hostProblem = hostNameProblem(name);
    if (hostProblem) reader.fail(nameNode, hostProblem, 'Name the host with lower-case letters, digits and dashes, e.g. name: spark-2');
    if (hosts.some((other) => other.name === name)) reader.fail(nameNode, `host "${name}" is defined twice`);
    const dockerProblem = dockerTargetProblem(docker);
    if (dockerProblem) reader.fail(h.get('docker', true) as YamlNode, dockerProblem, 'Give a Docker context name (docker context ls) or an endpoint such as ssh://user@spark-2');
    const addressNode = h.get('address', true) as YamlNode;
    const addrProblem = addressProblem(address);
    if (addrProblem) reader.fail(addressNode, addrProblem);
    const twin = hosts.find((other) => other.address === address);
    // Two entries with one address are one machine: their model servers' ports would clash.
    if (twin) reader.fail(addressNode, `hosts "${twin.name}" and "${name}" have the same address ${address}`);
    for (const pair of h.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : '';
      if (!['name', 'docker', 'address'].includes(key)) reader.fail(pair.key as YamlNode, `unknown key "${key}" for host "${name}" (a host has name, docker, address)`);
    }
    hosts.push({ name, main: false, docker, address, line: h.range ? lines.linePos(h.range[0]).line : undefined });
  }
  return hosts;
}

/** `hosts: [a, b]` of a placed model: known hosts, each once. */
function readPlacement(reader: Reader, value: YamlMap, modelName: string, hosts: readonly HostSpec[]): string[] {
  const node = value.get('hosts', true) as YamlNode | undefined;
  if (!isSeq(node) || node.items.length === 0) reader.fail(node ?? value, `"hosts" of ${modelName} must be a non-empty list of host names`);
  const names: string[] = [];
  for (const item of node.items) {
    const host = isScalar(item) ? String(item.value) : '';
    if (!hosts.some((h) => h.name === host)) {
      reader.fail(item as YamlNode, `${modelName} is placed on unknown host "${host}" (known: ${hosts.map((h) => h.name).join(', ')}; add it to "hosts:")`);
    }
    if (names.includes(host)) reader.fail(item as YamlNode, `${modelName} is placed twice on host "${host}"`);
    names.push(host);
  }
  return names;
}

/** Two models of a scenario on one host must not publish the same port there. */
function checkPorts(reader: Reader, modelsNode: YamlMap, scenario: string, models: readonly ModelSpec[], fractions: ReadonlyMap<string, number>, placed: ReadonlyMap<string, readonly string[]>): void {
  const taken = new Map<string, string>();
  for (const name of fractions.keys()) {
    const model = models.find((m) => m.name === name);
    if (!model) continue;
    for (const host of placed.get(name) ?? [MAIN_HOST]) {
      const key = `${host}:${model.hostPort}`;
      const other = taken.get(key);
      if (other) {
        const pair = modelsNode.items.find((p) => isScalar(p.key) && p.key.value === name);
        reader.fail(pair?.key as YamlNode | undefined, `scenario "${scenario}" puts ${other} and ${name} on host "${host}" with the same hostPort ${model.hostPort}; give one of them another hostPort`);
      }
      taken.set(key, name);
    }
  }
}

type YamlMap = ReturnType<Reader['map']>;

const MODEL_NAME_FIX = 'Name the model with lower-case letters, digits and dashes that the stack does not use itself (e.g. name: qwen3-4b); it is also a folder, a container and a DNS name';

/** `memoryEnv`: the name of the variable compose substitutes (`${NAME:-0.25}`), so an environment variable name. */
function memoryEnvProblem(value: string): string | undefined {
  return /^[A-Z_][A-Z0-9_]*$/.test(value) ? undefined : `memoryEnv "${printable(value)}" must be an environment variable name (upper-case letters, digits and _, e.g. QWEN3_4B_GPU_MEMORY_UTILIZATION)`;
}

/**
 * A vLLM option value written from a field (`kvCacheDtype`, the parsers, `quantization`): one word
 * such as `fp8`, `qwen3_coder`, `compressed-tensors` — never one that `vllm serve` would read as a
 * flag of its own.
 */
const TOKEN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** A GPU id as Docker's `device_ids` takes it: an index (`0`) or a UUID (`GPU-…`, `MIG-…/1/0`). */
const GPU_ID = /^[A-Za-z0-9][A-Za-z0-9._/-]*$/;

/** A control character (newline, tab, escape …): never part of a value of this file. */
const CONTROL = /[\u0000-\u001f\u007f]/;

/** `vllm serve` flags the model template writes itself, with the field each one comes from. */
const TEMPLATE_FLAGS: ReadonlyMap<string, string> = new Map([
  ['--served-model-name', 'name'],
  ['--host', 'the template (0.0.0.0 inside the container)'],
  ['--port', 'hostPort (the container port is always 8000)'],
  ['--gpu-memory-utilization', 'defaultFraction and the scenarios'],
  ['--max-model-len', 'maxModelLen'],
  ['--kv-cache-dtype', 'kvCacheDtype'],
  ['--tool-call-parser', 'toolCallParser'],
  ['--enable-auto-tool-choice', 'toolCallParser'],
  ['--reasoning-parser', 'reasoningParser'],
  ['--trust-remote-code', 'trustRemoteCode'],
  ['--quantization', 'quantization'],
  ['-q', 'quantization'],
  ['--tensor-parallel-size', 'tensorParallel'],
  ['-tp', 'tensorParallel'],
]);

/** Typed access to the YAML tree that reports the offending line on every failure. */
class Reader {
  constructor(
    private readonly lines: LineCounter,
    private readonly file: string,
  ) {}

  fail(node: YamlNode | null | undefined, problem: string, fix?: string): never {
    const offset = node?.range?.[0];
    throw new FileFormatError(this.file, offset === undefined ? undefined : this.lines.linePos(offset).line, problem, fix);
  }

  /** A string that `problem` accepts (a name, a repo id …); else refused on its line with `fix`. */
  checked(parent: YamlMap, key: string, problem: (value: string) => string | undefined, fix: string): string {
    const value = this.string(parent, key);
    const found = problem(value);
    if (found !== undefined) this.fail(parent.get(key, true) as YamlNode, found, fix);
    return value;
  }

  /** One word given to `vllm serve` as an option's value (see {@link TOKEN}). */
  token(parent: YamlMap, key: string): string {
    return this.checked(parent, key, (v) => (TOKEN.test(v) ? undefined : `"${key}" must be one word of letters, digits, ".", "_" and "-" not starting with "-" (e.g. fp8, qwen3_coder), not "${printable(v)}"`), `Give ${key} as vLLM names it, e.g. ${key === 'kvCacheDtype' ? 'fp8 or auto' : key === 'quantization' ? 'awq' : 'hermes'}`);
  }

  optionalToken(parent: YamlMap, key: string): string | undefined {
    return parent.has(key) ? this.token(parent, key) : undefined;
  }

  /** Free text shown to people (a title): any characters but control characters. */
  optionalText(parent: YamlMap, key: string): string | undefined {
    if (!parent.has(key)) return undefined;
    return this.checked(parent, key, (v) => (CONTROL.test(v) ? `"${key}" must be one line without control characters, not "${printable(v)}"` : undefined), `Write ${key} on one line`);
  }

  map(node: unknown, what: string) {
    if (!isMap(node)) this.fail(node as YamlNode | undefined, `${what} must be a mapping`);
    return node;
  }

  seq(parent: YamlMap, key: string): readonly unknown[] {
    const node = this.required(parent, key);
    if (!isSeq(node)) this.fail(node, `"${key}" must be a list`);
    return node.items;
  }

  string(parent: YamlMap, key: string): string {
    const node = this.required(parent, key);
    if (!isScalar(node) || typeof node.value !== 'string' || node.value.trim() === '') this.fail(node, `"${key}" must be a non-empty string`);
    return node.value;
  }

  optionalString(parent: YamlMap, key: string): string | undefined {
    return parent.has(key) ? this.string(parent, key) : undefined;
  }

  optionalBoolean(parent: YamlMap, key: string): boolean | undefined {
    if (!parent.has(key)) return undefined;
    const node = this.required(parent, key);
    if (!isScalar(node) || typeof node.value !== 'boolean') this.fail(node, `"${key}" must be true or false`);
    return node.value;
  }

  /**
   * `extraArgs`: plain strings appended to `vllm serve`. The flags the template writes from the
   * entry's own fields are refused here, because a second copy would silently win over the field
   * the planner reads (e.g. a `--max-model-len` that disagrees with `maxModelLen`).
   */
  extraArgs(parent: YamlMap, key: string): readonly string[] | undefined {
    if (!parent.has(key)) return undefined;
    const node = this.required(parent, key);
    if (!isSeq(node)) this.fail(node, `"${key}" must be a list of strings`);
    return node.items.map((item) => {
      if (!isScalar(item) || (typeof item.value !== 'string' && typeof item.value !== 'number')) this.fail(item as YamlNode, `"${key}" items must be strings`);
      const arg = String(item.value);
      const flag = arg.split('=')[0] ?? arg;
      const field = TEMPLATE_FLAGS.get(flag);
      if (field) this.fail(item, `${flag} is written from "${field}"; set that field instead of repeating the flag in "${key}"`);
      // Compose would substitute `${...}` from the environment: a flag must mean what it says.
      if (arg.includes('$')) this.fail(item, `"${key}" items must not contain "$" (compose would substitute it)`);
      // Each item is one argv item (no shell) and the template quotes it in the YAML it writes;
      // a control character is never part of a flag and would only hide what the line says.
      if (CONTROL.test(arg)) this.fail(item, `"${key}" item "${printable(arg)}" has a control character (a newline, tab …)`, 'Give each flag and each value as its own list item on one line, e.g. - --max-num-seqs and - "64"');
      return arg;
    });
  }

  number(parent: YamlMap, key: string, limits: { min?: number; max?: number; integer?: boolean; exclusiveMin?: boolean } = {}): number {
    return this.numberNode(this.required(parent, key), `"${key}"`, limits);
  }

  fraction(node: YamlNode | null, what: string): number {
    return this.numberNode(node, what, { min: 0, max: 1, exclusiveMin: true });
  }

  tensorParallel(node: YamlNode | null): number {
    const value = this.numberNode(node, 'a tensor-parallel size', { min: 1, integer: true });
    // vLLM requires the size to divide the attention heads; for these models that means 1, 2 or 4.
    if (![1, 2, 4].includes(value)) this.fail(node, `tensor-parallel size ${value} is not supported (use 1, 2 or 4: it must divide the model's attention heads)`);
    return value;
  }

  /** `gpus:` — Docker `device_ids`: indices or UUIDs, nothing that could end the list or the line they are written on. */
  gpuIds(node: YamlNode | null): readonly string[] {
    if (!isSeq(node) || node.items.some((i) => !isScalar(i))) this.fail(node, 'must be a list of GPU ids');
    return node.items.map((item) => {
      const id = String((item as { value: unknown }).value);
      if (!GPU_ID.test(id)) this.fail(item as YamlNode, `GPU id "${printable(id)}" must be an index (0, 1 …) or a GPU UUID as nvidia-smi -L shows it`, 'List the GPUs by index, e.g. gpus: { multi-gpu: ["0", "1"] }');
      return id;
    });
  }

  perVariant<T>(parent: YamlMap, key: string, read: (node: YamlNode | null) => T): Partial<Record<ComposeVariant, T>> {
    if (!parent.has(key)) return {};
    const node = this.map(parent.get(key, true), `"${key}"`);
    const out: Partial<Record<ComposeVariant, T>> = {};
    for (const pair of node.items) {
      const variant = isScalar(pair.key) ? String(pair.key.value) : '';
      if (!COMPOSE_VARIANTS.includes(variant as ComposeVariant)) this.fail(pair.key as YamlNode, `"${key}" keys must be ${COMPOSE_VARIANTS.join(' or ')}`);
      out[variant as ComposeVariant] = read(pair.value as YamlNode | null);
    }
    return out;
  }

  private numberNode(node: YamlNode | null | undefined, what: string, limits: { min?: number; max?: number; integer?: boolean; exclusiveMin?: boolean }): number {
    if (!isScalar(node) || typeof node.value !== 'number' || !Number.isFinite(node.value)) this.fail(node, `${what} must be a number`);
    const value = node.value;
    if (limits.integer && !Number.isInteger(value)) this.fail(node, `${what} must be a whole number`);
    if (limits.min !== undefined && (limits.exclusiveMin ? value <= limits.min : value < limits.min)) this.fail(node, `${what} must be ${limits.exclusiveMin ? 'greater than' : 'at least'} ${limits.min}`);
    if (limits.max !== undefined && value > limits.max) this.fail(node, `${what} must be at most ${limits.max}`);
    return value;
  }

  private required(parent: YamlMap, key: string): YamlNode {
    const node = parent.get(key, true) as YamlNode | undefined;
    if (node === undefined || node === null) this.fail(parent, `missing "${key}"`);
    return node;
  }
}
