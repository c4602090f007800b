// @ts-check
'use strict';

/**
 * Deterministic "generation". A token is a whitespace-separated word, for prompts and replies
 * alike, so a test can predict both the text and the usage numbers:
 *
 *   chat:        "Simulated reply from <served name> to: <words of the last user message>"
 *   completions: "Simulated completion from <served name> of: <words of the prompt>"
 *
 * The reply is cut at `max_tokens` (finish_reason "length"); with SIM_RESPONSE_TOKENS=N every reply
 * is exactly N tokens (the words above repeated), which benchmarks use for long outputs.
 * Streamed pieces are the words with a leading space after the first, so joining them gives the text.
 */

/**
 * @param {string} text
 * @returns {string[]}
 */
function words(text) {
  return text.split(/\s+/).filter((w) => w.length > 0);
}

/**
 * Token count of a text: its whitespace-separated words.
 * @param {string} text
 */
function countTokens(text) {
  return words(text).length;
}

/**
 * The text of one OpenAI message `content` (a string, or an array of parts of which the text
 * parts count).
 * @param {unknown} content
 * @returns {string}
 */
function contentText(content) {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((part) => (part && typeof part === 'object' && typeof part.text === 'string' ? part.text : ''))
      .filter((t) => t.length > 0)
      .join(' ');
  }
  return '';
}

/**
 * The prompt of a chat request as one text: every message's content (and tool-call arguments),
 * in order. Its word count is the request's prompt_tokens.
 * @param {readonly any[]} messages
 */
function chatPromptText(messages) {
  return messages
    .map((m) => {
      const parts = [contentText(m?.content)];
      if (Array.isArray(m?.tool_calls)) {
        for (const call of m.tool_calls) parts.push(String(call?.function?.arguments ?? ''));
      }
      return parts.join(' ');
    })
    .join('\n');
}

/**
 * Text of the last `user` message ('' when there is none).
 * @param {readonly any[]} messages
 */
function lastUserText(messages) {
  for (let i = messages.length - 1; i >= 0; i--) {
    if (messages[i]?.role === 'user') return contentText(messages[i].content);
  }
  return '';
}

/**
 * The prompt of a /v1/completions request: a string, an array of strings, or token-id arrays.
 * @param {unknown} prompt
 * @returns {{ text: string, tokens: number }}
 */
function completionPrompt(prompt) {
  if (typeof prompt === 'string') return { text: prompt, tokens: countTokens(prompt) };
  if (Array.isArray(prompt) && prompt.every((p) => typeof p === 'number')) {
    return { text: prompt.join(' '), tokens: prompt.length };
  }
  if (Array.isArray(prompt)) {
    const parts = prompt.map((p) => (typeof p === 'string' ? p : Array.isArray(p) ? p.join(' ') : ''));
    const text = parts.join(' ');
    return { text, tokens: countTokens(text) };
  }
  return { text: '', tokens: 0 };
}

/**
 * The full reply a request would get without a max_tokens limit.
 * @param {'chat' | 'completion'} kind
 * @param {string} modelName served model name the request used
 * @param {string} promptText last user message (chat) or prompt (completion)
 * @param {number} [responseTokens] 0 = natural length; N = exactly N tokens
 * @returns {string[]} tokens
 */
function replyTokens(kind, modelName, promptText, responseTokens = 0) {
  const echo = words(promptText);
  const base = kind === 'chat'
    ? ['Simulated', 'reply', 'from', modelName, 'to:', ...(echo.length ? echo : ['nothing'])]
    : ['Simulated', 'completion', 'from', modelName, 'of:', ...(echo.length ? echo : ['nothing'])];
  if (responseTokens <= 0) return base;
  return Array.from({ length: responseTokens }, (_, i) => /** @type {string} */ (base[i % base.length]));
}

/**
 * The reasoning a gpt-oss model streams before its answer when SIM_REASONING_TOKENS=N: N words,
 * `Reasoning about: <words of the last user message>` repeated as needed. Never part of the answer.
 * @param {string} userText
 * @param {number} n
 * @returns {string[]} tokens
 */
function reasoningTokens(userText, n) {
  const echo = words(userText);
  const base = ['Reasoning', 'about:', ...(echo.length ? echo : ['nothing'])];
  return Array.from({ length: n }, (_, i) => /** @type {string} */ (base[i % base.length]));
}

/**
 * Applies max_tokens.
 * @param {readonly string[]} tokens full reply
 * @param {number | undefined} maxTokens
 * @returns {{ tokens: string[], finishReason: 'stop' | 'length' }}
 */
function limitTokens(tokens, maxTokens) {
  if (maxTokens !== undefined && tokens.length > maxTokens) {
    return { tokens: tokens.slice(0, maxTokens), finishReason: 'length' };
  }
  return { tokens: [...tokens], finishReason: 'stop' };
}

/**
 * Streamed pieces of a token list: joining them gives `tokens.join(' ')`.
 * @param {readonly string[]} tokens
 */
function pieces(tokens) {
  return tokens.map((t, i) => (i === 0 ? t : ` ${t}`));
}

module.exports = {
  words, countTokens, contentText, chatPromptText, lastUserText, completionPrompt,
  replyTokens, reasoningTokens, limitTokens, pieces,
};
