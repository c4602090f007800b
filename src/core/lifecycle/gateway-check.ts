/**
 * The end-to-end check after a start: through NGINX over HTTPS, trusting exactly the stack's own
 * certificate (never with verification off — the check must prove what a client will see), the
 * unauthenticated `/health` and the authenticated `/v1/models` with the master key.
 */
import { request } from 'node:https';
import { SparkError } from '../errors';

export interface HttpsAnswer {
  readonly status: number;
  readonly body: string;
}

/** GET over HTTPS trusting only `ca`; rejects on network and TLS errors. */
export function httpsGet(url: string, ca: Buffer | string, headers: Record<string, string> = {}, timeoutMs = 5000): Promise<HttpsAnswer> {
  return httpsRequest(url, ca, { headers, timeoutMs });
}

/** A request over HTTPS trusting only `ca` (a JSON body is POSTed); rejects on network and TLS errors. */
export function httpsRequest(url: string, ca: Buffer | string, options: { headers?: Record<string, string>; json?: unknown; timeoutMs?: number } = {}): Promise<HttpsAnswer> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const body = options.json === undefined ? undefined : JSON.stringify(options.json);
  const headers = { ...options.headers, ...(body ? { 'content-type': 'application/json' } : {}) };
  return new Promise((resolve, reject) => {
    const req = request(url, { method: body ? 'POST' : 'GET', ca, headers, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url} within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Checks `<base>/health` (200) and `<base>/v1/models` with the key (200, listing `models`).
 * Returns the model ids the gateway lists; throws a {@link SparkError} naming the failed step.
 */
export async function checkGateway(base: string, ca: Buffer | string, masterKey: string, models: readonly string[]): Promise<string[]> {
  const health = await httpsGet(`${base}/health`, ca).catch((error: unknown) => {
    throw new SparkError(`${base}/health does not answer over HTTPS with the stack's certificate: ${error instanceof Error ? error.message : String(error)}`, 'Run `spark-gateway doctor`');
  });
  if (health.status !== 200) throw new SparkError(`${base}/health answered ${health.status}`, 'Check LiteLLM: docker logs vllm-litellm-proxy');
  const list = await httpsGet(`${base}/v1/models`, ca, { authorization: `Bearer ${masterKey}` });
  if (list.status === 401) throw new SparkError(`${base}/v1/models refused the master key (401)`, 'Run `spark-gateway sync-env` and restart LiteLLM');
  if (list.status !== 200) throw new SparkError(`${base}/v1/models answered ${list.status}`, 'Check LiteLLM: docker logs vllm-litellm-proxy');
  const ids = ((JSON.parse(list.body) as { data?: { id?: string }[] }).data ?? []).map((m) => m.id ?? '');
  const missing = models.filter((m) => !ids.includes(m));
  if (missing.length > 0) throw new SparkError(`the gateway does not list ${missing.join(', ')} (it lists ${ids.join(', ') || 'nothing'})`, 'Check litellm/config.yaml and the model containers');
  return ids;
}
