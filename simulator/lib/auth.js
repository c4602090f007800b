// @ts-check
'use strict';

const { createHash, timingSafeEqual } = require('node:crypto');

/**
 * vLLM's API key check (`--api-key KEY [KEY ...]`, else its `VLLM_API_KEY` variable): when a key
 * is set, requests under /v1, /v2, /inference and /cohere must send `Authorization: Bearer KEY`
 * or get 401 `{"error": "Unauthorized"}`; /health, /metrics and the rest stay open, and OPTIONS
 * is never checked — as vLLM's AuthenticationMiddleware (vllm/entrypoints/serve/middleware).
 */
const GUARDED_PREFIXES = ['/v1', '/v2', '/inference', '/cohere'];

/**
 * The keys in force: the flag's wins over the variable, empty values mean none (vLLM's order).
 * @param {readonly string[]} flagKeys
 * @param {string | undefined} envKey
 * @returns {Buffer[]} their SHA-256 digests (compared in constant time)
 */
function apiKeyDigests(flagKeys, envKey) {
  const keys = (flagKeys.length > 0 ? flagKeys : [envKey ?? '']).filter((k) => k !== '');
  return keys.map(digest);
}

/**
 * @param {string | undefined} method
 * @param {string} pathname
 * @param {string | undefined} authorization the request's Authorization header
 * @param {readonly Buffer[]} digests from {@link apiKeyDigests}
 */
function authorized(method, pathname, authorization, digests) {
  if (digests.length === 0 || method === 'OPTIONS') return true;
  if (!GUARDED_PREFIXES.some((prefix) => pathname.startsWith(prefix))) return true;
  const [scheme, ...rest] = (authorization ?? '').split(' ');
  if ((scheme ?? '').toLowerCase() !== 'bearer') return false;
  const given = digest(rest.join(' '));
  let match = false;
  for (const d of digests) match = timingSafeEqual(given, d) || match;
  return match;
}

/** @param {string} text */
function digest(text) {
  return createHash('sha256').update(text, 'utf8').digest();
}

module.exports = { apiKeyDigests, authorized, GUARDED_PREFIXES };
