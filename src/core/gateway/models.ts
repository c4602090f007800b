/**
 * The gateway's models and what each can do, from LiteLLM's `/model/info` (per deployment:
 * `model_name`, `model_info.max_input_tokens`, `max_tokens`, `max_output_tokens`,
 * `supports_function_calling`). Several deployments under one name are one model.
 */

export interface GatewayModel {
  /** The served name clients ask for (`gpt-oss-20b`). */
  readonly name: string;
  /** Context the prompt may use (max_input_tokens, else max_tokens). */
  readonly maxInputTokens: number;
  /** Longest answer (max_output_tokens, else max_tokens). */
  readonly maxOutputTokens: number;
  readonly toolCalling: boolean;
}

/** Used when LiteLLM knows nothing about a model's limits: vLLM's smallest common context. */
const FALLBACK_TOKENS = 4096;

function positive(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined;
}

/** Parses a `/model/info` answer into models in the order LiteLLM lists them. Pure. */
export function parseModelInfo(body: unknown): GatewayModel[] {
  const data = (body as { data?: unknown } | null)?.data;
  if (!Array.isArray(data)) throw new Error('the gateway\'s /model/info answer has no data list');
  const models = new Map<string, GatewayModel>();
  for (const entry of data as unknown[]) {
    if (typeof entry !== 'object' || entry === null) continue;
    const name = (entry as { model_name?: unknown }).model_name;
    if (typeof name !== 'string' || !name || models.has(name)) continue;
    const info = ((entry as { model_info?: unknown }).model_info ?? {}) as Record<string, unknown>;
    const maxTokens = positive(info.max_tokens);
    models.set(name, {
      name,
      maxInputTokens: positive(info.max_input_tokens) ?? maxTokens ?? FALLBACK_TOKENS,
      maxOutputTokens: positive(info.max_output_tokens) ?? maxTokens ?? FALLBACK_TOKENS,
      toolCalling: info.supports_function_calling === true,
    });
  }
  return [...models.values()];
}
