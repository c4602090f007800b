/**
 * Which gateway model a chat uses and how the models look in `/models`: pure functions over the
 * gateway's model list, the probes' answers and the stack's scenarios.yaml (for memory).
 */
import type { ModelAvailability } from '../gateway/client';
import type { GatewayModel } from '../gateway/models';
import type { ModelSpec } from '../scenarios/file';
import type { ServiceStatus } from '../state/service-state';
import { describeState } from '../state/service-state';

export interface ModelChoiceInput {
  /** What the user chose with `/model` in this workspace. */
  readonly selected?: string;
  /** The `sparkGateway.chatModel` setting. */
  readonly configured?: string;
  readonly models: readonly GatewayModel[];
  /** Probe results; without them, the first model LiteLLM lists is the default. */
  readonly availability?: readonly ModelAvailability[];
}

export interface ModelChoice {
  readonly model: string | undefined;
  /** Why this one, for the reply's first line. */
  readonly reason: 'selected' | 'setting' | 'first available' | 'first listed' | 'none';
}

/**
 * The model to answer with: the `/model` choice, else the setting, else the first model that
 * answered its probe, else the first LiteLLM lists. A choice the gateway does not know is
 * skipped so a stale setting never hides the working models.
 */
export function chooseChatModel(input: ModelChoiceInput): ModelChoice {
  const known = new Set(input.models.map((m) => m.name));
  if (input.selected && known.has(input.selected)) return { model: input.selected, reason: 'selected' };
  if (input.configured && known.has(input.configured)) return { model: input.configured, reason: 'setting' };
  const available = input.availability?.find((a) => a.available && known.has(a.model));
  if (available) return { model: available.model, reason: 'first available' };
  const first = input.models[0]?.name;
  return first ? { model: first, reason: 'first listed' } : { model: undefined, reason: 'none' };
}

/** "16k" for 16384 tokens. */
export function formatTokens(tokens: number): string {
  return tokens >= 1024 && tokens % 1024 === 0 ? `${tokens / 1024}k` : String(tokens);
}

/**
 * Markdown for `/models`: one line per gateway model with its availability, context, tools and
 * memory (a list, not a table: the chat view is narrow). Pure.
 */
export function modelsMarkdown(models: readonly GatewayModel[], availability: readonly ModelAvailability[], stackModels: readonly ModelSpec[], current: string | undefined): string {
  if (models.length === 0) return 'The gateway lists no models. Check `litellm/config.yaml` in the stack.';
  return models.map((model) => {
    const probe = availability.find((a) => a.model === model.name);
    const spec = stackModels.find((m) => m.name === model.name);
    const state = probe === undefined ? 'unknown' : probe.available ? `✅ available${probe.latencyMs !== undefined ? ` (${probe.latencyMs} ms)` : ''}` : '⛔ not loaded';
    const facts = [
      `${formatTokens(model.maxInputTokens)} in / ${formatTokens(model.maxOutputTokens)} out`,
      model.toolCalling ? 'tool calling' : 'no tools',
      ...(spec ? [`~${spec.weightsGiB + spec.overheadGiB} GiB + KV cache`] : []),
    ];
    return `- **${model.name}**${model.name === current ? ' (answers @spark)' : ''} — ${state} · ${facts.join(' · ')}`;
  }).join('\n');
}

/**
 * Markdown for `/models` when the gateway cannot be asked: the stack's models from
 * scenarios.yaml with their containers' live state (a list: the chat view is narrow). Pure.
 */
export function stackModelsMarkdown(stackModels: readonly ModelSpec[], statuses: readonly ServiceStatus[] | undefined): string {
  if (stackModels.length === 0) return 'scenarios.yaml lists no models.';
  return stackModels.map((spec) => {
    const status = statuses?.find((s) => s.kind === 'model' && s.name === spec.name);
    const state = status ? describeState(status) : 'state unknown';
    return `- **${spec.name}** — ${state} · ${formatTokens(spec.maxModelLen)} context · ${spec.toolCallParser ? 'tool calling' : 'no tools'} · ~${spec.weightsGiB + spec.overheadGiB} GiB + KV cache`;
  }).join('\n');
}
