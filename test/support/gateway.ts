/**
 * The gateway's middle: Redis and the real LiteLLM proxy, as host processes with the stack's
 * own `litellm/config.yaml`, its upstreams pointed at simulators on loopback.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { LITELLM_BIN } from './components';
import type { Running } from './processes';
import { STACK_DIR, answers, freePort, start, waitFor } from './processes';

export interface Redis {
  readonly port: number;
  stop(): Promise<void>;
}

/** redis-server on 127.0.0.1, cache only (no persistence), as the stack's compose file runs it. */
export async function startRedis(): Promise<Redis> {
  const port = await freePort();
  const proc = start('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory', '64mb', '--maxmemory-policy', 'allkeys-lru']);
  await waitFor('redis', async () => /Ready to accept connections/.test(proc.output()), 20_000, () => proc.output());
  return { port, stop: () => proc.stop() };
}

export interface LiteLlm {
  readonly url: string;
  readonly masterKey: string;
  readonly process: Running;
  stop(): Promise<void>;
}

/**
 * Writes the stack's config.yaml with each `http://<container>:8000/v1` replaced by the
 * simulator's loopback URL. The database is left out: LiteLLM's database layer needs Prisma
 * engines downloaded at run time, which these machines cannot do (SPEC §6).
 */
export function loopbackConfig(upstreams: ReadonlyMap<string, string>, workDir: string, stackDir = STACK_DIR): string {
  let config = readFileSync(path.join(stackDir, 'litellm', 'config.yaml'), 'utf8');
  for (const [container, url] of upstreams) {
    const from = `http://${container}:8000/v1`;
    if (!config.includes(from)) throw new Error(`litellm/config.yaml has no upstream ${from}`);
    config = config.split(from).join(`${url}/v1`);
  }
  const withoutDatabase = config.replace(/^\s*database_url: .*$/m, '');
  mkdirSync(workDir, { recursive: true });
  const file = path.join(workDir, 'config.yaml');
  writeFileSync(file, withoutDatabase);
  return file;
}

/**
 * Starts LiteLLM with `config` on 127.0.0.1 and waits for its liveliness probe; `workers` is
 * `--num_workers` (the stack's compose file passes LITELLM_NUM_WORKERS there), with the compose
 * file's worker health-check timeout and log level.
 */
export async function startLiteLlm(config: string, redisPort: number, masterKey = `sk-${randomBytes(24).toString('hex')}`, workers = 1, extraEnv: NodeJS.ProcessEnv = {}): Promise<LiteLlm> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc = start(LITELLM_BIN, ['--config', config, '--host', '127.0.0.1', '--port', String(port), '--num_workers', String(workers), '--timeout_worker_healthcheck', '120'], {
    env: {
      LITELLM_MASTER_KEY: masterKey,
      LITELLM_LOG: 'ERROR',
      REDIS_HOST: '127.0.0.1',
      REDIS_PORT: String(redisPort),
      // No telemetry or model-cost map downloads: the network is closed, and tests must not wait on it.
      LITELLM_LOCAL_MODEL_COST_MAP: 'True',
      TELEMETRY: 'False',
      LITELLM_TELEMETRY: 'False',
      PYTHONUNBUFFERED: '1',
      ...extraEnv,
    },
  });
  await waitFor('litellm', () => answers(`${url}/health/liveliness`), 180_000, () => proc.output().slice(-4000));
  return { url, masterKey, process: proc, stop: () => proc.stop() };
}
