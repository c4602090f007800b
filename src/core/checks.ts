/**
 * One shape for every check the tool runs — pre-flight before a start and the doctor's rows —
 * so the CLI prints them the same way and VS Code turns each `fix` into a button.
 */
export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

export interface CheckResult {
  readonly id: string;
  readonly title: string;
  readonly status: CheckStatus;
  /** What was found, secrets masked. */
  readonly detail: string;
  /** What to do about a fail or warn: a command to run or a setting to change. */
  readonly fix?: string;
  /** Only a start with the gateway needs this (certificates, gateway images and ports): a models-only start skips it. */
  readonly gatewayOnly?: boolean;
  /** The host the check is about, when it is not the main host (scenarios.yaml `hosts:`). */
  readonly host?: string;
}

const MARKS: Record<CheckStatus, string> = { ok: '✓', warn: '!', fail: '✗', skip: '-' };

/** One line per check, for terminals and output channels. Pure. */
export function formatCheck(check: CheckResult): string {
  return `${MARKS[check.status]} ${check.title}: ${check.detail}${check.fix && check.status !== 'ok' ? ` — fix: ${check.fix}` : ''}`;
}
