/**
 * The images a scenario start runs (the models' compose files of its variant, plus the gateway's
 * unless models only), resolved as compose resolves them, and the *Pull Images* step: every
 * missing one pulled through the Engine API with one byte figure across all of them.
 */
import * as path from 'node:path';
import type { Cancellation } from '../process/cancellation';
import { throwIfCancelled } from '../process/cancellation';
import { composeFileFor, gatewayProjects } from '../compose/commands';
import { composeImages } from '../compose/images';
import type { ImagePuller, PullProgress } from '../docker/pull';
import type { PhaseProgress } from '../progress/progress';
import { RateMeter, byteProgress } from '../progress/progress';
import type { ComposeVariant, ModelSpec } from '../scenarios/file';
import type { Stack } from '../stack/discovery';

/** The compose files a start of these models uses, models first. Pure. */
export function startComposeFiles(stack: Stack, models: readonly ModelSpec[], variant: ComposeVariant, modelsOnly: boolean): string[] {
  const files = models.map((m) => path.join(stack.root, m.folder, composeFileFor(variant)));
  if (!modelsOnly) files.push(...gatewayProjects(stack.root).map((p) => path.join(p.dir, 'docker-compose.yml')));
  return files;
}

/** The distinct images those files run, resolved against `processEnv` over each folder's `.env`. */
export async function startImages(stack: Stack, models: readonly ModelSpec[], variant: ComposeVariant, modelsOnly: boolean, processEnv: NodeJS.ProcessEnv = process.env): Promise<string[]> {
  const files = startComposeFiles(stack, models, variant, modelsOnly);
  return [...new Set((await Promise.all(files.map((f) => composeImages(f, processEnv)))).flat())];
}

export interface PullResult {
  readonly pulled: readonly string[];
  readonly present: readonly string[];
}

/**
 * Pulls the images that are not present, one after the other, reporting one figure for all of
 * them: bytes of every layer of every image being pulled. Throws CancelledError when cancelled
 * (the image being pulled stays absent; those finished stay).
 */
export async function pullMissing(puller: ImagePuller, images: readonly string[], options: { onProgress?: (progress: PhaseProgress, image: string) => void; cancellation?: Cancellation } = {}): Promise<PullResult> {
  const present: string[] = [];
  const missing: string[] = [];
  for (const image of images) ((await puller.exists(image)) ? present : missing).push(image);
  const finished: PullProgress[] = [];
  const meter = new RateMeter();
  for (const image of missing) {
    throwIfCancelled(options.cancellation);
    const report = (current: PullProgress) => {
      const done = finished.reduce((n, p) => n + p.doneBytes, 0) + current.doneBytes;
      const total = finished.reduce((n, p) => n + p.totalBytes, 0) + current.totalBytes;
      options.onProgress?.(byteProgress('pull', done, total, meter.sample(done)), image);
    };
    finished.push(await puller.pull(image, { onProgress: report, cancellation: options.cancellation }));
  }
  return { pulled: missing, present };
}
