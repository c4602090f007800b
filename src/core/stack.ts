/**
 * Where the stack is and what it holds. A stack is a folder laid out as the seed's `llms/vllm/`
 * with a `scenarios.yaml`; the extension and the CLI find it the same way so they never disagree.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { StackNotFoundError } from './errors';
import type { ScenarioFile } from './scenarios';
import { loadScenarioFile } from './scenarios';

export const SCENARIOS_FILE = 'scenarios.yaml';

/** Folders inside a workspace folder that may hold a stack, in order of preference. */
const CANDIDATES = ['stack', path.join('llms', 'vllm'), '.'];

export interface Stack {
  readonly root: string;
  readonly scenarios: ScenarioFile;
}

/** The gateway services of the seed, in start order (models come before all of them). */
export const GATEWAY_SERVICES = [
  { name: 'postgres', container: 'vllm-litellm-postgres', folder: 'litellm', label: 'PostgreSQL' },
  { name: 'redis', container: 'vllm-litellm-redis', folder: 'litellm', label: 'Redis' },
  { name: 'litellm', container: 'vllm-litellm-proxy', folder: 'litellm', label: 'LiteLLM' },
  { name: 'nginx', container: 'vllm-nginx-proxy', folder: '.', label: 'NGINX' },
] as const;

export type GatewayServiceName = (typeof GATEWAY_SERVICES)[number]['name'];

/** True when `dir` itself is a stack folder. */
export function isStackFolder(dir: string): boolean {
  return existsSync(path.join(dir, SCENARIOS_FILE));
}

/** Finds a stack inside a workspace folder (`stack/`, seed-style `llms/vllm/`, or the folder itself). */
export function findStackIn(folder: string): string | undefined {
  for (const candidate of CANDIDATES) {
    const dir = path.resolve(folder, candidate);
    if (isStackFolder(dir)) return dir;
  }
  return undefined;
}

export interface StackSearch {
  /** A path the user set explicitly (`--stack`, `sparkGateway.stackPath`): used as is or fails. */
  readonly explicit?: string;
  /** Folders to search in order (the current directory, workspace folders). */
  readonly folders?: readonly string[];
  /** The copy shipped with the extension or CLI, used when nothing else is found. */
  readonly bundled?: string;
}

/** Resolves the stack folder as SPEC §4 says; throws {@link StackNotFoundError} with the fix. */
export function resolveStackRoot(search: StackSearch): string {
  if (search.explicit !== undefined) {
    const dir = path.resolve(search.explicit);
    if (isStackFolder(dir)) return dir;
    throw new StackNotFoundError(`${dir} is not a stack: it has no ${SCENARIOS_FILE}`, 'Point --stack (or sparkGateway.stackPath) at the folder holding scenarios.yaml');
  }
  for (const folder of search.folders ?? []) {
    const found = findStackIn(folder);
    if (found) return found;
  }
  if (search.bundled && isStackFolder(search.bundled)) return search.bundled;
  throw new StackNotFoundError('no stack found (a folder with scenarios.yaml)', 'Create one from the bundled stack, or pass --stack PATH');
}

/** Loads the stack at `root`. */
export async function loadStack(root: string): Promise<Stack> {
  return { root, scenarios: await loadScenarioFile(path.join(root, SCENARIOS_FILE)) };
}
