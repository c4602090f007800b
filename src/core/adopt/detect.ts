/**
 * Reads a guide-style folder (the guide's `llms/vllm/`, or a stack) into what the checks look
 * at: each model folder's compose files and the vLLM command in them, LiteLLM's compose file and
 * routes, NGINX's compose file and config, the env template and the scripts. Reads only.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { isMap, isScalar } from 'yaml';
import { modelFolders } from '../stack/discovery';
import type { Token } from './yaml-source';
import { YamlSource, flagValue } from './yaml-source';

export const MODEL_VARIANTS = [
  { variant: 'spark', file: 'docker-compose.yml' },
  { variant: 'multi-gpu', file: 'docker-compose-gpu.yml' },
] as const;

/** One model server compose file and what its vLLM command says. */
export interface ModelCompose {
  readonly folder: string;
  readonly variant: 'spark' | 'multi-gpu';
  /** Path relative to the stack. */
  readonly file: string;
  readonly yaml: YamlSource;
  /** The service key (the first service). */
  readonly service: string;
  readonly container?: string;
  readonly image?: string;
  /** The command's words with their source offsets; undefined when it cannot be split. */
  readonly tokens?: Token[];
  /** The node holding the command (for its line). */
  readonly commandNode: unknown;
  readonly hfModel?: Token;
  readonly flag: (name: string) => { flag: Token; value: Token } | undefined;
}

/** One entry of LiteLLM's `model_list`. */
export interface Route {
  readonly index: number;
  readonly modelName: string;
  /** `litellm_params.model` without its provider prefix (`openai/x` → `x`). */
  readonly upstreamModel?: string;
  readonly apiBase?: string;
  /** Host of `api_base` (the container it reaches on vllm_network). */
  readonly apiHost?: string;
}

export interface GuideFolder {
  readonly root: string;
  readonly models: ModelCompose[];
  readonly litellmCompose?: YamlSource;
  readonly litellmConfig?: YamlSource;
  readonly routes: Route[];
  readonly nginxCompose?: YamlSource;
  /** Path relative to the stack and text of each other file the checks read. */
  readonly texts: ReadonlyMap<string, string>;
  readonly hasScenarios: boolean;
}

/** A text file of the folder, or undefined when it does not exist. */
function read(root: string, rel: string): string | undefined {
  const file = path.join(root, rel);
  return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
}

function yamlAt(root: string, rel: string): YamlSource | undefined {
  const text = read(root, rel);
  return text === undefined ? undefined : new YamlSource(rel, text);
}

function modelCompose(root: string, folder: string, variant: 'spark' | 'multi-gpu', name: string): ModelCompose | undefined {
  const file = path.posix.join(folder, name);
  const yaml = yamlAt(root, file);
  if (!yaml) return undefined;
  const service = yaml.keys(['services'])[0] ?? folder;
  const commandNode = yaml.get(['services', service, 'command']);
  const tokens = yaml.commandTokens(commandNode);
  const serve = tokens?.findIndex((t) => t.value === 'serve') ?? -1;
  // nvcr.io images run `vllm serve MODEL …`; vllm/vllm-openai's entrypoint is `vllm serve`, so the command starts with MODEL.
  const hfModel = tokens ? (serve >= 0 ? tokens[serve + 1] : tokens.find((t) => !t.value.startsWith('-'))) : undefined;
  return {
    folder,
    variant,
    file,
    yaml,
    service,
    container: yaml.string(['services', service, 'container_name']),
    image: yaml.string(['services', service, 'image']),
    tokens,
    commandNode,
    hfModel,
    flag: (flag) => (tokens ? flagValue(tokens, flag) : undefined),
  };
}

function routesOf(config: YamlSource | undefined): Route[] {
  if (!config) return [];
  return config.items(['model_list']).flatMap((item, index) => {
    if (!isMap(item)) return [];
    const name = item.get('model_name', true);
    if (!isScalar(name)) return [];
    const upstream = config.string(['model_list', index, 'litellm_params', 'model']);
    const apiBase = config.string(['model_list', index, 'litellm_params', 'api_base']);
    let apiHost: string | undefined;
    try {
      apiHost = apiBase ? new URL(apiBase).hostname : undefined;
    } catch {
      apiHost = undefined;
    }
    return [{ index, modelName: String(name.value), upstreamModel: upstream?.replace(/^[\w-]+\//, ''), apiBase, apiHost }];
  });
}

/** Reads the folder at `root`. */
export function detectGuideFolder(root: string): GuideFolder {
  const models = modelFolders(root).flatMap((folder) => MODEL_VARIANTS.flatMap((v) => modelCompose(root, folder, v.variant, v.file) ?? []));
  const litellmConfig = yamlAt(root, 'litellm/config.yaml');
  const texts = new Map<string, string>();
  for (const rel of ['.env', 'env.example', '.env.example', 'nginx/multi-model.conf', 'test-endpoints.sh', 'sync-env.sh', 'certs.sh', 'litellm/quick-start.sh', 'litellm/test-litellm.sh']) {
    const text = read(root, rel);
    if (text !== undefined) texts.set(rel, text);
  }
  return {
    root,
    models,
    litellmCompose: yamlAt(root, 'litellm/docker-compose.yml'),
    litellmConfig,
    routes: routesOf(litellmConfig),
    nginxCompose: yamlAt(root, 'docker-compose.yml'),
    texts,
    hasScenarios: existsSync(path.join(root, 'scenarios.yaml')),
  };
}

/** The served name of a model compose file: `--served-model-name`, else the model id vLLM serves. */
export function servedName(m: ModelCompose): string | undefined {
  return m.flag('--served-model-name')?.value.value ?? m.hfModel?.value;
}

/** The environment variable a model's memory fraction comes from: `QWEN_30B_GPU_MEMORY_UTILIZATION`. */
export function memoryEnvOf(folder: string): string {
  return `${folder.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}_GPU_MEMORY_UTILIZATION`;
}
