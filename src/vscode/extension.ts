/**
 * The composition root: builds the services once, wires them to VS Code and registers every
 * disposable. Everything that is not VS Code lives in src/core.
 */
import * as vscode from 'vscode';
import { createDockerClient } from '../core/docker/client';
import { SparkError } from '../core/errors';
import { serviceRows } from '../core/services';
import type { Stack } from '../core/stack';
import type { ServiceStatus } from '../core/state/service-state';
import { registerChat } from './chat/register';
import { registerMemoryViews } from './memory/register';
import { registerLiveView } from './liveView';
import { registerOperateCommands } from './operate/register';
import { ServersTree } from './serversTree';
import { locateStack } from './stackLocator';

export interface SparkGatewayApi {
  /** The stack this window uses, once loaded (for tests and other extensions). */
  readonly stack: () => Stack | undefined;
  readonly reload: () => Promise<void>;
  /** The live state of the stack's services (the Servers view shows the same). */
  readonly services: () => readonly ServiceStatus[];
}

export async function activate(context: vscode.ExtensionContext): Promise<SparkGatewayApi> {
  const output = vscode.window.createOutputChannel('Spark Gateway', { log: true });
  const tree = new ServersTree();
  const treeView = vscode.window.createTreeView('sparkGateway.servers', { treeDataProvider: tree });
  context.subscriptions.push(output, tree, treeView);

  let current: Stack | undefined;
  const reload = async (): Promise<void> => {
    try {
      current = await locateStack(context.extensionPath);
      tree.show(serviceRows(current));
      live.setStack(current);
      await vscode.commands.executeCommand('setContext', 'sparkGateway.stackProblem', undefined);
      output.info(`stack: ${current.root}`);
    } catch (error) {
      current = undefined;
      tree.show([]);
      live.setStack(undefined);
      const message = error instanceof Error ? error.message : String(error);
      const fix = error instanceof SparkError && error.fix ? ` ${error.fix}.` : '';
      await vscode.commands.executeCommand('setContext', 'sparkGateway.stackProblem', `${message}.${fix}`);
      output.error(message);
    }
  };

  context.subscriptions.push(
    vscode.commands.registerCommand('sparkGateway.refresh', reload),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('sparkGateway.stackPath')) void reload();
    }),
    vscode.workspace.onDidChangeWorkspaceFolders(() => void reload()),
  );
  // One Docker client for the window (dockerode loads on first use, not here).
  const docker = createDockerClient();
  // The live state of the stack's containers (Docker events → state model → tree).
  const live = registerLiveView({ context, docker, output, tree, treeView });
  // Live states once the model has synced (before that, views say "unknown" rather than guess).
  const statuses = () => (live.services().length > 0 ? live.services() : undefined);
  registerMemoryViews(context, { stack: () => current, docker, statuses });
  const watcher = vscode.workspace.createFileSystemWatcher('**/scenarios.yaml');
  context.subscriptions.push(watcher, watcher.onDidChange(() => void reload()), watcher.onDidCreate(() => void reload()), watcher.onDidDelete(() => void reload()));

  // @spark (its /status reads the live state once the model has synced), the model picker's provider, the gateway key command.
  registerChat(context, { stack: () => current, log: output, statuses, onServicesChanged: live.onDidChangeStates });
  // Certificates, env sync, start/stop scenario, doctor, admin UI (compose runs need workspace trust).
  registerOperateCommands(context, { stack: () => current, docker, log: output, statuses });
  await reload();
  return { stack: () => current, reload, services: () => live.services() };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
