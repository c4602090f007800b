/**
 * `up` keeps LiteLLM's config in step with where the scenario places its models (one deployment
 * per host, src/core/stack-edit/litellm-deployments.ts) before it starts or restarts LiteLLM.
 */
import { readFile, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { writeFileAtomic } from '../files';
import type { ScenarioSpec } from '../scenarios/file';
import type { Stack } from '../stack/discovery';
import { liteLlmConfigFor } from '../stack-edit/litellm-deployments';
import { LITELLM_CONFIG } from '../stack-edit/model-changes';

/**
 * Rewrites `litellm/config.yaml` for `scenario` when its deployments differ (mode kept); returns
 * whether it changed, so a running LiteLLM is restarted to read it.
 */
export async function updateLiteLlmConfig(stack: Stack, scenario: ScenarioSpec): Promise<boolean> {
  const file = path.join(stack.root, LITELLM_CONFIG);
  const text = await readFile(file, 'utf8');
  const next = liteLlmConfigFor(text, file, stack.scenarios, scenario);
  if (next === text) return false;
  await writeFileAtomic(file, next, (await stat(file)).mode & 0o777);
  return true;
}
