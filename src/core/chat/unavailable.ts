/**
 * `@spark` and the model picker when not everything runs: which of the stack's models the picker
 * offers (all of them, always — a participant can only answer with a model selected, and the
 * moment nothing runs is when a user needs `@spark` most), and what a request to a model that
 * does not answer should say. The live states tell "the models run but the gateway does not"
 * (fix: start the gateway) from "the model is not running" (fix: start a scenario). Pure.
 */
import type { ModelAvailability } from '../gateway/client';
import type { GatewayModel } from '../gateway/models';
import type { ScenarioFile } from '../scenarios/file';
import type { ServiceStatus } from '../state/service-state';

/** States in which a container serves (or is about to serve) requests. */
const UP_STATES: ReadonlySet<ServiceStatus['state']> = new Set(['healthy', 'running']);
/** The gateway services a chat request passes through (Redis and PostgreSQL only back LiteLLM). */
const GATEWAY_PATH = ['litellm', 'nginx'] as const;

export type UnavailableReason = 'gateway-down' | 'model-down' | 'not-answering';

export interface Unavailable {
  readonly reason: UnavailableReason;
  /** One sentence: what is wrong. */
  readonly message: string;
  /** One sentence: what to do (CLI and VS Code both). */
  readonly fix: string;
  /** For `gateway-down`: the scenario whose models already run (its start adds the gateway). */
  readonly scenario?: string;
}

export interface PickerEntry {
  readonly name: string;
  readonly maxInputTokens: number;
  readonly maxOutputTokens: number;
  readonly toolCalling: boolean;
  readonly answering: boolean;
  /** Probe round trip when it answered. */
  readonly latencyMs?: number;
  /** Why it does not answer, when it does not. */
  readonly unavailable?: Unavailable;
}

/** Whether the gateway answered: `down` when nothing answered at its URL, `unknown` when not asked. */
export type GatewayReach = 'answers' | 'down' | 'unknown';

/** What the gateway said, when it could be asked at all. */
export interface GatewayView {
  readonly models: readonly GatewayModel[];
  readonly availability: readonly ModelAvailability[];
}

function isUp(statuses: readonly ServiceStatus[] | undefined, kind: ServiceStatus['kind'], name: string): boolean {
  const status = statuses?.find((s) => s.kind === kind && s.name === name);
  return status !== undefined && UP_STATES.has(status.state);
}

/** The model servers that run now, by the live states. */
export function runningModels(statuses: readonly ServiceStatus[] | undefined): string[] {
  return (statuses ?? []).filter((s) => s.kind === 'model' && UP_STATES.has(s.state)).map((s) => s.name);
}

/**
 * The scenario to start so the gateway joins the models that run: the one holding the most of
 * them (all of its models running first). Undefined when no model runs. Pure.
 */
export function scenarioForRunningModels(file: ScenarioFile, running: readonly string[]): string | undefined {
  if (running.length === 0) return undefined;
  const scored = file.scenarios.map((s) => {
    const hits = [...s.models.keys()].filter((m) => running.includes(m)).length;
    return { name: s.name, hits, complete: hits === s.models.size };
  }).filter((s) => s.hits > 0);
  scored.sort((a, b) => Number(b.complete) - Number(a.complete) || b.hits - a.hits);
  return scored[0]?.name;
}

/**
 * Why `model` (or, without one, the gateway) does not answer, from the live states: its server
 * runs but LiteLLM or NGINX does not → start the gateway; its server does not run → start a
 * scenario serving it; both run → it is not answering (read its log). Pure.
 */
export function explainUnavailable(file: ScenarioFile, model: string | undefined, statuses: readonly ServiceStatus[] | undefined, gateway: GatewayReach = 'unknown'): Unavailable {
  const running = runningModels(statuses);
  // A gateway run outside Docker reads as absent: what the gateway itself did decides first.
  const gatewayDown = gateway === 'answers' ? [] : GATEWAY_PATH.filter((g) => gateway === 'down' || !isUp(statuses, 'gateway', g));
  const modelUp = model === undefined ? running.length > 0 : running.includes(model);
  if (modelUp && gatewayDown.length > 0 && statuses !== undefined) {
    const scenario = scenarioForRunningModels(file, running);
    const what = model ?? running.join(', ');
    const names = gatewayDown.map((g) => (g === 'litellm' ? 'LiteLLM' : 'NGINX')).join(' and ');
    return {
      reason: 'gateway-down',
      message: `${what} ${model === undefined && running.length > 1 ? 'run' : 'runs'}, but the gateway does not (${names} not running)`,
      fix: `Start the gateway: \`spark-gateway up ${scenario ?? '<scenario>'}\` starts LiteLLM and NGINX beside the models that already run (or Spark Gateway: Start Scenario…, "Models and gateway")`,
      ...(scenario ? { scenario } : {}),
    };
  }
  if (!modelUp) {
    const serving = file.scenarios.filter((s) => model !== undefined && s.models.has(model)).map((s) => s.name);
    const target = model !== undefined && serving.includes(model) ? model : serving[0];
    return {
      reason: 'model-down',
      message: model === undefined ? 'no model server of the stack is running' : `${model} is not running`,
      fix: `Start a scenario${model ? ` with ${model}` : ''}: \`spark-gateway up ${target ?? '<scenario>'}\` (or Spark Gateway: Start Scenario…)`,
    };
  }
  return {
    reason: 'not-answering',
    message: `${model ?? 'the model'} runs but does not answer through the gateway`,
    fix: `Read its log (\`spark-gateway logs ${model ?? '<model>'}\`, or Spark Gateway: Tail Logs) and check \`spark-gateway doctor\``,
  };
}

/**
 * The picker's models: every model of the stack (in scenarios.yaml's order, limits from LiteLLM
 * when it answered, else from scenarios.yaml), then any other model the gateway routes. Those
 * whose probe did not answer — all of them when the gateway cannot be asked — carry the reason.
 * Pure.
 */
export function pickerEntries(file: ScenarioFile | undefined, gateway: GatewayView | undefined, statuses: readonly ServiceStatus[] | undefined): PickerEntry[] {
  const stackModels = file?.models ?? [];
  const entries: PickerEntry[] = [];
  const entry = (name: string, limits: Omit<PickerEntry, 'name' | 'answering'>) => {
    const probe = gateway?.availability.find((a) => a.model === name);
    const answering = probe?.available === true;
    entries.push({
      name,
      ...limits,
      answering,
      ...(answering && probe.latencyMs !== undefined ? { latencyMs: probe.latencyMs } : {}),
      ...(answering || !file ? {} : { unavailable: explainUnavailable(file, name, statuses, gateway ? 'answers' : 'down') }),
    });
  };
  for (const spec of stackModels) {
    const routed = gateway?.models.find((m) => m.name === spec.name);
    entry(spec.name, routed
      ? { maxInputTokens: routed.maxInputTokens, maxOutputTokens: routed.maxOutputTokens, toolCalling: routed.toolCalling }
      : { maxInputTokens: spec.maxModelLen, maxOutputTokens: spec.maxModelLen, toolCalling: spec.toolCallParser !== undefined });
  }
  for (const routed of gateway?.models ?? []) {
    if (!stackModels.some((m) => m.name === routed.name)) entry(routed.name, { maxInputTokens: routed.maxInputTokens, maxOutputTokens: routed.maxOutputTokens, toolCalling: routed.toolCalling });
  }
  return entries;
}

