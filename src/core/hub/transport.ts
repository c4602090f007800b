/**
 * How the Hub client talks HTTP: the base URL from `HF_ENDPOINT` (the Hub's own convention), the
 * token sent only to that origin (never to a CDN a download redirects to), a timeout per request,
 * cancellation, and the Hub's `X-Error-Code` kept for the error mapping (the Hub library drops it).
 */
import type { Cancellation } from '../compose/cancellation';
import { onCancel } from '../compose/cancellation';

export const PUBLIC_HUB = 'https://huggingface.co';
export const DEFAULT_TIMEOUT_MS = 30_000;

export interface HubSettings {
  /** Base URL without a trailing slash. */
  readonly endpoint: string;
  readonly token?: string;
  readonly timeoutMs: number;
}

/**
 * The endpoint and token for the Hub: `HF_ENDPOINT` from the process, else the stack's `.env`,
 * else the public Hub; `HF_TOKEN` from the stack's `.env`, else the process. A placeholder token
 * (the template's `hf_your_token_here`) counts as none. Pure.
 */
export function hubSettings(stackEnv: ReadonlyMap<string, string>, processEnv: NodeJS.ProcessEnv, isPlaceholder: (token: string) => boolean): HubSettings {
  const endpoint = (processEnv.HF_ENDPOINT || stackEnv.get('HF_ENDPOINT') || PUBLIC_HUB).replace(/\/+$/, '');
  const token = [stackEnv.get('HF_TOKEN'), processEnv.HF_TOKEN].find((t): t is string => t !== undefined && !isPlaceholder(t));
  return { endpoint, token, timeoutMs: DEFAULT_TIMEOUT_MS };
}

export interface HubTransport {
  readonly fetch: typeof fetch;
  /** `X-Error-Code` (and `Retry-After`) of each failed response, by URL. */
  readonly failures: Map<string, { code?: string; retryAfter?: string }>;
}

const MAX_REDIRECTS = 5;

/** A `fetch` for the Hub library that applies {@link HubSettings} and `cancellation`. */
export function hubTransport(settings: HubSettings, cancellation?: Cancellation): HubTransport {
  const origin = new URL(settings.endpoint).origin;
  const failures = new Map<string, { code?: string; retryAfter?: string }>();
  const cancelled = new AbortController();
  onCancel(cancellation, () => cancelled.abort(new Error('cancelled')));

  const hubFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    let url = new URL(input instanceof Request ? input.url : input.toString());
    const headers = new Headers(init?.headers);
    for (let hop = 0; ; hop++) {
      // The library adds the token to every request it makes; keep it to the endpoint's origin.
      if (url.origin !== origin) headers.delete('authorization');
      const signal = AbortSignal.any([cancelled.signal, AbortSignal.timeout(settings.timeoutMs)]);
      const response = await fetch(url, { ...init, headers, signal, redirect: 'manual' });
      const location = response.headers.get('location');
      if (response.status >= 300 && response.status < 400 && location && hop < MAX_REDIRECTS) {
        await response.body?.cancel();
        url = new URL(location, url);
        continue;
      }
      if (!response.ok) {
        failures.set(url.toString(), { code: response.headers.get('x-error-code') ?? undefined, retryAfter: response.headers.get('retry-after') ?? undefined });
      }
      return response;
    }
  };
  return { fetch: hubFetch as typeof fetch, failures };
}
