/**
 * `sparkGateway.createStack`: the bundled stack (a read-only template) copied into the user's
 * folder — `stack/` in the workspace folder ("here"), or in a folder they pick — never
 * overwriting a file. The result offers the next steps as buttons, in order.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { SparkError } from '../core/errors';
import { copyStackWithoutOverwriting } from '../core/stack-create';

/** The next steps after creating a stack: a button each, offered until done or dismissed. */
const NEXT_STEPS = [
  { label: 'Sync Env', command: 'sparkGateway.syncEnv' },
  { label: 'Generate Certificates', command: 'sparkGateway.generateCerts' },
  { label: 'Start Scenario', command: 'sparkGateway.startScenario' },
] as const;

async function targetFolder(): Promise<vscode.Uri | undefined> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length === 1 && folders[0]) return folders[0].uri;
  const picked = await vscode.window.showOpenDialog({
    canSelectFiles: false,
    canSelectFolders: true,
    canSelectMany: false,
    defaultUri: folders[0]?.uri,
    openLabel: 'Create the stack here',
    title: 'Spark Gateway: folder for the new stack (a "stack" folder is created inside it)',
  });
  return picked?.[0];
}

export async function createStack(extensionPath: string, output: vscode.LogOutputChannel): Promise<void> {
  const folder = await targetFolder();
  if (!folder) return;
  const target = path.join(folder.fsPath, 'stack');
  let result: Awaited<ReturnType<typeof copyStackWithoutOverwriting>>;
  try {
    result = await copyStackWithoutOverwriting(path.join(extensionPath, 'stack'), target);
  } catch (error) {
    const fix = error instanceof SparkError && error.fix ? ` — ${error.fix}` : '';
    void vscode.window.showErrorMessage(`Could not create the stack in ${target}: ${error instanceof Error ? error.message : String(error)}${fix}`);
    return;
  }
  output.info(`created stack in ${target}: ${result.copied.length} files copied, ${result.kept.length} existing files kept`);
  const kept = result.kept.length > 0 ? ` ${result.kept.length} files existed already and were kept as they were.` : '';
  if (vscode.workspace.getWorkspaceFolder(vscode.Uri.file(target)) === undefined) {
    const choice = await vscode.window.showInformationMessage(`Stack created in ${target}.${kept} Open it to use it:`, 'Add to Workspace', 'Open Folder');
    if (choice === 'Add to Workspace') vscode.workspace.updateWorkspaceFolders(vscode.workspace.workspaceFolders?.length ?? 0, 0, { uri: folder });
    else if (choice === 'Open Folder') await vscode.commands.executeCommand('vscode.openFolder', folder);
    return;
  }
  await vscode.commands.executeCommand('sparkGateway.refresh');
  let steps: readonly (typeof NEXT_STEPS)[number][] = NEXT_STEPS;
  let text = `Stack created in ${target}.${kept} Next:`;
  while (steps.length > 0) {
    const choice = await vscode.window.showInformationMessage(text, ...steps.map((s) => s.label));
    const index = steps.findIndex((s) => s.label === choice);
    const step = steps[index];
    if (!step) return;
    await vscode.commands.executeCommand(step.command);
    steps = steps.slice(index + 1);
    text = `Stack in ${target}, after ${step.label}: next`;
  }
}
