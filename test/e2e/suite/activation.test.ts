/** The extension is installed, activates on a workspace holding a stack, and runs where Remote-SSH would run it. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { activatedApi, EXPECT_REMOTE, EXTENSION_ID } from './helpers';

suite('activation', () => {
  test('the extension is present and activates with its API', async () => {
    await activatedApi();
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.equal(extension?.isActive, true);
  });

  test('it activated by itself on the workspace stack (workspaceContains:stack/scenarios.yaml)', async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension);
    assert.ok(extension.packageJSON.activationEvents.includes('workspaceContains:stack/scenarios.yaml'));
    // activatedApi() in the test above would hide a missing activation event; this checks the manifest
    // the host read, and that a stack was found in the workspace rather than the bundled one.
    const api = await activatedApi();
    const root = api.stack()?.root;
    assert.ok(root, 'no stack loaded');
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    assert.ok(folder && root.startsWith(folder), `stack ${root} is not the workspace's (${folder ?? 'no folder'})`);
  });

  test('the extension under test is the packaged one (the .vsix as installed)', function () {
    const expected = process.env['SPARK_E2E_EXTENSION_PATH'];
    if (!expected) this.skip(); // desktop runs load the repository as the development extension
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension);
    assert.equal(path.resolve(extension.extensionPath), path.resolve(expected));
    for (const file of ['extension.js', 'main.js']) assert.ok(fs.existsSync(path.join(extension.extensionPath, 'dist', file)), `dist/${file} missing from the package`);
    assert.ok(!fs.existsSync(path.join(extension.extensionPath, 'src')), 'the package ships src/ (see .vscodeignore)');
  });

  test('its loader wrote V8\'s code cache of dist/main.js into the extension\'s global storage (the user\'s data, not the install folder)', async function () {
    const userData = process.env['SPARK_E2E_USER_DATA'];
    if (!userData) this.skip(); // desktop runs: test-electron picks the profile
    this.timeout(30_000);
    const root = path.join(userData, 'User', 'globalStorage');
    const cacheDir = () => {
      const folder = fs.existsSync(root) ? fs.readdirSync(root).find((f) => f.toLowerCase() === EXTENSION_ID.toLowerCase()) : undefined;
      return folder ? path.join(root, folder, 'code-cache') : undefined;
    };
    const written = () => {
      const dir = cacheDir();
      return dir && fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => /^main-.*\.bin$/.test(f)) : [];
    };
    // Written 3 s after activation (src/vscode/boot.ts).
    const deadline = Date.now() + 20_000;
    while (written().length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    assert.equal(written().length, 1, `no code cache under ${root}`);
    const installed = vscode.extensions.getExtension(EXTENSION_ID)?.extensionPath ?? '';
    assert.ok(!fs.readdirSync(path.join(installed, 'dist')).some((f) => f.endsWith('.bin')), 'a cache was written into the install folder');
  });

  test('it runs in the remote extension host, as over Remote-SSH', function () {
    if (!EXPECT_REMOTE) this.skip(); // desktop runs (test-electron) have a local extension host
    assert.ok(vscode.env.remoteName, 'vscode.env.remoteName is not set: this is not a remote extension host');
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.equal(extension?.extensionKind, vscode.ExtensionKind.Workspace);
  });
});
