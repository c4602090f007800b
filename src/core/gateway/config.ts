/**
 * Where the gateway is and how to trust it: the URL (NGINX's HTTPS port from the stack's `.env`
 * unless given), the key (the stack's `LITELLM_MASTER_KEY` unless given) and the CA to verify
 * NGINX's certificate with (the stack's own `ssl/public.pem`, i.e. certificate pinning).
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { SparkError } from '../errors';
import { isLoopbackHost } from '../inputs';
import { readStackEnvSync } from '../stack/env';
import { ENV_FILE, nginxPorts } from '../stack/layout';
import { BadKeyError } from './errors';

export interface GatewayConfig {
  /** The OpenAI base URL, ending in `/v1`. */
  readonly baseUrl: string;
  /** Bearer key; never print it whole (see {@link maskSecret}). */
  readonly key: string;
  /** PEM the TLS peer must chain to; undefined: the system's trust store. */
  readonly ca?: string;
  /** Where `ca` came from, for messages. */
  readonly caFile?: string;
}

export interface GatewayConfigInput {
  /** The stack folder (holding `.env` and `ssl/`); optional when url, key and ca are given. */
  readonly stackRoot?: string;
  readonly url?: string;
  readonly key?: string;
  /** A PEM file to trust instead of the stack's `ssl/public.pem`. */
  readonly caFile?: string;
}

/** The stack's certificate, relative to the stack root (written by certs.sh / `spark-gateway certs`). */
export const STACK_CERT = path.join('ssl', 'public.pem');


/** `sk-1234…abcd`: enough to recognise a key, never enough to use it. */
export function maskSecret(secret: string): string {
  if (secret.length <= 8) return '*'.repeat(secret.length);
  return `${secret.slice(0, 3)}…${secret.slice(-4)}`;
}

/** The default gateway URL for a stack's `.env`: NGINX in front of LiteLLM on this machine, at its HTTPS port. Pure. */
export function defaultGatewayUrl(stackEnv: ReadonlyMap<string, string>): string {
  const port = nginxPorts(stackEnv).https;
  return port === 443 ? 'https://localhost/v1' : `https://localhost:${port}/v1`;
}

/**
 * Accepts `https://host:port`, `…/v1` or `…/v1/`; returns the base ending in `/v1`. Plain http
 * only to this machine (LiteLLM's own port): the key would cross the network in clear text.
 */
export function normaliseGatewayUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new SparkError(`gateway URL "${url}" is not a URL`, 'Give a URL such as https://localhost/v1');
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new SparkError(`gateway URL "${url}" is not http(s)`, 'Give a URL such as https://localhost/v1');
  }
  if (parsed.username || parsed.password) {
    throw new SparkError(`gateway URL "${parsed.host}" carries a user name or password`, 'Give the URL without credentials; the key is sent as a bearer token (Set Gateway Key, or --key)');
  }
  if (parsed.protocol === 'http:' && !isLoopbackHost(parsed.hostname)) {
    throw new SparkError(`gateway URL "${url}" is plain http to ${parsed.hostname}, which is not this machine: the key would cross the network unencrypted`, `Use https://${parsed.hostname}/v1 (with :NGINX_HTTPS_PORT when it is not 443; the stack's ssl/public.pem is trusted), or plain http:// only to localhost, 127.0.0.1 or [::1]`);
  }
  const trimmed = parsed.pathname.replace(/\/+$/, '');
  parsed.pathname = trimmed.endsWith('/v1') ? trimmed : `${trimmed}/v1`;
  return parsed.toString().replace(/\/$/, '');
}


/**
 * Resolves the gateway's URL, key and trust from explicit values and the stack's files.
 * Throws a {@link SparkError} with the fix when there is no key or a given CA file is missing.
 */
export function resolveGatewayConfig(input: GatewayConfigInput): GatewayConfig {
  const env = input.stackRoot ? readStackEnvSync(input.stackRoot) : new Map<string, string>();
  const baseUrl = normaliseGatewayUrl(input.url?.trim() || defaultGatewayUrl(env));
  const key = input.key?.trim() || env.get('LITELLM_MASTER_KEY') || '';
  if (!key) {
    const where = input.stackRoot ? path.join(input.stackRoot, ENV_FILE) : `the stack ${ENV_FILE}`;
    throw new BadKeyError(`no gateway key: LITELLM_MASTER_KEY is not set in ${where}`);
  }
  let caFile = input.caFile;
  if (caFile !== undefined && !existsSync(caFile)) {
    throw new SparkError(`certificate file ${caFile} does not exist`, 'Give the stack\'s ssl/public.pem, or run `spark-gateway certs`');
  }
  if (caFile === undefined && input.stackRoot && existsSync(path.join(input.stackRoot, STACK_CERT))) caFile = path.join(input.stackRoot, STACK_CERT);
  // Plain http (LiteLLM on loopback) needs no trust; https without a stack certificate falls back
  // to the system's trust store — verification stays on either way.
  const ca = caFile && baseUrl.startsWith('https:') ? readFileSync(caFile, 'utf8') : undefined;
  return { baseUrl, key, ...(ca !== undefined ? { ca, caFile } : {}) };
}
