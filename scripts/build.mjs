// Bundles the extension (Node, VS Code provided at run time), the CLI (plain Node) and the
// webview (browser). One esbuild call per target so each ships only what it needs.
import * as esbuild from 'esbuild';
import { chmodSync, rmSync } from 'node:fs';

const production = process.argv.includes('--production');
// Start clean so a production package never ships a stale source map from a dev build.
rmSync('dist', { recursive: true, force: true });

const common = { bundle: true, sourcemap: !production, minify: production, logLevel: 'warning' };

await Promise.all([
  esbuild.build({
    ...common,
    entryPoints: ['src/vscode/extension.ts'],
    outfile: 'dist/extension.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode', 'cpu-features', '*.node'],
  }),
  esbuild.build({
    ...common,
    entryPoints: ['src/cli/main.ts'],
    outfile: 'dist/cli.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['cpu-features', '*.node'],
    banner: { js: '#!/usr/bin/env node' },
  }),
  esbuild.build({
    ...common,
    entryPoints: ['webview/memory/main.ts'],
    outfile: 'dist/webview/memory.js',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
  }),
]);
chmodSync('dist/cli.js', 0o755);
