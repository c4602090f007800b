import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { copyStackWithoutOverwriting } from '../../../src/core/stack-create';

describe('creating a stack from the bundled one', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'stack-create-'));
  after(() => rmSync(root, { recursive: true, force: true }));
  // As installed: the template is `stack/` in an install folder of its own (init never writes there).
  const bundled = path.join(root, 'install', 'stack');
  mkdirSync(path.join(bundled, 'gpt-oss-20b'), { recursive: true });
  mkdirSync(path.join(bundled, 'ssl'), { recursive: true });
  writeFileSync(path.join(bundled, 'scenarios.yaml'), 'version: 1\n');
  writeFileSync(path.join(bundled, 'sync-env.sh'), '#!/bin/sh\n', { mode: 0o755 });
  writeFileSync(path.join(bundled, 'gpt-oss-20b', 'docker-compose.yml'), 'services: {}\n');
  writeFileSync(path.join(bundled, '.env'), 'HF_TOKEN=secret\n');
  writeFileSync(path.join(bundled, 'gpt-oss-20b', '.env'), 'HF_TOKEN=secret\n');
  writeFileSync(path.join(bundled, 'ssl', 'private.pem'), 'key\n');

  it('copies the stack files, keeps scripts executable, and leaves out secrets and certificates', async () => {
    const target = path.join(root, 'new', 'stack');
    const result = await copyStackWithoutOverwriting(bundled, target);
    assert.deepEqual([...result.copied].sort(), ['gpt-oss-20b/docker-compose.yml', 'scenarios.yaml', 'sync-env.sh']);
    assert.equal(statSync(path.join(target, 'sync-env.sh')).mode & 0o111, 0o111);
    assert.throws(() => statSync(path.join(target, '.env')));
    assert.throws(() => statSync(path.join(target, 'ssl', 'private.pem')));
  });

  it('never overwrites a file that exists, and says which it kept', async () => {
    const target = path.join(root, 'edited', 'stack');
    mkdirSync(target, { recursive: true });
    writeFileSync(path.join(target, 'scenarios.yaml'), 'my edits\n');
    const result = await copyStackWithoutOverwriting(bundled, target);
    assert.deepEqual(result.kept, ['scenarios.yaml']);
    assert.equal(readFileSync(path.join(target, 'scenarios.yaml'), 'utf8'), 'my edits\n');
  });
});
