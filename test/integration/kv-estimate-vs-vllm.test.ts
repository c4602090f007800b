/**
 * The KV estimate against vLLM's own accounting: for every tiny model (test/support/tiny-models.ts)
 * the real vLLM CPU build starts with a 1 GiB KV budget and --max-model-len 1024 and prints
 * `CPU KV cache size: N tokens, Maximum concurrency for 1024 tokens per request: X.XXx`; add-model's
 * figures (src/core/models/kv-budget.ts on the model's config.json, through estimateKvCache) must
 * give the same N and X, and for full attention our bytes per token × N must be the budget. One
 * family again with --kv-cache-dtype fp8. A mismatch names the model and both figures.
 *
 * Cost: one vLLM start per model plus one for fp8, one at a time, each stopped (its whole process
 * group) as soon as the line is printed, before the API server comes up. With --enforce-eager and an
 * explicit KV size vLLM 0.31 skips the CPU warm-up, so the line comes 20–35 s after the spawn on 2
 * busy cores: about 3 minutes for the seven. A missing vLLM venv or CPU build skips this on a
 * developer machine and fails in CI.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { parseModelConfig } from '../../src/core/models/config';
import type { KvCacheDtype } from '../../src/core/models/kv-cache';
import { parseKvCacheLine, tokensInKvBudget } from '../../src/core/models/kv-budget';
import { freePort, start } from '../support/processes';
import { missingRealVllm, VLLM_BIN } from '../support/real-vllm';
import type { TinyModel, TinyModels } from '../support/tiny-models';
import { missingTinyModels, TINY_VLLM_ENV, tinyModels, tinyServeArgs } from '../support/tiny-models';

const GIB = 1024 ** 3;
const BUDGET = Number(TINY_VLLM_ENV.VLLM_CPU_KVCACHE_SPACE) * GIB;
const MAX_MODEL_LEN = 1024;
/** The family checked again with an fp8 KV cache. */
const FP8_MODEL = 'tiny-llama3';

interface VllmKvLine {
  readonly tokens: number;
  readonly concurrency: string;
  readonly seconds: number;
}

/**
 * Starts `vllm serve` of `model` as the CPU checks do ({@link tinyServeArgs}: eager, --max-model-len
 * 1024; the 1 GiB budget of {@link TINY_VLLM_ENV}) and stops it as soon as the KV line is there.
 */
async function vllmKvLine(set: TinyModels, model: TinyModel, extraArgs: readonly string[] = []): Promise<VllmKvLine> {
  const port = await freePort();
  const t0 = Date.now();
  const running = start(VLLM_BIN, [...tinyServeArgs(set, model, port, MAX_MODEL_LEN), ...extraArgs], { env: TINY_VLLM_ENV, group: true });
  try {
    const deadline = Date.now() + 300_000;
    for (;;) {
      const line = parseKvCacheLine(running.output());
      if (line) {
        assert.equal(line.maxModelLen, MAX_MODEL_LEN, `${model.name}: vLLM's line is for ${line.maxModelLen} tokens per request`);
        return { tokens: line.tokens, concurrency: line.concurrency, seconds: (Date.now() - t0) / 1000 };
      }
      if (running.child.exitCode !== null || running.child.signalCode !== null) throw new Error(`vLLM exited before its KV cache line for ${model.name} ${extraArgs.join(' ')}:\n${running.output().slice(-4000)}`);
      if (Date.now() > deadline) throw new Error(`no KV cache line from vLLM for ${model.name} in 300 s:\n${running.output().slice(-4000)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  } finally {
    await running.stop();
  }
}

interface Row {
  readonly model: string;
  readonly dtype: KvCacheDtype;
  readonly bytesPerToken: number;
  readonly ours: number;
  readonly vllm: number;
  readonly oursConcurrency: string;
  readonly vllmConcurrency: string;
  readonly seconds: number;
}

describe('KV estimate against vLLM\'s own accounting (real vLLM on CPU)', { skip: missingRealVllm() || missingTinyModels(), timeout: 900_000 }, () => {
  let set: TinyModels;
  const rows: Row[] = [];

  before(async () => {
    set = await tinyModels();
  });

  const check = async (model: TinyModel, dtype: KvCacheDtype): Promise<void> => {
    const config = parseModelConfig(readFileSync(path.join(set.folder(model), 'config.json'), 'utf8'), `${model.name}/config.json`);
    const ours = tokensInKvBudget(config, dtype, { budgetBytes: BUDGET, maxModelLen: MAX_MODEL_LEN });
    const vllm = await vllmKvLine(set, model, dtype === 'fp8' ? ['--kv-cache-dtype', 'fp8'] : []);
    const bytesPerToken = ours.estimate.bytesPerToken.value;
    rows.push({ model: model.name, dtype, bytesPerToken, ours: ours.tokens, vllm: vllm.tokens, oursConcurrency: ours.maxConcurrencyText, vllmConcurrency: vllm.concurrency, seconds: vllm.seconds });
    const what = `${model.name} (${dtype} KV, ${BUDGET} B budget, --max-model-len ${MAX_MODEL_LEN})`;
    assert.equal(ours.tokens, vllm.tokens, `${what}: our KV cache size ${ours.tokens} tokens, vLLM's ${vllm.tokens} (${ours.formula})`);
    assert.equal(ours.maxConcurrencyText, vllm.concurrency, `${what}: our maximum concurrency ${ours.maxConcurrencyText}x, vLLM's ${vllm.concurrency}x (${ours.formula})`);
    if (ours.kinds.every((k) => k.kind === 'full')) {
      // Full attention: vLLM's tokens are the blocks that fit, so bytes per token × tokens is the budget
      // less at most one block (block rounding).
      const used = bytesPerToken * vllm.tokens;
      assert.ok(used <= BUDGET && BUDGET - used < ours.bytesPerBlock, `${what}: our ${bytesPerToken} B per token × vLLM's ${vllm.tokens} tokens = ${used} B, not the ${BUDGET} B budget less under one ${ours.bytesPerBlock}-B block`);
    } else {
      // Sliding windows: vLLM reserves what a request of max_model_len may hold while it is prefilled,
      // more than the window the estimate keeps; its bytes per reserved token are the figure to hold.
      assert.ok(ours.reservedBytesPerRequest / MAX_MODEL_LEN >= bytesPerToken, `${what}: vLLM reserves ${ours.reservedBytesPerRequest} B a request, less than our ${bytesPerToken} B × ${MAX_MODEL_LEN}`);
    }
  };

  it('gives vLLM\'s KV cache size and maximum concurrency for every tiny family, and for fp8', async (t) => {
    const failures: string[] = [];
    const runs: [TinyModel, KvCacheDtype][] = set.models.map((m) => [m, 'auto']);
    const fp8 = set.models.find((m) => m.name === FP8_MODEL);
    assert.ok(fp8, `manifest.json lists ${FP8_MODEL}`);
    runs.push([fp8, 'fp8']);
    for (const [model, dtype] of runs) {
      try {
        await check(model, dtype);
      } catch (error) {
        failures.push(error instanceof Error ? error.message : String(error));
      }
    }
    t.diagnostic('model              KV    our B/token  our tokens  vLLM tokens  concurrency ours/vLLM  start s');
    for (const r of rows) {
      t.diagnostic(`${r.model.padEnd(18)} ${r.dtype.padEnd(5)} ${String(r.bytesPerToken).padStart(11)} ${r.ours.toLocaleString('en-US').padStart(11)} ${r.vllm.toLocaleString('en-US').padStart(12)}  ${`${r.oursConcurrency}/${r.vllmConcurrency}`.padStart(21)}  ${r.seconds.toFixed(1).padStart(7)}`);
    }
    assert.deepEqual(failures, [], failures.join('\n\n'));
    assert.equal(rows.length, runs.length);
  });
});
