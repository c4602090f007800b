/**
 * The live part of the Servers view: one state model per host's engine (the core's composition;
 * one host when scenarios.yaml lists no others), the tree fed from it, `/metrics` polled only
 * while the view is visible, welcome views when the main host's Docker is unreachable, and the
 * container actions of the tree's context menu (on the row's host's engine).
 */
import * as vscode from 'vscode';
import type { DockerClient } from '../core/docker/types';
import { DockerUnreachableError } from '../core/docker/errors';
import { SparkError } from '../core/errors';
import { hostTerminalLine } from '../core/docker/terminal-line';
import type { Stack } from '../core/stack/discovery';
import type { HostState } from '../core/state/hosts-state';
import { HostsStateModel, hostClients, stackHostEngines } from '../core/state/hosts-state';
import type { ServiceStatus } from '../core/state/service-state';
import { describeState } from '../core/state/service-state';
import type { ModelProgressSource } from '../core/weights/model-progress';
import { modelProgressSource } from '../core/weights/model-progress';
import { createStack } from './createStack';
import { LogChannels } from './logChannels';
import type { ServerNode, ServersTree } from './serversTree';

export interface LiveView {
  /** Points the state model at a (re)loaded stack, or stops it when there is none. */
  setStack(stack: Stack | undefined): void;
  /** The services as the models see them now (every host's, each with `host`). */
  services(): readonly ServiceStatus[];
  /** Every host with its connection and engine info (one, the main host, without `hosts:`). */
  hosts(): readonly HostState[];
  /** The Docker client the state model follows a host with. */
  clientOf(host: string): DockerClient | undefined;
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
  let model: HostsStateModel | undefined;
  let metrics: { dispose(): void } | undefined;
  let redraw: NodeJS.Timeout | undefined;
  let lastProblem: string | undefined;
  let lastStates = '';
  const statesChanged = new vscode.EventEmitter<void>();
  const logs = new LogChannels(docker);
  /** Log channels of containers on other hosts, one set per host's engine. */
  const hostLogs = new Map<string, LogChannels>();
  const logsOn = (host: string | undefined): LogChannels => {
    const client = host !== undefined ? model?.clientOf(host) : undefined;
    if (!client || client === docker || host === undefined) return logs;
    let channels = hostLogs.get(host);
    if (!channels) {
      channels = new LogChannels(client);
      hostLogs.set(host, channels);
    }
    return channels;
  };
  const hostNames = new Map<string, string>();
  /** The stack's models and cache folder: the state models read each model's SPEC §9 progress (what `status` prints) with it. */
  let progressSource: ModelProgressSource | undefined;
  let progressOf: Stack | undefined;

  const render = () => {
    if (!model) return;
    const states = model.synced ? model.services.map((s) => `${s.name}:${s.state}`).join(',') : '';
    if (states !== lastStates) {
      lastStates = states;
      statesChanged.fire();
    }
    const conn = model.connection;
    const problem = conn.status === 'unreachable' ? (conn.error instanceof DockerUnreachableError ? conn.error.reason : 'unreachable') : undefined;
    // A host's services show once its engine was read (before that they would all look absent).
    const hosts = model.hosts;
    const synced = new Set(hosts.filter((h) => h.synced).map((h) => h.name));
    tree.update(model.synced ? model.services.filter((s) => s.host !== undefined && synced.has(s.host)) : [], problem !== undefined, hosts);
    for (const host of model.hosts) {
      const state = host.connection.status === 'unreachable' ? `unreachable: ${host.connection.error.message}` : host.connection.status;
      if (host.main || hostNames.get(host.name) === state) continue;
      hostNames.set(host.name, state);
      if (host.connection.status === 'unreachable') output.warn(`host ${host.name} (${host.reach}): ${host.connection.error.message}${host.connection.error instanceof SparkError && host.connection.error.fix ? ` — ${host.connection.error.fix}` : ''}`);
      else if (host.connection.status === 'connected') output.info(`host ${host.name}: connected to ${host.endpoint.url} (${host.endpoint.source})`);
    }
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

  /** The container of a tree node (and its host), or one the user picks from the stack's existing containers. */
  const containerOf = async (node: ServerNode | undefined, action: string): Promise<{ container: string; host?: string } | undefined> => {
    if (node && 'row' in node) return { container: tree.statusOf(node.row.name, node.host)?.container ?? node.row.container, ...(node.host !== undefined ? { host: node.host } : {}) };
    const existing = (model?.services ?? []).filter((s) => s.state !== 'absent');
    if (existing.length === 0) {
      void vscode.window.showInformationMessage('No container of the stack exists yet: start a scenario first.', 'Start Scenario…').then((chosen) => {
        if (chosen) void vscode.commands.executeCommand('sparkGateway.startScenario');
      });
      return undefined;
    }
    const several = (model?.hosts.length ?? 1) > 1;
    const pick = await vscode.window.showQuickPick(existing.map((s) => ({ label: s.name, description: several ? `${s.container} on ${s.host ?? ''}` : s.container, detail: describeState(s), container: s.container, host: s.host })), { title: `Spark Gateway: ${action}`, placeHolder: 'Container' });
    return pick ? { container: pick.container, ...(pick.host !== undefined ? { host: pick.host } : {}) } : undefined;
  };

  const lifecycle = (verb: 'start' | 'stop' | 'restart') => async (node?: ServerNode) => {
    const target = await containerOf(node, `${verb} container`);
    if (!target) return;
    const { container } = target;
    const client = (target.host !== undefined ? model?.clientOf(target.host) : undefined) ?? docker;
    const where = client === docker ? container : `${container} on ${target.host ?? ''}`;
    try {
      await vscode.window.withProgress({ location: { viewId: 'sparkGateway.servers' }, title: `${verb} ${where}` }, () => client[verb](container));
      output.info(`docker ${verb} ${where}`);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      output.error(`docker ${verb} ${where}: ${message}`);
      void vscode.window.showErrorMessage(`Could not ${verb} ${where}: ${message}${error instanceof SparkError && error.fix ? ` — ${error.fix}` : ''}`);
    }
  };

  /**
   * An unreachable host's row: its error and fix, with a terminal to act from — `ssh -- user@host`
   * typed for an ssh:// engine (the fix is run on that host), else `docker --context NAME info`.
   * Typed, not run: the user sees the command and presses Enter.
   */
  const fixHost = async (node?: ServerNode) => {
    const name = node && 'problem' in node ? node.problem : node && 'hostRow' in node ? node.hostRow : undefined;
    const host = model?.hosts.find((h) => h.name === name);
    if (!host || host.connection.status !== 'unreachable') return;
    const { error } = host.connection;
    const fix = error instanceof SparkError ? error.fix : undefined;
    // Checked and quoted in the core; undefined (no terminal offered) when a part is not plain.
    const command = hostTerminalLine(host.endpoint);
    const open = command === undefined ? undefined : `Open Terminal: ${command}`;
    const chosen = await vscode.window.showErrorMessage(`Host ${host.name} (${host.reach}): ${error.message}`, { detail: fix }, ...(open === undefined ? [] : [open]), 'Show Log');
    if (chosen === 'Show Log') output.show(true);
    else if (command !== undefined && chosen === open) {
      const terminal = vscode.window.createTerminal({ name: `Spark Gateway: ${host.name}` });
      terminal.show();
      terminal.sendText(command, false);
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
      const target = await containerOf(node, 'tail logs');
      if (target) logsOn(target.host).open(target.container);
    }),
    vscode.commands.registerCommand('sparkGateway.fixHost', fixHost),
    vscode.commands.registerCommand('sparkGateway.createStack', () => createStack(context.extensionPath, output)),
    {
      dispose: () => {
        metrics?.dispose();
        clearInterval(redraw);
        model?.dispose();
        hostLogs.forEach((channels) => channels.dispose());
      },
    },
  );

  return {
    setStack(stack) {
      progressOf = stack;
      if (!stack) {
        progressSource = undefined;
        metrics?.dispose();
        metrics = undefined;
        model?.dispose();
        model = undefined;
        return;
      }
      // Until this stack's `.env` was read, the previous source serves (a reload keeps its figures).
      void modelProgressSource(stack, process.env).then((source) => {
        if (progressOf === stack) progressSource = source;
      }, () => {
        if (progressOf === stack) progressSource = undefined;
      });
      const engines = stackHostEngines(stack, docker.endpoint);
      if (model) {
        model.setHosts(engines, stack.root);
      } else {
        model = new HostsStateModel(engines, stack.root, { clientFor: hostClients(docker), state: { progressSource: () => progressSource } });
        model.onDidChange(render);
        model.start();
        if (treeView.visible) onVisibility(true);
      }
      render();
    },
    services: () => model?.services ?? [],
    hosts: () => model?.hosts ?? [],
    clientOf: (host) => model?.clientOf(host),
    onDidChangeStates: statesChanged.event,
  };
}
