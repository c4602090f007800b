/** Checks of the stack's scripts. */
import type { AdoptContext } from '../context';
import type { CheckResult } from '../types';
import { emptyResult } from '../types';

const SCRIPT = 'test-endpoints.sh';

/** test-endpoints.sh tests path routes (`/gpt-oss-20b/v1/…`) that NGINX does not have, and sends no key. */
export function testEndpointsCheck(ctx: AdoptContext): CheckResult {
  const result = emptyResult();
  const text = ctx.folder.texts.get(SCRIPT);
  const replacement = ctx.templateText(SCRIPT);
  if (text === undefined || replacement === undefined || text === replacement) return result;
  const lines = text.split('\n');
  const pathRoute = lines.findIndex((l) => /\/\$\{?model\}?\/v1\/|\/(gpt-oss-\d+b|qwen[\w-]*)\/v1\//.test(l));
  const keyless = !/Authorization/.test(text);
  if (pathRoute < 0 && !keyless) return result;
  result.problems.push({
    id: 'test-endpoints',
    file: SCRIPT,
    line: pathRoute >= 0 ? pathRoute + 1 : 1,
    message: `${SCRIPT} ${pathRoute >= 0 ? 'tests path routes that NGINX does not have (everything goes to LiteLLM, which routes by the model field)' : ''}${pathRoute >= 0 && keyless ? ' and ' : ''}${keyless ? 'sends no key (LiteLLM answers 401)' : ''}`,
    fix: `the bundled ${SCRIPT}: it tests the gateway as it is (key, /v1/models, a completion per running model, streaming)`,
  });
  result.edits.push({ file: SCRIPT, start: 0, end: text.length, text: replacement });
  return result;
}
