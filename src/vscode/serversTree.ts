/**
 * The servers tree: groups *Gateway* and *Model servers* with one row per service of the stack,
 * each with its live state. It renders what the core's state model says; it never fetches.
 */
import * as vscode from 'vscode';
import type { FetchText } from './fetchProgress';
import { onFetchProgress } from './fetchProgress';
import type { ServiceKind, ServiceRow } from '../core/services';
import type { ServiceState, ServiceStatus } from '../core/state/service-state';
import { describeLoad, describeRow, describeState, formatUptime } from '../core/state/service-state';

export type ServerNode = { readonly group: ServiceKind } | { readonly row: ServiceRow };

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

export class ServersTree implements vscode.TreeDataProvider<ServerNode>, vscode.Disposable {
  private rows: readonly ServiceRow[] = [];
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

  /** Replaces the rows (after the stack was loaded or reloaded) and redraws. */
  show(rows: readonly ServiceRow[]): void {
    this.rows = rows;
    this.changed.fire(undefined);
  }

  /** Shows the state model's latest statuses; `dockerDown` empties the tree for the welcome view. */
  update(statuses: readonly ServiceStatus[], dockerDown: boolean): void {
    this.statuses = new Map(statuses.map((s) => [s.name, s]));
    this.dockerDown = dockerDown;
    this.changed.fire(undefined);
  }

  /** Redraws without new data (uptimes move on). */
  redraw(): void {
    this.changed.fire(undefined);
  }

  /** The status shown for a row, if the state model has one. */
  statusOf(name: string): ServiceStatus | undefined {
    return this.statuses.get(name);
  }

  getChildren(node?: ServerNode): ServerNode[] {
    if (this.rows.length === 0 || this.dockerDown) return [];
    if (!node) return [{ group: 'gateway' }, { group: 'model' }];
    if ('group' in node) return this.rows.filter((r) => r.kind === node.group).map((row) => ({ row }));
    return [];
  }

  getTreeItem(node: ServerNode): vscode.TreeItem {
    if ('group' in node) {
      const item = new vscode.TreeItem(GROUP_LABELS[node.group], vscode.TreeItemCollapsibleState.Expanded);
      item.id = `group:${node.group}`;
      item.contextValue = `group.${node.group}`;
      return item;
    }
    const { row } = node;
    const status = this.statuses.get(row.name);
    const item = new vscode.TreeItem(row.label, vscode.TreeItemCollapsibleState.None);
    item.id = `${row.kind}:${row.name}`;
    const fetched = this.fetching.get(row.name);
    const fetching = fetched && (!status || ['absent', 'created', 'exited'].includes(status.state)) ? fetched : undefined;
    item.description = fetching ? fetching.row : describeRow(row, status);
    item.tooltip = tooltip(row, status, Date.now());
    if (fetching) item.tooltip.appendMarkdown('\n\n').appendText(fetching.full);
    const icon = fetching ? { id: 'loading~spin' } : status ? ICONS[status.state] : { id: row.kind === 'model' ? 'server-process' : 'server-environment' };
    const failedExit = status?.state === 'exited' && status.exitCode !== 0;
    const color = failedExit ? 'testing.iconFailed' : icon.color;
    item.iconPath = new vscode.ThemeIcon(icon.id, color ? new vscode.ThemeColor(color) : undefined);
    // Menus match on this: `model.healthy`, `gateway.exited`, ... (`.unknown` before Docker answered).
    item.contextValue = `${row.kind}.${status?.state ?? 'unknown'}`;
    return item;
  }

  dispose(): void {
    this.fetchListener.dispose();
    this.changed.dispose();
  }
}

function tooltip(row: ServiceRow, status: ServiceStatus | undefined, now: number): vscode.MarkdownString {
  const md = new vscode.MarkdownString(`**${row.label}** — ${status ? describeState(status) : 'state unknown'}\n\n`);
  const line = (name: string, value: string | number | undefined) => {
    if (value !== undefined && value !== '') md.appendMarkdown(`${name}: `).appendText(String(value)).appendMarkdown('  \n');
  };
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
