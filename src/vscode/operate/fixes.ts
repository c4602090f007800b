/**
 * Turns a core `fix` sentence into a button: the fixes the extension can perform itself run a
 * command; the others are offered as text to copy, so every failure has one obvious next step.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { FileFormatError, SparkError } from '../../core/errors';
import { parseDotEnv } from '../../core/stack/env';
import { ENV_FILE } from '../../core/stack/layout';

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

/**
 * Buttons for one fix sentence: the extension's own command where one applies the fix (the core
 * words its fixes for the CLI too, so they name `spark-gateway …`), else the text to copy.
 */
export function buttonsForFix(fix: string, stackRoot: string | undefined): FixButton[] {
  const command = (title: string, id: string, ...args: unknown[]): FixButton => ({ title, run: () => vscode.commands.executeCommand(id, ...args) });
  if (/HF_TOKEN/.test(fix) && stackRoot) {
    return [{ title: 'Open .env at HF_TOKEN', run: () => openEnvAt(stackRoot, 'HF_TOKEN') }, command('Sync Environment Files', 'sparkGateway.syncEnv')];
  }
  if (fix.includes('spark-gateway sync-env')) return [command('Sync Environment Files', 'sparkGateway.syncEnv')];
  if (fix.includes('spark-gateway certs')) return [command('Generate Certificates', 'sparkGateway.generateCerts')];
  if (fix.includes('workspace trust')) return [command('Manage Workspace Trust', 'workbench.trust.manage')];
  const logs = /(?:docker logs|spark-gateway logs) ([\w.-]+)/.exec(fix);
  if (logs?.[1]) return [command(`Tail Logs of ${logs[1]}`, 'sparkGateway.tailLogs', { row: { name: logs[1], container: logs[1] } })];
  if (/start a scenario|spark-gateway up|Start Scenario/i.test(fix)) return [command('Start Scenario…', 'sparkGateway.startScenario')];
  return [{ title: 'Copy fix', run: () => vscode.env.clipboard.writeText(fix.replace(/^Run /, '').replace(/`/g, '')) }];
}

/** True when the fix's first button runs one of the extension's commands (not just copying text). */
export function fixRunsCommand(fix: string, stackRoot: string | undefined): boolean {
  return buttonsForFix(fix, stackRoot)[0]?.title !== 'Copy fix';
}

/**
 * Opens the stack's `.env` with the cursor after `key=` (sync-env first when there is no .env).
 * A .env without the key gets `key=` added at its end in the editor, unsaved: the user types the
 * value and saves, nothing is written behind their back.
 */
export async function openEnvAt(stackRoot: string, key: string): Promise<void> {
  const file = path.join(stackRoot, ENV_FILE);
  if (!existsSync(file)) await vscode.commands.executeCommand('sparkGateway.syncEnv');
  if (!existsSync(file)) return;
  const line = assignedLine(file, key);
  if (line !== undefined) {
    await openAt(file, line);
    return;
  }
  const editor = await vscode.window.showTextDocument(vscode.Uri.file(file));
  const last = editor.document.lineAt(editor.document.lineCount - 1);
  await editor.edit((edit) => edit.insert(last.range.end, `${last.text === '' ? '' : '\n'}${key}=`));
  const end = editor.document.lineAt(editor.document.lineCount - 1).range.end;
  editor.selection = new vscode.Selection(end, end);
  editor.revealRange(new vscode.Range(end, end));
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
    const index = Math.min(Math.max(0, line - 1), editor.document.lineCount - 1);
    const text = editor.document.lineAt(index).text;
    // After the `=`, where the value goes.
    const position = new vscode.Position(index, text.includes('=') ? text.indexOf('=') + 1 : 0);
    editor.selection = new vscode.Selection(position, position);
    editor.revealRange(new vscode.Range(position, position));
  }
}

/** The line that sets `key` in the `.env` at `file`, as the stack's reader sees it; undefined when unset or unreadable. */
function assignedLine(file: string, key: string): number | undefined {
  try {
    return parseDotEnv(readFileSync(file, 'utf8'), file).lines.get(key);
  } catch {
    // A malformed .env: the key is added at its end, where the user sees the rest of the file.
    return undefined;
  }
}
