/**
 * The memory model's data, as plain serialisable types with no imports: the CLI prints them as
 * JSON and the webview (a browser bundle without Node's types) imports them with `import type`.
 * The functions that compute them live in snapshot.ts and preflight.ts.
 */

/** A model server's state as SPEC §4 names it; `unknown` when Docker could not be asked. */
export type ModelState = 'absent' | 'created' | 'starting' | 'loading' | 'running' | 'healthy' | 'unhealthy' | 'restarting' | 'paused' | 'exited' | 'unknown';

/** Where a model's memory fraction came from: its container's command line, the running scenario, or its default. */
export type FractionSource = 'container' | 'scenario' | 'default';

/** Where a model's `usedBytes` came from. */
export type UsedSource = 'nvidia-smi' | 'docker' | 'none';

export interface GpuMemory {
  readonly index: number;
  /** Undefined where the GPU cannot report it (GB10 answers `[N/A]`). */
  readonly usedBytes?: number;
  readonly totalBytes?: number;
}

export interface ModelMemory {
  readonly name: string;
  readonly container: string;
  readonly state: ModelState;
  /** GPU memory of the container's processes where nvidia-smi reports it, else Docker stats; 0 when not running. */
  readonly usedBytes: number;
  readonly usedSource: UsedSource;
  readonly dockerBytes?: number;
  readonly gpuBytes?: number;
  /** fraction × total: the budget vLLM reserves for this model. */
  readonly plannedBytes: number;
  readonly fraction: number;
  readonly fractionSource: FractionSource;
  /** Weights estimate from scenarios.yaml. */
  readonly weightsBytes: number;
  readonly overheadBytes: number;
  /** vLLM's `kv_cache_usage_perc` (0..1) when its `/metrics` answered. */
  readonly kvCacheUsage?: number;
}

/** models + other = usedBytes; cache + free = availableBytes; all four = totalBytes. */
export interface MemoryParts {
  readonly modelsBytes: number;
  readonly otherBytes: number;
  /** The part of MemAvailable the kernel gets back from caches (MemAvailable − MemFree). */
  readonly cacheBytes: number;
  readonly freeBytes: number;
}

export interface MemorySnapshot {
  readonly takenAt: string;
  readonly totalBytes: number;
  /** total − available: what processes hold and the kernel cannot give back. */
  readonly usedBytes: number;
  /** MemAvailable: what a new process can get, page cache included. */
  readonly availableBytes: number;
  /** Page cache (Cached): available, but vLLM's start-up check counts it as used. */
  readonly reclaimableBytes: number;
  /** MemFree: neither used nor cache. */
  readonly freeBytes: number;
  /** The pool split for a stacked bar; the four parts add up to totalBytes. */
  readonly parts: MemoryParts;
  /** The scenario whose models (and fractions) are the running ones. */
  readonly runningScenario?: string;
  /** `unified`: one pool (DGX Spark, or no NVIDIA tools); `discrete`: GPUs with their own memory. */
  readonly gpuMemory: 'unified' | 'discrete';
  readonly gpus: readonly GpuMemory[];
  readonly models: readonly ModelMemory[];
  /** Sources that failed (Docker unreachable …), in words; the picture is partial when not empty. */
  readonly problems: readonly string[];
}

/**
 * `fits`: the plan holds and the new budgets fit in free memory. `fits-after-dropping-cache`:
 * they fit only in available memory that includes page cache, which vLLM's start-up check
 * counts as used — drop the cache first. `does-not-fit`: see `reasons`.
 */
/** `running`: every model of the scenario runs now (at its fractions); starting it adds nothing. */
export type MemoryVerdict = 'running' | 'fits' | 'fits-after-dropping-cache' | 'does-not-fit';

export interface ModelNeed {
  readonly name: string;
  readonly fraction: number;
  readonly budgetBytes: number;
  /** Weights + overhead + one full-length request's KV cache: the least vLLM starts with. */
  readonly minimumBytes: number;
  readonly weightsBytes: number;
  /** Already running at this fraction: it stays and needs nothing new. */
  readonly alreadyRunning: boolean;
}

/** The planner's totals (a subset of `ScenarioPlan`, whose full type needs Node). */
export interface PlanTotals {
  readonly totalBytes: number;
  readonly reserveBytes: number;
  readonly plannedBytes: number;
  readonly freeAfterBytes: number;
}

export interface MemoryCheck {
  readonly scenario: string;
  readonly title: string;
  readonly verdict: MemoryVerdict;
  readonly fits: boolean;
  readonly plan: PlanTotals;
  readonly models: readonly ModelNeed[];
  /** Sum of the budgets of the models the start would add (or restart at another fraction). */
  readonly neededBytes: number;
  /** Available now, plus what the models being stopped or restarted give back. */
  readonly availableBytes: number;
  /** The part of `availableBytes` that is not page cache. */
  readonly freeBytes: number;
  /** Why it does not fit, one line each (the planner's first); empty when it fits. */
  readonly reasons: readonly string[];
  /** Things to do first even though it fits (drop the page cache). */
  readonly warnings: readonly string[];
}

/** One host's memory: its snapshot, or why it could not be read. */
export interface HostMemory {
  readonly name: string;
  readonly main: boolean;
  /** How its engine is reached, in words. */
  readonly reach: string;
  readonly address?: string;
  readonly snapshot?: MemorySnapshot;
  /** Only the pool's total is known (Docker's MemTotal): its used/free split in `snapshot` is not measured. */
  readonly totalOnly?: boolean;
  /** Why the host could not be read (its engine or SSH unreachable), with the fix when known. */
  readonly error?: string;
  readonly fix?: string;
}
