/**
 * What a start needs before the model servers start — the images not yet present and the
 * weights not yet in the shared cache — checked against the disk before anything starts, then
 * fetched with progress: *Pull Images*, then *Download Models*, so vLLM's own start is a load,
 * not a download. The simulator reads no weights: its start downloads them only when HF_ENDPOINT
 * names a Hub (a mirror, or the tests' stand-in).
 */
import type { CheckResult } from '../checks';
import type { Cancellation } from '../process/cancellation';
import { CancelledError } from '../process/cancellation';
import type { ImagePuller } from '../docker/pull';

import type { Backend } from '../preflight/preflight';
import type { PhaseProgress } from '../progress/progress';
import type { ModelSpec } from '../scenarios/file';
import type { Stack } from '../stack/discovery';
import type { MissingImage } from '../weights/disk';
import { freeBytesAt, imagesDiskCheck } from '../weights/disk';
import type { WeightsPlan } from '../weights/download';
import type { WeightsContext } from '../weights/models';
import { downloadDiskCheck, downloadPlans, planModels, weightsContext } from '../weights/models';
import { pullMissing } from './scenario-images';
import { readStackEnv } from '../stack/env';

export interface FirstStartPlan {
  readonly missingImages: readonly string[];
  /** Undefined when the weights are not fetched by this start (the simulator without HF_ENDPOINT). */
  readonly weights?: readonly WeightsPlan[];
  readonly context: WeightsContext;
  /** Disk and Hub checks, to add to the pre-flight report. */
  readonly checks: readonly CheckResult[];
}

export interface FirstStartInput {
  readonly stack: Stack;
  readonly models: readonly ModelSpec[];
  readonly images: readonly string[];
  readonly backend: Backend;
  readonly puller: ImagePuller;
  readonly processEnv: NodeJS.ProcessEnv;
  readonly cancellation?: Cancellation;
}

/** Plans the pulls and downloads and checks the disk; changes nothing. */
export async function planFirstStart(input: FirstStartInput): Promise<FirstStartPlan> {
  const checks: CheckResult[] = [];
  const missingImages: string[] = [];
  for (const image of input.images) if (!(await input.puller.exists(image))) missingImages.push(image);
  if (missingImages.length > 0) {
    const dataRoot = await input.puller.dataRoot();
    const free = await freeBytesAt(dataRoot).catch(() => undefined);
    if (free) {
      const missing: MissingImage[] = [];
      for (const image of missingImages) {
        // A registry that does not answer here fails the pull later with its own message.
        const downloadBytes = await input.puller.downloadSize(image, input.cancellation).catch(() => undefined);
        missing.push({ image, ...(downloadBytes !== undefined ? { downloadBytes } : {}) });
      }
      checks.push(imagesDiskCheck({ dataRoot, freeBytes: free.freeBytes, missing }));
    }
  }
  const context = await weightsContext(input.stack, input.processEnv);
  const hubNamed = Boolean(input.processEnv.HF_ENDPOINT || (await readStackEnv(input.stack.root)).get('HF_ENDPOINT'));
  if (input.backend === 'simulator' && !hubNamed) {
    checks.push({ id: 'weights', title: 'Weights', status: 'skip', detail: 'the simulator reads no weights (set HF_ENDPOINT to download them anyway)' });
    return { missingImages, context, checks };
  }
  let weights: WeightsPlan[];
  try {
    weights = await planModels(input.models, context, input.cancellation);
  } catch (error) {
    if (error instanceof CancelledError) throw error;
    const fix = (error as { fix?: string }).fix;
    checks.push({ id: 'weights', title: 'Weights', status: 'fail', detail: error instanceof Error ? error.message : String(error), ...(fix ? { fix } : {}) });
    return { missingImages, context, checks };
  }
  checks.push(await downloadDiskCheck(weights, context));
  return { missingImages, weights, context, checks };
}

/** Pulls the missing images, then downloads the missing weights, reporting one figure per phase. */
export async function runFirstStart(plan: FirstStartPlan, puller: ImagePuller, options: { onProgress?: (progress: PhaseProgress, detail: string) => void; cancellation?: Cancellation } = {}): Promise<void> {
  if (plan.missingImages.length > 0) {
    await pullMissing(puller, plan.missingImages, { cancellation: options.cancellation, onProgress: (p, image) => options.onProgress?.(p, image) });
  }
  if (plan.weights && plan.weights.some((w) => w.missingBytes > 0 || w.revision !== w.sha)) {
    await downloadPlans(plan.weights, plan.context, { cancellation: options.cancellation, onProgress: (p, repo) => options.onProgress?.(p, repo) });
  }
}
