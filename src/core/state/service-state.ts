/**
 * The state of one service as every view shows it (SPEC §4): what Docker says about its container,
 * refined for model servers by how far vLLM got in loading and, once healthy, how busy it is.
 */
import type { ContainerDetails, PortBinding } from '../docker/types';
import type { LoadProgress } from '../logs/vllm-progress';
import type { ModelLoad } from '../metrics/vllm';
import type { PhaseProgress } from '../progress/progress';
import type { ServiceKind, ServiceRow } from '../stack/services';

export const SERVICE_STATES = ['absent', 'created', 'starting', 'loading', 'running', 'healthy', 'unhealthy', 'restarting', 'paused', 'exited'] as const;
export type ServiceState = (typeof SERVICE_STATES)[number];

/** Docker's health status, `none` without a healthcheck, null without a container. */
export type HealthState = 'starting' | 'healthy' | 'unhealthy' | 'none' | null;

export interface ServiceStatus {
  readonly kind: ServiceKind;
  /** Model name or gateway service name. */
  readonly name: string;
  /** The host (of scenarios.yaml's `hosts:`) whose engine runs it; set by the per-host composition. */
  readonly host?: string;
  /** The container's actual name when it exists, else the name it would have (SPEC §2). */
  readonly container: string;
  readonly state: ServiceState;
  readonly health: HealthState;
  readonly ports: readonly PortBinding[];
  readonly containerId?: string;
  readonly image?: string;
  /** ISO time of the last start, while it runs. */
  readonly startedAt?: string;
  readonly exitCode?: number;
  readonly restartCount?: number;
  readonly gpus?: string;
  /** Loading progress of a model server that is up but not healthy yet. */
  readonly progress?: { readonly fraction: number; readonly text: string };
  /**
   * SPEC §9's progress of a model (weights/model-progress.ts: a recorded pull or download, the
   * cache while vLLM downloads, the load) — the figure `status` prints — when the state model
   * reads it (the window's, for the Servers tree; the CLI computes it itself).
   */
  readonly phaseProgress?: PhaseProgress;
  /** Requests of a healthy model (from its /metrics, while a view asks for them). */
  readonly requests?: { readonly running: number; readonly waiting: number };
  /** KV-cache use 0..1 of a healthy model. */
  readonly kv?: number;
  /** The last log line, kept when the container failed (exited non-zero, unhealthy). */
  readonly lastLogLine?: string;
  /** Output of the last failed health probe. */
  readonly healthOutput?: string;
}

/**
 * Maps a container to its service state. A model server that runs but is not healthy yet is
 * `loading` once its log shows progress (`starting` before that); without a healthcheck it is
 * `running` once vLLM logged that its API server is up. Pure.
 */
export function deriveState(kind: ServiceKind, details: ContainerDetails | undefined, progress?: LoadProgress): ServiceState {
  if (!details) return 'absent';
  switch (details.status) {
    case 'created':
      return 'created';
    case 'paused':
      return 'paused';
    case 'restarting':
      return 'restarting';
    case 'exited':
    case 'dead':
    case 'removing':
      return 'exited';
    case 'running':
      break;
  }
  const health = details.health?.status;
  if (health === 'healthy') return 'healthy';
  if (health === 'unhealthy') return 'unhealthy';
  if (kind === 'model') {
    if (progress?.ready && health !== 'starting') return 'running';
    return progress && progress.fraction > 0 ? 'loading' : 'starting';
  }
  return health === 'starting' ? 'starting' : 'running';
}

/** The status of a service from its container (or none). Pure. */
export function statusOf(
  row: { readonly kind: ServiceKind; readonly name: string; readonly container: string },
  details: ContainerDetails | undefined,
  extra: { readonly progress?: LoadProgress; readonly load?: ModelLoad; readonly lastLogLine?: string } = {},
): ServiceStatus {
  const state = deriveState(row.kind, details, extra.progress);
  if (!details) return { kind: row.kind, name: row.name, container: row.container, state, health: null, ports: [] };
  const running = details.status === 'running' || details.status === 'paused' || details.status === 'restarting';
  const failed = state === 'unhealthy' || (state === 'exited' && details.exitCode !== 0) || state === 'restarting';
  return {
    kind: row.kind,
    name: row.name,
    container: details.name,
    state,
    health: details.health?.status ?? 'none',
    ports: details.ports,
    containerId: details.id,
    image: details.image,
    ...(running ? { startedAt: details.startedAt } : {}),
    ...(state === 'exited' ? { exitCode: details.exitCode } : {}),
    restartCount: details.restartCount,
    ...(details.gpus ? { gpus: details.gpus } : {}),
    ...(state === 'loading' && extra.progress ? { progress: { fraction: round(extra.progress.fraction), text: extra.progress.text } } : {}),
    ...(state === 'healthy' && extra.load ? { requests: { running: extra.load.running, waiting: extra.load.waiting }, ...(extra.load.kvCacheUsage !== undefined ? { kv: round(extra.load.kvCacheUsage) } : {}) } : {}),
    ...(failed && extra.lastLogLine ? { lastLogLine: extra.lastLogLine } : {}),
    ...(state === 'unhealthy' && details.health?.lastOutput ? { healthOutput: details.health.lastOutput } : {}),
  };
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/** "2 running · 1 waiting · KV 12%" for a healthy model. Pure. */
export function describeLoad(status: ServiceStatus): string | undefined {
  if (!status.requests) return undefined;
  const kv = status.kv !== undefined ? ` · KV ${Math.round(status.kv * 100)}%` : '';
  return `${status.requests.running} running · ${status.requests.waiting} waiting${kv}`;
}

/** "3 h 5 min" from an ISO start time. Pure. */
export function formatUptime(startedAt: string | undefined, now: number): string | undefined {
  if (!startedAt) return undefined;
  const started = Date.parse(startedAt);
  if (!Number.isFinite(started) || started <= 0) return undefined;
  const s = Math.max(0, Math.floor((now - started) / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86400)} d ${Math.floor((s % 86400) / 3600)} h`;
}

/**
 * A milestone's text as a loading row reads: "loading shard 3/5", but "downloading weights" and
 * "starting API server" as they are (a second verb after "loading" reads as a stutter).
 */
function loadingText(text: string): string {
  return /^\w+ing\b/.test(text) ? text : `loading ${text}`;
}

/** The state in words, as a tree row and the CLI table show it. Pure. */
export function describeState(status: ServiceStatus): string {
  switch (status.state) {
    case 'absent':
      return 'not created';
    case 'exited':
      return `exited (${status.exitCode ?? '?'})`;
    case 'loading':
      return status.progress ? `${loadingText(status.progress.text)} (${Math.round(status.progress.fraction * 100)}%)` : 'loading';
    default:
      return status.state;
  }
}

/**
 * The row's description, short enough for the default side bar width: the state, then the load
 * of a healthy model whose /metrics were read ("healthy · 2 running · 1 waiting", "healthy ·
 * idle"), else the first host port ("starting · port 8001"). KV-cache use, every port, uptime and the
 * rest are in the tooltip. Pure.
 */
export function describeRow(row: Pick<ServiceRow, 'kind' | 'container' | 'hostPort'>, status: ServiceStatus | undefined): string {
  if (!status) return row.kind === 'model' ? `port ${row.hostPort}` : row.container;
  const state = describeState(status);
  if (status.requests) {
    const { running, waiting } = status.requests;
    return `${state} · ${running === 0 && waiting === 0 ? 'idle' : `${running} running · ${waiting} waiting`}`;
  }
  const port = status.ports[0]?.hostPort ?? row.hostPort;
  return port !== undefined && status.state !== 'exited' && status.state !== 'loading' ? `${state} · port ${port}` : state;
}
