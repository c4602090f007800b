/**
 * Turns a core `fix` sentence into a button: the fixes the extension can perform itself run a
 * command; the others are offered as text to copy, so every failure has one obvious next step.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { FileFormatError, SparkError } from '../../core/errors';

export interface FixButton {
  readonly title: string;
  run(): Thenable<unknown>;
}

/** The button for a fix sentence (and, for a malformed file, one that opens it at the line). */
export function fixButtons(error: unknown, stackRoot: string | undefined): FixButton[] {
  const buttons: FixButton[] = [];
  if (error instanceof FileFormatError) {
    buttons.push({ title: `Open ${path.basename(error.file)}`, run: () => openAt(error.file, error.line) });
  }
  const fix = error instanceof SparkError ? error.fix : typeof error === 'string' ? error : undefined;
  if (fix) buttons.push(...buttonsForFix(fix, stackRoot));
  return buttons;
}

/** Buttons for one fix sentence. */
export function buttonsForFix(fix: string, stackRoot: string | undefined): FixButton[] {
  if (fix.includes('spark-gateway sync-env') && /HF_TOKEN/.test(fix) && stackRoot) {
    return [{ title: 'Open .env', run: () => openAt(path.join(stackRoot, '.env'), undefined) }, { title: 'Sync env', run: () => vscode.commands.executeCommand('sparkGateway.syncEnv') }];
  }
  if (fix.includes('spark-gateway sync-env')) return [{ title: 'Sync env', run: () => vscode.commands.executeCommand('sparkGateway.syncEnv') }];
  if (fix.includes('spark-gateway certs')) return [{ title: 'Generate certificates', run: () => vscode.commands.executeCommand('sparkGateway.generateCerts') }];
  if (fix.includes('workspace trust')) return [{ title: 'Manage Workspace Trust', run: () => vscode.commands.executeCommand('workbench.trust.manage') }];
  return [{ title: 'Copy fix', run: () => vscode.env.clipboard.writeText(fix.replace(/^Run /, '').replace(/`/g, '')) }];
}

/** Shows an error with its fix buttons and runs the one chosen. */
export async function showErrorWithFix(message: string, error: unknown, stackRoot: string | undefined, extra: FixButton[] = []): Promise<void> {
  const buttons = [...fixButtons(error, stackRoot), ...extra];
  const fix = error instanceof SparkError && error.fix ? ` Fix: ${error.fix}.` : '';
  const chosen = await vscode.window.showErrorMessage(`${message}${fix}`, ...buttons.map((b) => b.title));
  await buttons.find((b) => b.title === chosen)?.run();
}

async function openAt(file: string, line: number | undefined): Promise<void> {
  const editor = await vscode.window.showTextDocument(vscode.Uri.file(file));
  if (line !== undefined) {
    const position = new vscode.Position(Math.max(0, line - 1), 0);
    editor.selection = new vscode.Selection(position, position);
    editor.revealRange(new vscode.Range(position, position));
  }
}
