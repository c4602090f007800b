/**
 * `adopt` on a copy of the guide's public llms/vllm/ (test/fixtures/guide, written from the
 * guide): every known defect found with file and line, fixed with backups, the user's own
 * settings kept, a second run with nothing to do, and --dry-run writing nothing.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { runCli } from '../../src/cli/main';
import { planAdoption } from '../../src/core/adopt/plan';
import { parseScenarioFile } from '../../src/core/scenarios/file';
import type { GuideCopy } from '../support/guide-copy';
import { copyGuide, treeDigest } from '../support/guide-copy';
import { STACK_DIR } from '../support/processes';

interface AdoptJson {
  stack: string;
  problems: { id: string; file: string; line: number; message: string; fix: string }[];
  changes: { file: string; action: string; backup: string | null }[];
}

async function cli(cwd: string, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, { out: (t) => (out += t), err: (t) => (err += t), cwd, env: {}, bundledStack: STACK_DIR });
  return { code, out, err };
}

/** The 1-based line of the first line of `file` (under the stack) matching `pattern`. */
function lineOf(stack: string, file: string, pattern: RegExp): number {
  return readFileSync(path.join(stack, file), 'utf8').split('\n').findIndex((l) => pattern.test(l)) + 1;
}

describe("adopt on the guide's llms/vllm/", () => {
  let guide: GuideCopy;
  beforeEach(() => {
    guide = copyGuide();
  });
  afterEach(() => guide.remove());

  it('--dry-run --json lists each known defect with its file and line, and writes nothing', async () => {
    const before = treeDigest(guide.home);
    const { code, out } = await cli(guide.home, '--stack', 'llms/vllm', 'adopt', '--dry-run', '--json');
    assert.equal(code, 0);
    const json = JSON.parse(out) as AdoptJson;
    assert.equal(json.stack, guide.stack);
    const at = (id: string, file: string) => json.problems.filter((p) => p.id === id && p.file === file).map((p) => p.line);
    const s = guide.stack;
    assert.deepEqual(at('env-template-name', 'env.example'), [1]);
    assert.deepEqual(at('served-name', 'qwen-30b/docker-compose.yml'), [lineOf(s, 'qwen-30b/docker-compose.yml', /--served-model-name qwen3-coder-30b/)]);
    assert.deepEqual(at('tool-parser', 'qwen-30b/docker-compose.yml'), [lineOf(s, 'qwen-30b/docker-compose.yml', /qwen3_code$/)]);
    assert.deepEqual(at('healthcheck-tool', 'litellm/docker-compose.yml'), [lineOf(s, 'litellm/docker-compose.yml', /test: \["CMD", "curl"/)]);
    assert.deepEqual(at('healthcheck-tool', 'docker-compose.yml'), [lineOf(s, 'docker-compose.yml', /test: \["CMD", "curl"/)]);
    assert.deepEqual(at('nginx-health-auth', 'nginx/multi-model.conf'), [lineOf(s, 'nginx/multi-model.conf', /proxy_pass http:\/\/litellm-backend\/health;/)]);
    assert.deepEqual(at('nginx-ipv6', 'nginx/multi-model.conf'), [lineOf(s, 'nginx/multi-model.conf', /listen 80;/), lineOf(s, 'nginx/multi-model.conf', /listen 443 ssl;/)]);
    assert.equal(at('litellm-port', 'litellm/docker-compose.yml').length, 1);
    assert.deepEqual(at('default-secret', 'env.example'), [lineOf(s, 'env.example', /sk-1234/)]);
    assert.deepEqual(at('hardcoded-secret', 'litellm/docker-compose.yml').sort((a, b) => a - b), [lineOf(s, 'litellm/docker-compose.yml', /DATABASE_URL/), lineOf(s, 'litellm/docker-compose.yml', /POSTGRES_PASSWORD/)]);
    assert.equal(at('env-placeholder', 'litellm/config.yaml').length, 4);
    assert.equal(json.problems.filter((p) => p.id === 'memory-fraction').length, 6, 'both variants of the three models');
    assert.equal(json.problems.filter((p) => p.id === 'memory-fractions-sum').length, 1);
    assert.deepEqual(at('tensor-parallel', 'gpt-oss-120b/docker-compose-gpu.yml'), [lineOf(s, 'gpt-oss-120b/docker-compose-gpu.yml', /--tensor-parallel-size 3/)]);
    assert.deepEqual(at('test-endpoints', 'test-endpoints.sh'), [lineOf(s, 'test-endpoints.sh', /\/\$model\/v1\//)]);
    assert.equal(at('unrouted-model', 'gpt-oss-20b/docker-compose.yml').length, 1, 'LiteLLM routes no gpt-oss-20b');
    assert.equal(at('routed-name', 'litellm/config.yaml').length, 1);
    assert.equal(json.problems.filter((p) => p.id === 'port-all-interfaces').length, 8);
    assert.deepEqual(json.problems.filter((p) => p.id === 'unpinned-image').map((p) => p.message.split(' ')[1]).sort(), ['ghcr.io/berriai/litellm:main-latest', 'nginx:alpine', 'redis:alpine']);
    assert.equal(json.problems.filter((p) => p.id === 'network-not-external').length, 6);
    for (const p of json.problems) assert.ok(p.message && p.fix && p.line >= 1, JSON.stringify(p));
    assert.deepEqual(json.changes.find((c) => c.action === 'rename'), { file: '.env.example', action: 'rename', backup: null });
    assert.deepEqual(treeDigest(guide.home), before, '--dry-run changed nothing');
  });

  it('fixes the defects with a backup of every changed file and keeps the user settings', async () => {
    const original = treeDigest(guide.stack);
    const { code, out } = await cli(guide.home, '--stack', 'llms/vllm', 'adopt', '--json');
    assert.equal(code, 0);
    const json = JSON.parse(out) as AdoptJson;
    for (const change of json.changes.filter((c) => c.action !== 'create')) {
      assert.ok(change.backup && existsSync(path.join(guide.stack, change.backup)), `backup of ${change.file}`);
      const was = change.action === 'rename' ? 'env.example' : change.file;
      assert.equal(treeDigest(path.dirname(path.join(guide.stack, change.backup))).get(path.basename(was)), original.get(was), `${change.backup} is the file as it was`);
    }
    const read = (f: string) => readFileSync(path.join(guide.stack, f), 'utf8');
    assert.ok(!existsSync(path.join(guide.stack, 'env.example')) && /^LITELLM_MASTER_KEY=$/m.test(read('.env.example')));
    const qwen = read('qwen-30b/docker-compose.yml');
    assert.match(qwen, /--served-model-name qwen-30b\n/);
    assert.match(qwen, /--tool-call-parser qwen3_coder\n/);
    assert.match(qwen, /--gpu-memory-utilization \$\{QWEN_30B_GPU_MEMORY_UTILIZATION:-0\.85\}\n/);
    const big = read('gpt-oss-120b/docker-compose-gpu.yml');
    assert.match(big, /--tensor-parallel-size 2\n/);
    assert.match(big, /device_ids: \['0', '1'\]  # Specific GPUs/, 'two GPUs, their comment kept');
    for (const file of ['gpt-oss-120b/docker-compose.yml', 'gpt-oss-120b/docker-compose-gpu.yml']) {
      const text = read(file);
      assert.match(text, /--max-num-seqs 16\n\s+--enable-prefix-caching\n/, `${file}: their extra flags`);
      assert.match(text, /- \.\/chat\.template:\/root\/chat\.template/);
      assert.match(text, /image: nvcr\.io\/nvidia\/vllm:25\.11-py3/, 'their pinned tag');
      assert.match(text, /"127\.0\.0\.1:8002:8000"/, 'their port, on this machine only');
      assert.match(text, /count: all  # Use all available GPUs|device_ids/);
    }
    const config = read('litellm/config.yaml');
    assert.match(config, /^# LiteLLM routing: model name -> vLLM backend\.$/m, 'comments survive');
    assert.match(config, /model: openai\/qwen-30b/);
    assert.match(config, /- model_name: gpt-oss-20b\n\s+litellm_params:\n\s+model: openai\/gpt-oss-20b\n\s+api_base: http:\/\/vllm-gpt-oss-20b:8000\/v1/);
    assert.doesNotMatch(config, /\$\{/);
    assert.match(read('litellm/docker-compose.yml'), /"--num_workers", "4"/);
    assert.doesNotMatch(read('litellm/docker-compose.yml'), /dbpassword9090|curl/);
    assert.equal(read('test-endpoints.sh'), readFileSync(path.join(STACK_DIR, 'test-endpoints.sh'), 'utf8'));

    const scenarios = parseScenarioFile(read('scenarios.yaml'), 'scenarios.yaml');
    assert.deepEqual(scenarios.models.map((m) => [m.name, m.folder, m.container, m.hostPort, m.maxModelLen, m.kvCacheDtype, m.toolCallParser, m.defaultFraction]), [
      ['gpt-oss-120b', 'gpt-oss-120b', 'vllm-gpt-oss-120b', 8002, 4096, 'fp8', 'openai', 0.85],
      ['gpt-oss-20b', 'gpt-oss-20b', 'vllm-gpt-oss-20b', 8001, 4096, 'fp8', 'openai', 0.85],
      ['qwen-30b', 'qwen-30b', 'vllm-qwen-30b', 8003, 8192, 'fp8', 'qwen3_coder', 0.85],
    ]);
    assert.deepEqual(scenarios.scenarios.map((s) => s.name), ['gpt-oss-120b', 'gpt-oss-20b', 'qwen-30b', 'all']);

    const again = await cli(guide.home, '--stack', 'llms/vllm', 'adopt', '--json');
    assert.equal(again.code, 0);
    const adoptedTree = treeDigest(guide.stack);
    assert.deepEqual(JSON.parse(again.out), { stack: guide.stack, problems: [], changes: [] }, 'a second adopt finds nothing to do');
    assert.deepEqual(treeDigest(guide.stack), adoptedTree);
  });

  it('marks a model it does not know as unknown in scenarios.yaml, and routes LiteLLM to the container as it is named', () => {
    const file = path.join(guide.stack, 'gpt-oss-20b', 'docker-compose.yml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('vllm serve openai/gpt-oss-20b', 'vllm serve my-org/my-model'));
    const config = path.join(guide.stack, 'litellm', 'config.yaml');
    writeFileSync(config, readFileSync(config, 'utf8').replace('http://vllm-gpt-oss-120b:8000/v1', 'http://gpt-oss-120b-server:8000/v1'));
    const plan = planAdoption(guide.stack, STACK_DIR);
    const scenarios = plan.changes.find((c) => c.file === 'scenarios.yaml')?.after ?? '';
    assert.match(scenarios, /hfModel: my-org\/my-model\n\s+weightsGiB: 0 # unknown/);
    const route = plan.problems.find((p) => p.id === 'container-name');
    assert.ok(route, 'the route to another host is found');
    assert.match(plan.changes.find((c) => c.file === 'litellm/config.yaml')?.after ?? '', /api_base: http:\/\/vllm-gpt-oss-120b:8000\/v1/);
  });

  it('names the file and line of a compose file that does not parse, and changes nothing', async () => {
    writeFileSync(path.join(guide.stack, 'qwen-30b', 'docker-compose.yml'), 'services:\n  qwen-30b:\n    image: [unclosed\n');
    const before = treeDigest(guide.home);
    const { code, err } = await cli(guide.home, '--stack', 'llms/vllm', 'adopt');
    assert.equal(code, 1);
    assert.match(err, /qwen-30b\/docker-compose\.yml:\d+: /);
    assert.deepEqual(treeDigest(guide.home), before);
  });

  it('refuses a folder that is neither a stack nor laid out as the guide (exit 1) and bad usage (exit 64)', async () => {
    const empty = path.join(guide.home, 'empty');
    const none = await cli(guide.home, '--stack', 'empty-does-not-exist', 'adopt');
    assert.equal(none.code, 1);
    assert.equal((await cli(guide.home, '--stack', 'llms/vllm', 'adopt', 'extra')).code, 64);
    assert.equal((await cli(guide.home, '--stack', 'llms/vllm', 'adopt', '--force')).code, 64);
    assert.ok(!existsSync(empty));
    assert.deepEqual(readdirSync(guide.home), ['llms']);
  });
});
