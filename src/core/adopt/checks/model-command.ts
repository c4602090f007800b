/** Checks of each model server's vLLM command: name, tool parser, memory fraction, tensor parallel. */
import type { AdoptContext, ModelIdentity } from '../context';
import type { ModelCompose } from '../detect';
import type { CheckResult } from '../types';
import { emptyResult } from '../types';
import { tokenText } from '../yaml-source';

/** Every compose file of a model folder (both variants). */
function filesOf(id: ModelIdentity): ModelCompose[] {
  return [id.spark, id.multiGpu].filter((m): m is ModelCompose => m !== undefined);
}

/** A flag and its value inserted right after the model id (`vllm serve MODEL --flag value`). */
function insertAfterModel(m: ModelCompose, flag: string, value: string): { start: number; end: number; text: string } | undefined {
  const model = m.hfModel;
  if (!model) return undefined;
  if (model.item) {
    const indent = m.yaml.indentAt(model.start);
    return { start: model.end, end: model.end, text: `\n${indent}- ${flag}\n${indent}- ${JSON.stringify(value)}` };
  }
  return { start: model.end, end: model.end, text: ` ${flag} ${value}` };
}

/** The served name differs from the name LiteLLM routes (or is missing): one name end to end. */
export function servedNameCheck(ctx: AdoptContext): CheckResult {
  const result = emptyResult();
  for (const id of ctx.identities) {
    for (const m of filesOf(id)) {
      const served = m.flag('--served-model-name');
      if (served?.value.value === id.name) continue;
      const line = m.yaml.line((served?.value ?? m.hfModel)?.start ?? 0);
      const routed = id.route ? `LiteLLM routes it as "${id.name}"` : `it is routed as "${id.name}" from now on`;
      result.problems.push({
        id: 'served-name',
        file: m.file,
        line,
        message: served ? `vLLM serves the model as "${served.value.value}" but ${routed}: a client asking for "${id.name}" reaches a name vLLM does not know` : `no --served-model-name: vLLM answers to "${m.hfModel?.value ?? '?'}" while ${routed}`,
        fix: `--served-model-name ${id.name} (one name in vLLM, LiteLLM and scenarios.yaml)`,
      });
      const edit = served ? { start: served.value.start, end: served.value.end, text: tokenText(served.value, id.name) } : insertAfterModel(m, '--served-model-name', id.name);
      if (edit) result.edits.push({ file: m.file, ...edit });
    }
  }
  return result;
}

/** vLLM's tool parser names as the guide misspells them. */
const PARSER_SPELLING: Readonly<Record<string, string>> = { qwen3_code: 'qwen3_coder' };

/** A tool parser name vLLM does not have (the guide's `qwen3_code`). */
export function toolParserCheck(ctx: AdoptContext): CheckResult {
  const result = emptyResult();
  for (const m of ctx.identities.flatMap(filesOf)) {
    const parser = m.flag('--tool-call-parser');
    const right = parser ? PARSER_SPELLING[parser.value.value] : undefined;
    if (!parser || !right) continue;
    result.problems.push({ id: 'tool-parser', file: m.file, line: m.yaml.line(parser.value.start), message: `vLLM has no tool parser "${parser.value.value}": the server refuses to start`, fix: `--tool-call-parser ${right}` });
    result.edits.push({ file: m.file, start: parser.value.start, end: parser.value.end, text: tokenText(parser.value, right) });
  }
  return result;
}

/** A fixed (or missing) `--gpu-memory-utilization`: models started together cannot be given their share. */
export function memoryFractionCheck(ctx: AdoptContext): CheckResult {
  const result = emptyResult();
  for (const id of ctx.identities) {
    const wanted = `\${${id.memoryEnv}:-${id.defaultFraction}}`;
    for (const m of filesOf(id)) {
      const flag = m.flag('--gpu-memory-utilization');
      if (flag && /^\$\{\w+:-[\d.]+\}$/.test(flag.value.value)) continue;
      result.problems.push({
        id: 'memory-fraction',
        file: m.file,
        line: m.yaml.line((flag?.value ?? m.hfModel)?.start ?? 0),
        message: flag ? `--gpu-memory-utilization is fixed at ${flag.value.value}: a scenario cannot give this model its share of the memory` : 'no --gpu-memory-utilization: vLLM on unified memory takes nearly all of it',
        fix: `--gpu-memory-utilization ${wanted} (the scenario being started sets ${id.memoryEnv})`,
      });
      const edit = flag ? { start: flag.value.start, end: flag.value.end, text: tokenText(flag.value, wanted) } : insertAfterModel(m, '--gpu-memory-utilization', wanted);
      if (edit) result.edits.push({ file: m.file, ...edit });
    }
  }
  return result;
}

/** The fixed fractions of the model servers add up to more than the memory (the guide: 0.85 each). */
export function memoryFractionsSumCheck(ctx: AdoptContext): CheckResult {
  const result = emptyResult();
  const fixed = ctx.identities.flatMap((id) => {
    const value = id.spark?.flag('--gpu-memory-utilization')?.value;
    const n = value ? Number(value.value) : NaN;
    return id.spark && value && Number.isFinite(n) ? [{ m: id.spark, n, line: id.spark.yaml.line(value.start) }] : [];
  });
  const sum = fixed.reduce((s, f) => s + f.n, 0);
  const first = fixed[0];
  if (first && fixed.length > 1 && sum > 1) {
    result.problems.push({
      id: 'memory-fractions-sum',
      file: first.m.file,
      line: first.line,
      message: `the model servers' memory fractions add up to ${sum.toFixed(2)} of the memory (${fixed.map((f) => `${f.m.folder} ${f.n}`).join(', ')}): started together, the later ones cannot start`,
      fix: 'scenarios.yaml gives the models of each scenario fractions that fit together; `spark-gateway up <scenario>` passes them',
    });
  }
  return result;
}

/** Tensor-parallel sizes vLLM accepts for these models: it must divide the attention heads. */
const VALID_TP = [1, 2, 4];

/** A tensor-parallel size that does not divide the attention heads (the guide's 3 GPUs). */
export function tensorParallelCheck(ctx: AdoptContext): CheckResult {
  const result = emptyResult();
  for (const m of ctx.identities.flatMap(filesOf)) {
    const tp = m.flag('--tensor-parallel-size');
    const size = tp ? Number(tp.value.value) : NaN;
    if (!tp || !Number.isInteger(size) || VALID_TP.includes(size)) continue;
    const fixed = Math.max(...VALID_TP.filter((v) => v <= size));
    result.problems.push({ id: 'tensor-parallel', file: m.file, line: m.yaml.line(tp.value.start), message: `--tensor-parallel-size ${size} does not divide the model's attention heads: vLLM refuses it`, fix: `--tensor-parallel-size ${fixed} on ${fixed} GPUs (1, 2 or 4 work)` });
    result.edits.push({ file: m.file, start: tp.value.start, end: tp.value.end, text: tokenText(tp.value, String(fixed)) });
    const devices = m.yaml.get(['services', m.service, 'deploy', 'resources', 'reservations', 'devices', 0, 'device_ids']) as { range?: [number, number, number]; items?: { value?: unknown }[] } | undefined;
    const ids = devices?.items?.map((i) => String(i.value)) ?? [];
    if (devices?.range && ids.length > fixed) result.edits.push({ file: m.file, start: devices.range[0], end: devices.range[1], text: `[${ids.slice(0, fixed).map((i) => `'${i}'`).join(', ')}]` });
  }
  return result;
}
