/**
 * The doctor's rows for the stack's compose files themselves: each one parses (compose rejects a
 * file that does not, so the doctor must not say ok for it), and none ships a known secret — a
 * secret variable with a fallback value or a password written into the file (compose/secrets.ts).
 * These hold on every stack, adopted, created or hand-made, whether Docker runs or not.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import type { CheckResult } from '../checks';
import type { ComposeImage } from '../compose/images';
import { composeImageRefs } from '../compose/images';
import { findComposeSecrets } from '../compose/secrets';
import { FileFormatError } from '../errors';

const COMPOSE_NAME = /^(docker-)?compose([.-][\w.-]+)?\.ya?ml$/;
// simulator: stacks created before the simulator moved out of stack/ (to simulator/) still hold a copy.
const NOT_STACK = new Set(['ssl', 'node_modules', 'simulator']);

/**
 * Every compose file of the stack, relative to its root: the root's and each folder's one level
 * down (models, litellm, others), adopt's backups and hidden folders aside.
 */
export function stackComposeFiles(root: string): string[] {
  const inDir = (rel: string) => {
    try {
      return readdirSync(path.join(root, rel)).filter((name) => COMPOSE_NAME.test(name) && statSync(path.join(root, rel, name)).isFile()).map((name) => path.posix.join(rel, name));
    } catch {
      return [];
    }
  };
  const folders = readdirSync(root).filter((name) => !name.startsWith('.') && !name.startsWith('backup-') && !NOT_STACK.has(name) && statSync(path.join(root, name), { throwIfNoEntry: false })?.isDirectory());
  return [...inDir(''), ...folders.sort().flatMap((folder) => inDir(folder))];
}

/** One failing row per file that does not parse and per known secret; one ok row when all is well. */
export function composeFileChecks(root: string): CheckResult[] {
  const files = stackComposeFiles(root);
  const rows: CheckResult[] = [];
  let secrets = 0;
  for (const rel of files) {
    const file = path.join(root, rel);
    const scan = findComposeSecrets(rel, readFileSync(file, 'utf8'));
    if (scan.parseError) {
      rows.push({ id: `compose-parse-${rel}`, title: `${rel} parses`, status: 'fail', detail: `${file}:${scan.parseError.line}: ${scan.parseError.message} (compose rejects the file)`, fix: `Correct ${rel} line ${scan.parseError.line} (\`docker compose -f ${rel} config\` shows the same error)` });
      continue;
    }
    for (const found of scan.findings) {
      secrets++;
      rows.push({ id: `compose-secret-${rel}:${found.line}`, title: `No known secret in ${rel}`, status: 'fail', detail: `${file}:${found.line}: ${found.message}`, fix: `${found.fix}${found.edit ? '; `spark-gateway adopt` makes this change' : ''}` });
    }
  }
  if (rows.length === 0) rows.push({ id: 'compose-files', title: 'Compose files parse and ship no known secret', status: 'ok', detail: `${files.length} file(s), no secret fallback or literal password` });
  else if (secrets === 0 && rows.every((r) => r.id.startsWith('compose-parse-'))) rows.push({ id: 'compose-secrets', title: 'No known secret in the compose files', status: 'ok', detail: 'none in the files that parse' });
  return rows;
}

/**
 * The images of `files` as {@link composeImageRefs} resolves them, leaving out a file that does
 * not parse: its failing row (from {@link composeFileChecks}) already says where.
 */
export async function readableImageRefs(files: readonly string[]): Promise<ComposeImage[]> {
  return (await Promise.all(files.map((f) => composeImageRefs(f).catch(noImagesIfBroken)))).flat();
}

/** For a `.catch`: no images from a compose file that does not parse (its own row fails with file:line). */
export function noImagesIfBroken(error: unknown): never[] {
  if (error instanceof FileFormatError) return [];
  throw error;
}
