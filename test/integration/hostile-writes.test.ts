/**
 * Writes on a hostile disk, through the real CLI (dist/cli.js): every command that writes more
 * than one file — certs --force, sync-env, adopt, init, remove-model, add-scenario — writes all
 * of them or none. A small tmpfs holds the stack and a filler file leaves it a few blocks, so the
 * command fails mid-way (the error names a file written after others); the same tmpfs remounted
 * read-only refuses the first write. Either way the command exits non-zero, says why in words
 * with the fix and no stack trace, and every file under the tmpfs is byte for byte as before.
 * And `init` refuses a target that resolves — through a symbolic link — into a template or the
 * install folder, or that holds the template, writing nothing.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statfsSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, afterEach, describe, test } from 'node:test';
import { isMap, isSeq, parseDocument } from 'yaml';
import { TEMPLATE_MARKER } from '../../src/core/stack/discovery';
import { TemplateTargetError, copyStackWithoutOverwriting } from '../../src/core/stack-create';
import { GUIDE_FIXTURE } from '../support/guide-copy';
import { REPO_ROOT, STACK_DIR } from '../support/processes';
import { treePicture } from '../support/tree-picture';

const CLI = path.join(REPO_ROOT, 'dist', 'cli.js');
const needsRoot = process.getuid?.() === 0 ? false : 'mounting a tmpfs needs root';

/** Runs the built CLI in `cwd`; `PATH` gets `binDir` first when given (a stand-in `docker`). */
function cli(args: readonly string[], options: { cwd?: string; binDir?: string; extraSans?: string } = {}): { code: number | null; out: string; err: string } {
  const env: NodeJS.ProcessEnv = { ...process.env, SPARK_GATEWAY_STACK: '', CERT_EXTRA_SANS: options.extraSans ?? '' };
  if (options.binDir) env.PATH = `${options.binDir}${path.delimiter}${process.env.PATH ?? ''}`;
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd: options.cwd ?? tmpdir(), env, encoding: 'utf8' });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

const mounts: string[] = [];

/** A fresh tmpfs of 2 MiB, unmounted (and its mount point removed) after each test. */
function tmpfs(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'spark-hostile-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2048k', 'tmpfs', dir]);
  mounts.push(dir);
  return dir;
}

function unmountAll(): void {
  for (const dir of mounts.splice(0)) {
    // Lazy: a failed test may still hold a file open there; the mount must not outlive the run.
    spawnSync('umount', ['-l', dir]);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Fills `disk` with a filler file so that exactly `blocks` blocks (pages) stay free. */
function leaveFree(disk: string, blocks: number): void {
  const before = statfsSync(disk);
  writeFileSync(path.join(disk, 'filler'), Buffer.alloc((before.bavail - blocks) * before.bsize));
  assert.equal(statfsSync(disk).bavail, blocks, 'the filler leaves exactly the blocks asked for');
}

function readOnly(disk: string): void {
  execFileSync('mount', ['-o', 'remount,ro', disk]);
}

function digest(dir: string): Record<string, string> {
  return treePicture(dir);
}

/** A copy of the bundled stack in `disk`/stack, without what no command here reads (README). */
function stackIn(disk: string, prepare: { syncEnv?: boolean; certs?: boolean } = {}): string {
  const dir = path.join(disk, 'stack');
  cpSync(STACK_DIR, dir, {
    recursive: true,
    filter: (src) => !/^(README\.md|\.env|ssl|\.spark-gateway-template)$/.test(path.relative(STACK_DIR, src)) && !/\/\.env$/.test(src),
  });
  if (prepare.syncEnv) assert.equal(cli(['--stack', dir, 'sync-env']).code, 0);
  if (prepare.certs) assert.equal(cli(['--stack', dir, 'certs']).code, 0);
  return dir;
}

/** The guide's llms/vllm/ in `disk`/vllm, to adopt. */
function guideIn(disk: string): string {
  const dir = path.join(disk, 'vllm');
  cpSync(path.join(GUIDE_FIXTURE, 'llms', 'vllm'), dir, { recursive: true });
  return dir;
}

let dockerBin: string | undefined;

/** A folder with a `docker` that knows no container (remove-model asks whether the model's one runs). */
function noContainersDocker(): string {
  if (dockerBin) return dockerBin;
  dockerBin = mkdtempSync(path.join(tmpdir(), 'spark-hostile-bin-'));
  writeFileSync(path.join(dockerBin, 'docker'), '#!/bin/sh\ncase "$1 $2" in\n  "container inspect") echo "Error: No such object: $6" >&2; exit 1 ;;\nesac\nexit 0\n');
  chmodSync(path.join(dockerBin, 'docker'), 0o755);
  return dockerBin;
}

/** `model` taken out of every scenario but its own (and one left empty dropped), so remove-model may remove it. */
function onlyOwnScenario(stack: string, model: string): void {
  const file = path.join(stack, 'scenarios.yaml');
  const doc = parseDocument(readFileSync(file, 'utf8'));
  const scenarios = doc.get('scenarios');
  assert.ok(isSeq(scenarios));
  scenarios.items = scenarios.items.filter((item) => {
    assert.ok(isMap(item));
    const models = item.get('models');
    assert.ok(isMap(models));
    if (item.get('name') === model || !models.has(model)) return true;
    models.delete(model);
    return models.items.length > 0;
  });
  writeFileSync(file, doc.toString());
}

/** Exit non-zero; the cause in words and its fix; no stack trace and no bare errno message. */
function assertFailed(result: { code: number | null; err: string }, cause: 'full' | 'read-only'): void {
  assert.notEqual(result.code, 0, `it must fail: ${result.err}`);
  if (cause === 'full') {
    assert.match(result.err, /the disk is full/);
    assert.match(result.err, /Free some disk space/);
  } else {
    assert.match(result.err, /the file system is read-only/);
    assert.match(result.err, /remount it read-write/);
  }
  assert.doesNotMatch(result.err, /^\s+at .*\(.*:\d+:\d+\)$/m, 'no stack trace');
  assert.doesNotMatch(result.err, /^spark-gateway: E[A-Z]+:/m, 'no raw errno message');
  assert.equal(result.err.trim().split('\n').length, 1, `one line: ${result.err}`);
}

/** The file a failed change set names: `could not write <file>: …`. */
function failedFile(err: string): string {
  return /could not write (\S+):/.exec(err)?.[1] ?? assert.fail(`no file named in: ${err}`);
}

after(() => {
  unmountAll();
  if (dockerBin) rmSync(dockerBin, { recursive: true, force: true });
});

describe('writes on a full disk: all files or none', { skip: needsRoot }, () => {
  afterEach(unmountAll);

  test('hostile: certs --force on a full disk → fails at the new public.pem, the old pair in place byte for byte, no backup', () => {
    const disk = tmpfs();
    const stack = stackIn(disk, { syncEnv: true, certs: true });
    const oldCert = readFileSync(path.join(stack, 'ssl', 'public.pem'));
    const oldKey = readFileSync(path.join(stack, 'ssl', 'private.pem'));
    // Four blocks: the two backup copies and the new key fit, the new certificate does not.
    leaveFree(disk, 3);
    const before = digest(disk);
    const result = cli(['--stack', stack, 'certs', '--force']);
    assertFailed(result, 'full');
    assert.equal(failedFile(result.err), 'ssl/public.pem', 'the backups and the new key were written before the disk ran out');
    assert.deepEqual(readFileSync(path.join(stack, 'ssl', 'public.pem')), oldCert);
    assert.deepEqual(readFileSync(path.join(stack, 'ssl', 'private.pem')), oldKey);
    assert.deepEqual(digest(disk), before);
  });

  test('hostile: sync-env on a full disk → fails at litellm/.env, no .env and no per-folder .env written', () => {
    const disk = tmpfs();
    const stack = stackIn(disk);
    // .env and three model folders fit, litellm/.env (the fifth file) does not.
    leaveFree(disk, 4);
    const before = digest(disk);
    const result = cli(['--stack', stack, 'sync-env']);
    assertFailed(result, 'full');
    assert.equal(failedFile(result.err), 'litellm/.env');
    assert.equal(existsSync(path.join(stack, '.env')), false);
    assert.deepEqual(digest(disk), before);
  });

  test('hostile: adopt on a full disk → fails after its backups, no edit and no backup folder left', () => {
    const disk = tmpfs();
    const guide = guideIn(disk);
    // About half of what adopting needs: every backup is written, then an edit fails.
    leaveFree(disk, 15);
    const before = digest(disk);
    const result = cli(['--stack', guide, 'adopt']);
    assertFailed(result, 'full');
    assert.doesNotMatch(failedFile(result.err), /backup-/, 'the backups were written before the disk ran out');
    assert.deepEqual(digest(disk), before);
  });

  test('hostile: init into a new folder on a full disk → fails part-way through the copy, no partial stack and no staging folder', () => {
    const disk = tmpfs();
    leaveFree(disk, 30);
    const before = digest(disk);
    const result = cli(['init', path.join(disk, 'home', 'stack')]);
    assertFailed(result, 'full');
    assert.match(failedFile(result.err), /^stack\/.+/, 'some template files were copied before the disk ran out');
    assert.match(result.err, /nothing was created/);
    assert.deepEqual(digest(disk), before);
  });

  test('hostile: init into an existing folder on a full disk → fails part-way, the user\'s files as they were and nothing added', () => {
    const disk = tmpfs();
    const target = path.join(disk, 'stack');
    mkdirSync(target);
    writeFileSync(path.join(target, 'scenarios.yaml'), 'mine\n');
    leaveFree(disk, 20);
    const before = digest(disk);
    const result = cli(['init', target]);
    assertFailed(result, 'full');
    assert.deepEqual(digest(disk), before);
  });

  test('hostile: remove-model on a full disk → fails writing its edits, the model folder and every file as before', () => {
    const disk = tmpfs();
    const stack = stackIn(disk, { syncEnv: true });
    onlyOwnScenario(stack, 'gpt-oss-120b');
    // The new scenarios.yaml (two blocks) fits, the new litellm/config.yaml does not.
    leaveFree(disk, 2);
    const before = digest(disk);
    const result = cli(['--stack', stack, 'remove-model', 'gpt-oss-120b'], { binDir: noContainersDocker() });
    assertFailed(result, 'full');
    assert.equal(failedFile(result.err), 'litellm/config.yaml', 'scenarios.yaml was staged before the disk ran out');
    assert.ok(existsSync(path.join(stack, 'gpt-oss-120b', 'docker-compose.yml')));
    assert.deepEqual(digest(disk), before);
  });

  test('hostile: add-scenario on a full disk → fails half-way through scenarios.yaml, which stays as it was', () => {
    const disk = tmpfs();
    const stack = stackIn(disk, { syncEnv: true });
    // scenarios.yaml takes two blocks: the first is written, the second is refused.
    leaveFree(disk, 1);
    const before = digest(disk);
    const result = cli(['--stack', stack, 'add-scenario', 'duo', 'gpt-oss-20b', 'qwen-30b', '--total-gib', '128']);
    assertFailed(result, 'full');
    assert.equal(failedFile(result.err), 'scenarios.yaml');
    assert.deepEqual(digest(disk), before);
  });
});

describe('writes on a read-only file system: refused, nothing changed', { skip: needsRoot }, () => {
  afterEach(unmountAll);

  const cases: { name: string; setup: (disk: string) => { args: string[]; binDir?: string } }[] = [
    { name: 'certs --force', setup: (disk) => ({ args: ['--stack', stackIn(disk, { syncEnv: true, certs: true }), 'certs', '--force'] }) },
    { name: 'sync-env', setup: (disk) => ({ args: ['--stack', stackIn(disk), 'sync-env'] }) },
    { name: 'adopt', setup: (disk) => ({ args: ['--stack', guideIn(disk), 'adopt'] }) },
    { name: 'init (new folder)', setup: (disk) => ({ args: ['init', path.join(disk, 'stack')] }) },
    {
      name: 'init (existing folder)',
      setup: (disk) => {
        mkdirSync(path.join(disk, 'stack'));
        return { args: ['init', path.join(disk, 'stack')] };
      },
    },
    {
      name: 'remove-model',
      setup: (disk) => {
        const stack = stackIn(disk, { syncEnv: true });
        onlyOwnScenario(stack, 'gpt-oss-120b');
        return { args: ['--stack', stack, 'remove-model', 'gpt-oss-120b'], binDir: noContainersDocker() };
      },
    },
    { name: 'add-scenario', setup: (disk) => ({ args: ['--stack', stackIn(disk, { syncEnv: true }), 'add-scenario', 'duo', 'gpt-oss-20b', 'qwen-30b', '--total-gib', '128'] }) },
  ];
  for (const { name, setup } of cases) {
    test(`hostile: ${name} on a read-only file system → refused with the fix, every file as before`, () => {
      const disk = tmpfs();
      const { args, binDir } = setup(disk);
      readOnly(disk);
      const before = digest(disk);
      const result = cli(args, binDir ? { binDir } : {});
      assertFailed(result, 'read-only');
      assert.deepEqual(digest(disk), before);
    });
  }
});

describe('init through a symbolic link', () => {
  const homes: string[] = [];
  afterEach(() => {
    for (const home of homes.splice(0)) rmSync(home, { recursive: true, force: true });
  });
  function home(): string {
    const dir = mkdtempSync(path.join(tmpdir(), 'spark-init-link-'));
    homes.push(dir);
    return dir;
  }

  test('hostile: init LINK where LINK points into a folder marked as a template → refused, nothing written', () => {
    const dir = home();
    const template = path.join(dir, 'template-copy');
    cpSync(STACK_DIR, template, { recursive: true, filter: (src) => !/(^|\/)(\.env|ssl)$/.test(path.relative(STACK_DIR, src)) });
    writeFileSync(path.join(template, TEMPLATE_MARKER), 'a template\n');
    symlinkSync(path.join(template, 'litellm'), path.join(dir, 'link'));
    const before = digest(dir);
    const result = cli(['init', 'link'], { cwd: dir });
    assert.equal(result.code, 1, result.err);
    assert.match(result.err, /refusing to create a stack in .*link: .*template-copy is a stack template \(it carries \.spark-gateway-template\) \(through a symbolic link: it is .*template-copy\/litellm\) — nothing was written — Pick a folder of your own/);
    assert.deepEqual(digest(dir), before);
  });

  test('hostile: init LINK/new where LINK points at dist/.. (the install folder) → refused, nothing written', () => {
    const dir = home();
    symlinkSync(path.join(REPO_ROOT, 'dist', '..'), path.join(dir, 'link'));
    const name = `hostile-init-${path.basename(dir)}`;
    const inRepo = path.join(REPO_ROOT, name);
    try {
      const listing = readdirSync(REPO_ROOT).filter((f) => f.startsWith('.') && f.includes(name));
      const result = cli(['init', path.join('link', name)], { cwd: dir });
      assert.equal(result.code, 1, result.err);
      assert.match(result.err, /inside Spark Gateway's install folder .* \(through a symbolic link: it is .*\) — nothing was written/);
      assert.equal(existsSync(inRepo), false);
      assert.deepEqual(readdirSync(REPO_ROOT).filter((f) => f.startsWith('.') && f.includes(name)), listing, 'no staging folder either');
    } finally {
      // Were the refusal ever lost, the copy must not stay in the checkout.
      rmSync(inRepo, { recursive: true, force: true });
    }
  });

  test('hostile: init LINK where LINK points into the bundled stack → refused, the template byte for byte as before', () => {
    const dir = home();
    symlinkSync(path.join(STACK_DIR, 'litellm'), path.join(dir, 'link'));
    const before = digest(STACK_DIR);
    try {
      const result = cli(['init', path.join('link', 'mine')], { cwd: dir });
      assert.equal(result.code, 1, result.err);
      assert.match(result.err, /nothing was written/);
      assert.deepEqual(digest(STACK_DIR), before);
    } finally {
      rmSync(path.join(STACK_DIR, 'litellm', 'mine'), { recursive: true, force: true });
    }
  });

  test('hostile: init into a folder (through a link) that holds the template → refused, nothing written', async () => {
    const dir = home();
    // An install folder of its own: <dir>/install/stack is "the bundled template" here.
    const install = path.join(dir, 'install');
    cpSync(STACK_DIR, path.join(install, 'stack'), { recursive: true, filter: (src) => !/(^|\/)(\.env|ssl)$/.test(path.relative(STACK_DIR, src)) });
    symlinkSync(dir, path.join(dir, 'up'));
    const before = digest(dir);
    await assert.rejects(copyStackWithoutOverwriting(path.join(install, 'stack'), path.join(dir, 'up')), (error: unknown) => {
      assert.ok(error instanceof TemplateTargetError, String(error));
      assert.match(error.message, /it holds the bundled template .*install\/stack .*; the template would be copied into itself — nothing was written/);
      return true;
    });
    assert.deepEqual(digest(dir), before);
  });
});

describe('CERT_EXTRA_SANS', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  for (const [sans, problem] of [
    ['DNS:spark.lan,IP:999.1.1.1', /item 2 "IP:999\.1\.1\.1": "999\.1\.1\.1" is not an IPv4 or IPv6 address/],
    ['IP:192.168.1.20,DNS:bad_name!', /item 2 "DNS:bad_name!": "bad_name!" is not a host name/],
    ['spark.lan', /item 1 "spark\.lan": it is not DNS:name or IP:address/],
  ] as const) {
    test(`hostile: CERT_EXTRA_SANS=${sans} → refused naming the item and the fix, the old pair kept`, () => {
      dir = mkdtempSync(path.join(tmpdir(), 'spark-sans-'));
      const stack = stackIn(dir, { certs: true });
      const before = digest(dir);
      const result = cli(['--stack', stack, 'certs', '--force'], { extraSans: sans });
      assert.equal(result.code, 1, result.err);
      assert.match(result.err, /^spark-gateway: CERT_EXTRA_SANS \(environment\), /);
      assert.match(result.err, problem);
      assert.match(result.err, /no certificate was written — Write CERT_EXTRA_SANS as comma-separated DNS:name or IP:address items/);
      assert.deepEqual(digest(dir), before);
    });
  }

  test('DNS names, a wildcard and IPv4/IPv6 addresses are accepted', () => {
    dir = mkdtempSync(path.join(tmpdir(), 'spark-sans-'));
    const stack = stackIn(dir);
    const result = cli(['--stack', stack, 'certs'], { extraSans: 'DNS:spark.lan, DNS:*.spark.lan,IP:192.168.1.20,IP:fe80::1' });
    assert.equal(result.code, 0, result.err);
    assert.match(result.out, /Names: .*DNS:spark\.lan,DNS:\*\.spark\.lan,IP:192\.168\.1\.20,IP:fe80::1/);
  });
});
