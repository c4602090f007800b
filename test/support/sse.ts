/** Reading OpenAI-shaped chat streams (server-sent events) in tests and benchmarks, with no client library in between. */

/**
 * The JSON of each `data:` line of a server-sent event stream, in order, each yielded as soon as
 * its line is complete (`[DONE]` ends nothing and is skipped).
 */
export async function* sseChunks<T>(body: AsyncIterable<Uint8Array>): AsyncGenerator<T> {
  let buffer = '';
  const decoder = new TextDecoder();
  for await (const bytes of body) {
    buffer += decoder.decode(bytes, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, end).trim();
      buffer = buffer.slice(end + 1);
      if (!line.startsWith('data:') || line === 'data: [DONE]') continue;
      yield JSON.parse(line.slice(5)) as T;
    }
  }
}

/**
 * The non-empty `choices[0].delta.content` pieces of a chat completion stream, in order, each
 * yielded as soon as its `data:` line is complete (so a caller can time the first one).
 */
export async function* contentDeltas(body: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  for await (const chunk of sseChunks<{ choices?: { delta?: { content?: string } }[] }>(body)) {
    const content = chunk.choices?.[0]?.delta?.content;
    if (content) yield content;
  }
}

/** One streamed chat answer, timed: when it was sent, its first content, its end. */
export interface TimedStream {
  readonly started: number;
  /** `performance.now()` of the first content piece; undefined when the answer had none. */
  readonly first: number | undefined;
  readonly ended: number;
  readonly text: string;
  readonly headers: Headers;
}

/** Sends one streamed chat completion to `chatUrl` (…/chat/completions) and times its answer. */
export async function timedChatStream(chatUrl: string, options: { readonly model: string; readonly prompt: string; readonly key?: string; readonly signal?: AbortSignal; readonly fetch?: (url: string, init: RequestInit) => Promise<Response> }): Promise<TimedStream> {
  const started = performance.now();
  // A pinned fetch (the stack's CA for NGINX's HTTPS) when given.
  const send = options.fetch ?? fetch;
  const response = await send(chatUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(options.key ? { authorization: `Bearer ${options.key}` } : {}) },
    body: JSON.stringify({ model: options.model, stream: true, messages: [{ role: 'user', content: options.prompt }] }),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  if (!response.ok || !response.body) throw new Error(`${response.status} ${await response.text()}`);
  let first: number | undefined;
  let text = '';
  for await (const content of contentDeltas(response.body)) {
    first ??= performance.now();
    text += content;
  }
  return { started, first, ended: performance.now(), text, headers: response.headers };
}
