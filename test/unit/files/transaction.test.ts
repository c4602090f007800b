/**
 * Stack writes are all files or none: a change set lands whole, and a failure at any step —
 * an injected rename or write failure, one per run — leaves the stack byte for byte as it was.
 * (A real full disk and a read-only file system: test/integration/hostile-writes.test.ts.)
 */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, readFileSync, statSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { SparkError } from '../../../src/core/errors';
import type { StackChange, StackFs } from '../../../src/core/files';
import { StackWriteError, applyStackChanges } from '../../../src/core/files';
import type { StackCopy } from '../../support/stack-copy';
import { copyStack } from '../../support/stack-copy';
import { snapshotTree } from '../../support/tree-snapshot';

/** A change set touching every kind: a new folder with a file, a modified file, a deleted folder. */
const CHANGES: readonly StackChange[] = [
  { kind: 'mkdir', dir: 'new-model' },
  { kind: 'write', file: 'new-model/docker-compose.yml', content: 'services: {}\n' },
  { kind: 'write', file: 'scenarios.yaml', content: '# replaced\n' },
  { kind: 'write', file: 'litellm/config.yaml', content: 'model_list: []\n' },
  { kind: 'delete', file: 'qwen-30b' },
];

/** A file system whose `op` fails on its `n`-th call (1-based) with `code`. */
function failingOn(op: 'rename' | 'writeFile', n: number, code = 'EIO'): Partial<StackFs> {
  let calls = 0;
  const fail = () => {
    calls += 1;
    if (calls === n) throw Object.assign(new Error(`injected ${op} failure`), { code });
  };
  return op === 'rename'
    ? { rename: async (from, to) => { fail(); await fs.rename(from, to); } }
    : {
        writeFile: async (file, data, mode) => {
          fail();
          await fs.writeFile(file, data, { mode, flag: 'wx' });
        },
      };
}

describe('stack edits, all files or none', () => {
  let stack: StackCopy;
  beforeEach(() => {
    stack = copyStack();
  });
  afterEach(() => stack.remove());

  it('applies creates, modifications, a new folder and a deleted folder together, and leaves no temporary files', async () => {
    chmodSync(path.join(stack.dir, 'scenarios.yaml'), 0o640);
    await applyStackChanges(stack.dir, CHANGES);
    assert.equal(readFileSync(path.join(stack.dir, 'new-model', 'docker-compose.yml'), 'utf8'), 'services: {}\n');
    assert.equal(readFileSync(path.join(stack.dir, 'scenarios.yaml'), 'utf8'), '# replaced\n');
    assert.equal(statSync(path.join(stack.dir, 'scenarios.yaml')).mode & 0o777, 0o640, 'a replaced file keeps its mode');
    assert.equal(statSync(path.join(stack.dir, 'new-model', 'docker-compose.yml')).mode & 0o777, 0o644);
    assert.equal(existsSync(path.join(stack.dir, 'qwen-30b')), false);
    assert.deepEqual(Object.keys(snapshotTree(stack.dir)).filter((f) => f.includes('.spark-')), []);
  });

  // The commit renames six times: the new file in, two old files aside and their new copies in,
  // the deleted folder aside. Each of them fails once here, the last one included.
  for (let n = 1; n <= 6; n += 1) {
    it(`restores the stack byte for byte when rename ${n} fails`, async () => {
      const before = snapshotTree(stack.dir);
      await assert.rejects(applyStackChanges(stack.dir, CHANGES, { fs: failingOn('rename', n) }), (error: unknown) => {
        assert.ok(error instanceof StackWriteError, String(error));
        assert.match(error.message, /injected rename failure; nothing was changed \(the stack is as it was\)/);
        return true;
      });
      assert.deepEqual(snapshotTree(stack.dir), before);
    });
  }

  for (let n = 1; n <= 3; n += 1) {
    it(`restores the stack when the disk refuses write ${n} (ENOSPC) and names the fix`, async () => {
      const before = snapshotTree(stack.dir);
      await assert.rejects(applyStackChanges(stack.dir, CHANGES, { fs: failingOn('writeFile', n, 'ENOSPC') }), (error: unknown) => {
        assert.ok(error instanceof StackWriteError);
        assert.match(error.fix ?? '', /Free some disk space/);
        return true;
      });
      assert.deepEqual(snapshotTree(stack.dir), before);
    });
  }

  it('restores the stack when a target cannot be written because a folder is in its way', async () => {
    const before = snapshotTree(stack.dir);
    await assert.rejects(applyStackChanges(stack.dir, [...CHANGES, { kind: 'write', file: 'gpt-oss-20b', content: 'x' }]), /could not write gpt-oss-20b: a folder is in the way; nothing was changed/);
    assert.deepEqual(snapshotTree(stack.dir), before);
  });

  it('refuses a path outside the stack before touching anything', async () => {
    const before = snapshotTree(stack.dir);
    await assert.rejects(applyStackChanges(stack.dir, [{ kind: 'write', file: 'scenarios.yaml', content: 'x' }, { kind: 'write', file: '../escape.yaml', content: 'x' }]), (error: unknown) => {
      assert.ok(error instanceof SparkError && !(error instanceof StackWriteError));
      assert.match(error.message, /refusing to change \.\.\/escape\.yaml: it is not inside the stack/);
      return true;
    });
    assert.deepEqual(snapshotTree(stack.dir), before);
    assert.equal(existsSync(path.join(path.dirname(stack.dir), 'escape.yaml')), false);
  });

  it('renames a file as a write of the new name plus a delete of the old one, keeping its mode', async () => {
    chmodSync(path.join(stack.dir, 'sync-env.sh'), 0o750);
    const text = readFileSync(path.join(stack.dir, 'sync-env.sh'));
    await applyStackChanges(stack.dir, [
      { kind: 'write', file: 'renamed.sh', content: text, mode: 0o750, forceMode: true },
      { kind: 'delete', file: 'sync-env.sh' },
    ]);
    assert.deepEqual(readFileSync(path.join(stack.dir, 'renamed.sh')), text);
    assert.equal(statSync(path.join(stack.dir, 'renamed.sh')).mode & 0o777, 0o750);
    assert.equal(existsSync(path.join(stack.dir, 'sync-env.sh')), false);
  });

  it('gives a replaced file the mode asked for when forceMode is set (a secret becomes 0600)', async () => {
    chmodSync(path.join(stack.dir, '.env'), 0o644);
    await applyStackChanges(stack.dir, [{ kind: 'write', file: '.env', content: 'HF_TOKEN=\n', mode: 0o600, forceMode: true }]);
    assert.equal(statSync(path.join(stack.dir, '.env')).mode & 0o777, 0o600);
  });

  it('makes new folders with the mode asked for, and removes them again when a later step fails', async () => {
    await applyStackChanges(stack.dir, [{ kind: 'mkdir', dir: 'ssl/backup-x', mode: 0o700 }, { kind: 'write', file: 'ssl/backup-x/public.pem', content: 'x' }]);
    assert.equal(statSync(path.join(stack.dir, 'ssl', 'backup-x')).mode & 0o777, 0o700);
    const before = snapshotTree(stack.dir);
    await assert.rejects(applyStackChanges(stack.dir, [{ kind: 'mkdir', dir: 'a/b/c' }, { kind: 'write', file: 'a/b/c/f', content: 'x' }], { fs: failingOn('writeFile', 1, 'ENOSPC') }), StackWriteError);
    assert.deepEqual(snapshotTree(stack.dir), before);
  });

  it('fails, changing nothing, when a file that must be new exists (init never overwrites)', async () => {
    const before = snapshotTree(stack.dir);
    await assert.rejects(
      applyStackChanges(stack.dir, [{ kind: 'write', file: 'fresh.txt', content: 'x', mustBeNew: true }, { kind: 'write', file: 'scenarios.yaml', content: 'x', mustBeNew: true }]),
      /could not write scenarios\.yaml: it exists already \(EEXIST\); nothing was changed/,
    );
    assert.deepEqual(snapshotTree(stack.dir), before);
  });

  it('refuses a change set that names one file twice, before touching anything', async () => {
    const before = snapshotTree(stack.dir);
    await assert.rejects(applyStackChanges(stack.dir, [{ kind: 'write', file: 'scenarios.yaml', content: 'a' }, { kind: 'delete', file: './scenarios.yaml' }]), /changes \.\/scenarios\.yaml twice/);
    assert.deepEqual(snapshotTree(stack.dir), before);
  });

  it('says why in words and the fix for a full disk, a read-only folder and a refused permission', () => {
    const cases: [string, RegExp, RegExp][] = [
      ['ENOSPC', /the disk is full \(ENOSPC/, /Free some disk space/],
      ['EROFS', /the file system is read-only \(EROFS\)/, /remount it read-write/],
      ['EACCES', /permission denied \(EACCES\)/, /Make the stack folder writable/],
    ];
    for (const [code, problem, fix] of cases) {
      const error = new StackWriteError('ssl/public.pem', Object.assign(new Error(`${code}: raw text`), { code }), true);
      assert.match(error.message, problem);
      assert.doesNotMatch(error.message, /raw text/);
      assert.match(error.fix ?? '', fix);
    }
  });
});
