/**
 * The one validator for names and paths from outside (src/core/inputs.ts): what it lets through
 * and what it refuses, with real files and symlinks for the "stays under its root" proof.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { OutsideRootError, nameProblem, relativePathProblem, resolveInside, stackNameProblem } from '../../src/core/inputs';

describe('nameProblem', () => {
  it('accepts the bundled stack\'s model, container and scenario names', () => {
    for (const name of ['gpt-oss-20b', 'vllm-gpt-oss-120b', 'qwen-30b', 'scenario-1', 'all', 'spark-2', 'a']) {
      assert.equal(nameProblem(name, 'model'), undefined, name);
    }
  });

  it('refuses option-shaped, traversal, spaced, upper-case, empty and over-long names', () => {
    for (const name of ['--help', '-x', '../x', 'a/b', '.', '..', 'a b', 'Qwen', '', 'a_b', 'x-', 'a'.repeat(64), 'a\nb']) {
      assert.match(nameProblem(name, 'folder') ?? '', /^folder ".*" must be lower-case/, JSON.stringify(name));
    }
  });

  it('shows control characters escaped in its message', () => {
    assert.match(nameProblem('a\nb', 'model') ?? '', /"a\\nb"/);
  });
});

describe('stackNameProblem', () => {
  it('refuses the stack\'s own folders and services for a model', () => {
    for (const name of ['litellm', 'nginx', 'ssl', 'backup-20261205t100000z', 'vllm-litellm-proxy', 'redis']) {
      assert.match(stackNameProblem(name, 'folder') ?? '', /one of the stack's own folders/, name);
    }
  });

  it('accepts ordinary model names', () => {
    assert.equal(stackNameProblem('gpt-oss-20b', 'folder'), undefined);
  });
});

describe('relativePathProblem', () => {
  it('accepts plain nested paths as the Hub lists them', () => {
    for (const rel of ['config.json', 'original/model.safetensors', 'a.b/c-d_e.json']) assert.equal(relativePathProblem(rel), undefined, rel);
  });

  it('refuses absolute, traversal, dot, empty-segment, backslash and NUL paths', () => {
    for (const rel of ['/etc/passwd', 'a/../../x', '..', './x', 'a//b', 'a\\..\\x', 'a\0b', 'C:/x', '', 'a/']) {
      assert.notEqual(relativePathProblem(rel), undefined, JSON.stringify(rel));
    }
  });
});

describe('resolveInside', () => {
  let root: string;
  let outside: string;
  before(async () => {
    const base = await mkdtemp(path.join(tmpdir(), 'inputs-'));
    root = path.join(base, 'root');
    outside = path.join(base, 'outside');
    await mkdir(path.join(root, 'sub'), { recursive: true });
    await mkdir(outside);
    await writeFile(path.join(outside, 'victim'), 'keep');
    await symlink(outside, path.join(root, 'escape'));
    await symlink('../../outside/victim', path.join(root, 'sub', 'link'));
    await symlink('../../outside/not-yet', path.join(root, 'sub', 'dangling'));
  });
  after(async () => rm(path.dirname(root), { recursive: true, force: true }));

  it('returns the real path of a file that does not exist yet under the root', async () => {
    const resolved = await resolveInside(root, 'sub/new/file.bin');
    assert.ok(resolved.endsWith(path.join('root', 'sub', 'new', 'file.bin')));
  });

  it('refuses a path that leaves the root through a symlinked folder', async () => {
    await assert.rejects(resolveInside(root, 'escape/victim'), OutsideRootError);
    await assert.rejects(resolveInside(root, 'escape/new-file'), OutsideRootError);
  });

  it('refuses a path that is itself a symlink pointing out', async () => {
    await assert.rejects(resolveInside(root, 'sub/link'), /through a symbolic link/);
  });

  it('refuses a dangling symlink that a write would follow out of the root', async () => {
    await assert.rejects(resolveInside(root, 'sub/dangling'), /does not exist/);
    await assert.rejects(resolveInside(root, 'sub/dangling/deeper'), OutsideRootError);
  });

  it('refuses lexical traversal before touching the disk', async () => {
    await assert.rejects(resolveInside(root, '../outside/victim'), /has an empty, "\." or "\.\." part/);
  });
});
