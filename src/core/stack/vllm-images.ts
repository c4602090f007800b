/**
 * `vllm-images.yaml`: the vLLM images the stack pins, each with the vLLM version it ships
 * (SPEC §9). The model template takes its two images from here, so a new image tag is one edit
 * and a regeneration, and the tests find which vLLM wheel must accept the generated commands.
 */
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { LineCounter, isMap, isScalar, parseDocument } from 'yaml';
import { FileFormatError } from '../errors';
import type { ComposeVariant } from '../scenarios/file';

export const VLLM_IMAGES_FILE = 'vllm-images.yaml';

export interface VllmImage {
  /** The image reference as compose files write it, e.g. `nvcr.io/nvidia/vllm:26.10-py3`. */
  readonly image: string;
  /** The vLLM release inside it, e.g. `0.31.0`. */
  readonly vllmVersion: string;
}

/** One image per compose variant: NVIDIA's for a Spark, `vllm/vllm-openai` for multi-GPU servers. */
export type VllmImages = Readonly<Record<ComposeVariant, VllmImage>>;

/** Which variant an image serves, by its repository: the two images differ in their entrypoint. */
const REPOSITORIES: readonly { readonly prefix: string; readonly variant: ComposeVariant }[] = [
  { prefix: 'nvcr.io/nvidia/vllm:', variant: 'spark' },
  { prefix: 'vllm/vllm-openai:', variant: 'multi-gpu' },
];

/**
 * Parses the text of `vllm-images.yaml` (`image: version` lines); `file` names it in errors.
 * Usage: `const images = parseVllmImages(text, 'stack/vllm-images.yaml'); images.spark.image`.
 */
export function parseVllmImages(text: string, file: string): VllmImages {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  function fail(offset: number | undefined, problem: string): never {
    throw new FileFormatError(file, offset === undefined ? undefined : lines.linePos(offset).line, problem, 'Each line is `image:tag: vLLM version`, one nvcr.io/nvidia/vllm and one vllm/vllm-openai image');
  }
  const firstError = doc.errors[0];
  if (firstError) fail(firstError.pos[0], firstError.message.split('\n')[0] ?? 'invalid YAML');
  const root = doc.contents;
  if (!isMap(root)) return fail(root?.range?.[0], 'must be a mapping of image → vLLM version');
  const found: Partial<Record<ComposeVariant, VllmImage>> = {};
  for (const pair of root.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    const offset = isScalar(pair.key) ? pair.key.range?.[0] : undefined;
    const repository = REPOSITORIES.find((r) => key.startsWith(r.prefix));
    if (!repository) fail(offset, `"${key}" is neither an nvcr.io/nvidia/vllm nor a vllm/vllm-openai image`);
    if (found[repository.variant]) fail(offset, `a second ${repository.prefix.slice(0, -1)} image; the stack pins one per variant`);
    const version = isScalar(pair.value) ? String(pair.value.value) : '';
    if (!/^\d+\.\d+\.\d+$/.test(version)) fail(offset, `the vLLM version of ${key} must look like 0.31.0, not "${version}"`);
    found[repository.variant] = { image: key, vllmVersion: version };
  }
  const { spark, 'multi-gpu': multiGpu } = found;
  if (!spark || !multiGpu) fail(undefined, `needs one nvcr.io/nvidia/vllm and one vllm/vllm-openai image (found: ${Object.values(found).map((i) => i.image).join(', ') || 'none'})`);
  return { spark, 'multi-gpu': multiGpu };
}

/** Reads `<stackRoot>/vllm-images.yaml`. */
export async function loadVllmImages(stackRoot: string): Promise<VllmImages> {
  const file = path.join(stackRoot, VLLM_IMAGES_FILE);
  return parseVllmImages(await readFile(file, 'utf8'), file);
}

/** The distinct vLLM versions the stack's images ship (what the argument-parser check installs). */
export function vllmVersions(images: VllmImages): string[] {
  return [...new Set(Object.values(images).map((i) => i.vllmVersion))];
}
