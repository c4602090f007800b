import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { runCli } from '../../src/cli/main';
import { scenariosYaml } from '../support/fixtures';

const dir = mkdtempSync(path.join(tmpdir(), 'spark-chat-cli-'));
writeFileSync(path.join(dir, 'scenarios.yaml'), scenariosYaml());
writeFileSync(path.join(dir, '.env'), 'LITELLM_MASTER_KEY=\n');
after(() => rmSync(dir, { recursive: true, force: true }));

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(['--stack', dir, ...argv], { out: (t) => (out += t), err: (t) => (err += t), cwd: dir, env: {} });
  return { code, out, err };
}

describe('CLI chat (no gateway needed)', () => {
  it('needs a model and a prompt (usage, exit 64)', async () => {
    const { code, err } = await cli('chat', 'gpt-oss-20b');
    assert.equal(code, 64);
    assert.match(err, /chat takes a model and a prompt/);
  });

  it('refuses a --max-tokens that is not a positive whole number', async () => {
    const { code } = await cli('chat', 'm', 'hi', '--max-tokens', '0');
    assert.equal(code, 64);
  });

  it('without a key in the stack\'s .env says so in one line with the sync-env fix', async () => {
    const { code, out, err } = await cli('chat', 'gpt-oss-20b', 'hello');
    assert.equal(code, 1);
    assert.equal(out, '');
    assert.match(err, /^spark-gateway: no gateway key: LITELLM_MASTER_KEY is not set in .*\.env — Run `spark-gateway sync-env`.*\n$/);
  });

  it('refuses a --ca file that does not exist before connecting', async () => {
    const { code, err } = await cli('chat', 'gpt-oss-20b', 'hello', '--key', 'sk-x', '--ca', path.join(dir, 'nope.pem'));
    assert.equal(code, 1);
    assert.match(err, /nope\.pem does not exist/);
  });
});
