/** Every command the manifest contributes is registered, and the refresh command runs. */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activatedApi, EXTENSION_ID, modelNames } from './helpers';

interface ContributedCommand {
  readonly command: string;
}

suite('commands', () => {
  suiteSetup(async () => {
    await activatedApi();
  });

  test('sparkGateway.refresh is registered', async () => {
    const commands = await vscode.commands.getCommands(true);
    assert.ok(commands.includes('sparkGateway.refresh'));
  });

  test('every command in package.json is registered', async () => {
    const contributed = (vscode.extensions.getExtension(EXTENSION_ID)?.packageJSON.contributes.commands ?? []) as ContributedCommand[];
    assert.ok(contributed.length > 0);
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = contributed.map((c) => c.command).filter((c) => !registered.has(c));
    assert.deepEqual(missing, [], `contributed but not registered: ${missing.join(', ')}`);
  });

  test('sparkGateway.refresh runs and keeps the stack loaded', async () => {
    const api = await activatedApi();
    await vscode.commands.executeCommand('sparkGateway.refresh');
    assert.ok(modelNames(api).includes('gpt-oss-120b'));
  });
});
