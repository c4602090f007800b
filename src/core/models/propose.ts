/**
 * `add-model`'s first half: read a Hub repository, work out its memory and flags, and propose
 * the scenarios.yaml entry, the one-model scenario and the files — without writing anything.
 * `add-model --dry-run` prints this; without it the stack writer applies it.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import type { Cancellation } from '../process/cancellation';
import { readStackEnv } from '../stack/env';

import { HUB_CACHE_DIR } from '../hub/cache';
import type { HubModelFiles } from '../hub/model-files';
import { readHubModel } from '../hub/model-files';
import type { HubSettings } from '../hub/transport';
import { GIB, planModel } from '../planner';
import type { ModelPlan } from '../planner';

import type { ModelSpec } from '../scenarios/file';
import type { Stack } from '../stack/discovery';
import { requireWritableStack } from '../stack/discovery';
import { SparkError } from '../errors';
import { parseModelConfig } from './config';
import type { MemoryEstimate } from './estimate';
import { checkArchitecture, checkpointQuantization, estimateMemory, weightsFromFiles } from './estimate';
import type { ServingFlags } from './flags';
import { servingFlags } from './flags';
import type { KvCacheDtype } from './kv-cache';
import type { VllmImages } from '../stack/vllm-images';
import { loadVllmImages } from '../stack/vllm-images';
import { containerFor, freeHostPort, memoryEnvFor, uniqueModelName } from '../stack-edit/names';
import { modelAdditionChanges, readStackTexts } from '../stack-edit/model-changes';
import type { StackTexts } from '../stack-edit/model-changes';
import type { StackChange, StackFs } from '../files';
import { applyStackChanges } from '../files';
import { nginxPorts } from '../stack/layout';

export interface AddModelRequest {
  readonly repo: string;
  readonly name?: string;
  readonly revision?: string;
  readonly maxModelLen?: number;
  readonly kvCacheDtype: KvCacheDtype;
  readonly port?: number;
  /** Memory to plan against (this machine's MemTotal unless the user gives one). */
  readonly totalBytes: number;
  readonly concurrency?: number;
}

export interface ModelProposal {
  readonly repo: string;
  readonly revision: string;
  readonly sha: string;
  readonly fromCache: boolean;
  readonly architecture: string;
  readonly estimate: MemoryEstimate;
  readonly flags: ServingFlags;
  /** The scenarios.yaml entry. */
  readonly spec: ModelSpec;
  /** The one-model scenario of the same name and its fraction. */
  readonly scenario: { readonly name: string; readonly title: string; readonly fraction: number };
  /** The planner's verdict for that scenario's model (it must fit: the estimate chose the fraction). */
  readonly plan: ModelPlan;
  /** The stack edits that add it (folder, compose files, scenarios.yaml, LiteLLM), applied all or none. */
  readonly changes: readonly StackChange[];
  /** Files written or edited, relative to the stack. */
  readonly files: readonly string[];
}

/**
 * Reads `request.repo` from the Hub (or the stack's cache) and proposes its entry. Throws a
 * HubError, {@link ModelRefusedError} or {@link SparkError} with the cause and the fix; writes
 * nothing but the Hub cache — and with `dryRun` not even that (it still reads the cache).
 */
export async function proposeModel(stack: Stack, request: AddModelRequest, hub: { settings: HubSettings; dryRun?: boolean; cancellation?: Cancellation; onStep?: (text: string) => void }): Promise<ModelProposal> {
  // The bundled template is read-only: a dry run against it reads the Hub but caches nothing there.
  const cacheDir = stack.template ? undefined : path.join(stack.root, HUB_CACHE_DIR);
  const files = await readHubModel(request.repo, { settings: hub.settings, revision: request.revision, cacheDir, cacheReadOnly: hub.dryRun === true, cancellation: hub.cancellation, onStep: hub.onStep });
  const ports = nginxPorts(await readStackEnv(stack.root));
  return proposeFromHub(files, stack, request, { gatewayPorts: [ports.https, ports.http], texts: await readStackTexts(stack.root), images: await loadVllmImages(stack.root) });
}

/**
 * Writes a proposal into the stack: the model folder, its scenarios.yaml entry and one-model
 * scenario, its LiteLLM entry — all files or none (after a failure the stack is as it was).
 */
export async function writeProposal(stack: Stack, proposal: ModelProposal, options: { fs?: Partial<StackFs> } = {}): Promise<void> {
  requireWritableStack(stack);
  // The folder may have appeared since the proposal was made (another add-model): refuse, never merge.
  if (existsSync(path.join(stack.root, proposal.spec.folder))) throw new SparkError(`${path.join(stack.root, proposal.spec.folder)} already exists`, 'Pass another --name, or remove that folder first');
  await applyStackChanges(stack.root, proposal.changes, options);
}

/** The proposal from what the Hub said. Pure. */
export function proposeFromHub(hub: HubModelFiles, stack: Stack, request: AddModelRequest, context: { gatewayPorts: readonly number[]; texts: StackTexts; images: VllmImages }): ModelProposal {
  const weights = weightsFromFiles(hub.repo, hub.files, hub.indexTotalSize);
  if (hub.configText === undefined) throw new SparkError(`${hub.repo} has no config.json, so vLLM cannot tell which model it is`, 'Pick the original Transformers repository of the model (its model card names it as base_model)');
  const config = parseModelConfig(hub.configText, `${hub.repo}/config.json`);
  const architecture = checkArchitecture(config);
  const quantization = checkpointQuantization(config);
  const file = stack.scenarios;
  const name = uniqueModelName(file, request.name ?? hub.repo, { exact: request.name !== undefined });
  const hostPort = freeHostPort(file, request.port, context.gatewayPorts);
  const estimate = estimateMemory({ config, weights, kvCacheDtype: request.kvCacheDtype, maxModelLen: request.maxModelLen, totalBytes: request.totalBytes, reserveBytes: file.reserveGiB * GIB, concurrency: request.concurrency });
  const flags = servingFlags(hub.repo, config, quantization);
  const spec: ModelSpec = {
    name,
    folder: name,
    container: containerFor(name),
    hfModel: hub.repo,
    // Rounded up, so the planner (which reads GiB) never plans less than the checkpoint holds.
    weightsGiB: Math.ceil((weights.value / GIB) * 100) / 100,
    overheadGiB: estimate.overhead.value / GIB,
    kvCacheDtype: request.kvCacheDtype,
    kvBytesPerToken: estimate.kv.bytesPerToken.value,
    maxModelLen: estimate.context.value,
    hostPort,
    memoryEnv: memoryEnvFor(name),
    defaultFraction: estimate.fraction.value,
    toolCallParser: flags.toolCallParser,
    reasoningParser: flags.reasoningParser,
    trustRemoteCode: flags.trustRemoteCode || undefined,
    extraArgs: request.revision ? ['--revision', hub.sha] : undefined,
    tensorParallel: { spark: 1, 'multi-gpu': 1 },
    gpus: { 'multi-gpu': ['0'] },
  };
  const plan = planModel(spec, spec.defaultFraction, request.totalBytes);
  const changes = modelAdditionChanges(context.texts, spec, context.images, stack.root);
  return {
    repo: hub.repo,
    revision: hub.revision,
    sha: hub.sha,
    fromCache: hub.fromCache === true,
    architecture,
    estimate,
    flags,
    spec,
    scenario: { name, title: `${name} alone`, fraction: spec.defaultFraction },
    plan,
    changes,
    files: changes.flatMap((c) => (c.kind === 'write' ? [c.file] : [])),
  };
}

/** The `add-model --dry-run --json` contract of SPEC §9 (bytes as integers). Pure. */
export function dryRunJson(p: ModelProposal): Record<string, unknown> {
  return {
    name: p.spec.name,
    hfModel: p.spec.hfModel,
    weightsBytes: Math.round(p.estimate.weights.value),
    kvBytesPerToken: p.estimate.kv.bytesPerToken.value,
    kvCacheDtype: p.spec.kvCacheDtype,
    maxModelLen: p.spec.maxModelLen,
    needBytes: Math.round(p.estimate.need.value),
    toolCallParser: p.spec.toolCallParser ?? null,
    reasoningParser: p.spec.reasoningParser ?? null,
    files: p.files,
  };
}
