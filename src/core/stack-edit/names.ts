/**
 * Names and ports for a new model: DNS-safe (the name is also a container name and the host
 * LiteLLM dials on `vllm_network`), unique in the stack, and a host port no other part of the
 * stack publishes.
 */
import { SparkError } from '../errors';
import { RESERVED_NAMES, stackNameProblem } from '../inputs';
import type { ScenarioFile } from '../scenarios/file';

/** Ports the gateway publishes on the host (LiteLLM; NGINX's defaults) and the first model port. */
const GATEWAY_PORTS = [4000, 443, 80];
const FIRST_MODEL_PORT = 8001;
/** `vllm-` + name must stay a DNS label (63 characters). */
const MAX_NAME = 63 - 'vllm-'.length;

/**
 * A DNS-safe form of `wanted` (a repo id's last part or a name the user typed): lower case,
 * `[a-z0-9-]`, no leading/trailing hyphen, at most 58 characters.
 * Usage: `dnsSafeName('Qwen/Qwen3-4B-Instruct-2507')` → `qwen3-4b-instruct-2507`.
 */
export function dnsSafeName(wanted: string): string {
  const base = wanted.split('/').pop() ?? wanted;
  const safe = base.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/-+/g, '-').slice(0, MAX_NAME).replace(/^-+|-+$/g, '');
  if (safe === '') throw new SparkError(`"${wanted}" has no letters or digits to make a model name from`, 'Pass --name with a name like my-model');
  return safe;
}

/**
 * True when `name` is already a model, scenario, folder or container of the stack, or one of the
 * stack's own names ({@link RESERVED_NAMES}, the one list `scenarios.yaml` is checked against
 * too), for the model or for its container `vllm-<name>`.
 */
export function nameTaken(file: ScenarioFile, name: string): boolean {
  return RESERVED_NAMES.has(name) || RESERVED_NAMES.has(containerFor(name))
    || file.models.some((m) => m.name === name || m.folder === name || m.container === `vllm-${name}`)
    || file.scenarios.some((s) => s.name === name);
}

/**
 * A unique DNS-safe name: `wanted` made DNS-safe, else with `-2`, `-3`… appended. With
 * `exact: true` (a name the user chose) a clash is refused instead of renamed.
 * Usage: `uniqueModelName(stack.scenarios, 'openai/gpt-oss-20b')` → `gpt-oss-20b-2` in the bundled stack.
 */
export function uniqueModelName(file: ScenarioFile, wanted: string, options: { exact?: boolean } = {}): string {
  const base = dnsSafeName(wanted);
  // A reserved prefix (`backup-…`) stays reserved with any suffix: refuse rather than count on.
  const problem = stackNameProblem(base, 'model name');
  if (problem !== undefined && !RESERVED_NAMES.has(base)) throw new SparkError(problem, 'Pass --name with another name, e.g. my-model');
  if (!nameTaken(file, base)) return base;
  if (options.exact) throw new SparkError(`the stack already has a model, scenario or folder named "${base}"`, 'Pass another --name, or remove the old model first (spark-gateway remove-model)');
  for (let n = 2; ; n += 1) {
    const suffix = `-${n}`;
    const candidate = `${base.slice(0, MAX_NAME - suffix.length).replace(/-+$/, '')}${suffix}`;
    if (!nameTaken(file, candidate)) return candidate;
  }
}

/**
 * A host port for a new model: `wanted` if free among the stack's ports, else refused; without
 * `wanted`, the lowest free port from 8001 up. `otherPorts` adds ports the caller knows are used
 * (e.g. NGINX's from the stack's `.env`). Usage: `freeHostPort(stack.scenarios)` → 8004.
 */
export function freeHostPort(file: ScenarioFile, wanted?: number, otherPorts: readonly number[] = []): number {
  const used = new Map<number, string>([
    ...GATEWAY_PORTS.map((p): [number, string] => [p, 'the gateway']),
    ...otherPorts.map((p): [number, string] => [p, 'the gateway']),
    ...file.models.map((m): [number, string] => [m.hostPort, `model "${m.name}"`]),
  ]);
  if (wanted !== undefined) {
    if (!Number.isInteger(wanted) || wanted < 1 || wanted > 65535) throw new SparkError(`port ${wanted} is not a TCP port (1–65535)`);
    const owner = used.get(wanted);
    if (owner) throw new SparkError(`port ${wanted} is already used by ${owner} in this stack`, `Pass another --port, e.g. ${freeHostPort(file, undefined, otherPorts)}`);
    return wanted;
  }
  let port = FIRST_MODEL_PORT;
  while (used.has(port)) port += 1;
  return port;
}

/**
 * The environment variable a model's fraction is read from: `qwen-30b` → `QWEN_30B_GPU_MEMORY_UTILIZATION`
 * (`MODEL_` in front of a name that starts with a digit: a variable name cannot).
 */
export function memoryEnvFor(name: string): string {
  return `${/^[0-9]/.test(name) ? 'MODEL_' : ''}${name.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}_GPU_MEMORY_UTILIZATION`;
}

/** The container of a model, as the seed names them: `vllm-<name>`. */
export function containerFor(name: string): string {
  return `vllm-${name}`;
}
