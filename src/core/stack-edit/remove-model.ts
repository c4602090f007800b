/**
 * `remove-model`: takes a model out of the stack — its one-model scenario, its scenarios.yaml
 * entry, its LiteLLM entry and its folder, all files or none — after asking Docker that its
 * container does not run. Its weights (the compose project's volumes) stay unless `purge`.
 */
import { existsSync } from 'node:fs';
import type { Cancellation } from '../process/cancellation';
import { ProcessFailedError, runProcess } from '../process/run';
import { SparkError, UnknownNameError } from '../errors';
import { printable } from '../inputs';

import { hfCacheDir, repoFolder } from '../weights/cache-dir';
import { removeCachedModel } from '../weights/cache-list';
import { loadStack, requireWritableStack } from '../stack/discovery';
import { modelRemovalChanges, readStackTexts } from './model-changes';
import type { StackChange, StackFs } from '../files';
import { applyStackChanges } from '../files';
import { readStackEnv } from '../stack/env';

/** What Docker knows about a model's container. */
export interface ContainerFacts {
  /** Docker's state: `running`, `restarting`, `paused`, `exited`, `created`, `dead`. */
  readonly state: string;
  /** Its compose project (the label), when compose made it. */
  readonly project?: string;
}

/** The Docker operations removal needs; the default runs the `docker` CLI (argument arrays). */
export interface ModelContainers {
  inspect(container: string): Promise<ContainerFacts | undefined>;
  removeContainer(container: string): Promise<void>;
  /** The volumes of a compose project (where the weights are cached). */
  projectVolumes(project: string): Promise<string[]>;
  removeVolume(volume: string): Promise<void>;
}

/**
 * {@link ModelContainers} through the `docker` CLI, which honours DOCKER_HOST and contexts as the
 * user's shell does. Names follow `--`, so none is ever read as an option (`--help` would
 * otherwise print usage and look like "no such container").
 */
export function dockerCliContainers(cancellation?: Cancellation): ModelContainers {
  const docker = (args: string[], okCodes: number[] = []) => runProcess({ command: 'docker', args }, { cancellation, okCodes });
  return {
    async inspect(container) {
      const result = await docker(['container', 'inspect', '--format', '{{.State.Status}}|{{index .Config.Labels "com.docker.compose.project"}}', '--', container], [1]);
      if (result.code !== 0) {
        if (/no such (object|container)/i.test(result.stderr)) return undefined;
        throw new ProcessFailedError(`docker container inspect ${container}`, result.code, result.stderr);
      }
      const [state = '', project = ''] = result.stdout.trim().split('|');
      return { state, ...(project ? { project } : {}) };
    },
    async removeContainer(container) {
      await docker(['container', 'rm', '--', container]);
    },
    async projectVolumes(project) {
      const result = await docker(['volume', 'ls', '--quiet', '--filter', `label=com.docker.compose.project=${project}`]);
      return result.stdout.split('\n').map((l) => l.trim()).filter(Boolean);
    },
    async removeVolume(volume) {
      await docker(['volume', 'rm', '--', volume]);
    },
  };
}

export interface RemoveModelOptions {
  /**
   * Also remove the model's weights: its repository in the shared Hugging Face cache (unless
   * another model of the stack uses it) and any named volume of its compose project (the guide's
   * older per-model cache).
   */
  readonly purge?: boolean;
  /** The environment HF_CACHE_DIR is read from over the stack's .env (default: this process's). */
  readonly env?: NodeJS.ProcessEnv;
  readonly containers?: ModelContainers;
  /** For tests: file operations of the writer (see applyStackChanges). */
  readonly fs?: Partial<StackFs>;
}

export interface RemoveModelResult {
  readonly model: string;
  readonly changes: readonly StackChange[];
  /** The stopped container that was removed with the folder, if there was one. */
  readonly removedContainer?: string;
  readonly removedVolumes: readonly string[];
  /** Volumes left in place (the weights), when not purged. */
  readonly keptVolumes: readonly string[];
  /** The shared cache's folder of the model's repository that was removed (purge). */
  readonly removedWeights?: string;
  /** The folder kept: not purged, or another model of the stack uses the repository. */
  readonly keptWeights?: { readonly folder: string; readonly reason: string };
}

/** Container states in which the model server is (or will be again) using its folder. */
const ACTIVE = new Set(['running', 'restarting', 'paused']);

/**
 * Removes model `name` from the stack at `root`. Refuses, before changing anything, when other
 * scenarios use the model or its container runs (the fix says how to stop it).
 * Usage: `await removeModelFromStack(root, 'qwen3-4b', { purge: false })`.
 */
export async function removeModelFromStack(root: string, name: string, options: RemoveModelOptions = {}): Promise<RemoveModelResult> {
  // Before Docker is asked or a volume is purged, not only at the write.
  requireWritableStack(root);
  const stack = await loadStack(root);
  const model = stack.scenarios.models.find((m) => m.name === name);
  if (!model) throw new UnknownNameError('model', printable(name), stack.scenarios.models.map((m) => m.name));
  const changes = modelRemovalChanges(await readStackTexts(root), name, root);
  const containers = options.containers ?? dockerCliContainers();
  let facts: ContainerFacts | undefined;
  try {
    facts = await containers.inspect(model.container);
  } catch (error) {
    throw new SparkError(`could not ask Docker whether ${model.container} runs: ${error instanceof Error ? error.message : String(error)}`, 'Start Docker (or fix DOCKER_HOST), then try again: a running server must not lose its folder');
  }
  if (facts && ACTIVE.has(facts.state)) {
    throw new SparkError(`${model.container} is ${facts.state}: stop it before removing ${name}`, `spark-gateway down ${name} (or: docker stop ${model.container})`);
  }
  await applyStackChanges(root, changes, options.fs ? { fs: options.fs } : {});
  // The files are gone; a leftover stopped container would point at a folder that no longer exists.
  if (facts) await containers.removeContainer(model.container);
  const project = facts?.project ?? composeProjectName(model.folder);
  const volumes = await containers.projectVolumes(project);
  const removedVolumes: string[] = [];
  if (options.purge) {
    for (const volume of volumes) {
      await containers.removeVolume(volume);
      removedVolumes.push(volume);
    }
  }
  const cacheDir = hfCacheDir(await readStackEnv(root), options.env ?? process.env);
  const folder = repoFolder(cacheDir, model.hfModel);
  const sharedWith = stack.scenarios.models.filter((m) => m.name !== name && m.hfModel === model.hfModel).map((m) => m.name);
  let weights: Pick<RemoveModelResult, 'removedWeights' | 'keptWeights'> = {};
  if (existsSync(folder)) {
    if (options.purge && sharedWith.length === 0) {
      await removeCachedModel(cacheDir, model.hfModel);
      weights = { removedWeights: folder };
    } else {
      weights = { keptWeights: { folder, reason: sharedWith.length > 0 ? `${sharedWith.join(', ')} use${sharedWith.length === 1 ? 's' : ''} it too` : 'not purged' } };
    }
  }
  return {
    ...weights,
    model: name,
    changes,
    ...(facts ? { removedContainer: model.container } : {}),
    removedVolumes,
    keptVolumes: options.purge ? [] : volumes,
  };
}

/** Compose's default project name for a folder: its base name, lower case, [a-z0-9_-] only. */
export function composeProjectName(folder: string): string {
  return (folder.split('/').pop() ?? folder).toLowerCase().replace(/[^a-z0-9_-]/g, '');
}
