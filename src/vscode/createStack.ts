/** `sparkGateway.createStack`: the bundled stack copied to a folder the user picks. */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { copyStackWithoutOverwriting } from '../core/stack-create';

export async function createStack(extensionPath: string, output: vscode.LogOutputChannel): Promise<void> {
  const picked = await vscode.window.showOpenDialog({
    canSelectFiles: false,
    canSelectFolders: true,
    canSelectMany: false,
    defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
    openLabel: 'Create the stack here',
    title: 'Spark Gateway: folder for the new stack (a "stack" folder is created inside it)',
  });
  const folder = picked?.[0];
  if (!folder) return;
  const target = path.join(folder.fsPath, 'stack');
  const result = copyStackWithoutOverwriting(path.join(extensionPath, 'stack'), target);
  output.info(`created stack in ${target}: ${result.copied.length} files copied, ${result.kept.length} existing files kept`);
  const kept = result.kept.length > 0 ? ` ${result.kept.length} files existed already and were kept as they were.` : '';
  const inWorkspace = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(target)) !== undefined;
  const actions = inWorkspace ? ['Show in Explorer'] : ['Add to Workspace', 'Open Folder'];
  const choice = await vscode.window.showInformationMessage(`Stack created in ${target}.${kept} Next: run its sync-env and certs steps (see stack/README.md).`, ...actions);
  if (choice === 'Add to Workspace') {
    vscode.workspace.updateWorkspaceFolders(vscode.workspace.workspaceFolders?.length ?? 0, 0, { uri: folder });
  } else if (choice === 'Open Folder') {
    await vscode.commands.executeCommand('vscode.openFolder', folder);
  } else if (choice === 'Show in Explorer') {
    await vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(path.join(target, 'scenarios.yaml')));
  }
}
