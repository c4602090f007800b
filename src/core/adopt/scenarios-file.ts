/**
 * The scenarios.yaml adopting writes: the user's models as their compose files describe them
 * (after the fixes), each model alone as a scenario, and all of them together.
 */
import { Document } from 'yaml';
import { FileFormatError } from '../errors';
import { printable, repoIdProblem, stackNameProblem } from '../inputs';
import type { ModelIdentity } from './context';
import { PLAN_TOTAL_GIB, RESERVE_GIB } from './context';
import type { ModelCompose } from './detect';
import { knownModel, kvElementBytes } from './known-models';

/** Where adopt refuses: nothing was changed, and the user renames by hand what only they may rename. */
const AGAIN = 'then adopt again (nothing was changed)';

/**
 * Refuses a model whose names `scenarios.yaml` would refuse (the same checks, so the file adopt
 * writes always loads): its folder, its served name, its container, its Hugging Face id and the
 * memory variable made from its folder. Names the compose file (or LiteLLM's config) and line.
 */
function checkNames(id: ModelIdentity, hfModel: string): void {
  const main = (id.spark ?? id.multiGpu) as ModelCompose;
  const refuse = (file: string, line: number | undefined, problem: string, fix: string): never => {
    throw new FileFormatError(file, line, problem, `${fix}, ${AGAIN}`);
  };
  const folderProblem = stackNameProblem(id.folder, 'model folder');
  if (folderProblem) refuse(main.file, undefined, folderProblem, `Rename the folder ${printable(id.folder)}/ to lower-case letters, digits and dashes starting with a letter (e.g. qwen3-4b)`);
  if (!/^[A-Z_]/.test(id.memoryEnv)) refuse(main.file, undefined, `the memory variable made from folder "${id.folder}" (${id.memoryEnv}) would start with a digit, which compose cannot substitute`, `Rename the folder ${id.folder}/ to start with a letter`);
  const nameProblem = stackNameProblem(id.name, 'model name');
  if (nameProblem) {
    const served = main.flag('--served-model-name')?.value;
    if (id.route) refuse('litellm/config.yaml', undefined, `model_name: ${nameProblem}`, `Rename model_name "${printable(id.name)}" (and --served-model-name in ${main.file}) to lower-case letters, digits and dashes`);
    refuse(main.file, served ? main.yaml.line(served.start) : undefined, nameProblem, 'Set --served-model-name to lower-case letters, digits and dashes (e.g. qwen3-4b)');
  }
  const containerProblem = stackNameProblem(id.container, 'container');
  if (containerProblem) refuse(main.file, main.yaml.lineOf(main.yaml.doc.getIn(['services', main.service, 'container_name'], true)), containerProblem, `Set container_name: vllm-${id.folder}`);
  const repoProblem = repoIdProblem(hfModel);
  if (repoProblem) refuse(main.file, main.hfModel ? main.yaml.line(main.hfModel.start) : undefined, repoProblem, 'Serve the model by its Hugging Face id (owner/name)');
}

/** What the compose file says, with the defaults vLLM would use. */
function describe(id: ModelIdentity) {
  const main = (id.spark ?? id.multiGpu) as ModelCompose;
  const flag = (name: string) => main.flag(name)?.value.value;
  const hfModel = main.hfModel?.value ?? id.name;
  const known = knownModel(hfModel);
  const kvCacheDtype = flag('--kv-cache-dtype') ?? 'auto';
  const maxModelLen = Number(flag('--max-model-len') ?? 4096);
  const ports = main.yaml.items(['services', main.service, 'ports']).map((p) => String((p as { value?: unknown }).value ?? ''));
  const hostPort = Number(/(\d+):8000$/.exec(ports.find((p) => /:8000$/.test(p)) ?? '')?.[1] ?? 8000);
  const tp = (m?: ModelCompose) => {
    const n = Number(m?.flag('--tensor-parallel-size')?.value.value ?? 1);
    return [1, 2, 4].includes(n) ? n : Math.max(...[1, 2, 4].filter((v) => v <= n));
  };
  const gpus = (id.multiGpu?.yaml.items(['services', id.multiGpu.service, 'deploy', 'resources', 'reservations', 'devices', 0, 'device_ids']) ?? []).map((i) => String((i as { value?: unknown }).value)).slice(0, tp(id.multiGpu));
  const weightsGiB = known?.weightsGiB ?? 0;
  const overheadGiB = known?.overheadGiB ?? 4;
  const kvBytesPerToken = known ? known.kvElementsPerToken * kvElementBytes(kvCacheDtype) : 0;
  return { hfModel, known, kvCacheDtype, maxModelLen, hostPort, tp, gpus, weightsGiB, overheadGiB, kvBytesPerToken, needGiB: weightsGiB + overheadGiB + (kvBytesPerToken * maxModelLen) / 2 ** 30, parser: flag('--tool-call-parser') };
}

const round2 = (n: number) => Math.floor(n * 100) / 100;

/** The text of scenarios.yaml for these models. Pure. */
export function scenariosYaml(ids: readonly ModelIdentity[]): string {
  const described = ids.map((id) => ({ id, d: describe(id) }));
  for (const { id, d } of described) checkNames(id, d.hfModel);
  const doc = new Document({
    version: 1,
    reserveGiB: RESERVE_GIB,
    models: described.map(({ id, d }) => ({
      name: id.name,
      folder: id.folder,
      container: id.container,
      hfModel: d.hfModel,
      weightsGiB: d.weightsGiB,
      overheadGiB: d.overheadGiB,
      kvCacheDtype: d.kvCacheDtype,
      kvBytesPerToken: d.kvBytesPerToken,
      maxModelLen: d.maxModelLen,
      hostPort: d.hostPort,
      memoryEnv: id.memoryEnv,
      defaultFraction: id.defaultFraction,
      ...(d.parser ? { toolCallParser: d.parser === 'qwen3_code' ? 'qwen3_coder' : d.parser } : {}),
      tensorParallel: { ...(id.spark ? { spark: d.tp(id.spark) } : {}), ...(id.multiGpu ? { 'multi-gpu': d.tp(id.multiGpu) } : {}) },
      ...(d.gpus.length > 0 ? { gpus: { 'multi-gpu': d.gpus } } : {}),
    })),
    scenarios: [
      ...described.map(({ id }) => ({ name: id.name, title: `${id.name} alone`, variant: id.spark ? 'spark' : 'multi-gpu', models: { [id.name]: id.defaultFraction } })),
      ...(described.length > 1 && described.every(({ id }) => id.spark)
        ? [{ name: 'all', title: 'All models together', variant: 'spark', models: Object.fromEntries(described.map(({ id, d }) => [id.name, Math.max(0.01, round2(((PLAN_TOTAL_GIB - RESERVE_GIB) * d.needGiB) / described.reduce((s, x) => s + x.d.needGiB, 0) / PLAN_TOTAL_GIB))])) }]
        : []),
    ],
  });
  doc.commentBefore = [
    ' Written by `spark-gateway adopt` from the compose files of this folder: the models as they',
    ' are configured here, each alone as a scenario, and all of them together (the planner refuses',
    ` a scenario that does not fit: \`spark-gateway plan all\`). Fractions assume ${PLAN_TOTAL_GIB} GiB of unified memory;`,
    ' edit them, and add scenarios, as you like: this file is yours now.',
  ].join('\n');
  for (const [i, { d }] of described.entries()) {
    const node = doc.getIn(['models', i, 'weightsGiB'], true) as { comment?: string } | undefined;
    if (node) node.comment = d.known ? ' from the known figures of this model' : ' unknown: set the checkpoint size as loaded (GiB), and kvBytesPerToken';
  }
  return doc.toString({ lineWidth: 0 });
}
