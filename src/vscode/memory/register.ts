/** Registers the memory view, its panel command and their data source with VS Code. */
import * as vscode from 'vscode';
import type { DockerClient } from '../../core/docker/types';
import { hostMemoryInputs } from '../../core/memory/hosts';
import { StackNotFoundError } from '../../core/errors';
import { dockerContainerSource } from '../../core/memory/docker-source';
import { systemMemorySources } from '../../core/memory/read';
import { readHostsMemoryView } from '../../core/memory/view-model';
import type { Stack } from '../../core/stack/discovery';
import { hostClients, stackHostEngines } from '../../core/state/hosts-state';
import type { ServiceStatus } from '../../core/state/service-state';
import { MEMORY_VIEW_ID, MemoryWebviews } from './host';

export interface MemoryDependencies {
  readonly stack: () => Stack | undefined;
  readonly docker: DockerClient;
  /** Live service states (the tree's), so the view's model states match the tree's. */
  readonly statuses?: () => readonly ServiceStatus[] | undefined;
  /** The Docker client the window's state models hold for a host (so the view opens no second connection). */
  readonly clientOf?: (host: string) => DockerClient | undefined;
}

export function registerMemoryViews(context: vscode.ExtensionContext, deps: MemoryDependencies): MemoryWebviews {
  const live = (host: string | undefined, container: string) => deps.statuses?.()?.find((s) => s.container === container && (host === undefined || s.host === undefined || s.host === host));
  const sources = systemMemorySources(dockerContainerSource(deps.docker, (container) => live(deps.stack()?.scenarios.hosts[0]?.name, container)));
  const newClient = hostClients(deps.docker);
  const webviews = new MemoryWebviews(context.extensionUri, () => {
    const stack = deps.stack();
    if (!stack) return Promise.reject(new StackNotFoundError('no stack is loaded (see the Servers view)'));
    const engines = stackHostEngines(stack, deps.docker.endpoint);
    return readHostsMemoryView(stack.scenarios, hostMemoryInputs(engines, (engine) => deps.clientOf?.(engine.name) ?? newClient(engine), sources, live));
  });
  context.subscriptions.push(
    webviews,
    vscode.window.registerWebviewViewProvider(MEMORY_VIEW_ID, webviews),
    vscode.commands.registerCommand('sparkGateway.showMemory', () => webviews.show()),
  );
  return webviews;
}
