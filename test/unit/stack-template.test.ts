/**
 * The bundled stack is a read-only template: in a folder without a stack, every command that
 * writes refuses with "no stack in this folder" and the init fix, and the bundled folder is byte
 * for byte what it was (CLI and core). `init` makes a writable copy; discovery finds guide folders.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../../src/cli/main';
import { applyAdoption } from '../../src/core/adopt/apply';
import { planAdoption } from '../../src/core/adopt/plan';
import { generateCerts } from '../../src/core/certs';
import { addScenarioToStack } from '../../src/core/stack-edit/add-scenario';
import { removeModelFromStack } from '../../src/core/stack-edit/remove-model';
import { applyStackChanges } from '../../src/core/files';
import { syncEnv } from '../../src/core/sync-env';
import { startScenario } from '../../src/core/lifecycle/scenario-start';
import { stopScenario } from '../../src/core/lifecycle/scenario-stop';
import { TEMPLATE_MARKER, TemplateStackError, loadStack, locateStack } from '../../src/core/stack/discovery';
import { TemplateTargetError, copyStackWithoutOverwriting } from '../../src/core/stack-create';
import { copyGuide, treeDigest } from '../support/guide-copy';
import { STACK_DIR } from '../support/processes';

async function cli(cwd: string, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, { out: (t) => (out += t), err: (t) => (err += t), cwd, env: {}, bundledStack: STACK_DIR });
  return { code, out, err };
}

const WRITING_COMMANDS: readonly string[][] = [
  ['sync-env'],
  ['certs'],
  ['certs', '--force'],
  ['up', 'scenario-2', '--backend', 'simulator', '--models-only'],
  ['down'],
  ['down', 'scenario-2'],
  ['adopt'],
  ['--stack', STACK_DIR, 'adopt'],
  ['--stack', STACK_DIR, 'sync-env'],
  ['--stack', STACK_DIR, 'certs'],
  // [models]: refused before the Hub or Docker is asked.
  ['add-model', 'Qwen/Qwen3-0.6B'],
  ['remove-model', 'gpt-oss-20b'],
  ['add-scenario', 'pair', 'gpt-oss-20b', 'qwen-30b', '--total-gib', '128'],
];

describe('the bundled stack is a read-only template', () => {
  let empty: string;
  let bundledBefore: Map<string, string>;
  before(() => {
    empty = mkdtempSync(path.join(tmpdir(), 'spark-empty-'));
    bundledBefore = treeDigest(STACK_DIR);
  });
  after(() => rmSync(empty, { recursive: true, force: true }));

  for (const argv of WRITING_COMMANDS) {
    it(`\`${argv.join(' ').replace(STACK_DIR, '<bundled>')}\` in an empty folder refuses with the init fix and writes nothing anywhere`, async () => {
      const { code, err } = await cli(empty, ...argv);
      assert.equal(code, 1, err);
      assert.match(err, /no stack in this folder/);
      assert.match(err, /spark-gateway init \[DIR\]/);
      assert.deepEqual(readdirSync(empty), [], 'the empty folder stays empty');
      assert.deepEqual(treeDigest(STACK_DIR), bundledBefore, 'the bundled folder is unchanged');
    });
  }

  it('reading commands may use it and say so', async () => {
    const { code, out, err } = await cli(empty, 'scenarios');
    assert.equal(code, 0, err);
    assert.match(err, /reading the bundled stack \(a read-only template/);
    assert.match(out, /scenario-2/);
  });

  it('the core write operations refuse it themselves (whatever calls them)', async () => {
    const stack = await loadStack(STACK_DIR);
    assert.equal(stack.template, true);
    await assert.rejects(syncEnv(STACK_DIR), TemplateStackError);
    await assert.rejects(generateCerts(STACK_DIR, { force: true }), TemplateStackError);
    await assert.rejects(startScenario({ stack, scenario: 'scenario-2', backend: 'simulator', modelsOnly: true }), TemplateStackError);
    await assert.rejects(stopScenario({ stack }), TemplateStackError);
    await assert.rejects(applyAdoption(planAdoption(STACK_DIR, STACK_DIR)), TemplateStackError);
    await assert.rejects(copyStackWithoutOverwriting(STACK_DIR, STACK_DIR), TemplateStackError);
    await assert.rejects(copyStackWithoutOverwriting(STACK_DIR, path.join(STACK_DIR, 'stack')), TemplateTargetError);
    await assert.rejects(applyStackChanges(STACK_DIR, [{ kind: 'write', file: 'probe.txt', content: 'x' }]), TemplateStackError);
    await assert.rejects(removeModelFromStack(STACK_DIR, 'gpt-oss-20b'), TemplateStackError);
    await assert.rejects(addScenarioToStack(STACK_DIR, { name: 'pair', models: ['gpt-oss-20b'], fractions: 'auto', totalBytes: 128 * 1024 ** 3 }), TemplateStackError);
    assert.deepEqual(treeDigest(STACK_DIR), bundledBefore);
  });
});

describe('init', () => {
  it('copies the bundled stack to ./stack without the template marker, prints the next steps, and never overwrites', async () => {
    const home = mkdtempSync(path.join(tmpdir(), 'spark-init-'));
    try {
      mkdirSync(path.join(home, 'stack'));
      writeFileSync(path.join(home, 'stack', 'scenarios.yaml'), 'mine\n');
      const { code, out } = await cli(home, 'init');
      assert.equal(code, 0);
      assert.match(out, /Created the stack in .*\/stack: \d+ files copied, 1 existing files kept as they were \(scenarios\.yaml\)/);
      assert.match(out, /Next steps:\n {2}spark-gateway sync-env .*\n {2}spark-gateway certs .*\n {2}spark-gateway scenarios .*\n {2}spark-gateway up scenario-2/);
      assert.ok(!existsSync(path.join(home, 'stack', TEMPLATE_MARKER)));
      assert.ok(existsSync(path.join(home, 'stack', 'qwen-30b', 'docker-compose.yml')));
      const other = await cli(home, 'init', 'elsewhere/mine');
      assert.match(other.out, /spark-gateway --stack elsewhere\/mine sync-env/);
      const synced = await cli(home, '--stack', 'elsewhere/mine', 'sync-env');
      assert.equal(synced.code, 0, synced.err);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});

describe('discovery', () => {
  it("finds the guide's llms/vllm/ as a stack to adopt; doctor and status say it needs adopting", async () => {
    const guide = copyGuide();
    try {
      assert.deepEqual(locateStack({ folders: [guide.home], bundled: STACK_DIR }), { kind: 'adopt', root: guide.stack, source: 'workspace' });
      const doctor = await cli(guide.home, 'doctor');
      assert.equal(doctor.code, 1);
      assert.match(doctor.out, new RegExp(`✗ Stack: ${guide.stack.replace(/[/.]/g, '\\$&')} is laid out as the guide's llms/vllm/ but has no scenarios\\.yaml: it needs adopting — fix: Run .*adopt --dry-run`));
      const status = await cli(guide.home, '--stack', 'llms/vllm', 'status');
      assert.equal(status.code, 1);
      assert.match(status.err, /needs adopting/);
    } finally {
      guide.remove();
    }
  });

  it('prefers stack/ over llms/vllm/ and the folder itself, and reports an explicit path that is neither', () => {
    const home = mkdtempSync(path.join(tmpdir(), 'spark-find-'));
    try {
      for (const dir of ['stack', 'llms/vllm']) {
        mkdirSync(path.join(home, dir), { recursive: true });
        writeFileSync(path.join(home, dir, 'scenarios.yaml'), '');
      }
      assert.equal(locateStack({ folders: [home] }).root, path.join(home, 'stack'));
      assert.throws(() => locateStack({ explicit: path.join(home, 'nothing') }), /is not a stack/);
      assert.throws(() => locateStack({ folders: [path.join(home, 'nothing')] }), /no stack in this folder/);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
