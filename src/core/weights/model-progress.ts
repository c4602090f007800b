/**
 * SPEC §9's progress of a model — the one figure `status` (text and `--json`) and the Servers tree
 * show for it, so the two cannot disagree: a pull or download that a start in any process
 * recorded (progress-file.ts), else the cache's growth while vLLM downloads the weights by
 * itself, else vLLM's load read from its log (bytes as the shards loaded of the model's weights).
 * The service comes in as the few fields read here (the state feature's status has them), so
 * this feature does not depend on the state model that calls it.
 */
import type { PhaseProgress } from '../progress/progress';
import { byteProgress } from '../progress/progress';
import { readProgress } from '../progress/progress-file';
import { readStackEnv } from '../stack/env';
import { hfCacheDir, repoFolder } from './cache-dir';
import { readRepoBlobs } from './cache-list';

/** What the progress of a service is computed from (a `ServiceStatus` is one). */
export interface ProgressService {
  readonly kind: string;
  readonly name: string;
  /** The service state (`absent`, `created`, `starting`, `loading`, …). */
  readonly state: string;
  /** vLLM's load as read from its log: `downloading weights`, `shard 2/4`, … */
  readonly progress?: { readonly fraction: number; readonly text: string };
}

/** A model of scenarios.yaml, as far as its progress needs it. */
export interface ProgressModel {
  readonly name: string;
  readonly hfModel: string;
  readonly weightsGiB?: number;
}

/** Where the progress of a stack's models is read from. */
export interface ModelProgressSource {
  /** The stack's folder: the progress files of its starts are kept per stack. */
  readonly stackRoot: string;
  /** The shared Hugging Face cache the model servers mount ({@link hfCacheDir}). */
  readonly cacheDir: string;
  readonly models: readonly ProgressModel[];
}

/** The source of a loaded stack: its root, its models and its cache folder (from its `.env` and the process). */
export async function modelProgressSource(stack: { readonly root: string; readonly scenarios: { readonly models: readonly ProgressModel[] } }, processEnv: NodeJS.ProcessEnv): Promise<ModelProgressSource> {
  return { stackRoot: stack.root, cacheDir: hfCacheDir(await readStackEnv(stack.root), processEnv), models: stack.scenarios.models };
}

/**
 * SPEC §9's progress of `service`, or undefined (not a model, or nothing under way):
 *
 * 1. before its server runs (absent, created, starting), the pull or download a live start in
 *    any process recorded for it;
 * 2. while vLLM downloads the weights by itself (a model started by hand: starting, or loading
 *    at "downloading weights" — vLLM logs nothing of the download, 0.31) and the repository's
 *    cache folder holds a partial blob (`<etag>.incomplete`): the bytes of its blobs, partial ones
 *    included, against the model's weights;
 * 3. else vLLM's load: `shard 2/4` as that share of the weights' bytes, other milestones as none
 *    or all of them (from 70 % on), with vLLM's own fraction and text.
 *
 * Pure apart from reading the progress file and, in case 2 only, the cache folder.
 */
export async function modelProgress(service: ProgressService, source: ModelProgressSource): Promise<PhaseProgress | undefined> {
  if (service.kind !== 'model') return undefined;
  if (service.state === 'absent' || service.state === 'created' || service.state === 'starting') {
    const recorded = readProgress(source.stackRoot, service.name);
    if (recorded) return recorded;
  }
  const model = source.models.find((m) => m.name === service.name);
  const weights = Math.round((model?.weightsGiB ?? 0) * 1024 ** 3);
  // (vLLM's "Loading model from scratch" is read as 'downloading weights' until its next line.)
  const vllmDownloads = (service.state === 'starting' || service.state === 'loading') && (!service.progress || service.progress.text === 'downloading weights');
  if (vllmDownloads && model) {
    const blobs = await readRepoBlobs(repoFolder(source.cacheDir, model.hfModel));
    if (blobs.partialBlobs > 0) return byteProgress('download', Math.min(blobs.sizeBytes, weights), weights);
  }
  if (!service.progress) return undefined;
  // The load's text is vLLM's own milestone ("shard 2/4"), as status --json gave it before phases.
  const shards = /shard (\d+)\/(\d+)/.exec(service.progress.text);
  const doneBytes = shards ? Math.round((weights * Number(shards[1])) / Number(shards[2])) : service.progress.fraction >= 0.7 ? weights : 0;
  return { phase: 'load', doneBytes, totalBytes: weights, fraction: service.progress.fraction, text: service.progress.text };
}
