/**
 * Finds the stack for this window: the `sparkGateway.stackPath` setting, else a `stack/` or
 * `llms/vllm/` folder in any workspace folder, else the copy bundled with the extension.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Stack } from '../core/stack';
import { loadStack, resolveStackRoot } from '../core/stack';

export async function locateStack(extensionPath: string): Promise<Stack> {
  const configured = vscode.workspace.getConfiguration('sparkGateway').get<string>('stackPath')?.trim();
  const folders = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
  const explicit = configured ? path.resolve(folders[0] ?? extensionPath, configured) : undefined;
  return loadStack(resolveStackRoot({ explicit, folders, bundled: path.join(extensionPath, 'stack') }));
}
