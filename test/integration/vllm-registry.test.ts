/**
 * src/core/models/vllm-registry.json must be exactly what the pinned vLLM wheel registers:
 * scripts/vllm-registries.py runs again in the provisioned vLLM 0.31.0 venv and the output is
 * compared with the committed file.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { REQUIRE_ALL } from '../support/components';
import { REPO_ROOT } from '../support/processes';

const PYTHON = process.env.SPARK_VLLM031_PYTHON ?? '/opt/spark-gateway/vllm-0.31.0/bin/python';
const absent = existsSync(PYTHON) ? false : `${PYTHON} is missing (run scripts/provision-test-env.sh)`;
if (absent && REQUIRE_ALL) throw new Error(`${absent} — CI requires every component`);

describe('the committed vLLM registry list', { skip: absent }, () => {
  it('matches the architectures, parsers and quantization methods of the installed wheel', () => {
    const fresh = execFileSync(PYTHON, [path.join(REPO_ROOT, 'scripts', 'vllm-registries.py')], { env: { ...process.env, VLLM_TARGET_DEVICE: 'cpu' }, encoding: 'utf8', timeout: 300_000, stdio: ['ignore', 'pipe', 'pipe'] });
    const committed = readFileSync(path.join(REPO_ROOT, 'src', 'core', 'models', 'vllm-registry.json'), 'utf8');
    assert.deepEqual(JSON.parse(fresh), JSON.parse(committed));
  });
});
