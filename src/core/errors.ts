/**
 * Errors the core raises for things a user can fix. Each names where the problem is and, when
 * there is one, the fix — the CLI prints `message` as one line and the extension shows it with
 * the fix as a button.
 */
export class SparkError extends Error {
  constructor(
    message: string,
    /** A short instruction that fixes the problem, e.g. "Run `spark-gateway sync-env`". */
    readonly fix?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** A file the stack needs is malformed; `line` is 1-based when known. */
export class FileFormatError extends SparkError {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly problem: string,
    fix?: string,
  ) {
    super(`${file}${line !== undefined ? `:${line}` : ''}: ${problem}`, fix);
  }
}

/** A name the user gave (scenario, model, service) does not exist. */
export class UnknownNameError extends SparkError {
  constructor(kind: string, name: string, known: readonly string[]) {
    super(`unknown ${kind} "${name}" (known: ${known.join(', ') || 'none'})`);
  }
}

/** No stack folder could be found or the one given lacks its files. */
export class StackNotFoundError extends SparkError {}
