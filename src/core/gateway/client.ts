/**
 * The gateway client: the OpenAI SDK (loaded on first use, so activating the extension stays
 * cheap) pointed at NGINX → LiteLLM, with TLS pinned to the stack's certificate, cancellation
 * that aborts the HTTP request, and every failure turned into a typed error with its fix.
 */
import type OpenAI from 'openai';
import type { ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import type { SparkError } from '../errors';
import type { Cancellation } from '../process/cancellation';
import { CancelledError, toAbortSignal } from '../process/cancellation';
import type { GatewayConfig } from './config';
import { classifyGatewayFailure } from './errors';
import type { GatewayModel } from './models';
import { parseModelInfo } from './models';
import type { ChatEvent } from './stream';
import { ChatStreamAssembler } from './stream';
import { TransportError, createPinnedFetch } from './transport';

export interface ChatRequest {
  readonly model: string;
  readonly messages: readonly ChatCompletionMessageParam[];
  readonly tools?: readonly ChatCompletionTool[];
  /** `auto` (default when tools are given), `required`, or `none`. */
  readonly toolChoice?: 'auto' | 'required' | 'none';
  readonly maxTokens?: number;
  readonly temperature?: number;
}

export interface ModelAvailability {
  readonly model: string;
  readonly available: boolean;
  /** Round trip of the probe through the gateway, when it answered. */
  readonly latencyMs?: number;
  /** Why it is not available. */
  readonly error?: SparkError;
}

export interface GatewayClientOptions {
  /** Per request, until the answer starts (default 10 minutes, LiteLLM's own is 30). */
  readonly timeoutMs?: number;
  /** Concurrent connections to the gateway (default 64). */
  readonly maxSockets?: number;
}

/** How long a probe waits: a loaded model answers one token in well under this. */
const PROBE_TIMEOUT_MS = 15_000;

export class GatewayClient {
  private sdk: Promise<OpenAI> | undefined;
  private readonly transport;

  constructor(readonly config: GatewayConfig, private readonly options: GatewayClientOptions = {}) {
    this.transport = createPinnedFetch({ ca: config.ca, maxSockets: options.maxSockets, origin: new URL(config.baseUrl).origin });
  }

  /** The base URL requests go to (`https://localhost/v1`). */
  get url(): string {
    return this.config.baseUrl;
  }

  private openai(): Promise<OpenAI> {
    this.sdk ??= import('openai').then(({ default: OpenAIClient }) => new OpenAIClient({
      baseURL: this.config.baseUrl,
      apiKey: this.config.key,
      fetch: this.transport.fetch,
      timeout: this.options.timeoutMs ?? 600_000,
      // LiteLLM already retries the model server (router num_retries); retrying here as well
      // would only delay telling the user that the gateway is down.
      maxRetries: 0,
    }));
    return this.sdk;
  }

  /** The gateway's models with context length and tool calling, from LiteLLM's /model/info. */
  async models(cancellation?: Cancellation): Promise<GatewayModel[]> {
    const body = await this.call(undefined, cancellation, async (sdk, signal) => sdk.get<unknown>('/model/info', { signal }));
    return parseModelInfo(body);
  }

  /**
   * Whether `model` answers now: one token through the whole path (NGINX, LiteLLM, model server),
   * bypassing LiteLLM's cache and retries so a stopped server shows at once.
   */
  async probe(model: string, cancellation?: Cancellation): Promise<ModelAvailability> {
    const started = performance.now();
    try {
      await this.call(model, cancellation, (sdk, signal) => sdk.chat.completions.create({
        model,
        messages: [{ role: 'user', content: `ping ${Date.now()}` }],
        max_tokens: 1,
        // LiteLLM reads these from the body and does not pass them on to the model server.
        ...({ num_retries: 0, cache: { 'no-cache': true } } as object),
      }, { signal, timeout: PROBE_TIMEOUT_MS }));
      return { model, available: true, latencyMs: Math.round(performance.now() - started) };
    } catch (error) {
      if (error instanceof CancelledError) throw error;
      return { model, available: false, error: error as SparkError };
    }
  }

  /**
   * Streams a chat completion as events: text as it arrives, each tool call once complete, then
   * `done`. Cancelling aborts the HTTP request, which NGINX and LiteLLM pass on to the model
   * server as a closed connection. Throws {@link CancelledError} when cancelled, else a SparkError.
   */
  async *chat(request: ChatRequest, cancellation?: Cancellation): AsyncGenerator<ChatEvent> {
    const { signal, dispose } = toAbortSignal(cancellation);
    try {
      const sdk = await this.openai();
      const tools = request.tools && request.tools.length > 0 ? { tools: [...request.tools], tool_choice: request.toolChoice ?? 'auto' } : {};
      const stream = await this.translate(request.model, signal, () => sdk.chat.completions.create({
        model: request.model,
        messages: [...request.messages],
        stream: true,
        stream_options: { include_usage: true },
        ...(request.maxTokens !== undefined ? { max_tokens: request.maxTokens } : {}),
        ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
        ...tools,
      }, { signal }));
      const assembler = new ChatStreamAssembler();
      const iterator = stream[Symbol.asyncIterator]();
      for (;;) {
        const next = await this.translate(request.model, signal, () => iterator.next());
        if (next.done) break;
        yield* assembler.push(next.value);
      }
      yield* assembler.finish();
    } finally {
      dispose();
    }
  }

  /** Closes the client's keep-alive connections. */
  dispose(): void {
    this.transport.dispose();
  }

  private async call<T>(model: string | undefined, cancellation: Cancellation | undefined, run: (sdk: OpenAI, signal: AbortSignal) => Promise<T>): Promise<T> {
    const { signal, dispose } = toAbortSignal(cancellation);
    try {
      const sdk = await this.openai();
      return await this.translate(model, signal, () => run(sdk, signal));
    } finally {
      dispose();
    }
  }

  /** Runs `step` and turns whatever it throws into CancelledError or a typed SparkError. */
  private async translate<T>(model: string | undefined, signal: AbortSignal, step: () => Promise<T>): Promise<T> {
    try {
      return await step();
    } catch (error) {
      if (signal.aborted) throw new CancelledError();
      throw await this.classify(error, model);
    }
  }

  private async classify(error: unknown, model: string | undefined): Promise<Error> {
    const { APIError, APIConnectionError, APIConnectionTimeoutError } = await import('openai');
    const url = this.config.baseUrl;
    const base = { url, ...(model !== undefined ? { model } : {}) };
    if (error instanceof APIConnectionTimeoutError) return classifyGatewayFailure({ ...base, timedOut: true, message: error.message });
    if (error instanceof APIConnectionError) {
      const cause = error.cause;
      const code = cause instanceof TransportError ? cause.code : (cause as { code?: string } | undefined)?.code;
      return classifyGatewayFailure({ ...base, ...(code ? { code } : {}), message: cause instanceof Error ? cause.message : error.message });
    }
    if (error instanceof APIError) {
      // APIError.error is the body's `error` object (LiteLLM's message) or undefined for non-JSON bodies.
      return classifyGatewayFailure({ ...base, ...(error.status !== undefined ? { status: error.status } : {}), body: error.error ?? error.message });
    }
    if (error instanceof TransportError) return classifyGatewayFailure({ ...base, ...(error.code ? { code: error.code } : {}), message: error.message });
    const code = (error as { code?: unknown } | undefined)?.code;
    // A stream that breaks off (the model server died mid-answer) surfaces as a plain socket error.
    if (typeof code === 'string') return classifyGatewayFailure({ ...base, code, message: (error as Error).message });
    return error instanceof Error ? error : new Error(String(error));
  }
}
