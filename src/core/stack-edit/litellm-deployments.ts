/**
 * LiteLLM's `model_list` generated from where a scenario places its models: one deployment per
 * placement under the model's one name, so LiteLLM's router spreads requests over the replicas
 * and, with the retry and cooldown settings of `router_settings`, skips a host that fails until
 * it answers again. A model on this machine is reached by container name on `vllm_network` (no
 * key, as before); a model on another host at `http://<address>:<hostPort>/v1` with the key
 * sync-env generated (`os.environ/VLLM_API_KEY`). Edited through the YAML Document API, so the
 * user's comments, order and other entries survive, and nothing changes when nothing has to.
 */
import type { Node as YamlNode, Scalar, YAMLMap } from 'yaml';
import { isMap, isSeq, parseDocument } from 'yaml';
import { FileFormatError } from '../errors';
import { resolvePlacements } from '../scenarios/placement';
import { API_KEY_VARIABLE, CONTAINER_PORT } from '../stack/model-template';
import type { HostSpec, ModelSpec, ScenarioFile, ScenarioSpec } from '../scenarios/file';
import { addLiteLlmModel, hasLiteLlmModel, liteLlmEntryFor } from './yaml-edits';

/** One LiteLLM deployment of a model: where it is and the key LiteLLM sends. */
export interface Deployment {
  readonly host: string;
  readonly apiBase: string;
  readonly apiKey: string;
}

/** What LiteLLM sends to a server on this machine, which runs without a key (vLLM ignores it). */
export const LOCAL_API_KEY = 'not-used';
/** What LiteLLM sends to a server on another host: the key from its environment (litellm/.env). */
export const REMOTE_API_KEY = `os.environ/${API_KEY_VARIABLE}`;

/**
 * The router settings replicas need, written when the file lacks them (a value the user set is
 * kept), each for a reason read in LiteLLM 1.108.7's router (router.py, cooldown_handlers.py):
 * - `routing_strategy: simple-shuffle`: no shared counters to keep per chunk of a long stream;
 *   bench:hosts measured least-busy equal within noise.
 * - `num_retries: 2`: a request whose connection a dead replica refuses is sent again at once.
 *   A retry re-picks at random among the deployments not cooling down, so it can meet the same
 *   dead replica again: it is the failure it sees that puts the replica aside, not the retry.
 * - `allowed_fails: 1`, `cooldown_time: 30`: the second failure within 30 s puts a deployment
 *   aside for 30 s, then LiteLLM tries it again, so a host that comes back gets traffic by
 *   itself; one transient error does not put the only live replica aside. A failure whose text
 *   names APIConnectionError (a connection reset while a container restarts) is never counted.
 * - `enable_weighted_failover: true`: when the retries are spent (each on the dead replica, or
 *   before a cooldown was counted), the request is sent once more within the same model name
 *   with the deployment that failed excluded, to the replica that answers. Without it LiteLLM
 *   answered a request that started after a replica was killed with 500 "Cannot connect to
 *   host" (test/integration/hosts-replicas.test.ts). A stream the dead replica cut off
 *   mid-answer is still lost: the test counts those apart.
 */
export const ROUTER_DEFAULTS: Readonly<Record<string, string | number | boolean>> = {
  routing_strategy: 'simple-shuffle',
  num_retries: 2,
  allowed_fails: 1,
  cooldown_time: 30,
  enable_weighted_failover: true,
};

/** Where LiteLLM reaches `model` on `host`. Pure. */
export function deploymentOf(model: ModelSpec, host: HostSpec): Deployment {
  return host.main || host.address === undefined
    ? { host: host.name, apiBase: `http://${model.container}:${CONTAINER_PORT}/v1`, apiKey: LOCAL_API_KEY }
    : { host: host.name, apiBase: `http://${host.address}:${model.hostPort}/v1`, apiKey: REMOTE_API_KEY };
}

/** Each model of the scenario with its deployments, in placement order. Pure. */
export function scenarioDeployments(file: ScenarioFile, scenario: ScenarioSpec): Map<ModelSpec, Deployment[]> {
  const out = new Map<ModelSpec, Deployment[]>();
  for (const p of resolvePlacements(file, scenario)) out.set(p.model, [...(out.get(p.model) ?? []), deploymentOf(p.model, p.host)]);
  return out;
}

/**
 * LiteLLM's config with the deployments of every model of `scenario` as its placements say
 * (other models' entries untouched) and the router settings replicas need. Returns `text`
 * itself when it already says so. Usage:
 * `liteLlmConfigFor(await readFile(cfg, 'utf8'), cfg, stack.scenarios, scenario)`.
 */
export function liteLlmConfigFor(text: string, file: string, scenarios: ScenarioFile, scenario: ScenarioSpec): string {
  let out = text;
  const deployments = scenarioDeployments(scenarios, scenario);
  for (const [model, list] of deployments) {
    if (!hasLiteLlmModel(out, file, model.name)) out = addLiteLlmModel(out, file, liteLlmEntryFor(model));
    out = setDeployments(out, file, model.name, list);
  }
  const replicated = [...deployments.values()].some((list) => list.length > 1);
  return replicated ? withRouterDefaults(out, file) : out;
}

/**
 * Replaces the `model_list` entries named `name` by one per deployment, each a copy of the first
 * entry (its `model_info`, its comments) with `api_base` and `api_key` set. Pure.
 */
export function setDeployments(text: string, file: string, name: string, deployments: readonly Deployment[]): string {
  const doc = parse(text, file);
  const list = doc.get('model_list', true);
  if (!isSeq(list)) throw new FileFormatError(file, undefined, '"model_list" must be a list');
  const entries = list.items.filter((item): item is YAMLMap => isMap(item) && item.get('model_name') === name);
  const first = entries[0];
  if (!first) throw new FileFormatError(file, undefined, `model_list has no "${name}"`);
  const current = entries.map((e) => `${paramsOf(e, file).get('api_base')} ${paramsOf(e, file).get('api_key')}`);
  if (current.join('\n') === deployments.map((d) => `${d.apiBase} ${d.apiKey}`).join('\n')) return text;

  const several = deployments.length > 1 || deployments.some((d) => d.apiKey !== LOCAL_API_KEY);
  const nodes = deployments.map((d, i) => {
    const node = i === 0 ? first : (first.clone() as YAMLMap);
    if (i > 0) {
      node.commentBefore = undefined;
      node.spaceBefore = true;
    }
    const params = paramsOf(node, file);
    const base = doc.createNode(d.apiBase) as Scalar;
    // Which host a deployment is, in LiteLLM's own file: its logs name only the api_base.
    if (several) base.comment = ` ${d.host}`;
    params.set('api_base', base);
    const key = doc.createNode(d.apiKey) as Scalar;
    if (d.apiKey === LOCAL_API_KEY) key.type = 'QUOTE_DOUBLE';
    params.set('api_key', key);
    return node;
  });
  const at = list.items.indexOf(first);
  list.items = list.items.filter((item) => !entries.includes(item as YAMLMap));
  list.items.splice(at, 0, ...nodes);
  return doc.toString(TO_STRING);
}

/** `router_settings` with {@link ROUTER_DEFAULTS} filled in where missing. Pure. */
export function withRouterDefaults(text: string, file: string): string {
  const doc = parse(text, file);
  let settings = doc.get('router_settings', true) as YamlNode | undefined;
  if (settings === undefined || settings === null) {
    settings = doc.createNode({});
    doc.set('router_settings', settings);
  }
  if (!isMap(settings)) throw new FileFormatError(file, undefined, '"router_settings" must be a mapping');
  const missing = Object.entries(ROUTER_DEFAULTS).filter(([key]) => !settings.has(key));
  if (missing.length === 0) return text;
  for (const [key, value] of missing) settings.set(key, value);
  return doc.toString(TO_STRING);
}

const TO_STRING = { lineWidth: 0 } as const;

function parse(text: string, file: string) {
  const doc = parseDocument(text, { prettyErrors: false });
  const error = doc.errors[0];
  if (error) throw new FileFormatError(file, error.linePos?.[0].line, error.message.split('\n')[0] ?? 'invalid YAML');
  return doc;
}

function paramsOf(entry: YAMLMap, file: string): YAMLMap {
  const params = entry.get('litellm_params', true);
  if (!isMap(params)) throw new FileFormatError(file, undefined, `the model_list entry "${String(entry.get('model_name'))}" has no litellm_params mapping`);
  return params;
}
