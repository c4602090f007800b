/** Registers the memory view, its panel command and their data source with VS Code. */
import * as vscode from 'vscode';
import type { DockerClient } from '../../core/docker/types';
import { StackNotFoundError } from '../../core/errors';
import { dockerContainerSource } from '../../core/memory/docker-source';
import { systemMemorySources } from '../../core/memory/read';
import { readMemoryView } from '../../core/memory/view-model';
import type { Stack } from '../../core/stack';
import type { ServiceStatus } from '../../core/state/service-state';
import { MEMORY_VIEW_ID, MemoryWebviews } from './host';

export interface MemoryDependencies {
  readonly stack: () => Stack | undefined;
  readonly docker: DockerClient;
  /** Live service states (the tree's), so the view's model states match the tree's. */
  readonly statuses?: () => readonly ServiceStatus[] | undefined;
}

export function registerMemoryViews(context: vscode.ExtensionContext, deps: MemoryDependencies): MemoryWebviews {
  const sources = systemMemorySources(dockerContainerSource(deps.docker, (container) => deps.statuses?.()?.find((s) => s.container === container)));
  const webviews = new MemoryWebviews(context.extensionUri, () => {
    const stack = deps.stack();
    if (!stack) return Promise.reject(new StackNotFoundError('no stack is loaded (see the Servers view)'));
    return readMemoryView(stack.scenarios, sources);
  });
  context.subscriptions.push(
    webviews,
    vscode.window.registerWebviewViewProvider(MEMORY_VIEW_ID, webviews),
    vscode.commands.registerCommand('sparkGateway.showMemory', () => webviews.show()),
  );
  return webviews;
}
