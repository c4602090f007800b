/**
 * A failure in the chat view: what happened, the fix in words, and the fix as a button when the
 * command that applies it exists in this window (start and sync come from other parts of the
 * extension; a button for a missing command would only fail again).
 */
import * as vscode from 'vscode';
import { SparkError } from '../../core/errors';
import { BadKeyError, GatewayDownError, ModelNotLoadedError } from '../../core/gateway/errors';
import type { Stack } from '../../core/stack';

export const COMMANDS = {
  startScenario: 'sparkGateway.startScenario',
  syncEnv: 'sparkGateway.syncEnv',
  setGatewayKey: 'sparkGateway.setGatewayKey',
} as const;

/** The ids of the commands registered now (the start command may come from another part). */
export async function availableCommands(): Promise<ReadonlySet<string>> {
  return new Set(await vscode.commands.getCommands(true));
}

/** Scenarios that serve `model`: the one named after it first (scenarios.yaml has one per model). */
export function scenariosServing(stack: Stack | undefined, model: string): string[] {
  const names = (stack?.scenarios.scenarios ?? []).filter((s) => s.models.has(model)).map((s) => s.name);
  return names.sort((a, b) => Number(b === model) - Number(a === model));
}

/** Writes the explanation of `error` with its fix buttons to the chat response. */
export async function explainError(stream: vscode.ChatResponseStream, error: unknown, stack: Stack | undefined): Promise<void> {
  const message = error instanceof Error ? error.message : String(error);
  stream.markdown(`**Spark Gateway:** ${message}.\n\n`);
  if (!(error instanceof SparkError)) return;
  if (error.fix) stream.markdown(`**Fix:** ${error.fix}.\n\n`);
  const commands = await availableCommands();
  const button = (command: string, title: string, args: unknown[] = []) => {
    if (commands.has(command)) stream.button({ command, title, arguments: args });
  };
  if (error instanceof GatewayDownError) button(COMMANDS.startScenario, 'Start a scenario');
  if (error instanceof BadKeyError) {
    button(COMMANDS.syncEnv, 'Sync the stack\'s .env');
    button(COMMANDS.setGatewayKey, 'Set the gateway key');
  }
  if (error instanceof ModelNotLoadedError && error.model && !error.unknownToGateway) {
    for (const scenario of scenariosServing(stack, error.model).slice(0, 3)) button(COMMANDS.startScenario, `Start scenario ${scenario}`, [scenario]);
  }
}
