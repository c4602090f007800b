/**
 * A new model's name and host port. The name is the model's one name everywhere (vLLM served
 * name, LiteLLM model_name, scenarios, container `vllm-<name>`, folder), so it must be DNS-safe
 * (Docker networks resolve the container name) and unique among models, scenarios and folders; the
 * port must be free of every port the stack already publishes.
 */
import { SparkError } from '../errors';
import type { ScenarioFile } from '../scenarios';

/** Ports of the gateway the stack publishes besides the models' (LiteLLM; NGINX from .env). */
export const LITELLM_PORT = 4000;
export const FIRST_MODEL_PORT = 8001;
const MAX_NAME = 40;
const DNS_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

/** `Qwen/Qwen3-4B-Instruct-2507` → `qwen3-4b-instruct-2507`. Pure. */
export function nameFromRepo(repo: string): string {
  const base = (repo.split('/').pop() ?? repo).toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  const name = base.slice(0, MAX_NAME).replace(/-+$/, '');
  return /^[a-z]/.test(name) ? name : `m-${name}`.slice(0, MAX_NAME).replace(/-+$/, '');
}

/** Names already taken: models, scenarios (a one-model scenario of the same name is added) and folders. */
function takenNames(file: ScenarioFile, folders: readonly string[]): Set<string> {
  return new Set([...file.models.map((m) => m.name), ...file.models.map((m) => m.folder), ...file.scenarios.map((s) => s.name), ...folders, 'litellm', 'nginx', 'ssl', 'simulator']);
}

/**
 * The name for a new model: `requested` checked (DNS-safe, unused), else one derived from the
 * repository with `-2`, `-3`, … added until it is unused. Throws {@link SparkError} naming the
 * clash. Pure.
 */
export function chooseName(repo: string, file: ScenarioFile, folders: readonly string[], requested?: string): string {
  const taken = takenNames(file, folders);
  if (requested !== undefined) {
    if (!DNS_NAME.test(requested) || requested.length > MAX_NAME) {
      throw new SparkError(`"${requested}" cannot be a model name: use lowercase letters, digits and "-" (not at either end), at most ${MAX_NAME} characters`, `e.g. --name ${nameFromRepo(repo)}`);
    }
    if (taken.has(requested)) throw new SparkError(`the name "${requested}" is already used in the stack (a model, scenario or folder)`, `Choose another --name, or remove the existing model first (remove-model ${requested})`);
    return requested;
  }
  const base = nameFromRepo(repo);
  for (let n = 1; ; n++) {
    const candidate = n === 1 ? base : `${base.slice(0, MAX_NAME - String(n).length - 1)}-${n}`;
    if (!taken.has(candidate)) return candidate;
  }
}

/**
 * The host port for a new model: `requested` checked against every port the stack publishes,
 * else the first free one from 8001. Pure.
 */
export function choosePort(file: ScenarioFile, gatewayPorts: readonly number[], requested?: number): number {
  const used = new Map<number, string>([...file.models.map((m) => [m.hostPort, `model ${m.name}`] as const), [LITELLM_PORT, 'LiteLLM'], ...gatewayPorts.map((p) => [p, 'NGINX'] as const)]);
  if (requested !== undefined) {
    if (!Number.isInteger(requested) || requested < 1 || requested > 65535) throw new SparkError(`port ${requested} is not a TCP port`, 'Give --port a number from 1024 to 65535');
    const owner = used.get(requested);
    if (owner) throw new SparkError(`port ${requested} is already used by ${owner}`, `Choose another --port, or leave it out to get the first free one from ${FIRST_MODEL_PORT}`);
    return requested;
  }
  let port = FIRST_MODEL_PORT;
  while (used.has(port)) port++;
  return port;
}

/** `qwen3-4b` → `QWEN3_4B_GPU_MEMORY_UTILIZATION`, the variable its compose files read. Pure. */
export function memoryEnvFor(name: string): string {
  return `${name.toUpperCase().replace(/-/g, '_')}_GPU_MEMORY_UTILIZATION`;
}
