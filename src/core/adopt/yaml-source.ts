/**
 * A YAML file as the user wrote it: the `yaml` Document API finds nodes and their source ranges
 * (for file:line and for where to splice an edit); the text itself is only ever edited by
 * splicing, so comments, folded scalars and quoting survive exactly.
 */
import type { Document, Node as YamlNode } from 'yaml';
import { LineCounter, isMap, isScalar, isSeq, parseDocument } from 'yaml';

export interface Token {
  readonly value: string;
  readonly start: number;
  readonly end: number;
  /** The token is an item of a YAML list (a replacement must be a YAML scalar, quoted). */
  readonly item?: boolean;
}

/** The text that replaces `token` with `value` in the same form (list item or word). */
export function tokenText(token: Token, value: string): string {
  return token.item ? JSON.stringify(value) : value;
}

export class YamlSource {
  readonly doc: Document;
  private readonly lines = new LineCounter();

  constructor(
    readonly file: string,
    readonly text: string,
  ) {
    this.doc = parseDocument(text, { lineCounter: this.lines, keepSourceTokens: false });
  }

  /** The parse error, if any, as `line: message`. */
  error(): { line: number; message: string } | undefined {
    const first = this.doc.errors[0];
    return first ? { line: this.lines.linePos(first.pos[0]).line, message: first.message.split('\n')[0] ?? 'invalid YAML' } : undefined;
  }

  /** 1-based line of a source offset. */
  line(offset: number): number {
    return this.lines.linePos(offset).line;
  }

  /** 1-based line of a node (1 when it has no range). */
  lineOf(node: unknown): number {
    const range = (node as YamlNode | undefined)?.range;
    return range ? this.line(range[0]) : 1;
  }

  /** Leading spaces of the line holding `offset`. */
  indentAt(offset: number): string {
    const lineStart = this.text.lastIndexOf('\n', offset - 1) + 1;
    return /^ */.exec(this.text.slice(lineStart))?.[0] ?? '';
  }

  /** Offset just after the end of the line holding `offset` (after its newline). */
  endOfLine(offset: number): number {
    const nl = this.text.indexOf('\n', offset);
    return nl < 0 ? this.text.length : nl + 1;
  }

  get(path: readonly (string | number)[]): unknown {
    return this.doc.getIn(path, true);
  }

  /** The string value of a scalar at `path`, or undefined. */
  string(path: readonly (string | number)[]): string | undefined {
    const node = this.get(path);
    return isScalar(node) && node.value !== null && node.value !== undefined ? String(node.value) : undefined;
  }

  /** Keys of the mapping at `path` (empty when it is not a mapping). */
  keys(path: readonly (string | number)[]): string[] {
    const node = path.length === 0 ? this.doc.contents : this.get(path);
    return isMap(node) ? node.items.map((p) => (isScalar(p.key) ? String(p.key.value) : '')).filter(Boolean) : [];
  }

  /** Items of the sequence at `path` (empty when it is not one). */
  items(path: readonly (string | number)[]): unknown[] {
    const node = this.get(path);
    return isSeq(node) ? node.items : [];
  }

  /**
   * The words of a command as the user wrote it, each with its source offsets: a list gives one
   * token per item, a (folded or plain) string one per word. Quoted strings are not split.
   */
  commandTokens(node: unknown): Token[] | undefined {
    if (isSeq(node)) {
      return node.items.flatMap((item) => (isScalar(item) && item.range ? [{ value: String(item.value), start: item.range[0], end: item.range[1], item: true }] : []));
    }
    if (!isScalar(node) || !node.range || !['BLOCK_FOLDED', 'BLOCK_LITERAL', 'PLAIN'].includes(String(node.type))) return undefined;
    const [start, end] = node.range;
    const tokens: Token[] = [];
    const words = /\S+/g;
    const raw = this.text.slice(start, end);
    let first = node.type !== 'PLAIN';
    for (let m = words.exec(raw); m; m = words.exec(raw)) {
      // The block header (`>`, `|-`, …) is not a word of the command.
      if (first) {
        first = false;
        continue;
      }
      tokens.push({ value: m[0], start: start + m.index, end: start + m.index + m[0].length });
    }
    return tokens;
  }
}

/** A vLLM flag's value token in a command (`--flag value` or `--flag=value`). */
export function flagValue(tokens: readonly Token[], flag: string): { flag: Token; value: Token } | undefined {
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    if (t.value === flag && tokens[i + 1]) return { flag: t, value: tokens[i + 1] as Token };
    // `--flag=value` in a list item is quoted as a whole; only plain words are split here.
    if (t.value.startsWith(`${flag}=`)) return { flag: t, value: { value: t.value.slice(flag.length + 1), start: t.start + flag.length + 1, end: t.end } };
  }
  return undefined;
}
