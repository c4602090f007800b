/** Checks of LiteLLM's config.yaml: every model routed, to the right container, with values LiteLLM reads. */
import { isScalar, visit } from 'yaml';
import type { AdoptContext } from '../context';
import type { CheckResult } from '../types';
import { emptyResult } from '../types';

const CONFIG = 'litellm/config.yaml';

/** The provider prefix the user's routes use (`openai/`), else LiteLLM's vLLM provider. */
function providerPrefix(ctx: AdoptContext): string {
  const config = ctx.folder.litellmConfig;
  const first = ctx.folder.routes[0];
  const model = first && config ? config.string(['model_list', first.index, 'litellm_params', 'model']) : undefined;
  return /^[\w-]+\//.exec(model ?? '')?.[0] ?? 'hosted_vllm/';
}

/** A model folder LiteLLM's config.yaml does not route: the gateway cannot reach it. */
export function unroutedModelCheck(ctx: AdoptContext): CheckResult {
  const result = emptyResult();
  const config = ctx.folder.litellmConfig;
  if (!config) return result;
  const items = config.items(['model_list']) as { range?: [number, number, number] }[];
  const last = items[items.length - 1];
  for (const id of ctx.identities.filter((i) => !i.route)) {
    const file = id.spark?.file ?? id.multiGpu?.file ?? id.folder;
    result.problems.push({ id: 'unrouted-model', file, line: 1, message: `${id.folder}/ has a model server (${id.container}) but ${CONFIG} routes no model to it: the gateway answers "model not found"`, fix: `a ${CONFIG} route "${id.name}" → http://${id.container}:8000/v1` });
    const indent = last?.range ? config.indentAt(last.range[0]) : '  ';
    const entry = [`- model_name: ${id.name}`, '  litellm_params:', `    model: ${providerPrefix(ctx)}${id.name}`, `    api_base: http://${id.container}:8000/v1`, '    api_key: "not-used"'].map((l) => `${indent}${l}`).join('\n');
    if (last?.range) {
      const at = config.endOfLine(last.range[1] - 1);
      result.edits.push({ file: CONFIG, start: at, end: at, text: `\n${entry}\n` });
    } else {
      result.edits.push({ file: CONFIG, start: 0, end: 0, text: `model_list:\n${entry}\n\n` });
    }
  }
  return result;
}

/** A route whose api_base host is not the model's container, or whose upstream model is not the served name. */
export function routeTargetCheck(ctx: AdoptContext): CheckResult {
  const result = emptyResult();
  const config = ctx.folder.litellmConfig;
  if (!config) return result;
  for (const id of ctx.identities) {
    const route = id.route;
    if (!route) continue;
    const base = config.get(['model_list', route.index, 'litellm_params', 'api_base']);
    if (route.apiHost !== id.container && isScalar(base) && base.range && route.apiBase) {
      const fixed = route.apiBase.replace(route.apiHost ?? '', id.container);
      result.problems.push({ id: 'container-name', file: CONFIG, line: config.lineOf(base), message: `route "${route.modelName}" sends to ${route.apiHost} but the container of ${id.folder}/ is named ${id.container}: LiteLLM's connection is refused`, fix: `api_base: ${fixed}` });
      result.edits.push({ file: CONFIG, start: base.range[0], end: base.range[1], text: fixed });
    }
    const model = config.get(['model_list', route.index, 'litellm_params', 'model']);
    if (route.upstreamModel !== undefined && route.upstreamModel !== id.name && isScalar(model) && model.range) {
      const fixed = `${/^[\w-]+\//.exec(String(model.value))?.[0] ?? ''}${id.name}`;
      result.problems.push({ id: 'routed-name', file: CONFIG, line: config.lineOf(model), message: `route "${route.modelName}" asks vLLM for "${route.upstreamModel}", a name that differs from the one it is routed as`, fix: `model: ${fixed} (vLLM serves it as "${id.name}" after adopting)` });
      result.edits.push({ file: CONFIG, start: model.range[0], end: model.range[1], text: fixed });
    }
  }
  return result;
}

/** `${VAR}` in config.yaml: LiteLLM does not expand it; its form is `os.environ/VAR`. */
export function envPlaceholderCheck(ctx: AdoptContext): CheckResult {
  const result = emptyResult();
  const config = ctx.folder.litellmConfig;
  if (!config) return result;
  visit(config.doc, {
    Scalar(_key, node) {
      const m = typeof node.value === 'string' ? /^\$\{(\w+)\}$/.exec(node.value) : null;
      if (!m || !node.range) return;
      result.problems.push({ id: 'env-placeholder', file: CONFIG, line: config.lineOf(node), message: `${node.value} is passed to LiteLLM literally: it does not expand \${VAR} in config.yaml`, fix: `os.environ/${m[1]}` });
      result.edits.push({ file: CONFIG, start: node.range[0], end: node.range[1], text: `os.environ/${m[1]}` });
    },
  });
  return result;
}
