/**
 * The servers tree: groups *Gateway* and *Model servers* with one row per service of the stack.
 * It renders rows computed by the core; it never fetches on its own.
 */
import * as vscode from 'vscode';
import type { ServiceKind, ServiceRow } from '../core/services';

type Node = { readonly group: ServiceKind } | { readonly row: ServiceRow };

const GROUP_LABELS: Record<ServiceKind, string> = { gateway: 'Gateway', model: 'Model servers' };

export class ServersTree implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private rows: readonly ServiceRow[] = [];
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  /** Replaces the rows (after the stack was loaded or reloaded) and redraws. */
  show(rows: readonly ServiceRow[]): void {
    this.rows = rows;
    this.changed.fire(undefined);
  }

  getChildren(node?: Node): Node[] {
    if (this.rows.length === 0) return [];
    if (!node) return [{ group: 'gateway' }, { group: 'model' }];
    if ('group' in node) return this.rows.filter((r) => r.kind === node.group).map((row) => ({ row }));
    return [];
  }

  getTreeItem(node: Node): vscode.TreeItem {
    if ('group' in node) {
      const item = new vscode.TreeItem(GROUP_LABELS[node.group], vscode.TreeItemCollapsibleState.Expanded);
      item.id = `group:${node.group}`;
      item.contextValue = `group.${node.group}`;
      return item;
    }
    const { row } = node;
    const item = new vscode.TreeItem(row.label, vscode.TreeItemCollapsibleState.None);
    item.id = `${row.kind}:${row.name}`;
    item.description = row.kind === 'model' ? `port ${row.hostPort}` : row.container;
    item.tooltip = new vscode.MarkdownString(`**${row.label}**\n\n${row.detail}\n\nContainer \`${row.container}\`, compose folder \`${row.folder}\``);
    item.iconPath = new vscode.ThemeIcon(row.kind === 'model' ? 'server-process' : 'server-environment');
    item.contextValue = `${row.kind}.unknown`;
    return item;
  }

  dispose(): void {
    this.changed.dispose();
  }
}
