/**
 * `spark-gateway doctor`: the troubleshooting table's rows on a copy of the stack, each with a
 * status and a fix; a failing row makes the exit code non-zero.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from '../../src/cli/main';
import type { CheckResult } from '../../src/core/checks';
import { DockerNotReachableError } from '../../src/core/compose/engine';
import { runDoctor } from '../../src/core/doctor/doctor';
import { onlyGatewayFailed, preflight } from '../../src/core/preflight/preflight';
import { loadStack } from '../../src/core/stack/discovery';
import { fakeEngine } from '../support/fake-engine';
import { copyStack } from '../support/stack-copy';

const memInfo = async () => ({ totalBytes: 128 * 1024 ** 3, availableBytes: 100 * 1024 ** 3, freeBytes: 0, cachedBytes: 0 });

const row = (rows: CheckResult[], id: string) => rows.find((r) => r.id === id);

describe('spark-gateway doctor', () => {
  it('prints every row as JSON and exits non-zero when the certificates are missing', async () => {
    const stack = copyStack({ syncEnv: true, certs: false });
    try {
      let out = '';
      const code = await runCli(['--stack', stack.dir, 'doctor', '--json'], { out: (t) => (out += t), err: () => undefined, cwd: stack.dir, env: process.env });
      const { checks } = JSON.parse(out) as { checks: CheckResult[] };
      assert.equal(code, 1);
      assert.deepEqual(row(checks, 'certs'), { id: 'certs', title: 'Certificates present and valid for localhost', status: 'fail', detail: 'ssl/public.pem and ssl/private.pem missing', fix: 'Run `spark-gateway certs`' });
      for (const id of ['docker', 'env-sync', 'hf-token', 'port-8001', 'memory', 'litellm', 'nginx', 'model']) assert.ok(row(checks, id), `row ${id}`);
      for (const c of checks) assert.ok(['ok', 'warn', 'fail', 'skip'].includes(c.status));
    } finally {
      stack.remove();
    }
  });

  it('explains Docker down, a foreign port holder, an exited container and an unsynced env, each with its fix', async () => {
    const stack = copyStack({ syncEnv: false, certs: true });
    try {
      const down = await runDoctor({ stack: await loadStack(stack.dir), engine: fakeEngine({ ping: async () => { throw new DockerNotReachableError('Docker is not reachable: no socket', 'Start the Docker daemon'); } }), memInfo });
      assert.equal(row(down, 'docker')?.status, 'fail');
      assert.equal(row(down, 'docker')?.fix, 'Start the Docker daemon');
      assert.equal(row(down, 'network')?.status, 'skip');
      assert.equal(row(down, 'env-sync')?.status, 'fail');
      assert.equal(row(down, 'env-sync')?.fix, 'Run `spark-gateway sync-env`');

      const rows = await runDoctor({
        stack: await loadStack(stack.dir),
        engine: fakeEngine({
          networkExists: async () => false,
          publishedPorts: async () => new Map([[8003, 'someone-else']]),
          container: async (name) => (name === 'vllm-gpt-oss-20b' ? { status: 'exited', exitCode: 137, restartCount: 0 } : undefined),
        }),
        memInfo,
        isPortFree: async (port) => port !== 4000,
      });
      assert.match(row(rows, 'network')?.fix ?? '', /docker network create vllm_network/);
      assert.equal(row(rows, 'port-8003')?.detail, 'taken by container someone-else (vllm-qwen-30b needs it)');
      assert.equal(row(rows, 'port-4000')?.status, 'fail');
      assert.match(row(rows, 'port-4000')?.fix ?? '', /ss -ltnp/);
      assert.deepEqual(row(rows, 'container-gpt-oss-20b'), { id: 'container-gpt-oss-20b', title: 'gpt-oss-20b (vllm-gpt-oss-20b)', status: 'fail', detail: 'exited (code 137)', fix: 'Read its log: docker logs vllm-gpt-oss-20b' });
      assert.equal(row(rows, 'container-qwen-30b')?.status, 'skip');
    } finally {
      stack.remove();
    }
  });

  it('fails a gateway image that is neither present nor pullable, as the start with the gateway does, which a models-only start skips', async () => {
    const stack = copyStack({ syncEnv: true, certs: true });
    try {
      const loaded = await loadStack(stack.dir);
      const litellmImage = 'ghcr.io/berriai/litellm:v1.108.7-stable';
      const engine = fakeEngine({
        imageExists: async (ref) => ref !== litellmImage,
        imagePullable: async (ref) => (ref === litellmImage ? 'no registry answers (offline)' : undefined),
      });
      const rows = await runDoctor({ stack: loaded, engine, memInfo, isPortFree: async () => true });
      const doctorRow = row(rows, `image-${litellmImage}`);
      assert.equal(doctorRow?.status, 'fail');
      assert.match(doctorRow?.detail ?? '', /cannot be pulled: no registry answers/);

      const scenario = loaded.scenarios.scenarios[0];
      assert.ok(scenario);
      const input = { stack: loaded, scenario, variant: scenario.variant, backend: 'simulator' as const, engine, totalBytes: 128 * 1024 ** 3, isPortFree: async () => true };
      const withGateway = await preflight({ ...input, modelsOnly: false });
      assert.deepEqual(row([...withGateway.checks], `image-${litellmImage}`), { ...doctorRow, gatewayOnly: true });
      assert.equal(withGateway.ok, false);
      assert.equal(onlyGatewayFailed(withGateway.checks), true, 'only the gateway refuses: "Models only" is offered');
      const modelsOnly = await preflight({ ...input, modelsOnly: true });
      assert.equal(row([...modelsOnly.checks], `image-${litellmImage}`), undefined);
      assert.equal(modelsOnly.ok, true);
    } finally {
      stack.remove();
    }
  });

  it("checks LITELLM_NUM_WORKERS against the machine's cores and PostgreSQL's connections", async () => {
    const stack = copyStack({ syncEnv: true, certs: true });
    try {
      const envFile = path.join(stack.dir, '.env');
      const configFile = path.join(stack.dir, 'litellm', 'config.yaml');
      const doctor = async (workers: string, cores: number) => {
        writeFileSync(envFile, readFileSync(envFile, 'utf8').replace(/^LITELLM_NUM_WORKERS=.*$/m, `LITELLM_NUM_WORKERS=${workers}`));
        return row(await runDoctor({ stack: await loadStack(stack.dir), engine: fakeEngine(), memInfo, cores }), 'litellm-workers');
      };
      assert.equal((await doctor('8', 20))?.status, 'ok');
      assert.match((await doctor('8', 20))?.detail ?? '', /^8 of 20 cores, about \d+ MiB of memory$/);
      const over = await doctor('4', 2);
      assert.equal(over?.status, 'warn');
      assert.match(over?.fix ?? '', /LITELLM_NUM_WORKERS=2 or less/);
      // The stack's pool limit per worker, read from its own config.yaml, bounds the workers.
      const pool = Number(/^\s*database_connection_pool_limit:\s*(\d+)/m.exec(readFileSync(configFile, 'utf8'))?.[1]);
      assert.ok(pool > 0, 'config.yaml sets database_connection_pool_limit');
      const tooMany = await doctor(String(Math.floor(97 / pool) + 1), 999);
      assert.equal(tooMany?.status, 'warn');
      assert.match(tooMany?.detail ?? '', /database connections each exceed PostgreSQL's 97/);
      const invalid = await doctor('many', 20);
      assert.equal(invalid?.status, 'fail');
      assert.match(invalid?.fix ?? '', /Set LITELLM_NUM_WORKERS=8/);
    } finally {
      stack.remove();
    }
  });
});
