/**
 * A `fetch` for the OpenAI client built on node:http/https, so the gateway's TLS can trust exactly
 * the stack's certificate. Node's global fetch offers no supported way to pass a CA (its undici
 * dispatcher option needs the undici package, which is not a dependency); node:https takes `ca`
 * directly. Certificate verification is never turned off: `rejectUnauthorized` stays at its
 * default (true) — without a CA the system's trust store applies.
 */
import type { IncomingHttpHeaders } from 'node:http';
import * as http from 'node:http';
import * as https from 'node:https';
import { Readable } from 'node:stream';

/** The shape of fetch the OpenAI client accepts. */
export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

export interface TransportOptions {
  /** PEM the server's certificate must chain to (the stack's ssl/public.pem). */
  readonly ca?: string;
  /** Keep-alive sockets per host; the client holds one agent for its life. */
  readonly maxSockets?: number;
  /**
   * The one origin (`https://localhost:8443`) requests may go to: the gateway the key was given
   * for. Anything else is refused before a byte is sent, so the key cannot leave for another host.
   */
  readonly origin?: string;
}

/** A node socket error carried through fetch's TypeError, so callers can classify it by code. */
export class TransportError extends TypeError {
  constructor(message: string, readonly code: string | undefined) {
    super(message);
    this.name = 'TransportError';
  }
}

function headersOf(raw: IncomingHttpHeaders): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else if (value !== undefined) headers.set(name, value);
  }
  return headers;
}

async function bodyBytes(body: RequestInit['body']): Promise<Buffer | undefined> {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return Buffer.from(body);
  if (body instanceof Uint8Array) return Buffer.from(body);
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  // FormData, Blob, streams: the chat API never sends them; Response does the conversion.
  return Buffer.from(await new Response(body).arrayBuffer());
}

/**
 * Returns a fetch that sends requests with node:http/https (https trusting `options.ca`).
 * Aborting `init.signal` destroys the socket — before the answer and while its body streams —
 * so a cancelled chat closes the request all the way to the model server.
 */
export function createPinnedFetch(options: TransportOptions = {}): { fetch: FetchLike; dispose(): void } {
  const agents = {
    'http:': new http.Agent({ keepAlive: true, maxSockets: options.maxSockets ?? 64 }),
    'https:': new https.Agent({ keepAlive: true, maxSockets: options.maxSockets ?? 64, ...(options.ca ? { ca: options.ca } : {}) }),
  };
  const fetch: FetchLike = async (input, init = {}) => {
    const request = input instanceof Request ? input : undefined;
    const url = new URL(request ? request.url : input.toString());
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`unsupported protocol ${url.protocol}`);
    if (options.origin !== undefined && url.origin !== options.origin) throw new TransportError(`refused to send a request to ${url.origin}: the gateway is ${options.origin}`, 'EORIGIN');
    const signal = init.signal ?? request?.signal ?? undefined;
    const headers = new Headers(init.headers ?? request?.headers);
    const body = await bodyBytes(init.body ?? undefined);
    if (body) headers.set('content-length', String(body.length));
    signal?.throwIfAborted();
    const send = url.protocol === 'https:' ? https.request : http.request;
    return new Promise<Response>((resolve, reject) => {
      const req = send(url, {
        method: init.method ?? request?.method ?? 'GET',
        headers: Object.fromEntries(headers),
        // Node checks the certificate's SAN against the URL's host name (localhost, 127.0.0.1, ::1).
        agent: agents[url.protocol as 'http:' | 'https:'],
      });
      const onAbort = () => {
        const reason: unknown = signal?.reason;
        req.destroy(reason instanceof Error ? reason : new DOMException('This operation was aborted', 'AbortError'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      req.on('error', (error: NodeJS.ErrnoException) => {
        signal?.removeEventListener('abort', onAbort);
        if (signal?.aborted) reject(signal.reason instanceof Error ? signal.reason : new DOMException('This operation was aborted', 'AbortError'));
        else reject(new TransportError(`${error.code ?? 'error'}: ${error.message}`, error.code));
      });
      req.on('response', (res) => {
        res.on('close', () => signal?.removeEventListener('abort', onAbort));
        const status = res.statusCode ?? 500;
        const noBody = status === 204 || status === 304 || init.method === 'HEAD';
        // Readable.toWeb errors the web stream when the socket is destroyed, which ends the reader.
        const stream = noBody ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>);
        if (noBody) res.resume();
        resolve(new Response(stream, { status, statusText: res.statusMessage ?? '', headers: headersOf(res.headers) }));
      });
      req.end(body);
    });
  };
  return {
    fetch,
    dispose: () => {
      agents['http:'].destroy();
      agents['https:'].destroy();
    },
  };
}
