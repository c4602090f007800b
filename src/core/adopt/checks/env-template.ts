/** Checks of the env template: its name and the secrets it ships. */
import type { AdoptContext } from '../context';
import type { CheckResult } from '../types';
import { emptyResult } from '../types';
import { maskStart } from '../../compose/secrets';

const OLD = 'env.example';
const NEW = '.env.example';

/** The template is `env.example` while the guide and the tools say `.env.example`. */
export function envTemplateNameCheck(ctx: AdoptContext): CheckResult {
  const result = emptyResult();
  if (!ctx.folder.texts.has(OLD)) return result;
  if (ctx.folder.texts.has(NEW)) {
    result.problems.push({ id: 'env-template-name', file: OLD, line: 1, message: `both ${OLD} and ${NEW} exist; the tools read ${NEW}`, fix: `merge what you need from ${OLD} into ${NEW} and delete ${OLD}` });
    return result;
  }
  result.problems.push({ id: 'env-template-name', file: OLD, line: 1, message: `the env template is named ${OLD}, while the guide says \`cp ${NEW} .env\` and sync-env reads ${NEW}`, fix: `rename ${OLD} to ${NEW} (and say ${NEW} in the scripts)` });
  // The scripts that name the old file (e.g. sync-env.sh's "cp env.example .env" hint) say the new name.
  for (const [file, text] of ctx.folder.texts) {
    if (!file.endsWith('.sh')) continue;
    for (const m of text.matchAll(/(?<![.\w])env\.example/g)) result.edits.push({ file, start: m.index, end: m.index + OLD.length, text: NEW });
  }
  return { ...result, renames: [{ from: OLD, to: NEW }] };
}

/** The guide's public `sk-1234` as it is; any other key only by its start (`sk-…`), never whole. */
function shown(key: string): string {
  return key === 'sk-1234' ? key : maskStart(key);
}

/** The template ships LiteLLM's well-known master key `sk-1234` (or another fixed secret). */
export function defaultSecretCheck(ctx: AdoptContext): CheckResult {
  const result = emptyResult();
  const file = ctx.folder.texts.has(OLD) && !ctx.folder.texts.has(NEW) ? OLD : NEW;
  const text = ctx.folder.texts.get(file);
  if (text === undefined) return result;
  let offset = 0;
  text.split('\n').forEach((line, i) => {
    const m = /^(LITELLM_MASTER_KEY|LITELLM_SALT_KEY|POSTGRES_PASSWORD)=(\S+)/.exec(line);
    if (m) {
      result.problems.push({ id: 'default-secret', file, line: i + 1, message: `${m[1]} has the fixed value ${m[1] === 'LITELLM_MASTER_KEY' ? shown(m[2] ?? '') : '(set)'} in the template: everyone who copied the guide has the same key`, fix: `${m[1]}= (empty: \`spark-gateway sync-env\` generates a strong one into .env and never prints it whole)` });
      result.edits.push({ file, start: offset, end: offset + line.length, text: `${m[1]}=` });
    }
    offset += line.length + 1;
  });
  // The secrets the fixed compose files read, empty so sync-env generates them.
  const missing = ['LITELLM_SALT_KEY', 'POSTGRES_PASSWORD'].filter((key) => !new RegExp(`^${key}=`, 'm').test(text));
  if (missing.length > 0) result.edits.push({ file, start: text.length, end: text.length, text: `${text.endsWith('\n') ? '' : '\n'}${missing.map((k) => `${k}=\n`).join('')}` });
  return result;
}
