// Bundles the extension (Node, VS Code provided at run time), the CLI (plain Node) and the
// webview (browser). One esbuild call per target so each ships only what it needs.
//
// The extension's heavy dependencies are bundles of their own, dist/vendor/<name>.js, loaded when
// first used: in dist/main.js (the extension; dist/extension.js only loads it with V8's code
// cache) each of them is a stub whose exports are getters that require() the vendor bundle on
// first read. Activation therefore neither parses nor runs them,
// and the main bundle stays small (SPEC §7; `npm run bench:activation` measures both). esbuild
// cannot split code for CommonJS output, hence stubs rather than chunks.
import * as esbuild from 'esbuild';
import { chmodSync, existsSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';

const production = process.argv.includes('--production');
// --outdir=DIR: build somewhere else than dist/ (the package test measures a production build there).
const out = process.argv.find((a) => a.startsWith('--outdir='))?.slice('--outdir='.length) ?? 'dist';
// Start clean so a production package never ships a stale source map from a dev build.
rmSync(out, { recursive: true, force: true });

const common = { bundle: true, sourcemap: !production, minify: production, logLevel: 'warning' };

/** Loaded on first use (see above); a package that is not installed is skipped. */
const HEAVY = ['dockerode', 'openai', 'node-forge', 'yaml', '@huggingface/hub'];
const require = createRequire(import.meta.url);
const installed = HEAVY.filter((name) => existsSync(`node_modules/${name}/package.json`));
const vendorFile = (name) => `vendor/${name.replace(/^@/, '').replace(/\//g, '-')}.js`;

/**
 * The stub for `name` in dist/main.js: the package's export names (read here, at build
 * time) as getters that load ./vendor/<name>.js on first read. `default` is the whole module when
 * the package is plain CommonJS, as esbuild's own interop would make it.
 */
function stub(name) {
  const real = require(name);
  const names = Object.keys(real).filter((key) => key !== '__esModule');
  if (!real.__esModule) names.push('default');
  const keys = [...new Set(names)].filter((key) => !(key === 'default' && !real.__esModule));
  // One loop over the names rather than a line each: the stubs are parsed at every activation.
  const lines = [
    'let loaded;',
    `const load = () => (loaded ??= require(${JSON.stringify(`./${vendorFile(name)}`)}));`,
    "Object.defineProperty(exports, '__esModule', { value: true });",
    `for (const key of ${JSON.stringify(keys)}) Object.defineProperty(exports, key, { enumerable: true, get: () => load()[key] });`,
    ...(real.__esModule ? [] : ["Object.defineProperty(exports, 'default', { enumerable: true, get: () => load() });"]),
  ];
  return lines.join('\n');
}

/**
 * Node built-ins that a fresh Node does not have loaded at start and that activation does not
 * use: each costs 2–9 ms to load (http/https, child_process, fs/promises, …), together about as
 * much as the whole main bundle. The same getter stubs load them on first read.
 */
const LAZY_BUILTINS = ['node:child_process', 'node:crypto', 'node:http', 'node:https', 'node:net', 'node:stream', 'node:fs/promises'];
/** Loaded at once, but shared by every importing file (see the plugin). No file default-imports them. */
const SHARED_EXTERNALS = ['vscode', 'node:path', 'node:fs', 'node:os'];

/** The stub for built-in `name`: the same getters, requiring the built-in itself on first read. */
function builtinStub(name) {
  return stub(name).replace(/^const load = .*$/m, `const load = () => (loaded ??= require(${JSON.stringify(name)}));`);
}

const lazyHeavy = {
  name: 'lazy-heavy',
  setup(build) {
    const filter = new RegExp(`^(${installed.map((n) => n.replace(/[/.]/g, '\\$&')).join('|')})$`);
    build.onResolve({ filter }, (args) => ({ path: args.path, namespace: 'lazy-heavy' }));
    build.onResolve({ filter: /^\.\/vendor\// }, (args) => ({ path: args.path, external: true }));
    build.onLoad({ filter: /.*/, namespace: 'lazy-heavy' }, (args) => ({ contents: stub(args.path), loader: 'js', resolveDir: process.cwd() }));
    // Every import of `vscode` or a built-in goes through one shared module per name (`export *`
    // from it): esbuild otherwise copies the module's properties into a namespace object once per
    // importing file (__toESM), and that copying — 24 files import vscode, whose API object has
    // hundreds of properties — was the largest part of running the bundle. The shared module
    // imports the real one (external) or, for a lazy built-in, its stub (whose own require() of
    // the built-in is external).
    const shared = new RegExp(`^(${[...SHARED_EXTERNALS, ...LAZY_BUILTINS].map((n) => n.replace(/[/.]/g, '\\$&')).join('|')})$`);
    build.onResolve({ filter: shared }, (args) => {
      if (args.namespace === 'lazy-builtin') return { path: args.path, external: true };
      if (args.namespace !== 'shared') return { path: args.path, namespace: 'shared' };
      return LAZY_BUILTINS.includes(args.path) ? { path: args.path, namespace: 'lazy-builtin' } : { path: args.path, external: true };
    });
    build.onLoad({ filter: /.*/, namespace: 'shared' }, (args) => ({ contents: `export * from ${JSON.stringify(args.path)};`, loader: 'js', resolveDir: process.cwd() }));
    build.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, (args) => ({ contents: builtinStub(args.path), loader: 'js', resolveDir: process.cwd() }));
  },
};

/**
 * Inside dockerode's own bundle, two parts it loads eagerly but this extension never uses on a
 * local socket — the SSH transport (ssh2, for ssh:// hosts) and the BuildKit session (gRPC) —
 * are bundles of their own too, required when first called (both modules export one function).
 * They are most of dockerode's load time.
 */
const DOCKER_PARTS = [
  { module: /docker-modem\/lib\/ssh\.js$/, entry: 'node_modules/docker-modem/lib/ssh.js', file: 'vendor/docker-ssh.js' },
  { module: /dockerode\/lib\/session\.js$/, entry: 'node_modules/dockerode/lib/session.js', file: 'vendor/docker-session.js' },
];
const lazyDockerParts = {
  name: 'lazy-docker-parts',
  setup(build) {
    build.onResolve({ filter: /^\.\/docker-(ssh|session)\.js$/ }, (args) => ({ path: args.path, external: true }));
    for (const part of DOCKER_PARTS) {
      build.onLoad({ filter: part.module }, () => ({
        contents: `let loaded;\nmodule.exports = function lazy(...args) { return (loaded ??= require(${JSON.stringify(`./${path.basename(part.file)}`)})).apply(this, args); };`,
        loader: 'js',
      }));
    }
  },
};

await Promise.all([
  // The manifest's main: a small loader that runs main.js with V8's code cache (src/vscode/boot.ts).
  esbuild.build({
    ...common,
    entryPoints: ['src/vscode/boot.ts'],
    outfile: `${out}/extension.js`,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
  }),
  esbuild.build({
    ...common,
    entryPoints: ['src/vscode/extension.ts'],
    outfile: `${out}/main.js`,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode', 'cpu-features', '*.node'],
    plugins: [lazyHeavy],
  }),
  ...installed.map((name) => esbuild.build({
    ...common,
    stdin: { contents: `module.exports = require(${JSON.stringify(name)});`, resolveDir: process.cwd(), sourcefile: `${name}-vendor.js` },
    outfile: `${out}/${vendorFile(name)}`,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['cpu-features', '*.node'],
    plugins: name === 'dockerode' ? [lazyDockerParts] : [],
  })),
  ...(installed.includes('dockerode') ? DOCKER_PARTS : []).map((part) => esbuild.build({
    ...common,
    entryPoints: [part.entry],
    outfile: `${out}/${part.file}`,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['cpu-features', '*.node'],
  })),
  esbuild.build({
    ...common,
    entryPoints: ['src/cli/main.ts'],
    outfile: `${out}/cli.js`,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['cpu-features', '*.node'],
    banner: { js: '#!/usr/bin/env node' },
  }),
  esbuild.build({
    ...common,
    entryPoints: ['webview/memory/main.ts'],
    outfile: `${out}/webview/memory.js`,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
  }),
]);
chmodSync(`${out}/cli.js`, 0o755);
