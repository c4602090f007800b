/**
 * The Servers view's data: the servers tree, or — when the stack does not load — rows that say
 * why (file:line and the problem), the fix, and buttons, right in the view. (A welcome view's
 * text is fixed in package.json, so it cannot carry the error itself.) While the stack is first
 * read, just after activation, one loading row.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ServerNode, ServersTree } from './serversTree';

export interface StackProblem {
  readonly message: string;
  readonly fix?: string;
  readonly file?: string;
  readonly line?: number;
}

interface ProblemNode {
  readonly problemRow: 'error' | 'problem' | 'fix' | 'open' | 'refresh' | 'loading';
}

export type StackViewNode = ServerNode | ProblemNode;

function isProblem(node: StackViewNode | undefined): node is ProblemNode {
  return node !== undefined && 'problemRow' in node;
}

export class StackViewTree implements vscode.TreeDataProvider<StackViewNode>, vscode.Disposable {
  private problem: StackProblem | undefined;
  /** Set from activation until the stack's first read is done (it runs after activate() returns). */
  private loading = false;
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly forwarding: vscode.Disposable;
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly servers: ServersTree) {
    this.forwarding = servers.onDidChangeTreeData(() => this.changed.fire());
  }

  /** Shows the problem rows instead of the servers (undefined: the servers again). */
  setProblem(problem: StackProblem | undefined): void {
    this.problem = problem;
    this.changed.fire();
  }

  /** Shows one "Reading the stack…" row instead of an empty view while the first read runs. */
  setLoading(loading: boolean): void {
    this.loading = loading;
    this.changed.fire();
  }

  getChildren(node?: StackViewNode): StackViewNode[] {
    if (isProblem(node)) return [];
    if (this.loading && node === undefined) return [{ problemRow: 'loading' }];
    if (this.problem && node === undefined) {
      // One short row each: tree rows do not wrap, and the side bar is narrow.
      const rows: ProblemNode[] = [{ problemRow: 'error' }, { problemRow: 'problem' }];
      if (this.problem.fix) rows.push({ problemRow: 'fix' });
      if (this.problem.file) rows.push({ problemRow: 'open' });
      rows.push({ problemRow: 'refresh' });
      return rows;
    }
    return this.servers.getChildren(node);
  }

  getTreeItem(node: StackViewNode): vscode.TreeItem {
    if (!isProblem(node)) return this.servers.getTreeItem(node);
    const p = this.problem ?? { message: '' };
    const where = p.file ? `${path.basename(p.file)}${p.line !== undefined ? `:${p.line}` : ''}` : 'The stack';
    switch (node.problemRow) {
      case 'error': {
        const item = new vscode.TreeItem(`${where} does not load`);
        item.tooltip = p.message;
        item.accessibilityInformation = { label: String(item.label) };
        item.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'));
        return item;
      }
      case 'problem': {
        const item = new vscode.TreeItem(p.message.replace(`${p.file ?? ''}${p.line !== undefined ? `:${p.line}` : ''}: `, ''));
        item.tooltip = p.message;
        // Read as the problem itself (a string tooltip would otherwise be what screen readers say).
        item.accessibilityInformation = { label: String(item.label) };
        item.iconPath = new vscode.ThemeIcon('blank');
        return item;
      }
      case 'fix': {
        const item = new vscode.TreeItem(`Fix: ${p.fix}`);
        item.tooltip = p.fix;
        item.accessibilityInformation = { label: String(item.label) };
        item.iconPath = new vscode.ThemeIcon('lightbulb');
        return item;
      }
      case 'open': {
        const item = new vscode.TreeItem(`Open ${where}`);
        item.iconPath = new vscode.ThemeIcon('go-to-file');
        const line = Math.max(0, (p.line ?? 1) - 1);
        item.command = { title: 'Open', command: 'vscode.open', arguments: [vscode.Uri.file(p.file ?? ''), { selection: new vscode.Range(line, 0, line, 0) }] };
        return item;
      }
      case 'loading': {
        const item = new vscode.TreeItem('Reading the stack…');
        item.iconPath = new vscode.ThemeIcon('loading~spin');
        return item;
      }
      case 'refresh': {
        const item = new vscode.TreeItem('Reload the stack');
        item.iconPath = new vscode.ThemeIcon('refresh');
        item.command = { title: 'Reload', command: 'sparkGateway.refresh' };
        return item;
      }
    }
  }

  dispose(): void {
    this.forwarding.dispose();
    this.changed.dispose();
  }
}
