/**
 * Tiny random-weight models for tests that run a real vLLM (on CPU): checkpoints in the shapes of
 * real models' config.json (Qwen3, Llama 3, Mistral with a sliding window, Gemma 3 with its 5:1
 * sliding/global pattern, Qwen3-MoE, Mistral-NeMo's head_dim ≠ hidden ÷ heads), each with a
 * byte-level BPE tokenizer trained locally and a Qwen3-style chat template (tools, Hermes
 * `<tool_call>`, `<think>`, `enable_thinking`). Nothing is downloaded.
 *
 * test/support/tiny-models/make_tiny_models.py builds them with the vLLM venv's python (torch,
 * transformers, tokenizers); {@link tinyModels} runs it once per content hash of the script into
 * a cache folder and reuses the result, so a changed script builds a new set and an unchanged one
 * costs nothing after the first test (building takes about 10 s of CPU).
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { vllmVenvPath } from '../../src/core/models/vllm-args';
import { VLLM_VERSION } from '../../src/core/models/vllm-registry';
import { missingVllm } from './components';
import { REPO_ROOT } from './processes';

/** The builder script (its content hash names the cache folder). */
export const TINY_MODELS_SCRIPT = path.join(REPO_ROOT, 'test', 'support', 'tiny-models', 'make_tiny_models.py');

/** The vLLM venv (scripts/provision-vllm.sh) of the version add-model targets. */
export const VLLM_VENV = vllmVenvPath(VLLM_VERSION);

/** The python of the vLLM venv of `version` (default: {@link VLLM_VERSION}). */
export function vllmPython(version: string = VLLM_VERSION): string {
  return path.join(vllmVenvPath(version), 'bin', 'python');
}

/** Where built sets are kept: SPARK_TINY_MODELS_CACHE, else `<tmpdir>/spark-tiny-models`. */
export const TINY_MODELS_CACHE = process.env.SPARK_TINY_MODELS_CACHE ?? path.join(os.tmpdir(), 'spark-tiny-models');

/** One model of manifest.json (written by make_tiny_models.py). */
export interface TinyModel {
  /** Also the name to serve it under (`--served-model-name`). */
  readonly name: string;
  /** Its folder, relative to the set's `dir`. */
  readonly folder: string;
  readonly family: 'qwen3' | 'llama3' | 'mistral' | 'gemma3' | 'qwen3_moe';
  /** The Hugging Face repository whose config.json it copies the shape of. */
  readonly source: string;
  readonly architecture: string;
  readonly modelType: string;
  readonly features: readonly string[];
  readonly hiddenSize: number;
  readonly intermediateSize: number;
  readonly layers: number;
  readonly attentionHeads: number;
  readonly kvHeads: number;
  readonly headDim: number;
  /** head_dim × heads ≠ hidden_size. */
  readonly headDimDiffers: boolean;
  readonly vocabSize: number;
  readonly maxPositionEmbeddings: number;
  readonly tiedEmbeddings: boolean;
  readonly slidingWindow: number | null;
  readonly slidingWindowPattern: number | null;
  /** Per layer `sliding_attention` / `full_attention`, for models with a window; else null. */
  readonly layerTypes: readonly string[] | null;
  readonly experts: number | null;
  readonly expertsPerToken: number | null;
  readonly moeIntermediateSize: number | null;
  readonly parameters: number;
  readonly weightBytes: number;
  /** bf16 K and V of every layer: layers × KV heads × head_dim × 2 × 2. */
  readonly kvBytesPerToken: number;
  readonly toolCallParser: string;
  readonly reasoningParser: string;
  /** The `vllm serve` flags it needs besides the folder (tool and reasoning parsers, …). */
  readonly vllmArgs: readonly string[];
}

/** manifest.json of a built set. */
export interface TinyModelsManifest {
  readonly version: number;
  readonly seed: number;
  readonly tokenizer: {
    readonly type: string;
    readonly vocabSize: number;
    /** Token → id of the ChatML, tool-call and think tokens. */
    readonly tokens: Readonly<Record<string, number>>;
    readonly eos: string;
    readonly pad: string;
  };
  readonly models: readonly TinyModel[];
}

/** A built set: its folder and its models. */
export interface TinyModels {
  readonly dir: string;
  readonly manifest: TinyModelsManifest;
  readonly models: readonly TinyModel[];
  /** The absolute folder of `model` (what `vllm serve` takes). */
  folder(model: TinyModel): string;
}

/** For `describe(..., { skip: missingTinyModels() })`: the vLLM venv builds them. */
export function missingTinyModels(): string | false {
  return missingVllm([VLLM_VENV]);
}

/** The first 16 hex digits of the SHA-256 of the builder script. */
export function tinyModelsHash(): string {
  return createHash('sha256').update(readFileSync(TINY_MODELS_SCRIPT)).digest('hex').slice(0, 16);
}

/**
 * The tiny models, built on first use into `<cache>/<script hash>` and reused while the script
 * is unchanged. A build goes to a private folder first and is renamed into place when complete,
 * so concurrent test processes never see half a set (the one that loses the rename uses the
 * winner's). Rejects with the script's output when it fails.
 */
export async function tinyModels(options: { python?: string; cache?: string; timeoutMs?: number } = {}): Promise<TinyModels> {
  const cache = options.cache ?? TINY_MODELS_CACHE;
  const dir = path.join(cache, tinyModelsHash());
  if (!existsSync(path.join(dir, 'manifest.json'))) {
    mkdirSync(cache, { recursive: true });
    const work = `${dir}.tmp-${process.pid}-${Date.now()}`;
    try {
      await runScript(options.python ?? vllmPython(), work, options.timeoutMs ?? 300_000);
      try {
        renameSync(work, dir);
      } catch (error) {
        // Another process finished first (the target exists and is not empty): use its set.
        if (!existsSync(path.join(dir, 'manifest.json'))) throw error;
      }
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }
  return loadTinyModels(dir);
}

/** Reads a built set's manifest.json. */
export function loadTinyModels(dir: string): TinyModels {
  const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as TinyModelsManifest;
  return { dir, manifest, models: manifest.models, folder: (model) => path.join(dir, model.folder) };
}

/**
 * The `vllm serve` arguments for `model` of `set` on 127.0.0.1:`port`, as the CPU checks start
 * it (FACTS.md "Real vLLM on CPU"): eager mode (no torch.compile: about 45 s to start on 2 cores),
 * a short context, the model's parsers. Run with {@link TINY_VLLM_ENV}.
 */
export function tinyServeArgs(set: TinyModels, model: TinyModel, port: number, maxModelLen = 1024): string[] {
  return ['serve', set.folder(model), '--host', '127.0.0.1', '--port', String(port), '--served-model-name', model.name,
    '--enforce-eager', '--max-model-len', String(maxModelLen), ...model.vllmArgs];
}

/** The environment a CPU vLLM needs: a fixed 1 GiB KV cache, no Hub, no usage reports. */
export const TINY_VLLM_ENV: Readonly<Record<string, string>> = {
  VLLM_TARGET_DEVICE: 'cpu',
  VLLM_CPU_KVCACHE_SPACE: '1',
  HF_HUB_OFFLINE: '1',
  VLLM_NO_USAGE_STATS: '1',
};

function runScript(python: string, out: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(python, [TINY_MODELS_SCRIPT, out], {
      timeout: timeoutMs,
      maxBuffer: 16 * 1024 * 1024,
      env: { ...process.env, HF_HUB_OFFLINE: '1', TRANSFORMERS_OFFLINE: '1', PYTHONHASHSEED: '0' },
    }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${path.basename(TINY_MODELS_SCRIPT)} failed (${python}): ${error.message}\n${stdout}${stderr}`));
      else resolve();
    });
  });
}

/**
 * The `logit_bias` that makes a random-weight model's forced tool call come out whole (seen with
 * vLLM 0.31's guided decoding): no whitespace-only tokens inside the JSON (the grammar allows
 * them without end), and end-of-sequence favoured, which the grammar lets through only once the
 * JSON is complete. Send it with `"strict": true` tools of enum-only parameters and
 * `chat_template_kwargs: {enable_thinking: false}` (a random model never closes `<think>`).
 */
export function toolCallBias(set: TinyModels, model: TinyModel): Record<string, number> {
  const eos = set.manifest.tokenizer.tokens[set.manifest.tokenizer.eos];
  if (eos === undefined) throw new Error(`the tiny models' manifest names no id for ${set.manifest.tokenizer.eos}`);
  const vocab = (JSON.parse(readFileSync(path.join(set.folder(model), 'tokenizer.json'), 'utf8')) as { model: { vocab: Record<string, number> } }).model.vocab;
  // Byte-level BPE writes a space as Ġ, a newline as Ċ, a tab as ĉ, a carriage return as č.
  const whitespace = Object.entries(vocab).filter(([token]) => /^[ĠĊĉč]+$/.test(token)).map(([, id]) => id);
  return { ...Object.fromEntries(whitespace.map((id) => [String(id), -100])), [String(eos)]: 100 };
}
