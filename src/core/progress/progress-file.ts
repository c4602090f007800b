/**
 * Where a start's pull/download progress is, for the other processes that show it: `status` run
 * in another terminal, the extension's tree while the CLI pulls. One small JSON file per model
 * under the temporary folder (never the stack, which may be read-only, nor the install folder),
 * written at most twice a second, with the writer's pid so a file left by a killed start is
 * ignored.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeFileAtomic } from '../files';
import { requireName } from '../inputs';
import type { PhaseProgress } from './progress';

interface Stored {
  readonly pid: number;
  readonly updatedAt: number;
  readonly progress: PhaseProgress;
}

function folderOf(stackRoot: string): string {
  const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
  return path.join(os.tmpdir(), `spark-gateway-${uid}`, 'progress', createHash('sha1').update(path.resolve(stackRoot)).digest('hex').slice(0, 12));
}

/**
 * The file holding `model`'s progress for the stack at `stackRoot`. The name becomes a file name:
 * it must be a model name as `scenarios.yaml` allows it (checked there; again here, because a
 * `../` would leave the folder), else this throws.
 */
export function progressFile(stackRoot: string, model: string): string {
  return path.join(folderOf(stackRoot), `${requireName(model, 'model name')}.json`);
}

/** Records `progress` for each of `models`. */
export async function writeProgress(stackRoot: string, models: readonly string[], progress: PhaseProgress): Promise<void> {
  await mkdir(folderOf(stackRoot), { recursive: true, mode: 0o700 });
  const text = JSON.stringify({ pid: process.pid, updatedAt: Date.now(), progress } satisfies Stored);
  await Promise.all(models.map((m) => writeFileAtomic(progressFile(stackRoot, m), text, 0o600)));
}

/** Removes the progress of `models` (the phase ended). */
export async function clearProgress(stackRoot: string, models: readonly string[]): Promise<void> {
  await Promise.all(models.map((m) => rm(progressFile(stackRoot, m), { force: true })));
}

/** The progress a live start recorded for `model`, or undefined (none, or its writer is gone). */
export function readProgress(stackRoot: string, model: string): PhaseProgress | undefined {
  try {
    const stored = JSON.parse(readFileSync(progressFile(stackRoot, model), 'utf8')) as Stored;
    process.kill(stored.pid, 0);
    return stored.progress;
  } catch {
    return undefined;
  }
}

/**
 * A writer that records at most every `intervalMs` (and always the last figure of a phase when
 * flushed), so a fast download does not spend its time writing progress files.
 */
export function throttledProgressWriter(stackRoot: string, intervalMs = 500): { record(models: readonly string[], progress: PhaseProgress): void; flush(): Promise<void>; clear(models: readonly string[]): Promise<void> } {
  let last = 0;
  let pending: Promise<void> = Promise.resolve();
  return {
    record(models, progress) {
      const now = Date.now();
      if (now - last < intervalMs && progress.fraction < 1) return;
      last = now;
      pending = pending.then(() => writeProgress(stackRoot, models, progress)).catch(() => undefined);
    },
    flush: () => pending,
    async clear(models) {
      await pending;
      await clearProgress(stackRoot, models);
    },
  };
}
