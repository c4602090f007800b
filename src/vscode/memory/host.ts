/**
 * Hosts the memory webview twice over: as the `sparkGateway.memory` view in the activity bar
 * and as an editor panel opened by `sparkGateway.showMemory`. Each instance gets its own
 * {@link MemoryViewController}; this file only adapts VS Code's visibility events and messages
 * to it. `retainContextWhenHidden` stays false: a hidden view costs nothing, and the webview
 * restores its last picture from `setState` when shown.
 */
import * as vscode from 'vscode';
import type { MemoryViewModel } from '../../core/memory/messages';
import { isWebviewMessage } from '../../core/memory/messages';
import { MemoryViewController } from '../../core/memory/view-controller';
import { memoryHtml } from './html';

export const MEMORY_VIEW_ID = 'sparkGateway.memory';
const PANEL_TYPE = 'sparkGateway.memoryPanel';

export class MemoryWebviews implements vscode.WebviewViewProvider, vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly load: () => Promise<MemoryViewModel>,
  ) {}

  resolveWebviewView(view: vscode.WebviewView): void {
    const { controller, messages } = this.attach(view.webview);
    controller.setVisible(view.visible);
    const visibility = view.onDidChangeVisibility(() => controller.setVisible(view.visible));
    const instance = vscode.Disposable.from(controller, messages, visibility);
    this.disposables.push(instance);
    view.onDidDispose(() => instance.dispose());
  }

  /** Opens (or reveals) the memory panel in the editor area. */
  show(): void {
    if (this.panel) {
      this.panel.reveal();
      return;
    }
    const panel = vscode.window.createWebviewPanel(PANEL_TYPE, 'Spark Gateway: Memory', vscode.ViewColumn.Active, {
      enableScripts: true,
      retainContextWhenHidden: false,
      localResourceRoots: this.resourceRoots(),
    });
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'spark.svg');
    this.panel = panel;
    const { controller, messages } = this.attach(panel.webview);
    controller.setVisible(panel.visible);
    const viewState = panel.onDidChangeViewState((e) => controller.setVisible(e.webviewPanel.visible));
    panel.onDidDispose(() => {
      vscode.Disposable.from(controller, messages, viewState).dispose();
      this.panel = undefined;
    });
  }

  dispose(): void {
    this.panel?.dispose();
    this.disposables.forEach((d) => d.dispose());
  }

  private resourceRoots(): vscode.Uri[] {
    return [vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(this.extensionUri, 'media')];
  }

  private attach(webview: vscode.Webview): { controller: MemoryViewController; messages: vscode.Disposable } {
    webview.options = { enableScripts: true, localResourceRoots: this.resourceRoots() };
    const asset = (file: string) => webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview', file)).toString();
    webview.html = memoryHtml({ cspSource: webview.cspSource, scriptUri: asset('memory.js'), styleUri: asset('memory.css') });
    const controller = new MemoryViewController({ load: this.load, post: (message) => void webview.postMessage(message) });
    const messages = webview.onDidReceiveMessage((message: unknown) => {
      if (isWebviewMessage(message)) controller.receive(message);
    });
    return { controller, messages };
  }
}
