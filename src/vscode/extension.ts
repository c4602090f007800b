/**
 * The composition root: builds the services once, wires them to VS Code and registers every
 * disposable. Everything that is not VS Code lives in src/core.
 */
import * as vscode from 'vscode';
import { createDockerClient } from '../core/docker/client';
import { hostServiceRows } from '../core/stack/services';
import type { Stack } from '../core/stack/discovery';
import type { ServiceStatus } from '../core/state/service-state';
import { registerAddModel } from './addModel';
import { registerAdoptStack } from './adoptStack';
import { registerChat } from './chat/register';
import { registerMemoryViews } from './memory/register';
import { registerModelCommands } from './models/register';
import { registerLiveView } from './liveView';
import { registerOperateCommands } from './operate/register';
import { ServersTree } from './serversTree';
import { locateWorkspaceStack } from './stackLocator';
import { StackViewTree } from './stackProblemTree';
import { selectStack } from './selectStack';

export interface SparkGatewayApi {
  /** The stack this window uses, once loaded (for tests and other extensions). */
  readonly stack: () => Stack | undefined;
  readonly reload: () => Promise<void>;
  /** The live state of the stack's services (the Servers view shows the same). */
  readonly services: () => readonly ServiceStatus[];
  /** Settles once the first read of the stack is done (activate() returns before it). */
  readonly ready: Promise<void>;
}

export async function activate(context: vscode.ExtensionContext): Promise<SparkGatewayApi> {
  const output = vscode.window.createOutputChannel('Spark Gateway', { log: true });
  const tree = new ServersTree();
  const view = new StackViewTree(tree);
  const treeView = vscode.window.createTreeView('sparkGateway.servers', { treeDataProvider: view });
  context.subscriptions.push(output, tree, view, treeView);

  let current: Stack | undefined;
  let adoptable: string | undefined;
  // One Docker client for the window (dockerode loads on first use, not here).
  const docker = createDockerClient();
  // The live state of the stack's containers (Docker events → state model → tree).
  const live = registerLiveView({ context, docker, output, tree, treeView });
  // Live states once the model has synced (before that, views say "unknown" rather than guess).
  const statuses = () => (live.services().length > 0 ? live.services() : undefined);
  // @spark (its /status reads the live state once the model has synced), the model picker's provider, the gateway key command.
  const chat = registerChat(context, { stack: () => current, log: output, statuses, hosts: live.hosts, onServicesChanged: live.onDidChangeStates });

  /**
   * Context keys the welcome views of package.json match: `sparkGateway.stackState` is `none`,
   * `adopt` or `broken` (unset when a stack loaded); `sparkGateway.stackProblem` is set in all
   * three (the Docker welcome views give way to them).
   */
  const reload = async (): Promise<void> => {
    const found = await locateWorkspaceStack();
    const before = current?.root;
    current = found.kind === 'ready' ? found.stack : undefined;
    if (current?.root !== before) chat.session.stackChanged();
    adoptable = found.kind === 'adopt' ? found.root : undefined;
    tree.show(current ? hostServiceRows(current) : []);
    view.setProblem(found.kind === 'broken' ? found : undefined);
    live.setStack(current);
    const relative = (dir: string) => vscode.workspace.asRelativePath(dir, vscode.workspace.workspaceFolders !== undefined && vscode.workspace.workspaceFolders.length > 1);
    treeView.description = found.kind === 'ready' ? relative(found.stack.root) : found.kind === 'adopt' ? `${relative(found.root)} (to adopt)` : found.kind === 'broken' ? `${relative(found.root)} (does not load)` : undefined;
    await vscode.commands.executeCommand('setContext', 'sparkGateway.stackState', found.kind === 'ready' ? undefined : found.kind);
    await vscode.commands.executeCommand('setContext', 'sparkGateway.stackProblem', found.kind === 'ready' ? undefined : found.kind);
    if (found.kind === 'ready') output.info(`stack: ${found.stack.root}`);
    else if (found.kind === 'adopt') output.info(`${found.root} is laid out as the guide's llms/vllm/ without scenarios.yaml: run Spark Gateway: Adopt This Stack…`);
    else output.error(`${found.message}${found.fix ? ` — ${found.fix}` : ''}`);
  };

  context.subscriptions.push(
    vscode.commands.registerCommand('sparkGateway.refresh', reload),
    vscode.commands.registerCommand('sparkGateway.selectStack', selectStack),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('sparkGateway.stackPath')) void reload();
    }),
    vscode.workspace.onDidChangeWorkspaceFolders(() => void reload()),
    // Trusted now: the folder's own stackPath counts (settings.ts).
    vscode.workspace.onDidGrantWorkspaceTrust(() => void reload()),
  );
  registerMemoryViews(context, { stack: () => current, docker, statuses, clientOf: live.clientOf });
  registerAdoptStack(context, { extensionPath: context.extensionPath, output, candidate: () => adoptable ?? current?.root, reload });
  const watcher = vscode.workspace.createFileSystemWatcher('**/scenarios.yaml');
  context.subscriptions.push(watcher, watcher.onDidChange(() => void reload()), watcher.onDidCreate(() => void reload()), watcher.onDidDelete(() => void reload()));

  // Certificates, env sync, start/stop scenario, doctor, admin UI (compose runs need workspace trust).
  registerOperateCommands(context, { stack: () => current, docker, log: output, statuses, clientOf: live.clientOf });
  // Add Model… (the Hub client loads on first use, not here).
  registerAddModel(context, { stack: () => current, docker, log: output, reload });
  // Remove Model (a model row's context menu) and New Scenario…; both reload the stack after writing.
  registerModelCommands(context, { stack: () => current, reload, log: output });
  // The stack is read, and the Docker event stream opened, after activate() has returned: reading
  // scenarios.yaml loads the YAML parser and the state model the Docker client, which together
  // were most of activation. Until then the view shows a loading row rather than nothing.
  view.setLoading(true);
  const ready = new Promise<void>((resolve) => setImmediate(resolve))
    .then(reload)
    .catch((error: unknown) => output.error(`reading the stack: ${error instanceof Error ? error.message : String(error)}`))
    .finally(() => view.setLoading(false));
  return { stack: () => current, reload, services: () => live.services(), ready };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
