/**
 * Stack edits are all files or none: a change set lands whole, and a failure at any step —
 * an injected rename or write failure, one per run — leaves the stack byte for byte as it was.
 */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, readFileSync, statSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { SparkError } from '../../../src/core/errors';
import type { StackChange, StackFs } from '../../../src/core/stack-edit/transaction';
import { StackWriteError, applyStackChanges } from '../../../src/core/stack-edit/transaction';
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
});
