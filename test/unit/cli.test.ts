import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { runCli } from '../../src/cli/main';
import { scenariosYaml } from '../support/fixtures';

const dir = mkdtempSync(path.join(tmpdir(), 'spark-cli-'));
writeFileSync(path.join(dir, 'scenarios.yaml'), scenariosYaml());
after(() => rmSync(dir, { recursive: true, force: true }));

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, { out: (t) => (out += t), err: (t) => (err += t), cwd: dir, env: {} });
  return { code, out, err };
}

describe('CLI', () => {
  it('lists scenarios as JSON with their models and planned bytes', async () => {
    const { code, out } = await cli('--stack', dir, 'scenarios', '--json', '--total-gib', '100');
    assert.equal(code, 0);
    const parsed = JSON.parse(out) as { scenarios: { name: string; models: { name: string; plannedBytes: number }[] }[] };
    assert.deepEqual(parsed.scenarios.map((s) => s.name), ['model-a', 'both']);
    assert.deepEqual(parsed.scenarios[1]?.models.map((m) => m.name), ['model-a', 'model-b']);
    assert.equal(parsed.scenarios[1]?.models[1]?.plannedBytes, 0.6 * 100 * 1024 ** 3);
  });

  it('finds the stack in the current folder without --stack', async () => {
    const { code, out } = await cli('scenarios');
    assert.equal(code, 0);
    assert.match(out, /model-a alone/);
  });

  it('exits 0 when a plan fits and 2 when it does not, with the reason', async () => {
    assert.equal((await cli('plan', 'both', '--total-gib', '128')).code, 0);
    const refused = await cli('plan', 'both', '--total-gib', '40');
    assert.equal(refused.code, 2);
    assert.match(refused.out, /does NOT fit/);
    assert.match(refused.out, /model-b: budget 24\.0 GiB/);
  });

  it('exits 1 with one line on stderr for an unknown scenario', async () => {
    const { code, err } = await cli('plan', 'nope', '--total-gib', '128');
    assert.equal(code, 1);
    assert.equal(err.trim().split('\n').length, 1);
    assert.match(err, /unknown scenario "nope"/);
  });

  it('names the file and line of a malformed scenarios.yaml', async () => {
    const bad = mkdtempSync(path.join(tmpdir(), 'spark-cli-bad-'));
    try {
      writeFileSync(path.join(bad, 'scenarios.yaml'), scenariosYaml().replace('model-b: 0.6', 'model-b: lots'));
      const { code, err } = await cli('--stack', bad, 'scenarios');
      assert.equal(code, 1);
      assert.match(err, new RegExp(`${path.join(bad, 'scenarios.yaml').replace(/\//g, '\\/')}:\\d+: the memory fraction of model-b must be a number`));
    } finally {
      rmSync(bad, { recursive: true, force: true });
    }
  });

  it('refuses unknown options and commands as usage errors (exit 64)', async () => {
    assert.equal((await cli('scenarios', '--jsn')).code, 64);
    assert.equal((await cli('frobnicate')).code, 64);
    assert.equal((await cli('plan', 'both', '--total-gib', 'many')).code, 64);
  });

  it('prints help with every command', async () => {
    const { code, out } = await cli('--help');
    assert.equal(code, 0);
    assert.match(out, /scenarios \[--json\]/);
    assert.match(out, /plan <scenario>/);
  });
});
