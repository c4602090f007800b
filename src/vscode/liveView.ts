/**
 * The live part of the Servers view: one state model per window (the core's), the tree fed from
 * it, `/metrics` polled only while the view is visible, welcome views when Docker is unreachable,
 * and the container actions of the tree's context menu.
 */
import * as vscode from 'vscode';
import type { DockerClient } from '../core/docker/types';
import { DockerUnreachableError } from '../core/docker/errors';
import { SparkError } from '../core/errors';
import { serviceRows } from '../core/services';
import type { Stack } from '../core/stack';
import type { ServiceStatus } from '../core/state/service-state';
import { describeState } from '../core/state/service-state';
import { StackStateModel } from '../core/state/stack-state';
import { createStack } from './createStack';
import { LogChannels } from './logChannels';
import type { ServerNode, ServersTree } from './serversTree';

export interface LiveView {
  /** Points the state model at a (re)loaded stack, or stops it when there is none. */
  setStack(stack: Stack | undefined): void;
  /** The services as the model sees them now. */
  services(): readonly ServiceStatus[];
  /** Fires when a service's state changes (not on every metrics update): the model picker re-reads. */
  readonly onDidChangeStates: vscode.Event<void>;
}

export interface LiveViewDeps {
  readonly context: vscode.ExtensionContext;
  readonly docker: DockerClient;
  readonly output: vscode.LogOutputChannel;
  readonly tree: ServersTree;
  /** The Servers view (for its visibility; its data is the servers tree or the stack's problem). */
  readonly treeView: Pick<vscode.TreeView<unknown>, 'visible' | 'onDidChangeVisibility'>;
}

/** Context key with the reason Docker is unreachable; package.json's welcome views match on it. */
const DOCKER_PROBLEM = 'sparkGateway.dockerProblem';
const UPTIME_REDRAW_MS = 30_000;

export function registerLiveView({ context, docker, output, tree, treeView }: LiveViewDeps): LiveView {
  let model: StackStateModel | undefined;
  let metrics: { dispose(): void } | undefined;
  let redraw: NodeJS.Timeout | undefined;
  let lastProblem: string | undefined;
  let lastStates = '';
  const statesChanged = new vscode.EventEmitter<void>();
  const logs = new LogChannels(docker);

  const render = () => {
    if (!model) return;
    const states = model.synced ? model.services.map((s) => `${s.name}:${s.state}`).join(',') : '';
    if (states !== lastStates) {
      lastStates = states;
      statesChanged.fire();
    }
    const conn = model.connection;
    const problem = conn.status === 'unreachable' ? (conn.error instanceof DockerUnreachableError ? conn.error.reason : 'unreachable') : undefined;
    tree.update(model.synced ? model.services : [], problem !== undefined);
    if (problem !== lastProblem) {
      lastProblem = problem;
      void vscode.commands.executeCommand('setContext', DOCKER_PROBLEM, problem);
      if (conn.status === 'unreachable') output.warn(`Docker: ${conn.error.message}${conn.error instanceof SparkError && conn.error.fix ? ` — ${conn.error.fix}` : ''} (retrying in ${Math.round(conn.retryInMs / 1000)} s)`);
      else output.info(`Docker: connected to ${docker.endpoint.url} (${docker.endpoint.source})`);
    }
  };

  const onVisibility = (visible: boolean) => {
    if (visible && model && !metrics) metrics = model.watchMetrics();
    if (!visible) {
      metrics?.dispose();
      metrics = undefined;
    }
    clearInterval(redraw);
    redraw = visible ? setInterval(() => tree.redraw(), UPTIME_REDRAW_MS) : undefined;
  };

  /** The container of a tree node, or one the user picks from the stack's existing containers. */
  const containerOf = async (node: ServerNode | undefined, action: string): Promise<string | undefined> => {
    if (node && 'row' in node) return tree.statusOf(node.row.name)?.container ?? node.row.container;
    const existing = (model?.services ?? []).filter((s) => s.state !== 'absent');
    if (existing.length === 0) {
      void vscode.window.showInformationMessage('No container of the stack exists yet: start a scenario first.', 'Start Scenario…').then((chosen) => {
        if (chosen) void vscode.commands.executeCommand('sparkGateway.startScenario');
      });
      return undefined;
    }
    const pick = await vscode.window.showQuickPick(existing.map((s) => ({ label: s.name, description: s.container, detail: describeState(s), container: s.container })), { title: `Spark Gateway: ${action}`, placeHolder: 'Container' });
    return pick?.container;
  };

  const lifecycle = (verb: 'start' | 'stop' | 'restart') => async (node?: ServerNode) => {
    const container = await containerOf(node, `${verb} container`);
    if (!container) return;
    try {
      await vscode.window.withProgress({ location: { viewId: 'sparkGateway.servers' }, title: `${verb} ${container}` }, () => docker[verb](container));
      output.info(`docker ${verb} ${container}`);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      output.error(`docker ${verb} ${container}: ${message}`);
      void vscode.window.showErrorMessage(`Could not ${verb} ${container}: ${message}${error instanceof SparkError && error.fix ? ` — ${error.fix}` : ''}`);
    }
  };

  context.subscriptions.push(
    logs,
    statesChanged,
    treeView.onDidChangeVisibility((e) => onVisibility(e.visible)),
    vscode.commands.registerCommand('sparkGateway.startContainer', lifecycle('start')),
    vscode.commands.registerCommand('sparkGateway.stopContainer', lifecycle('stop')),
    vscode.commands.registerCommand('sparkGateway.restartContainer', lifecycle('restart')),
    vscode.commands.registerCommand('sparkGateway.tailLogs', async (node?: ServerNode) => {
      const container = await containerOf(node, 'tail logs');
      if (container) logs.open(container);
    }),
    vscode.commands.registerCommand('sparkGateway.createStack', () => createStack(context.extensionPath, output)),
    {
      dispose: () => {
        metrics?.dispose();
        clearInterval(redraw);
        model?.dispose();
      },
    },
  );

  return {
    setStack(stack) {
      if (!stack) {
        metrics?.dispose();
        metrics = undefined;
        model?.dispose();
        model = undefined;
        return;
      }
      if (model) {
        model.setRows(serviceRows(stack), stack.root);
      } else {
        model = new StackStateModel(serviceRows(stack), stack.root, docker);
        model.onDidChange(render);
        model.start();
        if (treeView.visible) onVisibility(true);
      }
      render();
    },
    services: () => model?.services ?? [],
    onDidChangeStates: statesChanged.event,
  };
}
