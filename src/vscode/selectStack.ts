/** `sparkGateway.selectStack`: point Spark Gateway at a stack folder (the `sparkGateway.stackPath` setting). */
import * as vscode from 'vscode';

export async function selectStack(): Promise<void> {
  const picked = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, canSelectMany: false, openLabel: 'Use this stack', title: 'Spark Gateway: the stack folder (with scenarios.yaml, or a guide llms/vllm/ to adopt)' });
  const folder = picked?.[0];
  if (!folder) return;
  // Saved for this workspace when there is one (the setting's change reloads the view); in
  // Restricted Mode a workspace value is ignored (settings.ts), so the user's settings keep it.
  const target = vscode.workspace.workspaceFolders && vscode.workspace.isTrusted ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  await vscode.workspace.getConfiguration('sparkGateway').update('stackPath', folder.fsPath, target);
}
