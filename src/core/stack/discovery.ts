/**
 * Where the stack is and what it holds. A stack is a folder laid out as the seed's `llms/vllm/`
 * with a `scenarios.yaml`; a folder in that layout without one is a guide folder, a stack to
 * adopt. The extension and the CLI find it the same way so they never disagree. The copy bundled
 * with the extension and the CLI is a read-only template: it carries {@link TEMPLATE_MARKER},
 * may be read, and {@link requireWritableStack} refuses every write into it.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { SparkError, StackNotFoundError } from '../errors';
import type { ScenarioFile } from '../scenarios/file';
import { loadScenarioFile } from '../scenarios/file';

export const SCENARIOS_FILE = 'scenarios.yaml';
/** The file that marks the bundled stack as a template (never copied by `init`). */
export const TEMPLATE_MARKER = '.spark-gateway-template';
/** The fix for "no stack here", one wording for every command and view. */
export const INIT_FIX = 'Run `spark-gateway init [DIR]` (in VS Code: Spark Gateway: Create Stack) to copy the bundled stack into your folder, then work there';

/** Folders inside a workspace folder that may hold a stack, in order of preference. */
const CANDIDATES = ['stack', path.join('llms', 'vllm'), '.'];

/** How a stack was found: named by the user, found in a workspace folder, or the bundled template. */
export type StackSource = 'explicit' | 'workspace' | 'bundled';

export interface Stack {
  readonly root: string;
  readonly scenarios: ScenarioFile;
  readonly source: StackSource;
  /** The bundled read-only template: it may be read, never written. */
  readonly template: boolean;
}

/** What the search found: a stack, or a guide-style folder that `adopt` turns into one. */
export interface StackLocation {
  readonly kind: 'stack' | 'adopt';
  readonly root: string;
  readonly source: StackSource;
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

/** True when `dir` is the bundled template (it carries {@link TEMPLATE_MARKER}). */
export function isTemplateFolder(dir: string): boolean {
  return existsSync(path.join(dir, TEMPLATE_MARKER));
}

/**
 * Folders of `dir` holding a `docker-compose.yml` that are not the gateway's: the model folders,
 * as sync-env.sh finds them (`*\/docker-compose.yml` minus the gateway's and adopt's backups).
 */
export function modelFolders(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  // simulator: stacks created before the simulator moved out of stack/ (to simulator/) still hold a copy.
  return names
    .filter((name) => !['litellm', 'nginx', 'simulator', 'ssl'].includes(name) && !name.startsWith('backup-') && !name.startsWith('.'))
    .filter((name) => statSync(path.join(dir, name), { throwIfNoEntry: false })?.isDirectory() && existsSync(path.join(dir, name, 'docker-compose.yml')))
    .sort();
}

/**
 * True when `dir` is laid out as the guide leaves `llms/vllm/` but has no `scenarios.yaml`:
 * `litellm/` with its compose file, `nginx/`, and at least one model folder with a compose file.
 */
export function isGuideFolder(dir: string): boolean {
  return (
    !isStackFolder(dir) &&
    existsSync(path.join(dir, 'litellm', 'docker-compose.yml')) &&
    existsSync(path.join(dir, 'nginx')) &&
    modelFolders(dir).length > 0
  );
}

/** Finds a stack inside a workspace folder (`stack/`, seed-style `llms/vllm/`, or the folder itself). */
export function findStackIn(folder: string): string | undefined {
  const found = locateIn(folder);
  return found?.kind === 'stack' ? found.root : undefined;
}

/** The first stack or guide folder inside `folder`, in the order of {@link CANDIDATES}. */
function locateIn(folder: string): { kind: 'stack' | 'adopt'; root: string } | undefined {
  for (const candidate of CANDIDATES) {
    const dir = path.resolve(folder, candidate);
    if (isStackFolder(dir)) return { kind: 'stack', root: dir };
    if (isGuideFolder(dir)) return { kind: 'adopt', root: dir };
  }
  return undefined;
}

export interface StackSearch {
  /** A path the user set explicitly (`--stack`, `sparkGateway.stackPath`): used as is or fails. */
  readonly explicit?: string;
  /** Folders to search in order (the current directory, workspace folders). */
  readonly folders?: readonly string[];
  /** The copy shipped with the extension or CLI, used (read-only) when nothing else is found. */
  readonly bundled?: string;
}

/**
 * Finds the stack as SPEC §4 says: the explicit path, else `stack/` or `llms/vllm/` (or the
 * folder itself) in each folder — a guide-style folder without `scenarios.yaml` is returned as
 * `adopt` — else the bundled template. Throws {@link StackNotFoundError} with the fix.
 */
export function locateStack(search: StackSearch): StackLocation {
  if (search.explicit !== undefined) {
    const dir = path.resolve(search.explicit);
    if (isStackFolder(dir)) return { kind: 'stack', root: dir, source: isTemplateFolder(dir) ? 'bundled' : 'explicit' };
    if (isGuideFolder(dir)) return { kind: 'adopt', root: dir, source: 'explicit' };
    throw new StackNotFoundError(`${dir} is not a stack: it has no ${SCENARIOS_FILE} and is not laid out as the guide's llms/vllm/`, 'Point --stack (or sparkGateway.stackPath) at the folder holding scenarios.yaml, or run `spark-gateway init DIR` to create one');
  }
  for (const folder of search.folders ?? []) {
    const found = locateIn(folder);
    if (found) return { ...found, source: 'workspace' };
  }
  if (search.bundled && isStackFolder(search.bundled)) return { kind: 'stack', root: search.bundled, source: 'bundled' };
  throw new StackNotFoundError('no stack in this folder (no stack/ or llms/vllm/ with scenarios.yaml)', INIT_FIX);
}

/** A guide folder was found where a stack was needed: it has to be adopted first. */
export class NeedsAdoptionError extends StackNotFoundError {
  constructor(readonly root: string) {
    super(`${root} is laid out as the guide's llms/vllm/ but has no ${SCENARIOS_FILE}: it needs adopting`, `Run \`spark-gateway --stack ${root} adopt --dry-run\` to see what adopting changes, then \`spark-gateway --stack ${root} adopt\` (in VS Code: Spark Gateway: Adopt This Stack…)`);
  }
}

/** Resolves the stack folder as {@link locateStack} does; a guide folder throws {@link NeedsAdoptionError}. */
export function resolveStackRoot(search: StackSearch): string {
  const found = locateStack(search);
  if (found.kind === 'adopt') throw new NeedsAdoptionError(found.root);
  return found.root;
}

/** Loads the stack at `root`; whether it is the template is read from the folder itself. */
export async function loadStack(root: string, source?: StackSource): Promise<Stack> {
  const template = isTemplateFolder(root);
  return { root, scenarios: await loadScenarioFile(path.join(root, SCENARIOS_FILE)), source: source ?? (template ? 'bundled' : 'explicit'), template };
}

/** Refused write: the folder is the bundled template, not the user's stack. */
export class TemplateStackError extends SparkError {
  constructor(readonly root: string) {
    super(`no stack in this folder: ${root} is the stack bundled with Spark Gateway, a read-only template`, INIT_FIX);
  }
}

/**
 * The one guard every writing operation calls first (env sync, certificates, start/stop, adopt,
 * adding or removing models): it throws {@link TemplateStackError} when `target` is the bundled
 * template, so nothing is ever written into the extension's or the CLI's install folder.
 */
export function requireWritableStack(target: string | Pick<Stack, 'root' | 'template'>): void {
  const root = typeof target === 'string' ? target : target.root;
  const template = typeof target === 'string' ? isTemplateFolder(root) : target.template || isTemplateFolder(root);
  if (template) throw new TemplateStackError(root);
}
