import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, utimesSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { REPO_ROOT } from '../support/processes';
import { copyStack } from '../support/stack-copy';

/** SPEC §7: the main bundle's limit, minified. */
const MAIN_BUNDLE_LIMIT = 1_000_000;
/** Loaded on first use, each a bundle of its own (scripts/build.mjs). */
const LAZY = ['dockerode.js', 'openai.js', 'node-forge.js', 'yaml.js', 'docker-ssh.js', 'docker-session.js'];
/** Node built-ins the main bundle loads on first use too (scripts/build.mjs), by their names in process.moduleLoadList. */
const LAZY_BUILTINS = ['child_process', 'http', 'https', 'net', 'fs/promises'];

describe('the .vsix', () => {
  it('ships the vendor bundles the main bundle loads on first use', () => {
    const vsce = path.join(REPO_ROOT, 'node_modules', '@vscode', 'vsce', 'vsce');
    const listing = execFileSync(process.execPath, [vsce, 'ls', '--no-dependencies'], { cwd: REPO_ROOT, encoding: 'utf8' }).split('\n').map((l) => l.trim());
    for (const file of readdirSync(path.join(REPO_ROOT, 'dist', 'vendor')).filter((f) => f.endsWith('.js'))) assert.ok(listing.includes(`dist/vendor/${file}`), `dist/vendor/${file} is missing from the package`);
  });

  it('ships only what runs: bundles, manifest, media and the stack — no sources, tests, maps or secrets', () => {
    const vsce = path.join(REPO_ROOT, 'node_modules', '@vscode', 'vsce', 'vsce');
    const listing = execFileSync(process.execPath, [vsce, 'ls', '--no-dependencies'], { cwd: REPO_ROOT, encoding: 'utf8' })
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
    for (const needed of ['package.json', 'dist/extension.js', 'dist/main.js', 'dist/cli.js', 'dist/webview/memory.js', 'stack/scenarios.yaml', 'stack/.env.example', 'media/spark.svg']) {
      assert.ok(listing.includes(needed), `${needed} is missing from the package`);
    }
    const unwanted = listing.filter((f) => /^(src|test|out|bench|scripts|node_modules|\.ci)\/|\.map$|\.ts$|(^|\/)\.env$|^stack\/ssl\//.test(f));
    assert.deepEqual(unwanted, []);
  });
});

describe('the production bundle (npm run package builds it with --production)', () => {
  let outDir: string;
  before(() => {
    outDir = path.join(mkdtempSync(path.join(tmpdir(), 'spark-bundle-')), 'dist');
    execFileSync(process.execPath, [path.join(REPO_ROOT, 'scripts', 'build.mjs'), '--production', `--outdir=${outDir}`], { cwd: REPO_ROOT, stdio: 'pipe' });
  });
  after(() => rmSync(path.dirname(outDir), { recursive: true, force: true }));

  it(`keeps the main bundle dist/main.js (and its loader dist/extension.js) within ${MAIN_BUNDLE_LIMIT} bytes, the heavy dependencies in bundles of their own`, () => {
    const size = statSync(path.join(outDir, 'main.js')).size + statSync(path.join(outDir, 'extension.js')).size;
    assert.ok(size <= MAIN_BUNDLE_LIMIT, `dist/main.js + dist/extension.js are ${size} bytes, over ${MAIN_BUNDLE_LIMIT}`);
    assert.ok(statSync(path.join(outDir, 'extension.js')).size < 10_000, 'the loader dist/extension.js stays tiny: it only loads dist/main.js');
    const vendor = readdirSync(path.join(outDir, 'vendor'));
    for (const file of LAZY) assert.ok(vendor.includes(file), `dist/vendor/${file} was not built`);
  });

  it('activation loads no vendor bundle; the stack read just after it loads the YAML parser and the Docker client, the rest waits for first use', (t) => {
    // A fresh Node process: the bundle with a stand-in vscode module, in a window whose workspace
    // holds a stack (an empty window reads no stack at all, so it would prove nothing about YAML).
    const copy = copyStack({ syncEnv: false });
    t.after(() => copy.remove());
    const workspace = path.dirname(copy.dir);
    const script = [
      `const fake = require(${JSON.stringify(path.join(__dirname, '..', 'support', 'fake-vscode.js'))});`,
      `fake.installFakeVscode({ workspaceFolders: [${JSON.stringify(workspace)}] });`,
      `const vendor = ${JSON.stringify(path.join(outDir, 'vendor'))};`,
      "const loaded = () => Object.keys(require.cache).filter((f) => f.startsWith(vendor)).map((f) => require('path').basename(f)).sort();",
      `require(${JSON.stringify(path.join(outDir, 'extension.js'))}).activate(fake.fakeContext(${JSON.stringify(REPO_ROOT)})).then((api) => {`,
      '  const atActivation = loaded();',
      '  const stackAtActivation = api.stack() !== undefined;',
      // Node lists the built-ins it has loaded so far; these ones only the stubs load, on first use.
      `  const builtins = ${JSON.stringify(LAZY_BUILTINS)}.filter((b) => process.moduleLoadList.includes('NativeModule ' + b));`,
      '  return api.ready.then(() => {',
      '    console.log(JSON.stringify({ atActivation, stackAtActivation, builtins, afterReady: loaded(), stack: api.stack()?.root }));',
      '    process.exit(0);',
      '  });',
      '});',
    ].join('\n');
    const out = execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { ...process.env, DOCKER_HOST: 'unix:///nonexistent/spark-test.sock' } });
    const seen = JSON.parse(out.trim().split('\n').pop() ?? '{}') as { atActivation: string[]; stackAtActivation: boolean; builtins: string[]; afterReady: string[]; stack?: string };
    assert.deepEqual(seen.atActivation, [], 'activate() loaded a vendor bundle before returning');
    assert.deepEqual(seen.builtins, [], 'activation loaded Node built-ins that only later work uses');
    assert.equal(seen.stackAtActivation, false, 'the stack was read before activate() returned');
    assert.equal(seen.stack, copy.dir, 'the stack was not read after activation: the checks above saw no real activation');
    assert.deepEqual(seen.afterReady.filter((f) => !['yaml.js', 'dockerode.js'].includes(f)), [], 'reading the stack loaded a bundle it does not need yet');
    assert.ok(seen.afterReady.includes('yaml.js'), 'the stack was read (scenarios.yaml), so YAML was loaded');
  });

  it('the loader keeps V8\'s code cache of dist/main.js in the global storage: written after the first activation, taken by the next, written again for a changed bundle', { timeout: 60_000 }, (t) => {
    const storage = mkdtempSync(path.join(tmpdir(), 'spark-global-storage-'));
    t.after(() => rmSync(storage, { recursive: true, force: true }));
    const cacheDir = path.join(storage, 'code-cache');
    // An empty window (no stack to read); the process stays until the cache is written (3 s after activation).
    const activate = () => execFileSync(process.execPath, ['-e', [
      `const fake = require(${JSON.stringify(path.join(__dirname, '..', 'support', 'fake-vscode.js'))});`,
      'fake.installFakeVscode({ workspaceFolders: [] });',
      `require(${JSON.stringify(path.join(outDir, 'extension.js'))}).activate(fake.fakeContext(${JSON.stringify(REPO_ROOT)}, ${JSON.stringify(storage)}))`,
      '  .then((api) => api.ready).then(() => setTimeout(() => process.exit(0), 4000));',
    ].join('\n')], { encoding: 'utf8', env: { ...process.env, DOCKER_HOST: 'unix:///nonexistent/spark-test.sock' } });
    const caches = () => (readdirSync(cacheDir, { withFileTypes: true }).filter((e) => e.isFile()).map((e) => ({ name: e.name, mtimeMs: statSync(path.join(cacheDir, e.name)).mtimeMs })));

    activate();
    const first = caches();
    assert.equal(first.length, 1, `one cache file after the first activation: ${JSON.stringify(first)}`);
    assert.match(first[0]?.name ?? '', new RegExp(`^main-${process.versions.v8.replace(/\./g, '\\.')}-${statSync(path.join(outDir, 'main.js')).size}-\\d+\\.bin$`));
    assert.ok(statSync(path.join(cacheDir, first[0]?.name ?? '')).size > 10_000, 'the cache holds the compiled bundle');

    // V8 took it: a rejected cache would have been written again.
    activate();
    assert.deepEqual(caches(), first, 'the second activation used the cache as it was');

    // A new bundle (an update): its own cache, the old one removed.
    const later = new Date(Date.now() + 60_000);
    utimesSync(path.join(outDir, 'main.js'), later, later);
    activate();
    const third = caches();
    assert.equal(third.length, 1, `only the new bundle's cache is kept: ${JSON.stringify(third)}`);
    assert.notEqual(third[0]?.name, first[0]?.name);
  });

  it('each vendor bundle exports what the main bundle reads from it', () => {
    // Plain require, as the stubs load them (and the packages themselves, for their export names).
    const requireFrom = createRequire(__filename);
    const load = (file: string) => requireFrom(path.join(outDir, 'vendor', file)) as Record<string, unknown>;
    for (const [file, pkg] of [['dockerode.js', 'dockerode'], ['openai.js', 'openai'], ['node-forge.js', 'node-forge'], ['yaml.js', 'yaml']] as const) {
      const real = requireFrom(pkg) as Record<string, unknown>;
      assert.deepEqual(Object.keys(load(file)).sort(), Object.keys(real).sort(), `${file} exports ${pkg}'s names`);
    }
    assert.equal(typeof load('docker-ssh.js'), 'function');
    assert.equal(typeof load('docker-session.js'), 'function');
  });
});
