/**
 * The stack's `.env`: read as data (never sourced), with the same rules as `sync-env.sh` —
 * optional `export `, one pair of surrounding quotes stripped, the last of duplicate keys wins —
 * but stricter: a line that is not a comment and not `KEY=VALUE` is an error naming file and
 * line, where the script skips it silently. A typo such as `HF_TOKEN hf_…` must not quietly
 * start models without a token.
 */
import { FileFormatError } from '../errors';

export interface DotEnv {
  /** Values by key (the last assignment of a key wins). */
  readonly values: ReadonlyMap<string, string>;
  /** Keys in order of first appearance. */
  readonly order: readonly string[];
}

const KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The lines of a text file as bash's `while read` sees them: a final newline does not start
 * another line. Pure.
 */
export function fileLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/**
 * Parses dotenv text; `file` names the file in errors. Throws {@link FileFormatError} with the
 * 1-based line of the first malformed line. Error messages never quote a value (it may be a
 * secret). Pure.
 */
export function parseDotEnv(text: string, file: string): DotEnv {
  const values = new Map<string, string>();
  const order: string[] = [];
  const fix = 'Write it as KEY=VALUE, or start it with # to make it a comment';
  fileLines(text).forEach((raw, index) => {
    const line = raw.replace(/\r$/, '');
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const assignment = line.replace(/^export /, '');
    const eq = assignment.indexOf('=');
    if (eq < 0) throw new FileFormatError(file, index + 1, 'not a KEY=VALUE line (it has no "=")', fix);
    const key = assignment.slice(0, eq).trim();
    if (!KEY.test(key)) throw new FileFormatError(file, index + 1, `"${key.slice(0, 40)}" is not a variable name (letters, digits and _; not starting with a digit)`, fix);
    let value = assignment.slice(eq + 1);
    const quoted = /^"(.*)"$/.exec(value) ?? /^'(.*)'$/.exec(value);
    if (quoted) value = quoted[1] ?? '';
    else if (/^["']/.test(value)) throw new FileFormatError(file, index + 1, `the value of ${key} opens a quote it does not close`, 'Close the quote at the end of the line');
    if (!values.has(key)) order.push(key);
    values.set(key, value);
  });
  return { values, order };
}

/**
 * A secret as the user may see it: the first 5 and last 2 characters (`hf_ab…yz`), or nothing
 * of it when it is short. The same rule as sync-env.sh's `mask`. Pure.
 */
export function maskSecret(value: string): string {
  return value.length <= 10 ? '(set, hidden)' : `${value.slice(0, 5)}…${value.slice(-2)}`;
}
