import type { ParsedArgs } from './args';
import type { Stack, StackLocation, StackSearch } from '../core/stack/discovery';

/** What a command needs from the outside world; tests pass their own. */
export interface CliIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** stdout is a terminal: progress redraws one line; piped, it prints plain lines. */
  readonly isTTY?: boolean;
  /** The bundled stack (the read-only template); default: the one beside the CLI. */
  readonly bundledStack?: string;
}

/** Exit codes: 2 is reserved for "the plan does not fit" so scripts can tell it from errors. */
export const EXIT = { ok: 0, error: 1, noFit: 2, usage: 64 } as const;

export interface Command {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  readonly flags: readonly string[];
  readonly values: readonly string[];
  run(args: ParsedArgs, ctx: CommandContext): Promise<number>;
}

export interface CommandContext {
  readonly io: CliIo;
  /** Resolves and loads the stack lazily: `--help` must work without one. */
  readonly stack: () => Promise<Stack>;
  /** The stack folder without parsing scenarios.yaml (certs and sync-env work on a stack whose YAML is broken). */
  readonly stackRoot: () => string;
  /** Where the stack search ends: a stack, or a guide folder to adopt. */
  readonly location: () => StackLocation;
  readonly search: StackSearch;
  /** The bundled template (init copies it; adopt reads its pinned images). */
  readonly bundledStack: string;
}

/** Prints a value as pretty JSON followed by a newline. */
export function printJson(io: CliIo, value: unknown): void {
  io.out(`${JSON.stringify(value, null, 2)}\n`);
}
