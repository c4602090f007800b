/**
 * The one template every model folder is made from: a model's `docker-compose.yml` (DGX Spark,
 * NVIDIA's vLLM image, command `vllm serve MODEL …`) and `docker-compose-gpu.yml` (multi-GPU,
 * `vllm/vllm-openai`, whose entrypoint already is `vllm serve`) are rendered from its
 * `scenarios.yaml` entry. The bundled folders are this function's output (a test compares them
 * byte for byte), so a fix here reaches every model and no folder drifts from the others.
 */
import { parse } from 'yaml';
import type { ComposeVariant, ModelSpec } from '../scenarios/file';
import type { VllmImages } from './vllm-images';

/** The file each compose variant lives in, inside the model's folder. */
export const MODEL_COMPOSE_FILES: Readonly<Record<ComposeVariant, string>> = {
  spark: 'docker-compose.yml',
  'multi-gpu': 'docker-compose-gpu.yml',
};

/**
 * The variable each variant's image is read from, with the pinned image as its default, so a user
 * can run a newer tag or a local mirror from `.env` without editing generated files.
 */
export const VLLM_IMAGE_VARIABLES: Readonly<Record<ComposeVariant, string>> = {
  spark: 'VLLM_SPARK_IMAGE',
  'multi-gpu': 'VLLM_GPU_IMAGE',
};

/**
 * The host folder every model server mounts as its Hugging Face cache: one cache for all models
 * (weights downloaded once, visible to the user's own `hf` CLI, kept across `down -v`).
 */
// `~` rather than a nested `${HOME}`: Compose v1 cannot nest variables, and both versions expand
// `~` in a bind mount's source to the home folder of the user who runs compose.
export const HF_CACHE_MOUNT = '${HF_CACHE_DIR:-~/.cache/huggingface}';
/** Where the cache is mounted inside the container: huggingface_hub's default HF_HOME as root. */
export const CONTAINER_HF_HOME = '/root/.cache/huggingface';

/** vLLM listens on this port inside every model container; `hostPort` maps it on 127.0.0.1. */
export const CONTAINER_PORT = 8000;

/**
 * vLLM's own variable for `--api-key` (vLLM reads it when the flag is absent; an empty value means
 * no key). The compose files pass `${VLLM_API_KEY:-}`, so the key reaches a server only when the
 * caller sets it: `up` does for servers on other hosts.
 */
export const API_KEY_VARIABLE = 'VLLM_API_KEY';

/**
 * The address a model server publishes its port on: 127.0.0.1 unless set; `up` sets a host's
 * cluster-link address for a server on another host.
 */
export const BIND_ADDRESS_VARIABLE = 'VLLM_BIND_ADDRESS';

/**
 * The `vllm serve` arguments of a model, starting with the model (what follows `vllm serve`).
 * `memory` is the `--gpu-memory-utilization` value: the compose files pass `${VAR:-default}`,
 * a caller that checks the command as the container would see it passes a number.
 * Usage: `serveArgs(model, 'spark', String(model.defaultFraction))` → `['openai/gpt-oss-20b', '--served-model-name', …]`.
 */
export function serveArgs(model: ModelSpec, variant: ComposeVariant, memory: string = memoryValue(model)): string[] {
  const args = [
    model.hfModel,
    '--served-model-name', model.name,
    '--host', '0.0.0.0',
    '--port', String(CONTAINER_PORT),
    '--gpu-memory-utilization', memory,
    '--max-model-len', String(model.maxModelLen),
    '--kv-cache-dtype', model.kvCacheDtype,
  ];
  if (model.quantization) args.push('--quantization', model.quantization);
  if (model.trustRemoteCode) args.push('--trust-remote-code');
  if (model.toolCallParser) args.push('--enable-auto-tool-choice', '--tool-call-parser', model.toolCallParser);
  if (model.reasoningParser) args.push('--reasoning-parser', model.reasoningParser);
  args.push('--tensor-parallel-size', String(tensorParallel(model, variant)));
  return [...args, ...(model.extraArgs ?? [])];
}

/** The full container command of a variant: the Spark image needs `vllm serve` in front. */
export function containerCommand(model: ModelSpec, variant: ComposeVariant, memory?: string): string[] {
  const args = serveArgs(model, variant, memory);
  return variant === 'spark' ? ['vllm', 'serve', ...args] : args;
}

/**
 * Renders one compose file of a model. Pure: the same entry and images give the same bytes.
 * Usage: `renderModelCompose(model, 'spark', await loadVllmImages(stackRoot))`.
 */
export function renderModelCompose(model: ModelSpec, variant: ComposeVariant, images: VllmImages): string {
  const tp = tensorParallel(model, variant);
  const gpus = variant === 'multi-gpu' ? model.gpus['multi-gpu'] : undefined;
  const lines = [
    ...header(model, variant, tp, gpus),
    'services:',
    `  ${scalar(model.name)}:`,
    `    image: ${scalar(`\${${VLLM_IMAGE_VARIABLES[variant]}:-${images[variant].image}}`)}`,
    `    container_name: ${scalar(model.container)}`,
    '    command:',
    // `${VAR:-0.25}` stays plain (as people write it) only when VAR is a variable name.
    ...containerCommand(model, variant).map((arg) => `      - ${arg === memoryValue(model) && ENV_NAME.test(model.memoryEnv) ? arg : scalar(arg)}`),
    '    # HF_TOKEN, VLLM_LOGGING_LEVEL and the settings below, written here by ../sync-env.sh.',
    '    env_file: .env',
    '    environment:',
    `      # vLLM's --api-key. Empty on this machine (reached on 127.0.0.1 and vllm_network only);`,
    `      # \`spark-gateway up\` sets it from ../.env for a server on another host (../README.md, "Several hosts").`,
    `      ${API_KEY_VARIABLE}: \${${API_KEY_VARIABLE}:-}`,
    '    ports:',
    `      # ${BIND_ADDRESS_VARIABLE}: the host's cluster-link address for a server on another host; never all interfaces.`,
    `      - "\${${BIND_ADDRESS_VARIABLE}:-127.0.0.1}:${model.hostPort}:${CONTAINER_PORT}"`,
    '    volumes:',
    '      # The one Hugging Face cache of the host, shared by every model (HF_CACHE_DIR in ../.env).',
    `      - ${JSON.stringify(`${HF_CACHE_MOUNT}:${CONTAINER_HF_HOME}`)}`,
    ...(tp > 1 ? ['    # Tensor parallel workers exchange tensors through shared memory.'] : []),
    '    ipc: host',
    '    deploy:',
    '      resources:',
    '        reservations:',
    '          devices:',
    '            - driver: nvidia',
    gpus ? `              device_ids: [${gpus.map(quoted).join(', ')}]` : '              count: all',
    '              capabilities: [gpu]',
    '    healthcheck:',
    `      test: ["CMD", "curl", "-fsS", "http://127.0.0.1:${CONTAINER_PORT}/health"]`,
    '      interval: 10s',
    '      timeout: 5s',
    '      retries: 3',
    `      # A first start by hand downloads about ${round(model.weightsGiB)} GiB of weights (spark-gateway up fetches them first); the check does not count until then.`,
    '      start_period: 900s',
    '    restart: unless-stopped',
    '    networks:',
    '      - vllm_network',
    '',
    'networks:',
    '  vllm_network:',
    '    external: true',
    '',
  ];
  return lines.join('\n');
}

/**
 * Both compose files of a model, keyed by their path relative to the stack root
 * (`<folder>/docker-compose.yml`, `<folder>/docker-compose-gpu.yml`).
 * Usage: `for (const [file, text] of renderModelFolder(model, images)) …`.
 */
export function renderModelFolder(model: ModelSpec, images: VllmImages): ReadonlyMap<string, string> {
  return new Map((Object.keys(MODEL_COMPOSE_FILES) as ComposeVariant[]).map((variant) => [
    `${model.folder}/${MODEL_COMPOSE_FILES[variant]}`,
    renderModelCompose(model, variant, images),
  ]));
}

/** `${VAR:-0.25}`: the scenario's fraction when one is passed, else the model's default. */
export function memoryValue(model: ModelSpec): string {
  return `\${${model.memoryEnv}:-${formatFraction(model.defaultFraction)}}`;
}

function tensorParallel(model: ModelSpec, variant: ComposeVariant): number {
  // A Spark has one GPU; a folder without a multi-GPU size runs on one GPU there too.
  return variant === 'spark' ? 1 : (model.tensorParallel['multi-gpu'] ?? 1);
}

function header(model: ModelSpec, variant: ComposeVariant, tp: number, gpus: readonly string[] | undefined): string[] {
  const generated = [
    '# Generated from this model\'s entry in ../scenarios.yaml by the stack\'s model template',
    '# (spark-gateway add-model, or `npm run stack:models` for the bundled stack): change the entry',
    '# and regenerate rather than editing this file, so both compose files stay in step.',
  ];
  const notes = [
    ...(model.kvCacheDtype === 'fp8'
      ? ['# KV cache: fp8 (half the memory of auto/bf16). If requests fail with an attention / FP8',
         '#          error on your vLLM build, use `auto` (see ../README.md, Model settings).']
      : []),
    ...(model.trustRemoteCode
      ? ['# Remote code: --trust-remote-code runs Python code from the model\'s repository, which its',
         '#          architecture needs; read it before you start the server.']
      : []),
    '# Template: the model\'s own chat template (shipped with the checkpoint) is used. To override',
    '#          it, see "Chat templates" in ../README.md.',
  ];
  if (variant === 'spark') {
    return [
      `# ${inComment(model.name)} (${inComment(model.hfModel)}) on DGX Spark (one GB10 GPU, unified memory).`,
      ...generated,
      '#',
      '# Start:   ./sync-env.sh (once, from the stack folder), then `docker compose up -d` here.',
      '# Memory:  --gpu-memory-utilization is a fraction of the WHOLE unified memory. The default',
      '#          below loads this model alone; when starting several models, pass the fractions of',
      '#          a scenario from ../scenarios.yaml (`spark-gateway up <scenario>` does), e.g.',
      `#            ${inComment(model.memoryEnv)}=${formatFraction(model.defaultFraction)} docker compose up -d`,
      ...notes,
    ];
  }
  const where = gpus ? `dedicated GPU${gpus.length > 1 ? 's' : ''} ${inComment(gpus.join(','))}` : 'all visible GPUs';
  return [
    `# ${inComment(model.name)} (${inComment(model.hfModel)}) on a multi-GPU server: ${where}, tensor parallel ${tp}.`,
    '# Tensor parallel size must divide the model\'s attention heads and KV heads: 1, 2 or 4 GPUs,',
    '# never 3. Which scenarios share a GPU: "Multi-GPU servers" in ../README.md.',
    ...generated,
    '#',
    '# Start:   docker compose -f docker-compose-gpu.yml up -d',
    '# Memory:  here --gpu-memory-utilization is a fraction of EACH assigned GPU\'s memory. On',
    '#          dedicated GPUs you may raise the default, e.g.',
    `#            ${inComment(model.memoryEnv)}=0.90 docker compose -f docker-compose-gpu.yml up -d`,
    ...notes,
    '# The vllm/vllm-openai image\'s entrypoint is `vllm serve`, so the command starts with the model.',
  ];
}

/** 0.6 → "0.60", as people write fractions; other values unchanged. */
function formatFraction(fraction: number): string {
  const text = String(fraction);
  return /^\d\.\d$/.test(text) ? `${text}0` : text;
}

function round(value: number): string {
  return String(Math.round(value * 10) / 10);
}

/**
 * Every value below reaches the YAML text through {@link scalar}, {@link quoted} or
 * {@link inComment}: `scenarios.yaml` refuses hostile names and values where it is read, and the
 * template still never lets one add a key or a line (a test renders newlines, `: `, `#` and
 * quotes and parses them back).
 */
const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;

/**
 * Characters a YAML reader takes as a line break or refuses in a stream: C0 and C1 controls,
 * DEL, and YAML 1.1's NEL, LS and PS (PyYAML breaks lines at them), BOM and the non-characters.
 */
const UNSAFE_IN_YAML = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]/g;

function escapeUnsafe(text: string): string {
  return text.replace(UNSAFE_IN_YAML, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * A YAML scalar that both YAML 1.2 (Compose v2) and YAML 1.1 (Compose v1, PyYAML) read as this
 * exact string: plain when it is safe in both, else double-quoted (see {@link quoted}).
 */
function scalar(value: string): string {
  const plain = /^[A-Za-z0-9_./@+-][\w./:=@+-]*$/.test(value) && !value.includes(': ')
    && parse(value) === value && parse(value, { version: '1.1' }) === value;
  return plain ? value : quoted(value);
}

/**
 * A double-quoted YAML scalar of `value`: JSON's quoting (valid YAML), with the characters JSON
 * leaves raw but a YAML reader would fold or refuse (NEL, LS, PS …) escaped as `\uXXXX` too.
 */
function quoted(value: string): string {
  return escapeUnsafe(JSON.stringify(value));
}

/** `value` inside a `#` comment: kept on its line (a line break or control character is shown escaped). */
function inComment(value: string): string {
  return escapeUnsafe(value);
}
