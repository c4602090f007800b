/**
 * The stack's `.env`: read as data (never sourced), with the same rules as `sync-env.sh` —
 * optional `export `, one pair of surrounding quotes stripped, the last of duplicate keys wins —
 * but stricter: a line that is not a comment and not `KEY=VALUE` is an error naming file and
 * line, where the script skips it silently. A typo such as `HF_TOKEN hf_…` must not quietly
 * start models without a token.
 */
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { FileFormatError } from '../errors';
import { ENV_FILE } from './layout';

export interface DotEnv {
  /** Values by key (the last assignment of a key wins). */
  readonly values: ReadonlyMap<string, string>;
  /** Keys in order of first appearance. */
  readonly order: readonly string[];
  /** The 1-based line of each key's last assignment (the one that wins). */
  readonly lines: ReadonlyMap<string, number>;
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
  const lines = new Map<string, number>();
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
    lines.set(key, index + 1);
  });
  return { values, order, lines };
}

/**
 * A secret as the user may see it: the first 5 and last 2 characters (`hf_ab…yz`), or nothing
 * of it when it is short. The same rule as sync-env.sh's `mask`. Pure.
 */
export function maskSecret(value: string): string {
  return value.length <= 10 ? '(set, hidden)' : `${value.slice(0, 5)}…${value.slice(-2)}`;
}

/**
 * The `.env` of a stack folder (or of one of its project folders: a model folder, `litellm/`),
 * parsed by {@link parseDotEnv}; no values when the folder has no `.env` yet. The one reader of
 * these files: every feature and both wings read them through here. Throws
 * {@link FileFormatError} naming the file and line of a malformed line.
 */
export async function readStackEnv(folder: string): Promise<ReadonlyMap<string, string>> {
  const file = path.join(folder, ENV_FILE);
  if (!existsSync(file)) return new Map();
  return parseDotEnv(await readFile(file, 'utf8'), file).values;
}

/** {@link readStackEnv} for callers that cannot wait (a URL computed while building a request). */
export function readStackEnvSync(folder: string): ReadonlyMap<string, string> {
  const file = path.join(folder, ENV_FILE);
  if (!existsSync(file)) return new Map();
  return parseDotEnv(readFileSync(file, 'utf8'), file).values;
}

/** A secret that is empty or a well-known placeholder (including the seed's `sk-1234`). Pure. */
export function isPlaceholderSecret(value: string | undefined): boolean {
  const v = value ?? '';
  return v === '' || /^sk-123[4]$/.test(v) || ['changeme', 'change-me', 'change_me'].includes(v) || (v.startsWith('<') && v.endsWith('>'));
}

/** An HF token that is empty or the template's placeholder. Pure. */
export function isPlaceholderToken(value: string | undefined): boolean {
  const v = value ?? '';
  return v === '' || v === 'hf_your_token_here' || /your.*token/.test(v) || (v.startsWith('<') && v.endsWith('>'));
}
