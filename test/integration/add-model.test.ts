/**
 * `add-model` to `remove-model` on the real components: a repository read from the Hub STAND-IN
 * (test/support/hub-standin.ts; the Hub cannot be reached here) through HF_ENDPOINT with the
 * stack's HF_TOKEN → the new folder passes `docker compose config` (v2 and v1) → its server comes
 * up healthy from the generated compose file on the simulator (the GPU server's test double) →
 * the real LiteLLM loads the edited config.yaml and routes the new name to it → the planner's
 * verdict holds → `remove-model` leaves the stack byte for byte as before.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { missing } from '../support/components';
import { ensureNetwork, ensureSimulatorImage, inspect, removeNetwork } from '../support/docker';
import type { LiteLlm, Redis } from '../support/gateway';
import { loopbackConfig, startLiteLlm, startRedis } from '../support/gateway';
import { STANDIN_TOKEN } from '../support/hub-repos';
import type { HubStandIn, StandInRepo } from '../support/hub-standin';
import { cliWithEnv, cliWithHub, startHubStandIn } from '../support/hub-standin';
import type { StackCopy } from '../support/stack-copy';
import { copyStack } from '../support/stack-copy';
import { snapshotTree } from '../support/tree-snapshot';

/**
 * Served only here: https://huggingface.co/meta-llama/Llama-3.2-3B-Instruct (gated), its
 * config.json as published (a stored public copy: citsjtu2020/LLM-Prof, sglang/Model_Config.md),
 * two shards and the index with the sizes recorded from its listing.
 */
const LLAMA_32_3B: StandInRepo = {
  id: 'meta-llama/Llama-3.2-3B-Instruct',
  sha: '0cb88a4f764b7a12671c53f0838cd831a0843b95',
  gated: 'manual',
  files: [
    { path: 'config.json', content: JSON.stringify({ architectures: ['LlamaForCausalLM'], attention_bias: false, attention_dropout: 0.0, bos_token_id: 128000, eos_token_id: [128001, 128008, 128009], head_dim: 128, hidden_act: 'silu', hidden_size: 3072, initializer_range: 0.02, intermediate_size: 8192, max_position_embeddings: 131072, mlp_bias: false, model_type: 'llama', num_attention_heads: 24, num_hidden_layers: 28, num_key_value_heads: 8, pretraining_tp: 1, rms_norm_eps: 1e-5, rope_scaling: { factor: 32.0, high_freq_factor: 4.0, low_freq_factor: 1.0, original_max_position_embeddings: 8192, rope_type: 'llama3' }, rope_theta: 500000.0, tie_word_embeddings: true, torch_dtype: 'bfloat16', transformers_version: '4.45.0.dev0', use_cache: true, vocab_size: 128256 }, null, 2) },
    { path: 'model-00001-of-00002.safetensors', size: 4965799096 },
    { path: 'model-00002-of-00002.safetensors', size: 1459729952 },
    { path: 'model.safetensors.index.json', content: JSON.stringify({ metadata: { total_size: 6425499648 }, weight_map: {} }) },
    { path: 'original/consolidated.00.pth', size: 6425581594 },
  ],
};
const NAME = 'llama-3-2-3b-instruct';
const CONTAINER = `vllm-${NAME}`;

describe('add-model → compose → simulator → LiteLLM → plan → remove-model', { skip: missing('docker', 'compose', 'litellm', 'redis') }, () => {
  let hub: HubStandIn;
  let stack: StackCopy;
  let redis: Redis | undefined;
  let litellm: LiteLlm | undefined;
  let createdNetwork = false;
  const work = mkdtempSync(path.join(tmpdir(), 'spark-add-model-'));
  const cli = (...argv: string[]) => cliWithHub(hub, stack.dir, ...argv);

  before(async () => {
    hub = await startHubStandIn([LLAMA_32_3B], { token: STANDIN_TOKEN });
    stack = copyStack();
    // The stack's own token; the repository is gated, so without it add-model would refuse.
    appendFileSync(path.join(stack.dir, '.env'), `HF_TOKEN=${STANDIN_TOKEN}\n`);
    ensureSimulatorImage();
    createdNetwork = ensureNetwork();
  });
  after(async () => {
    await litellm?.stop();
    await redis?.stop();
    execFileSync('docker', ['rm', '-f', CONTAINER], { stdio: 'pipe' });
    if (createdNetwork) removeNetwork();
    await hub.stop();
    stack.remove();
    rmSync(work, { recursive: true, force: true });
  });

  it('adds the model, serves it through LiteLLM, and removes it leaving the stack as it was', { timeout: 420_000 }, async () => {
    assert.equal((await cli('sync-env')).code, 0, 'the token reaches the model folders before the picture is taken');
    const dry = await cli('add-model', LLAMA_32_3B.id, '--dry-run', '--json', '--total-gib', '128');
    assert.equal(dry.code, 0, dry.err);
    const figures = JSON.parse(dry.out) as Record<string, number | string>;
    // index total_size; 28 layers × 8 KV heads × head_dim 128 × 2 × 2 B; min(32768, 131072);
    // need = 6425499648 + ceil(2 + 5.98 GiB ÷ 24) = 3 GiB + 114688 × 32768
    assert.deepEqual([figures.weightsBytes, figures.kvBytesPerToken, figures.maxModelLen, figures.needBytes, figures.toolCallParser], [6425499648, 114688, 32768, 6425499648 + 3 * 1024 ** 3 + 114688 * 32768, 'llama3_json']);
    // A dry run writes nothing; add-model itself fills the Hub cache (`.cache/`, gitignored), which
    // remove-model keeps, so the stack must come back to exactly this apart from that cache.
    const withoutHubCache = (tree: Record<string, string>) => Object.fromEntries(Object.entries(tree).filter(([file]) => !file.startsWith('.cache/')));
    assert.equal(existsSync(path.join(stack.dir, '.cache', 'hub')), false, 'the dry run wrote no Hub cache');
    const before = withoutHubCache(snapshotTree(stack.dir));

    const added = await cli('add-model', LLAMA_32_3B.id, '--total-gib', '128');
    assert.equal(added.code, 0, added.err);
    assert.equal((await cli('sync-env')).code, 0);
    assert.ok(existsSync(path.join(stack.dir, NAME, '.env')), 'sync-env covers the new folder');

    const folder = path.join(stack.dir, NAME);
    const tools: string[][] = [['docker', 'compose'], ...(existsSync('/usr/bin/docker-compose') || process.env.CI === 'true' ? [['docker-compose']] : [])];
    for (const [bin, ...pre] of tools) {
      for (const file of ['docker-compose.yml', 'docker-compose-gpu.yml']) {
        const rendered = execFileSync(bin as string, [...pre, '-f', file, 'config'], { cwd: folder, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
        assert.match(rendered, new RegExp(`container_name: ${CONTAINER}`), `${bin} ${file}`);
        assert.match(rendered, /llama3_json/, `${bin} ${file}`);
      }
    }

    const plan = await cli('plan', NAME, '--total-gib', '128', '--json');
    assert.equal(plan.code, 0, plan.out);
    const verdict = JSON.parse(plan.out) as { fits: boolean; models: { fraction: number; kvBudgetBytes: number; minKvBytes: number }[] };
    assert.equal(verdict.fits, true);

    // Started without HF_ENDPOINT: the simulator reads no weights, so the start downloads none
    // (the stand-in lists the checkpoint but does not serve its 6.4 GB).
    const up = await cliWithEnv({}, stack.dir, 'up', NAME, '--backend', 'simulator', '--models-only', '--total-gib', '128');
    assert.equal(up.code, 0, up.out + up.err);
    assert.match(up.out, new RegExp(`${NAME}: healthy`));
    const args = inspect(CONTAINER).Args;
    assert.equal(args[args.indexOf('--served-model-name') + 1], NAME);
    assert.equal(Number(args[args.indexOf('--gpu-memory-utilization') + 1]), verdict.models[0]?.fraction, 'the container got the planned fraction');
    const hostPort = Number(/127\.0\.0\.1\}?:(\d+):8000/.exec(readFileSync(path.join(folder, 'docker-compose.yml'), 'utf8'))?.[1]);
    assert.equal((await fetch(`http://127.0.0.1:${hostPort}/health`)).status, 200);

    redis = await startRedis();
    litellm = await startLiteLlm(loopbackConfig(new Map([[CONTAINER, `http://127.0.0.1:${hostPort}`]]), work, stack.dir), redis.port);
    const listed = (await (await fetch(`${litellm.url}/v1/models`, { headers: { authorization: `Bearer ${litellm.masterKey}` } })).json()) as { data: { id: string }[] };
    assert.ok(listed.data.some((m) => m.id === NAME), JSON.stringify(listed));
    const answer = await fetch(`${litellm.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${litellm.masterKey}` },
      body: JSON.stringify({ model: NAME, messages: [{ role: 'user', content: 'route-check' }], max_tokens: 8 }),
    });
    assert.equal(answer.status, 200, await answer.clone().text());
    const served = (await (await fetch(`http://127.0.0.1:${hostPort}/v1/models`)).json()) as { data: { id: string }[] };
    assert.equal(served.data[0]?.id, NAME, 'the new model server answered under its one name');
    await litellm.stop();
    litellm = undefined;

    const down = await cli('down', NAME);
    assert.equal(down.code, 0, down.out + down.err);
    const removed = await cli('remove-model', NAME);
    assert.equal(removed.code, 0, removed.out + removed.err);
    assert.deepEqual(withoutHubCache(snapshotTree(stack.dir)), before, 'the stack is byte for byte as before add-model');
  });
});
