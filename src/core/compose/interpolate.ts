/**
 * Compose's variable interpolation (`${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?err}`,
 * `$$`), nested defaults included, so that what the pre-flight checks, the doctor shows and `pull`
 * fetches is exactly the image compose will run — the stack's images are `${VLLM_SPARK_IMAGE:-…}`
 * and a user's override must be seen everywhere, not only by compose.
 */
import { readStackEnv } from '../stack/env';

/** A variable's value, or undefined when it is unset. */
export type Lookup = (name: string) => string | undefined;

/**
 * `text` with every variable replaced as compose does; an unset variable without default becomes
 * the empty string (compose warns and does the same). Pure.
 * Usage: `interpolate('${IMG:-nginx:1.27}', (k) => env[k])` → `nginx:1.27` when IMG is unset.
 */
export function interpolate(text: string, lookup: Lookup): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c !== '$') { out += c; i += 1; continue; }
    const next = text[i + 1];
    if (next === '$') { out += '$'; i += 2; continue; }
    if (next === '{') {
      const end = closingBrace(text, i + 2);
      if (end < 0) { out += text.slice(i); break; }
      out += expand(text.slice(i + 2, end), lookup);
      i = end + 1;
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i + 1))?.[0];
    if (name) { out += lookup(name) ?? ''; i += 1 + name.length; continue; }
    out += c;
    i += 1;
  }
  return out;
}

/**
 * The lookup compose uses for a project folder: the process environment (and `extra`, such as a
 * scenario's memory fractions) over the folder's `.env` file.
 */
export async function projectLookup(projectDir: string, processEnv: NodeJS.ProcessEnv = process.env, extra: Readonly<Record<string, string>> = {}): Promise<Lookup> {
  const dotenv = await readStackEnv(projectDir);
  return (name) => extra[name] ?? processEnv[name] ?? dotenv.get(name);
}

function closingBrace(text: string, from: number): number {
  let depth = 1;
  for (let i = from; i < text.length; i += 1) {
    if (text[i] === '{') depth += 1;
    else if (text[i] === '}') { depth -= 1; if (depth === 0) return i; }
  }
  return -1;
}

function expand(body: string, lookup: Lookup): string {
  const match = /^([A-Za-z_][A-Za-z0-9_]*)(:?[-?+])?([\s\S]*)$/.exec(body);
  if (!match) return '';
  const [, name = '', op, rest = ''] = match;
  const value = lookup(name);
  const emptyCounts = op?.startsWith(':') ?? false;
  const set = value !== undefined && (!emptyCounts || value !== '');
  switch (op?.replace(':', '')) {
    case '-': return set ? value : interpolate(rest, lookup);
    case '+': return set ? interpolate(rest, lookup) : '';
    // `:?` is compose's "required" form: the stack's messages say to run sync-env; the caller
    // sees the empty value and compose itself prints that message on `up`.
    case '?': return set ? value : '';
    default: return value ?? '';
  }
}
