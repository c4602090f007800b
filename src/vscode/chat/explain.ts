/**
 * A failure in the chat view: what happened, the fix in words, and the fix as a button when the
 * command that applies it exists in this window (start and sync come from other parts of the
 * extension; a button for a missing command would only fail again).
 */
import * as vscode from 'vscode';
import { SparkError } from '../../core/errors';
import { BadKeyError, GatewayDownError, ModelNotLoadedError } from '../../core/gateway/errors';
import { explainUnavailable } from '../../core/chat/unavailable';
import type { Stack } from '../../core/stack/discovery';
import type { ServiceStatus } from '../../core/state/service-state';

export const COMMANDS = {
  startScenario: 'sparkGateway.startScenario',
  syncEnv: 'sparkGateway.syncEnv',
  setGatewayKey: 'sparkGateway.setGatewayKey',
  askSpark: 'sparkGateway.askSpark',
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

/**
 * Writes the explanation of `error` with its fix buttons to the chat response. A gateway that
 * does not answer is told apart by the live states: models running without LiteLLM/NGINX get
 * "start the gateway" (with the scenario whose models run), nothing running gets "start a scenario".
 */
export async function explainError(stream: vscode.ChatResponseStream, error: unknown, stack: Stack | undefined, statuses?: readonly ServiceStatus[]): Promise<void> {
  const message = error instanceof Error ? error.message : String(error);
  stream.markdown(`**Spark Gateway:** ${message}.\n\n`);
  if (!(error instanceof SparkError)) return;
  const down = error instanceof GatewayDownError && stack ? explainUnavailable(stack.scenarios, undefined, statuses, 'down') : undefined;
  if (down) stream.markdown(`${down.reason === 'gateway-down' ? `${capitalise(down.message)}.\n\n` : ''}**Fix:** ${down.fix}.\n\n`);
  else if (error.fix) stream.markdown(`**Fix:** ${error.fix}.\n\n`);
  const commands = await availableCommands();
  const button = (command: string, title: string, args: unknown[] = []) => {
    if (commands.has(command)) stream.button({ command, title, arguments: args });
  };
  if (down?.reason === 'gateway-down') button(COMMANDS.startScenario, 'Start the gateway', [down.scenario, { modelsOnly: false }]);
  else if (error instanceof GatewayDownError) button(COMMANDS.startScenario, 'Start a scenario');
  if (error instanceof BadKeyError) {
    button(COMMANDS.syncEnv, 'Sync the stack\'s .env');
    button(COMMANDS.setGatewayKey, 'Set the gateway key');
  }
  if (error instanceof ModelNotLoadedError && error.model && !error.unknownToGateway) {
    for (const scenario of scenariosServing(stack, error.model).slice(0, 3)) button(COMMANDS.startScenario, `Start scenario ${scenario}`, [scenario]);
  }
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
