/**
 * The images a compose file runs (`services.*.image`), read from the file itself and with its
 * variables resolved as compose resolves them (`${VLLM_SPARK_IMAGE:-…}` from the process
 * environment over the folder's `.env`), so the pre-flight, the doctor and `pull` see exactly
 * what `docker compose up` would run.
 */
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { LineCounter, isMap, parseDocument } from 'yaml';
import { FileFormatError } from '../errors';
import { interpolate, projectLookup } from './interpolate';

/** One service's image: as written in the file, and as compose resolves it now. */
export interface ComposeImage {
  readonly service: string;
  /** The file's text, e.g. `${VLLM_SPARK_IMAGE:-nvcr.io/nvidia/vllm:26.10-py3}`. */
  readonly written: string;
  /** What compose runs, e.g. `nvcr.io/nvidia/vllm:26.10-py3`. */
  readonly image: string;
  /** The variable that chose it when it is set (not the pinned default), e.g. `VLLM_SPARK_IMAGE`. */
  readonly overriddenBy?: string;
}

/**
 * The images of a compose file's services, in file order, resolved against the process
 * environment over the folder's `.env`. Throws {@link FileFormatError} (file:line) for a file that
 * does not parse. Usage: `(await composeImageRefs(file)).map((i) => i.image)`.
 */
export async function composeImageRefs(file: string, processEnv: NodeJS.ProcessEnv = process.env): Promise<ComposeImage[]> {
  const lines = new LineCounter();
  const doc = parseDocument(await readFile(file, 'utf8'), { lineCounter: lines });
  // A file compose rejects has no images to tell: say where it breaks instead of reading past it.
  const broken = doc.errors[0];
  if (broken) throw new FileFormatError(file, lines.linePos(broken.pos[0]).line, broken.message.split('\n')[0] ?? 'invalid YAML', 'Fix the YAML (`docker compose config` shows the same error)');
  const lookup = await projectLookup(path.dirname(file), processEnv);
  const services = doc.get('services');
  if (!isMap(services)) return [];
  const images: ComposeImage[] = [];
  for (const pair of services.items) {
    const service = pair.value;
    if (!isMap(service)) continue;
    const written = service.get('image');
    if (typeof written !== 'string') continue;
    const variable = /^\$\{([A-Za-z_][A-Za-z0-9_]*):?-/.exec(written)?.[1];
    const overridden = variable !== undefined && (lookup(variable) ?? '') !== '';
    images.push({ service: String(pair.key), written, image: interpolate(written, lookup), ...(overridden ? { overriddenBy: variable } : {}) });
  }
  return images;
}

/** The distinct image references of a compose file's services, resolved, in file order. */
export async function composeImages(file: string, processEnv: NodeJS.ProcessEnv = process.env): Promise<string[]> {
  return [...new Set((await composeImageRefs(file, processEnv)).map((i) => i.image))];
}
