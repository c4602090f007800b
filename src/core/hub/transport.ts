/**
 * How the Hub client talks HTTP: the base URL from `HF_ENDPOINT` (the Hub's own convention), the
 * token sent only to that origin (never to a CDN a download redirects to) and only over HTTPS or
 * to this machine, a timeout per request, cancellation, and the Hub's `X-Error-Code` kept for the
 * error mapping (the Hub library drops it).
 */
import type { Cancellation } from '../process/cancellation';
import { onCancel } from '../process/cancellation';
import { SparkError } from '../errors';
import { isLoopbackHost, printable } from '../inputs';
import { HubTokenOverHttpError } from './errors';
import { isPlaceholderToken, readStackEnv } from '../stack/env';

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
 * (the template's `hf_your_token_here`) counts as none. Throws a {@link SparkError} when
 * `HF_ENDPOINT` is not an http(s) URL without credentials (see {@link endpointProblem}). Pure.
 */
export function hubSettings(stackEnv: ReadonlyMap<string, string>, processEnv: NodeJS.ProcessEnv, isPlaceholder: (token: string) => boolean): HubSettings {
  const given = processEnv.HF_ENDPOINT || stackEnv.get('HF_ENDPOINT');
  const endpoint = (given || PUBLIC_HUB).replace(/\/+$/, '');
  const problem = endpointProblem(endpoint);
  if (problem !== undefined) {
    const where = processEnv.HF_ENDPOINT ? 'the process environment' : 'the stack\'s .env';
    throw new SparkError(`HF_ENDPOINT "${printable(withoutPassword(given ?? ''))}" (from ${where}) ${problem}`, `Set HF_ENDPOINT in ${where} to the Hub's address, e.g. https://huggingface.co, or remove it`);
  }
  const token = [stackEnv.get('HF_TOKEN'), processEnv.HF_TOKEN].find((t): t is string => t !== undefined && !isPlaceholder(t));
  return { endpoint, token, timeoutMs: DEFAULT_TIMEOUT_MS };
}

/** `value` with the password of a URL replaced by `***`, so a message never shows it. Pure. */
function withoutPassword(value: string): string {
  try {
    const url = new URL(value);
    if (url.password === '') return value;
    url.password = '***';
    return url.toString();
  } catch {
    return value;
  }
}

/**
 * The problem with `endpoint` as the Hub's base URL, or undefined: an `http://` or `https://` URL
 * with a host, no user name or password (the token is the one credential, sent as a header), no
 * query or fragment (the library appends paths to it). Pure.
 */
export function endpointProblem(endpoint: string): string | undefined {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return 'is not a URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return `is not an http:// or https:// URL (${url.protocol})`;
  if (url.username !== '' || url.password !== '') return 'carries a user name or password; put the token in HF_TOKEN instead';
  if (url.search !== '' || url.hash !== '' || endpoint.includes('?') || endpoint.includes('#')) return 'has a query or fragment; give the bare base URL';
  return undefined;
}

/**
 * True when a token may be sent to `endpoint`: over HTTPS, or over plain HTTP only to this
 * machine (`localhost`, 127.0.0.0/8, ::1), where nobody on the way can read it. Pure.
 */
export function tokenMayGoTo(endpoint: string): boolean {
  const url = new URL(endpoint);
  return url.protocol === 'https:' || isLoopbackHost(url.hostname);
}

export interface HubTransport {
  readonly fetch: typeof fetch;
  /** `X-Error-Code` (and `Retry-After`) of each failed response, by URL. */
  readonly failures: Map<string, { code?: string; retryAfter?: string }>;
}

const MAX_REDIRECTS = 5;

/**
 * A `fetch` for the Hub library that applies {@link HubSettings} and `cancellation`. Throws
 * {@link HubTokenOverHttpError} — before any request — when a token would go over plain HTTP to
 * another machine (see {@link tokenMayGoTo}).
 */
export function hubTransport(settings: HubSettings, cancellation?: Cancellation): HubTransport {
  if (settings.token !== undefined && !tokenMayGoTo(settings.endpoint)) throw new HubTokenOverHttpError(settings.endpoint);
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

/** The Hub settings of a stack: HF_ENDPOINT and HF_TOKEN from its `.env` and the process. */
export async function stackHubSettings(root: string, processEnv: NodeJS.ProcessEnv): Promise<HubSettings> {
  return hubSettings(await readStackEnv(root), processEnv, isPlaceholderToken);
}
