/**
 * The stack's own fixed facts, which its compose files, scripts and every feature agree on: the
 * file names at its root, the Docker network the model servers and LiteLLM share, LiteLLM's port
 * on that network, and NGINX's host ports (from `.env`, the compose file's defaults when unset).
 */

/** The stack's settings file, at its root (read as data, never sourced: see ./env.ts). */
export const ENV_FILE = '.env';
/** The committed template `sync-env` fills `.env` from. */
export const ENV_TEMPLATE = '.env.example';

/** The external network every model server and LiteLLM join (`docker network create vllm_network`). */
export const NETWORK = 'vllm_network';
/** LiteLLM's port inside the network and on 127.0.0.1. */
export const LITELLM_PORT = 4000;

/** NGINX's defaults in the top-level compose file (`${NGINX_HTTPS_PORT:-443}`, `${NGINX_HTTP_PORT:-80}`). */
const DEFAULT_HTTPS_PORT = 443;
const DEFAULT_HTTP_PORT = 80;

/** A port number from `.env`, or `fallback` when unset or not a number. Pure. */
function portValue(value: string | undefined, fallback: number): number {
  return value !== undefined && /^\d+$/.test(value.trim()) ? Number(value.trim()) : fallback;
}

/** The NGINX host ports from `.env` (the compose file's defaults when unset). Pure. */
export function nginxPorts(env: ReadonlyMap<string, string>): { https: number; http: number } {
  return { https: portValue(env.get('NGINX_HTTPS_PORT'), DEFAULT_HTTPS_PORT), http: portValue(env.get('NGINX_HTTP_PORT'), DEFAULT_HTTP_PORT) };
}
