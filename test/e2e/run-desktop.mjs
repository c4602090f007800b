#!/usr/bin/env node
// The in-host e2e suites (out/test/e2e/suite/) in VS Code desktop through @vscode/test-electron.
//
//   npm run test:desktop    (builds, compiles the tests, then runs this file)
//
// For machines that can download VS Code (test-electron fetches it into .vscode-test/), or that
// have it installed: set VSCODE_EXECUTABLE=/path/to/code to use that one. Not part of CI: the CI
// machines cannot download VS Code; there the same suites run in code-server (run-e2e.mjs).
// On a headless Linux box run it under a display server, e.g. `xvfb-run -a npm run test:desktop`.
//
// The repository is the development extension (dist/ from `npm run build`); the workspace is a
// throw-away copy of stack/ under .vscode-test/; remote-only checks are skipped (local host).
// Environment: VSCODE_VERSION (default "stable"), VSCODE_EXECUTABLE, SPARK_E2E_GREP.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTests } from '@vscode/test-electron';
import { copyStack, seedUserSettings } from './profile.mjs';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const BASE = path.join(REPO, '.vscode-test', 'spark-e2e');
const SUITE_INDEX = path.join(REPO, 'out', 'test', 'e2e', 'suite', 'index.js');

fs.rmSync(BASE, { recursive: true, force: true });
const workspace = path.join(BASE, 'workspace');
const userData = path.join(BASE, 'user-data');
const extensions = path.join(BASE, 'extensions');
const results = path.join(BASE, 'in-host-results.json');
for (const dir of [workspace, userData, extensions]) fs.mkdirSync(dir, { recursive: true });
seedUserSettings(userData);
copyStack(REPO, workspace, path.join(BASE, 'hf-cache'));

let exitCode = 1;
try {
  if (!fs.existsSync(SUITE_INDEX)) throw new Error(`${SUITE_INDEX} is missing: run \`npm run build:tests\``);
  if (!fs.existsSync(path.join(REPO, 'dist', 'extension.js'))) throw new Error('dist/extension.js is missing: run `npm run build`');
  const executable = process.env.VSCODE_EXECUTABLE;
  await runTests({
    ...(executable ? { vscodeExecutablePath: executable } : { version: process.env.VSCODE_VERSION ?? 'stable' }),
    extensionDevelopmentPath: REPO,
    extensionTestsPath: SUITE_INDEX,
    extensionTestsEnv: { SPARK_E2E_RESULTS: results, SPARK_E2E_GREP: process.env.SPARK_E2E_GREP ?? '' },
    launchArgs: [workspace, '--user-data-dir', userData, '--extensions-dir', extensions, '--disable-extensions',
      '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes', '--disable-telemetry'],
  });
  exitCode = 0;
} catch (error) {
  console.error(`desktop e2e: ${error instanceof Error ? error.message : String(error)}`);
}

if (fs.existsSync(results)) {
  /** @type {{ passed: number, failed: number, pending: number, tests: { title: string, state: string, error?: string }[] }} */
  const r = JSON.parse(fs.readFileSync(results, 'utf8'));
  for (const t of r.tests) {
    console.log(`  ${t.state === 'passed' ? '✓' : t.state === 'failed' ? '✗' : '-'} ${t.title}`);
    if (t.error) console.log(t.error.split('\n').map((l) => `      ${l}`).join('\n'));
  }
  console.log(`${r.passed} passed, ${r.failed} failed`);
  if (r.failed > 0) exitCode = 1;
} else {
  console.log('0 passed, 1 failed');
  exitCode = 1;
}
process.exit(exitCode);
