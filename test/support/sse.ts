/** Reading OpenAI-shaped chat streams (server-sent events) in tests and benchmarks, with no client library in between. */

/**
 * The non-empty `choices[0].delta.content` pieces of a chat completion stream, in order, each
 * yielded as soon as its `data:` line is complete (so a caller can time the first one).
 */
export async function* contentDeltas(body: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  let buffer = '';
  const decoder = new TextDecoder();
  for await (const bytes of body) {
    buffer += decoder.decode(bytes, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, end).trim();
      buffer = buffer.slice(end + 1);
      if (!line.startsWith('data:') || line === 'data: [DONE]') continue;
      const content = (JSON.parse(line.slice(5)) as { choices?: { delta?: { content?: string } }[] }).choices?.[0]?.delta?.content;
      if (content) yield content;
    }
  }
}
