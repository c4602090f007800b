/**
 * Known secrets in a compose file: a secret variable with a fallback (`${LITELLM_MASTER_KEY:-sk-1234}`,
 * `${UI_PASSWORD-admin}`, `${X:=y}`), which brings the gateway up with a public value whenever
 * `.env` lacks it, and a secret written into the file itself (`POSTGRES_PASSWORD: dbpassword9090`,
 * `- POSTGRES_PASSWORD=…`, `postgres://user:pass@host`). Adopt fixes what it finds; the doctor
 * fails on it, on every stack. Pure: it reads the text it is given.
 */
import { LineCounter, isScalar, isSeq, parseDocument, visit } from 'yaml';
import type { Scalar } from 'yaml';

/** What one finding is: a fallback value, a literal value, or a password inside a URL. */
export type SecretFindingKind = 'fallback' | 'literal' | 'url-password';

export interface ComposeSecretFinding {
  /** The compose file as the caller named it. */
  readonly file: string;
  /** 1-based line. */
  readonly line: number;
  readonly kind: SecretFindingKind;
  /** The variable that holds the secret once fixed (`POSTGRES_PASSWORD` for a database URL). */
  readonly variable: string;
  /** Says what is wrong; never shows the secret whole. */
  readonly message: string;
  readonly fix: string;
  /** The literal secret (not for a fallback: its value is public anyway); adopt carries it into `.env`. */
  readonly value?: string;
  /** Replacement of `[start, end)` of the text that fixes it, when the fix is mechanical. */
  readonly edit?: { readonly start: number; readonly end: number; readonly text: string };
}

export interface ComposeSecretScan {
  readonly findings: ComposeSecretFinding[];
  /** The file does not parse (compose rejects it too): the first error, no findings. */
  readonly parseError?: { readonly line: number; readonly message: string };
}

/** The secrets `sync-env` generates into `.env`: their fix is "run sync-env", the others' "set it". */
const GENERATED = new Set(['LITELLM_MASTER_KEY', 'LITELLM_SALT_KEY', 'POSTGRES_PASSWORD', 'VLLM_API_KEY']);

/**
 * A variable that holds a secret: its name says KEY, SECRET, PASSWORD, TOKEN or SALT, or it is a
 * database URL. `…_FILE` names a file holding the secret (the images' `POSTGRES_PASSWORD_FILE`).
 */
export function isSecretName(name: string): boolean {
  if (!/^[A-Z][A-Z0-9_]*$/.test(name) || name.endsWith('_FILE')) return false;
  return /(KEY|SECRET|PASSWORD|PASSWD|TOKEN|SALT)/.test(name) || /(^|_)DATABASE_URL$/.test(name);
}

/** `sk-…`: enough to recognise a value, never enough to use it. */
export function maskStart(value: string): string {
  return `${value.slice(0, 3)}…`;
}

/** A value that is a switch or a number, not a secret (`DISABLE_KEY_CHECK: "true"`). */
function isSwitchOrNumber(value: string): boolean {
  return /^(true|false|yes|no|on|off|null|none|-?\d+(\.\d+)?)$/i.test(value.trim());
}

/** `${NAME:?…}`: compose refuses to start while NAME is unset or empty, and says what to do. */
export function requiredRef(name: string, file: string): string {
  const up = file.includes('/') ? '../' : './';
  return `\${${name}:?${GENERATED.has(name) ? `run ${up}sync-env.sh first` : `set ${name} in ${up}.env and run ${up}sync-env.sh`}}`;
}

// `${NAME:-v}`, `${NAME-v}`, `${NAME:=v}`, `${NAME=v}`; `$${…}` is compose's escape for a literal `$`.
const FALLBACK = /(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)(:?[-=])([^}]*)\}/g;
// scheme://user:password@ with a password that is not a variable.
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*):\/\/([^\s:/@'"]*):([^\s@/'"]+)@/g;

/** Scans a compose file's text; see the module comment for what counts. */
export function findComposeSecrets(file: string, text: string): ComposeSecretScan {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  const lineAt = (offset: number) => lines.linePos(offset).line;
  if (doc.errors.length > 0) {
    const first = doc.errors[0];
    return { findings: [], parseError: { line: first ? lineAt(first.pos[0]) : 1, message: first?.message.split('\n')[0] ?? 'invalid YAML' } };
  }
  const findings: ComposeSecretFinding[] = [];
  const seen = new Set<string>();
  const add = (f: ComposeSecretFinding) => {
    const key = `${f.line}:${f.variable}:${f.kind}`;
    if (!seen.has(key)) findings.push(f);
    seen.add(key);
  };

  visit(doc, {
    Scalar(_, node) {
      const range = node.range;
      if (!range || typeof node.value !== 'string') return;
      const source = text.slice(range[0], range[1]);
      const covered: [number, number][] = [];
      for (const m of source.matchAll(FALLBACK)) {
        const [whole, name = '', , fallback = ''] = m;
        // An empty fallback (`${VLLM_API_KEY:-}`) ships no value: the variable is simply optional.
        if (!isSecretName(name) || fallback === '') continue;
        const start = range[0] + m.index;
        covered.push([start, start + whole.length]);
        const fixed = requiredRef(name, file);
        add({ file, line: lineAt(start), kind: 'fallback', variable: name, message: `${name} falls back to the fixed value ${maskStart(fallback)} whenever .env lacks it: a gateway that comes up with a value everyone knows`, fix: `${fixed} (compose then refuses to start without it)`, edit: { start, end: start + whole.length, text: fixed } });
      }
      for (const m of source.matchAll(URL_PASSWORD)) {
        const [whole, scheme = '', , password = ''] = m;
        const at = range[0] + m.index + whole.length - password.length - 1;
        if (password.startsWith('${') || covered.some(([s, e]) => at >= s && at < e)) continue;
        const postgres = /^postgres(ql)?$/.test(scheme);
        const variable = postgres ? 'POSTGRES_PASSWORD' : `${scheme.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_PASSWORD`;
        const fixed = requiredRef(variable, file);
        add({ file, line: lineAt(at), kind: 'url-password', variable, value: password, message: `a ${scheme}:// URL carries its password in the compose file: every copy of the file shares it`, fix: `${scheme}://…:${fixed}@… with ${variable} in .env`, ...(postgres ? { edit: { start: at, end: at + password.length, text: fixed } } : {}) });
      }
    },
    Pair(_, pair) {
      if (!isScalar(pair.key) || !isScalar(pair.value)) return;
      const name = String(pair.key.value);
      literal(name, pair.value, undefined);
    },
    Seq(_, seq) {
      if (!isSeq(seq)) return;
      for (const item of seq.items) {
        if (!isScalar(item) || typeof item.value !== 'string') continue;
        const eq = item.value.indexOf('=');
        if (eq > 0) literal(item.value.slice(0, eq), item, item.value.slice(eq + 1));
      }
    },
  });

  /** `NAME: value` (listValue undefined) or `- NAME=value` with a literal secret value. */
  function literal(name: string, node: Scalar, listValue: string | undefined): void {
    const value = listValue ?? (typeof node.value === 'string' ? node.value : node.value === null || node.value === undefined ? '' : String(node.value));
    // URLs are the URL check's (their password only), variables the fallback check's.
    if (!isSecretName(name) || value === '' || value.includes('${') || value.includes('://') || isSwitchOrNumber(value) || !node.range) return;
    const [start, end] = node.range;
    const fixed = requiredRef(name, file);
    let edit: ComposeSecretFinding['edit'];
    if (listValue === undefined) edit = { start, end, text: JSON.stringify(fixed) };
    else {
      // Spliced only when the source holds the value as it reads (no escapes in a quoted item).
      const source = text.slice(start, end);
      const quote = source.startsWith('"') || source.startsWith("'") ? 1 : 0;
      const valueStart = start + source.indexOf('=') + 1;
      if (text.slice(valueStart, end - quote) === listValue) edit = { start: valueStart, end: end - quote, text: fixed };
    }
    add({ file, line: lineAt(start), kind: 'literal', variable: name, value, message: `${name} is written into the compose file: every copy of the file shares it`, fix: `${name}${listValue === undefined ? ': ' : '='}${fixed} with ${name} in .env (\`spark-gateway sync-env\` generates the stack's secrets)`, ...(edit ? { edit } : {}) });
  }

  findings.sort((a, b) => a.line - b.line);
  return { findings };
}
