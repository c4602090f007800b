/**
 * What every check knows besides the folder: the name each model will have end to end, the
 * memory fraction it defaults to, and the pinned images of the bundled template.
 */
import type { GuideFolder, ModelCompose, Route } from './detect';
import { memoryEnvOf, servedName } from './detect';
import { knownModel } from './known-models';

/** A model folder as it will be after adopting. */
export interface ModelIdentity {
  readonly folder: string;
  /** The one name: vLLM's served name, LiteLLM's model_name, scenarios.yaml's name. */
  readonly name: string;
  readonly container: string;
  readonly route?: Route;
  readonly memoryEnv: string;
  /** The default of `--gpu-memory-utilization ${memoryEnv:-…}`: theirs when it is a valid fraction. */
  readonly defaultFraction: number;
  readonly spark?: ModelCompose;
  readonly multiGpu?: ModelCompose;
}

export interface AdoptContext {
  readonly folder: GuideFolder;
  readonly identities: readonly ModelIdentity[];
  /** Image repository → the pinned image the bundled template uses (`nginx` → `nginx:1.27.5-alpine`). */
  readonly pinned: ReadonlyMap<string, string>;
  /** Text of the bundled template's files that replace broken scripts (`test-endpoints.sh`). */
  readonly templateText: (rel: string) => string | undefined;
}

/** The memory a machine of this kind has: a DGX Spark's 128 GiB, less the stack's reserve. */
export const PLAN_TOTAL_GIB = 128;
export const RESERVE_GIB = 8;

function literalFraction(m: ModelCompose | undefined): number | undefined {
  const value = m?.flag('--gpu-memory-utilization')?.value.value;
  const n = value === undefined ? NaN : Number(value);
  return Number.isFinite(n) && n > 0 && n < 1 ? n : undefined;
}

/** Works out each model folder's identity (pure: it reads the detected folder only). */
export function identities(folder: GuideFolder): ModelIdentity[] {
  const folders = [...new Set(folder.models.map((m) => m.folder))];
  return folders.map((name) => {
    const spark = folder.models.find((m) => m.folder === name && m.variant === 'spark');
    const multiGpu = folder.models.find((m) => m.folder === name && m.variant === 'multi-gpu');
    const main = spark ?? multiGpu;
    const container = main?.container ?? `vllm-${name}`;
    const served = main ? servedName(main) : undefined;
    // The route LiteLLM uses for this server: the one whose api_base reaches its container, else one named like the folder or the served name.
    const route = folder.routes.find((r) => r.apiHost === container) ?? folder.routes.find((r) => r.modelName === name || r.modelName === served);
    const fromExisting = main?.flag('--gpu-memory-utilization')?.value.value.match(/^\$\{\w+:-([\d.]+)\}$/)?.[1];
    const known = knownModel(main?.hfModel?.value);
    const alone = Math.min(0.9, Math.ceil(((known?.weightsGiB ?? 0) + (known?.overheadGiB ?? 4) + 2) / PLAN_TOTAL_GIB * 100) / 100);
    return {
      folder: name,
      name: route?.modelName ?? (served && !served.includes('/') ? served : name),
      container,
      route,
      memoryEnv: memoryEnvOf(name),
      defaultFraction: literalFraction(main) ?? (fromExisting ? Number(fromExisting) : Math.max(alone, 0.1)),
      spark,
      multiGpu,
    };
  });
}
