/** Checks of NGINX's config: a /health that needs no key, IPv6 listeners, a /healthz for its own healthcheck. */
import type { AdoptContext } from '../context';
import type { CheckResult, TextEdit } from '../types';
import { emptyResult } from '../types';

const CONF = 'nginx/multi-model.conf';

interface Line {
  readonly text: string;
  readonly start: number;
  readonly end: number;
  readonly number: number;
}

function linesOf(text: string): Line[] {
  const out: Line[] = [];
  let start = 0;
  text.split('\n').forEach((t, i) => {
    out.push({ text: t, start, end: start + t.length, number: i + 1 });
    start += t.length + 1;
  });
  return out;
}

/** NGINX's /health proxied to LiteLLM's /health, which needs a key (401) and calls every model. */
export function nginxHealthCheck(ctx: AdoptContext): CheckResult {
  const result = emptyResult();
  const text = ctx.folder.texts.get(CONF);
  if (text === undefined) return result;
  let inHealth = false;
  for (const line of linesOf(text)) {
    if (/^\s*location\s+(=\s*)?\/health\s*\{/.test(line.text)) inHealth = true;
    else if (inHealth && /^\s*\}/.test(line.text)) inHealth = false;
    const m = inHealth ? /^(\s*proxy_pass\s+https?:\/\/[^/;\s]+)(\/health)?\s*;/.exec(line.text) : null;
    if (!m) continue;
    result.problems.push({ id: 'nginx-health-auth', file: CONF, line: line.number, message: "NGINX's /health is proxied to LiteLLM's /health, which needs the master key (401) and calls every model", fix: 'proxy_pass to /health/liveliness (LiteLLM answers it without a key)' });
    result.edits.push({ file: CONF, start: line.start, end: line.end, text: `${m[1]}/health/liveliness;` });
  }
  return result;
}

/** `listen` on IPv4 only: `localhost` resolving to ::1 finds nothing. */
export function nginxIpv6Check(ctx: AdoptContext): CheckResult {
  const result = emptyResult();
  const text = ctx.folder.texts.get(CONF);
  if (text === undefined) return result;
  for (const line of linesOf(text)) {
    const m = /^(\s*)listen\s+(\d+)(\s+ssl)?\s*;/.exec(line.text);
    if (!m || new RegExp(`listen\\s+\\[::\\]:${m[2]}\\b`).test(text)) continue;
    result.problems.push({ id: 'nginx-ipv6', file: CONF, line: line.number, message: `NGINX listens on port ${m[2]} over IPv4 only: clients (and healthchecks) that resolve localhost to ::1 find nothing`, fix: `listen [::]:${m[2]}${m[3] ?? ''};` });
    result.edits.push({ file: CONF, start: line.end, end: line.end, text: `\n${m[1]}listen [::]:${m[2]}${m[3] ?? ''};` });
  }
  return result;
}

/**
 * The /healthz NGINX answers itself, which the fixed healthcheck (healthcheckToolCheck) calls
 * on port 80: added to the port-80 server, whose server-wide redirect moves into `location /`
 * so that /healthz is not redirected too.
 */
export function nginxHealthzEdits(text: string): TextEdit[] {
  if (/location\s+=\s*\/healthz/.test(text)) return [];
  const lines = linesOf(text);
  const listen80 = lines.find((l) => /^\s*listen\s+80\s*;/.test(l.text));
  if (!listen80) return [];
  const indent = /^\s*/.exec(listen80.text)?.[0] ?? '    ';
  const edits: TextEdit[] = [{ file: CONF, start: listen80.end, end: listen80.end, text: `\n\n${indent}# Answered by NGINX itself, for the container's healthcheck.\n${indent}location = /healthz {\n${indent}    access_log off;\n${indent}    return 200 "ok\\n";\n${indent}}` }];
  const redirect = lines.slice(listen80.number).find((l) => /^\s*return\s+30[12]\s/.test(l.text) && (/^\s*/.exec(l.text)?.[0] ?? '') === indent);
  if (redirect) edits.push({ file: CONF, start: redirect.start, end: redirect.end, text: `${indent}location / {\n${indent}    ${redirect.text.trim()}\n${indent}}` });
  return edits;
}
