/**
 * What can go wrong between a client and the gateway, each with the fix a user can apply.
 * {@link classifyGatewayFailure} is pure: it turns a status, an error body or a socket error code
 * into one of these, so the CLI, `@spark` and the model picker explain failures the same way.
 */
import { SparkError } from '../errors';

/** Nothing answers at the gateway URL (connection refused, unknown host, reset). */
export class GatewayDownError extends SparkError {
  constructor(readonly url: string, detail: string) {
    super(`the gateway at ${url} is not answering (${detail})`, 'Start the stack: `spark-gateway up <scenario>` (or Spark Gateway: Start Scenario)');
  }
}

/** The gateway refused the key (401, or a key LiteLLM cannot look up). */
export class BadKeyError extends SparkError {
  constructor(message: string) {
    super(message, 'Run `spark-gateway sync-env` and use the stack\'s LITELLM_MASTER_KEY, or set the key (--key, or Spark Gateway: Set Gateway Key)');
  }
}

/** LiteLLM knows no such model, or its model server is not running. */
export class ModelNotLoadedError extends SparkError {
  constructor(readonly model: string | undefined, detail: string, readonly unknownToGateway = false) {
    const name = model ?? 'the model';
    super(
      `${name} is not available at the gateway: ${detail}`,
      unknownToGateway
        ? `Use a model from the stack's litellm/config.yaml, or add ${name} there and start a scenario that serves it`
        : `Start a scenario with ${name}: \`spark-gateway up ${model ?? '<scenario>'}\` (or Spark Gateway: Start Scenario)`,
    );
  }
}

/** 429 from LiteLLM (a key's or model's rate limit). */
export class RateLimitedError extends SparkError {
  constructor(detail: string) {
    super(`the gateway is rate limiting requests: ${detail}`, 'Wait a moment and try again, or raise the key\'s limits in LiteLLM');
  }
}

/** No answer in time (the client's timeout, or 504 from NGINX). */
export class GatewayTimeoutError extends SparkError {
  constructor(detail: string) {
    super(`the gateway did not answer in time: ${detail}`, 'Check the model server: `spark-gateway status` and `spark-gateway logs <model>`');
  }
}

/** The TLS peer is not the stack's certificate (or none was trusted): verification refused it. */
export class GatewayTrustError extends SparkError {
  constructor(readonly url: string, detail: string) {
    super(`the gateway at ${url} presented a certificate this client does not trust (${detail})`, 'Trust the stack\'s own certificate: --ca <stack>/ssl/public.pem (`spark-gateway certs` writes it)');
  }
}

/** Any other refusal, with the gateway's own message. */
export class GatewayRequestError extends SparkError {
  constructor(readonly status: number | undefined, detail: string) {
    super(`the gateway refused the request${status ? ` (${status})` : ''}: ${detail}`);
  }
}

export interface GatewayFailure {
  /** The gateway URL (for messages). */
  readonly url: string;
  /** The model the request was for, when there was one. */
  readonly model?: string;
  /** HTTP status, when a response arrived. */
  readonly status?: number;
  /** The response body (parsed JSON or text), when there was one. */
  readonly body?: unknown;
  /** A socket or TLS error code (ECONNREFUSED, DEPTH_ZERO_SELF_SIGNED_CERT, …) when no response arrived. */
  readonly code?: string;
  /** The low-level message, when there is no body. */
  readonly message?: string;
  /** The client gave up waiting. */
  readonly timedOut?: boolean;
}

const DOWN_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'UND_ERR_SOCKET']);
const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|HOSTNAME|ALTNAME/;
/** LiteLLM's words when it cannot reach a model server, or has cooled every deployment down. */
const UPSTREAM_DOWN = /cannot connect to host|connect call failed|connection refused|connecterror|connection error|name or service not known|no deployments available|no healthy deployment/i;
const UNKNOWN_MODEL = /invalid model name|model .* does not exist|no model .* found|not a valid model/i;
const NO_KEY_STORE = /no connected db/i;

/** The error message inside an OpenAI-shaped body `{error: {message}}`, or the text itself. */
export function errorMessageOf(body: unknown): string | undefined {
  if (typeof body === 'string') return body.trim() || undefined;
  if (typeof body !== 'object' || body === null) return undefined;
  const error = (body as { error?: unknown }).error ?? body;
  if (typeof error === 'string') return error;
  if (typeof error === 'object' && error !== null) {
    const message = (error as { message?: unknown }).message;
    if (typeof message === 'string') return message;
  }
  const detail = (body as { detail?: unknown }).detail;
  return typeof detail === 'string' ? detail : undefined;
}

/** Keeps messages to one readable line: LiteLLM's errors span lines and repeat themselves. */
function oneLine(text: string, max = 300): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** Turns what came back (or did not) into the typed error a user can act on. Pure. */
export function classifyGatewayFailure(failure: GatewayFailure): SparkError {
  const message = errorMessageOf(failure.body) ?? failure.message ?? '';
  const code = failure.code ?? '';
  if (failure.status === undefined) {
    if (failure.timedOut || code === 'ETIMEDOUT' || code === 'UND_ERR_HEADERS_TIMEOUT') return new GatewayTimeoutError(oneLine(message || 'no response'));
    if (DOWN_CODES.has(code)) return new GatewayDownError(failure.url, code);
    if (TLS_CODES.test(code)) return new GatewayTrustError(failure.url, code);
    return new GatewayDownError(failure.url, oneLine(message || code || 'no response'));
  }
  const status = failure.status;
  // The key: LiteLLM's 401 text may echo part of it, so the message never quotes the body.
  if (status === 401 || status === 403 || NO_KEY_STORE.test(message)) {
    const why = NO_KEY_STORE.test(message) ? 'it is not the master key, and LiteLLM has no database to look up other keys' : `${status}`;
    return new BadKeyError(`the gateway refused the key (${why})`);
  }
  if (UNKNOWN_MODEL.test(message) || (status === 404 && failure.model)) return new ModelNotLoadedError(failure.model, 'LiteLLM has no such model', true);
  if (UPSTREAM_DOWN.test(message)) return new ModelNotLoadedError(failure.model, 'its model server is not reachable');
  if (status === 429) return new RateLimitedError(oneLine(message || 'too many requests'));
  if (status === 408 || status === 504) return new GatewayTimeoutError(oneLine(message || `${status}`));
  // NGINX answers 502 when LiteLLM itself is down behind it.
  if (status === 502 || status === 503) return new GatewayDownError(failure.url, `${status} from NGINX: LiteLLM is not answering`);
  return new GatewayRequestError(status, oneLine(message || 'no details'));
}
