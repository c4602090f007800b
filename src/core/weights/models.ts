/**
 * The weights of a set of models (a scenario, or one model): their plans against the shared cache
 * and one download across all of them, so `download`, Start and *Download Models* report one
 * byte figure and fetch each repository once even when two model entries share it.
 */
import type { Cancellation } from '../process/cancellation';
import type { HubSettings } from '../hub/transport';

import { findScenario } from '../planner';
import type { PhaseProgress } from '../progress/progress';
import { RateMeter, byteProgress } from '../progress/progress';
import type { ModelSpec } from '../scenarios/file';
import type { Stack } from '../stack/discovery';
import { UnknownNameError } from '../errors';
import type { CheckResult } from '../checks';
import { hfCacheDir } from './cache-dir';
import { listCachedModels } from './cache-list';
import { freeBytesAt, weightsDiskCheck } from './disk';
import type { DownloadResult, WeightsPlan } from './download';
import { downloadWeights, planWeights } from './download';
import { readStackEnv } from '../stack/env';
import { stackHubSettings } from '../hub/transport';

/** Where a stack's weights go and how the Hub is reached, from its `.env` and the process. */
export interface WeightsContext {
  readonly cacheDir: string;
  readonly settings: HubSettings;
}

/** The cache folder and Hub settings of a stack. */
export async function weightsContext(stack: Stack, processEnv: NodeJS.ProcessEnv): Promise<WeightsContext> {
  return { cacheDir: hfCacheDir(await readStackEnv(stack.root), processEnv), settings: await stackHubSettings(stack.root, processEnv) };
}

/** The models a `download` argument names: a model of scenarios.yaml, or a scenario's models. */
export function modelsNamed(stack: Stack, name: string): ModelSpec[] {
  const model = stack.scenarios.models.find((m) => m.name === name || m.hfModel === name);
  if (model) return [model];
  try {
    const scenario = findScenario(stack.scenarios, name);
    return [...scenario.models.keys()].map((n) => stack.scenarios.models.find((m) => m.name === n)).filter((m): m is ModelSpec => m !== undefined);
  } catch {
    throw new UnknownNameError('model or scenario', name, [...stack.scenarios.models.map((m) => m.name), ...stack.scenarios.scenarios.map((s) => s.name)]);
  }
}

/**
 * The disk check of a download: what `plans` still need against the free space of the cache's
 * filesystem, with the cache's other models as what could be deleted.
 */
export async function downloadDiskCheck(plans: readonly WeightsPlan[], context: WeightsContext): Promise<CheckResult> {
  const free = await freeBytesAt(context.cacheDir);
  return weightsDiskCheck({ cacheDir: context.cacheDir, freeBytes: free.freeBytes, needBytes: plans.reduce((n, p) => n + p.missingBytes, 0), cached: await listCachedModels(context.cacheDir), keep: plans.map((p) => p.repo), now: Date.now() });
}

/** One plan per distinct repository of `models`. */
export async function planModels(models: readonly ModelSpec[], context: WeightsContext, cancellation?: Cancellation): Promise<WeightsPlan[]> {
  const repos = [...new Set(models.map((m) => m.hfModel))];
  const plans: WeightsPlan[] = [];
  for (const repo of repos) plans.push(await planWeights(repo, { ...context, cancellation }));
  return plans;
}

/**
 * Downloads what `plans` lack, repository after repository, with one figure across all of them
 * (cached bytes count as done). Throws CancelledError when cancelled; partial files stay.
 */
export async function downloadPlans(plans: readonly WeightsPlan[], context: WeightsContext, options: { onProgress?: (progress: PhaseProgress, repo: string, file: string) => void; cancellation?: Cancellation } = {}): Promise<DownloadResult[]> {
  const total = plans.reduce((n, p) => n + p.totalBytes, 0);
  const meter = new RateMeter();
  let before = 0;
  const results: DownloadResult[] = [];
  for (const plan of plans) {
    const offset = before;
    results.push(await downloadWeights(plan, {
      settings: context.settings,
      cancellation: options.cancellation,
      onProgress: (p, file) => {
        const done = offset + p.doneBytes;
        options.onProgress?.(byteProgress('download', done, total, meter.sample(done)), plan.repo, file);
      },
    }));
    before += plan.totalBytes;
  }
  return results;
}
