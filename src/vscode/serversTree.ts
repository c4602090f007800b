/**
 * The servers tree: groups *Gateway* and *Model servers* with one row per service of the stack,
 * each with its live state. With other hosts in scenarios.yaml's `hosts:`, the top level is one
 * row per host (how it is reached, reachable or why not, its memory) with its services under it:
 * the main host's two groups as before, another host's model servers. It renders what the core's
 * state models say; it never fetches.
 */
import * as vscode from 'vscode';
import type { FetchText } from './fetchProgress';
import { onFetchProgress, rowText } from './fetchProgress';
import { gib } from '../core/planner';
import type { HostRows, ServiceKind, ServiceRow } from '../core/stack/services';
import type { HostState } from '../core/state/hosts-state';
import type { ServiceState, ServiceStatus } from '../core/state/service-state';
import { describeLoad, describeRow, describeState, formatUptime } from '../core/state/service-state';

/** `host` is the host's name (in the single-host tree: the main host's); `problem` is an unreachable host's reason row. */
export type ServerNode =
  | { readonly group: ServiceKind; readonly host?: string }
  | { readonly row: ServiceRow; readonly host?: string }
  | { readonly hostRow: string }
  | { readonly problem: string };

const GROUP_LABELS: Record<ServiceKind, string> = { gateway: 'Gateway', model: 'Model servers' };

/** Codicon and colour per state: spinning while something is under way, red when it failed. */
const ICONS: Record<ServiceState, { readonly id: string; readonly color?: string }> = {
  absent: { id: 'circle-outline', color: 'disabledForeground' },
  created: { id: 'circle-large-outline' },
  starting: { id: 'loading~spin' },
  loading: { id: 'loading~spin', color: 'charts.blue' },
  running: { id: 'pass', color: 'testing.iconPassed' },
  healthy: { id: 'pass-filled', color: 'testing.iconPassed' },
  unhealthy: { id: 'error', color: 'testing.iconFailed' },
  restarting: { id: 'sync~spin', color: 'charts.yellow' },
  paused: { id: 'debug-pause', color: 'charts.yellow' },
  exited: { id: 'debug-stop' },
};

/** The key of a service's status: its host and name (one model may run on several hosts). */
const statusKey = (host: string | undefined, name: string) => `${host ?? ''}/${name}`;

export class ServersTree implements vscode.TreeDataProvider<ServerNode>, vscode.Disposable {
  private rows: readonly ServiceRow[] = [];
  /** Every host with its rows; more than one entry turns on the grouping by host. */
  private layout: readonly HostRows[] = [];
  private mainHost: string | undefined;
  private hostStates = new Map<string, HostState>();
  private statuses = new Map<string, ServiceStatus>();
  /** Set while Docker cannot be reached: the tree is empty so the welcome view with the fix shows. */
  private dockerDown = false;
  private readonly changed = new vscode.EventEmitter<ServerNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  /** Pull/download text per model while a start in this window fetches its image or weights. */
  private readonly fetching = new Map<string, FetchText>();
  private readonly fetchListener = onFetchProgress((p) => {
    for (const model of p.models) {
      if (p.text === undefined) this.fetching.delete(model);
      else this.fetching.set(model, p.text);
    }
    this.changed.fire(undefined);
  });

  /** Replaces the rows per host (after the stack was loaded or reloaded) and redraws. */
  show(layout: readonly HostRows[]): void {
    this.layout = layout;
    this.mainHost = layout.find((h) => h.host.main)?.host.name;
    this.rows = layout.find((h) => h.host.main)?.rows ?? [];
    this.changed.fire(undefined);
  }

  /**
   * Shows the state models' latest statuses (each service's `host` says whose) and the hosts'
   * connections; `dockerDown` (the main host's engine) empties the tree for the welcome view.
   */
  update(statuses: readonly ServiceStatus[], dockerDown: boolean, hosts: readonly HostState[] = []): void {
    this.statuses = new Map(statuses.map((s) => [statusKey(s.host ?? this.mainHost, s.name), s]));
    this.hostStates = new Map(hosts.map((h) => [h.name, h]));
    this.dockerDown = dockerDown;
    this.changed.fire(undefined);
  }

  /** Redraws without new data (uptimes move on). */
  redraw(): void {
    this.changed.fire(undefined);
  }

  /** The status shown for a row (on `host`, the main host by default), if the state model has one. */
  statusOf(name: string, host?: string): ServiceStatus | undefined {
    return this.statuses.get(statusKey(host ?? this.mainHost, name));
  }

  /** The state of a host (its connection, engine info), if its model has one. */
  hostState(name: string): HostState | undefined {
    return this.hostStates.get(name);
  }

  getChildren(node?: ServerNode): ServerNode[] {
    if (this.rows.length === 0 || this.dockerDown) return [];
    const byHost = this.layout.length > 1;
    if (!node) return byHost ? this.layout.map(({ host }) => ({ hostRow: host.name })) : [{ group: 'gateway' }, { group: 'model' }];
    if ('hostRow' in node) {
      const conn = this.hostStates.get(node.hostRow)?.connection;
      if (conn?.status === 'unreachable') return [{ problem: node.hostRow }];
      const entry = this.layout.find((h) => h.host.name === node.hostRow);
      if (entry?.host.main) return [{ group: 'gateway', host: node.hostRow }, { group: 'model', host: node.hostRow }];
      return (entry?.rows ?? []).map((row) => ({ row, host: node.hostRow }));
    }
    if ('group' in node) return this.rows.filter((r) => r.kind === node.group).map((row) => ({ row, ...(node.host !== undefined ? { host: node.host } : {}) }));
    return [];
  }

  getTreeItem(node: ServerNode): vscode.TreeItem {
    if ('hostRow' in node) return this.hostItem(node.hostRow);
    if ('problem' in node) return this.problemItem(node.problem);
    if ('group' in node) {
      const item = new vscode.TreeItem(GROUP_LABELS[node.group], vscode.TreeItemCollapsibleState.Expanded);
      item.id = `group:${node.group}`;
      item.contextValue = `group.${node.group}`;
      return item;
    }
    const { row } = node;
    const onOtherHost = node.host !== undefined && node.host !== this.mainHost;
    const status = this.statuses.get(statusKey(node.host ?? this.mainHost, row.name));
    const item = new vscode.TreeItem(row.label, vscode.TreeItemCollapsibleState.None);
    // The main host's rows keep their ids (and so their expansion and selection) when hosts are added.
    item.id = onOtherHost ? `${row.kind}:${node.host}/${row.name}` : `${row.kind}:${row.name}`;
    // Pulls and downloads run on this machine only, so their progress belongs to the main host's rows.
    const fetched = onOtherHost ? undefined : this.fetching.get(row.name);
    // Else the pull or download the state model read (SPEC §9, the figure `status` prints): a start
    // in another process, or vLLM downloading the weights by itself.
    const recorded = status?.phaseProgress && status.phaseProgress.phase !== 'load' ? { row: rowText(status.phaseProgress), full: status.phaseProgress.text } : undefined;
    const fetching = (fetched && (!status || ['absent', 'created', 'exited'].includes(status.state)) ? fetched : undefined) ?? recorded;
    item.description = fetching ? fetching.row : describeRow(row, status);
    item.tooltip = tooltip(row, status, Date.now(), onOtherHost ? this.hostStates.get(node.host ?? '') : undefined);
    if (fetching) item.tooltip.appendMarkdown('\n\n').appendText(fetching.full);
    const icon = fetching ? { id: 'loading~spin' } : status ? ICONS[status.state] : { id: row.kind === 'model' ? 'server-process' : 'server-environment' };
    const failedExit = status?.state === 'exited' && status.exitCode !== 0;
    const color = failedExit ? 'testing.iconFailed' : icon.color;
    item.iconPath = new vscode.ThemeIcon(icon.id, color ? new vscode.ThemeColor(color) : undefined);
    // Menus match on this: `model.healthy`, `gateway.exited`, ... (`.unknown` before Docker answered).
    item.contextValue = `${row.kind}.${status?.state ?? 'unknown'}`;
    return item;
  }

  /** A host's row: its name; how it is reached and its memory, or that it cannot be reached. */
  private hostItem(name: string): vscode.TreeItem {
    const entry = this.layout.find((h) => h.host.name === name);
    const state = this.hostStates.get(name);
    const item = new vscode.TreeItem(name, vscode.TreeItemCollapsibleState.Expanded);
    item.id = `host:${name}`;
    const conn = state?.connection;
    const reach = entry?.host.docker ?? (entry?.host.main ? 'this machine' : '');
    const memory = state?.info ? `${gib(state.info.memTotalBytes)}` : undefined;
    // Memory first: the side bar is narrow and cuts the end; the address and the rest are in the tooltip.
    const where = entry?.host.main ? 'this machine · gateway' : reach;
    if (conn?.status === 'unreachable') {
      item.description = `unreachable · ${reach}`;
      item.iconPath = new vscode.ThemeIcon('vm-outline', new vscode.ThemeColor('testing.iconFailed'));
      item.contextValue = 'host.unreachable';
    } else {
      item.description = [memory, where].filter(Boolean).join(' · ');
      item.iconPath = new vscode.ThemeIcon(conn?.status === 'connected' ? 'vm-active' : 'vm-connect', conn?.status === 'connected' ? new vscode.ThemeColor('testing.iconPassed') : undefined);
      item.contextValue = conn?.status === 'connected' ? 'host.connected' : 'host.connecting';
    }
    const md = new vscode.MarkdownString(`**${name}**${entry?.host.main ? ' — the main host (runs the gateway)' : ''}\n\n`);
    const line = (label: string, value: string | undefined) => {
      if (value) md.appendMarkdown(`${label}: `).appendText(value).appendMarkdown('  \n');
    };
    line('Docker', state?.reach ?? reach);
    line('Engine', state ? `${state.endpoint.url} (${state.endpoint.source})` : undefined);
    line('Cluster address', entry?.host.address);
    line('Machine', state?.info ? `${state.info.name} · ${gib(state.info.memTotalBytes)} memory · ${state.info.cpus} CPUs · Docker ${state.info.serverVersion}` : undefined);
    line('State', conn?.status === 'unreachable' ? `unreachable: ${conn.error.message} (retrying in ${Math.round(conn.retryInMs / 1000)} s)` : conn?.status);
    item.tooltip = md;
    return item;
  }

  /** The one row under an unreachable host: why, with its fix (the row's button runs it). */
  private problemItem(host: string): vscode.TreeItem {
    const conn = this.hostStates.get(host)?.connection;
    const error = conn?.status === 'unreachable' ? conn.error : undefined;
    const fix = (error as { fix?: string } | undefined)?.fix;
    const item = new vscode.TreeItem(error?.message ?? 'unreachable', vscode.TreeItemCollapsibleState.None);
    item.id = `problem:${host}`;
    item.description = fix;
    item.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed'));
    item.tooltip = new vscode.MarkdownString().appendText(`${error?.message ?? 'unreachable'}${fix ? `\n\nFix: ${fix}` : ''}`);
    item.contextValue = 'host.problem';
    item.command = { command: 'sparkGateway.fixHost', title: 'Fix…', arguments: [{ problem: host }] };
    return item;
  }

  dispose(): void {
    this.fetchListener.dispose();
    this.changed.dispose();
  }
}

function tooltip(row: ServiceRow, status: ServiceStatus | undefined, now: number, host?: HostState): vscode.MarkdownString {
  const md = new vscode.MarkdownString(`**${row.label}** — ${status ? describeState(status) : 'state unknown'}\n\n`);
  const line = (name: string, value: string | number | undefined) => {
    if (value !== undefined && value !== '') md.appendMarkdown(`${name}: `).appendText(String(value)).appendMarkdown('  \n');
  };
  line('Host', host ? `${host.name} (${host.reach})` : undefined);
  line('Container', status?.container ?? row.container);
  line('Image', status?.image);
  line('Health', status?.health ?? undefined);
  line('Ports', status?.ports.map((p) => `${p.hostIp}:${p.hostPort} → ${p.containerPort}/${p.protocol}`).join(', ') || (row.hostPort !== undefined ? `${row.hostPort} (from scenarios.yaml)` : undefined));
  line('GPU request', status?.gpus);
  line('Up', formatUptime(status?.startedAt, now));
  line('Restarts', status?.restartCount || undefined);
  line('Exit code', status?.exitCode);
  line('Load', status ? describeLoad(status) : undefined);
  line('Details', row.detail);
  line('Compose folder', row.folder);
  if (status?.healthOutput) md.appendMarkdown('\nLast health probe:\n').appendCodeblock(status.healthOutput, 'text');
  if (status?.lastLogLine) md.appendMarkdown('\nLast log line:\n').appendCodeblock(status.lastLogLine, 'log');
  return md;
}
