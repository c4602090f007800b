import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT } from '../support/processes';

describe('the .vsix', () => {
  it('ships only what runs: bundles, manifest, media and the stack — no sources, tests, maps or secrets', () => {
    const vsce = path.join(REPO_ROOT, 'node_modules', '@vscode', 'vsce', 'vsce');
    const listing = execFileSync(process.execPath, [vsce, 'ls', '--no-dependencies'], { cwd: REPO_ROOT, encoding: 'utf8' })
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
    for (const needed of ['package.json', 'dist/extension.js', 'dist/cli.js', 'dist/webview/memory.js', 'stack/scenarios.yaml', 'stack/.env.example', 'media/spark.svg']) {
      assert.ok(listing.includes(needed), `${needed} is missing from the package`);
    }
    const unwanted = listing.filter((f) => /^(src|test|out|bench|scripts|node_modules|\.ci)\/|\.map$|\.ts$|(^|\/)\.env$|^stack\/ssl\//.test(f));
    assert.deepEqual(unwanted, []);
  });
});
