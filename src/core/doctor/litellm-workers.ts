/**
 * The doctor's row for LiteLLM's worker count: each worker is a whole Python process (memory
 * taken from the models on unified memory) with its own database connection pool, so more
 * workers than cores only cost memory, and workers × pool must stay under PostgreSQL's limit.
 */
import type { CheckResult } from '../checks';
import { LITELLM_NUM_WORKERS_DEFAULT } from '../sync-env';

/**
 * A LiteLLM 1.108 process's resident memory after start-up, measured with the stack's LiteLLM
 * (stack/README.md "LiteLLM workers"). Workers are spawned, not forked, so nothing is shared;
 * with more than one worker the supervising parent is one more such process.
 */
export const LITELLM_WORKER_RSS_MIB = 330;
/** PostgreSQL's default max_connections (100) less the 3 it reserves for superusers. */
const POSTGRES_CONNECTIONS = 97;
/** LiteLLM's own default when config.yaml sets no database_connection_pool_limit. */
const DEFAULT_POOL_LIMIT = 10;

/**
 * Checks `LITELLM_NUM_WORKERS` (from `.env`) against the machine's cores and the per-worker
 * database pool in litellm/config.yaml's text. Pure.
 */
export function workersCheck(value: string | undefined, cores: number, configText: string): CheckResult {
  const base = { id: 'litellm-workers', title: 'LiteLLM workers' };
  const text = value === undefined || value === '' ? LITELLM_NUM_WORKERS_DEFAULT : value;
  if (!/^[1-9][0-9]{0,2}$/.test(text)) {
    return { ...base, status: 'fail', detail: 'LITELLM_NUM_WORKERS in .env is not a whole number from 1 to 999', fix: `Set LITELLM_NUM_WORKERS=${LITELLM_NUM_WORKERS_DEFAULT} in .env (or remove the line), then run \`spark-gateway sync-env\`` };
  }
  const workers = Number(text);
  const pool = Number(/^\s*database_connection_pool_limit:\s*(\d+)/m.exec(configText)?.[1] ?? DEFAULT_POOL_LIMIT);
  const memory = `about ${(workers + (workers > 1 ? 1 : 0)) * LITELLM_WORKER_RSS_MIB} MiB of memory`;
  if (workers * pool > POSTGRES_CONNECTIONS) {
    return { ...base, status: 'warn', detail: `${workers} workers × ${pool} database connections each exceed PostgreSQL's ${POSTGRES_CONNECTIONS}`, fix: `Set LITELLM_NUM_WORKERS=${Math.floor(POSTGRES_CONNECTIONS / pool)} or less in .env (or lower database_connection_pool_limit in litellm/config.yaml), then run \`spark-gateway sync-env\`` };
  }
  if (workers > cores) {
    return { ...base, status: 'warn', detail: `${workers} workers on ${cores} cores (${memory}): workers beyond the cores add memory, not speed`, fix: `Set LITELLM_NUM_WORKERS=${cores} or less in .env, then run \`spark-gateway sync-env\`` };
  }
  return { ...base, status: 'ok', detail: `${workers} of ${cores} cores, ${memory}` };
}
