/** Shared helpers for the in-host suites (not a test file: the runner loads only `*.test.js`). */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { SparkGatewayApi } from '../../../src/vscode/extension';

export const EXTENSION_ID = 'spark-gateway.spark-gateway';

/** True when the run was started by run-e2e.mjs against code-server (a remote extension host). */
export const EXPECT_REMOTE = process.env['SPARK_E2E_EXPECT_REMOTE'] === '1';

/** The extension, activated; its API. */
export async function activatedApi(): Promise<SparkGatewayApi> {
  const extension = vscode.extensions.getExtension<SparkGatewayApi>(EXTENSION_ID);
  assert.ok(extension, `extension ${EXTENSION_ID} is not installed in this extension host`);
  const api = await extension.activate();
  assert.ok(api && typeof api.stack === 'function' && typeof api.reload === 'function', 'activate() returned no { stack, reload } API');
  // activate() returns before the stack is read (it is read just after, with a loading row meanwhile).
  await api.ready;
  return api;
}

/** Model names of the stack the extension has loaded (empty when it has none). */
export function modelNames(api: SparkGatewayApi): string[] {
  return api.stack()?.scenarios.models.map((m) => m.name) ?? [];
}

/** Polls `check` until it returns true; fails with `what` after `timeoutMs`. Not a sleep: it returns as soon as it holds. */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs} ms waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The first workspace folder (run-e2e.mjs opens one holding `stack/`). */
export function workspaceFolder(): vscode.WorkspaceFolder {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'no workspace folder is open');
  return folder;
}
