/**
 * Which files of a repository a vLLM start reads: the safetensors weights (or, without them,
 * the other weight formats vLLM loads) and the small files (config, tokenizer, generation config,
 * chat template). Copies for other runtimes are left out, as vLLM leaves them out — gpt-oss ships
 * its weights a second time under `original/` and `metal/`, which would double the download.
 */

export interface RepoFile {
  readonly path: string;
  readonly size: number;
}

const OTHER_RUNTIMES = /^(original|metal|onnx|openvino|coreml|gguf)\//;
const WEIGHTS = /\.(safetensors|bin|pt|pth|gguf|onnx|msgpack|h5|ot|tflite)$/;

/** The files vLLM needs, in the repository's order. Pure. */
export function filesVllmReads<T extends RepoFile>(files: readonly T[]): T[] {
  const kept = files.filter((f) => !OTHER_RUNTIMES.test(f.path));
  const hasSafetensors = kept.some((f) => f.path.endsWith('.safetensors'));
  return kept.filter((f) => {
    if (!WEIGHTS.test(f.path)) return !f.path.startsWith('.');
    if (hasSafetensors) return f.path.endsWith('.safetensors');
    return /\.(bin|pt|pth)$/.test(f.path);
  });
}
