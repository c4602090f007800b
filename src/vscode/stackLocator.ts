/**
 * Finds the stack for this window as the CLI does (the `sparkGateway.stackPath` setting, else
 * `stack/` or `llms/vllm/` in each workspace folder) and says which situation the window is in:
 * a stack, a guide folder to adopt, none, or a stack that does not load. The bundled stack is a
 * template and is never used as the window's stack, so an empty workspace shows the welcome view.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { FileFormatError, SparkError } from '../core/errors';
import type { Stack } from '../core/stack/discovery';
import { loadStack, locateStack } from '../core/stack/discovery';
import { readSetting } from './settings';

export type StackSituation =
  | { readonly kind: 'ready'; readonly stack: Stack }
  | { readonly kind: 'adopt'; readonly root: string }
  | { readonly kind: 'none'; readonly message: string; readonly fix?: string }
  | { readonly kind: 'broken'; readonly root: string; readonly message: string; readonly fix?: string; readonly file?: string; readonly line?: number };

/** The situation of this window's stack; never throws. */
export async function locateWorkspaceStack(): Promise<StackSituation> {
  // In Restricted Mode only the user's stackPath: a folder's own settings do not pick what is read.
  const configured = readSetting('stackPath');
  const folders = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
  const explicit = configured ? path.resolve(folders[0] ?? process.cwd(), configured) : undefined;
  let root: string;
  try {
    const found = locateStack({ explicit, folders });
    if (found.kind === 'adopt') return { kind: 'adopt', root: found.root };
    root = found.root;
  } catch (error) {
    return { kind: 'none', message: messageOf(error), fix: error instanceof SparkError ? error.fix : undefined };
  }
  try {
    return { kind: 'ready', stack: await loadStack(root, explicit ? 'explicit' : 'workspace') };
  } catch (error) {
    const where = error instanceof FileFormatError ? { file: error.file, line: error.line } : {};
    const edit = error instanceof FileFormatError ? `correct ${path.basename(error.file)}${error.line !== undefined ? ` line ${error.line}` : ''} and save (the view reloads by itself)` : undefined;
    return { kind: 'broken', root, message: messageOf(error), fix: (error instanceof SparkError ? error.fix : undefined) ?? edit, ...where };
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
