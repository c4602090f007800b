/**
 * What adopting a folder would do, computed without writing: every problem found (file:line,
 * message, fix) and every file change with its content before and after, so a preview (the CLI's
 * `--dry-run`, VS Code's diff editor) shows exactly what `applyAdoption` then writes.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { parseDocument } from 'yaml';
import { FileFormatError, SparkError } from '../errors';
import { SCENARIOS_FILE, isGuideFolder, isStackFolder } from '../stack/discovery';
import { CHECKS } from './checks';
import { splitImage } from './checks/compose';
import type { AdoptContext } from './context';
import { identities } from './context';
import type { GuideFolder } from './detect';
import { detectGuideFolder } from './detect';
import { scenariosYaml } from './scenarios-file';
import type { AdoptProblem, PlannedChange, TextEdit } from './types';

export interface AdoptPlan {
  readonly stack: string;
  readonly problems: readonly AdoptProblem[];
  readonly changes: readonly PlannedChange[];
}

/**
 * Image repository → pinned image, read from the bundled template's compose files: the literal
 * image, or the pinned default of `${VLLM_SPARK_IMAGE:-…}` (the template takes each image from a
 * variable).
 */
function pinnedImages(templateDir: string): Map<string, string> {
  const pinned = new Map<string, string>();
  const files = ['docker-compose.yml', 'litellm/docker-compose.yml', ...readdirSync(templateDir).flatMap((d) => ['docker-compose.yml', 'docker-compose-gpu.yml'].map((f) => path.join(d, f)))];
  for (const rel of files) {
    const file = path.join(templateDir, rel);
    if (!existsSync(file)) continue;
    for (const m of readFileSync(file, 'utf8').matchAll(/^\s*image:\s*["']?(?:\$\{[A-Za-z_][A-Za-z0-9_]*:?-)?([^\s"'${}]+)\}?["']?\s*$/gm)) {
      const image = m[1] as string;
      if (!pinned.has(splitImage(image).repo)) pinned.set(splitImage(image).repo, image);
    }
  }
  return pinned;
}

/** Applies non-overlapping edits to `text` (offsets into `text`). */
export function applyEdits(file: string, text: string, edits: readonly TextEdit[]): string {
  const sorted = [...edits].sort((a, b) => b.start - a.start || b.end - a.end);
  let out = text;
  let limit = Infinity;
  for (const e of sorted) {
    // Two checks editing the same text would be a bug in the checks: fail loudly rather than write a garbled file.
    if (e.end > limit) throw new SparkError(`adopt: overlapping edits in ${file} at offset ${e.start}`);
    out = out.slice(0, e.start) + e.text + out.slice(e.end);
    limit = e.start;
  }
  return out;
}

function failOnBrokenYaml(folder: GuideFolder): void {
  const sources = [...folder.models.map((m) => m.yaml), folder.litellmCompose, folder.litellmConfig, folder.nginxCompose];
  for (const source of sources) {
    const error = source?.error();
    if (source && error) throw new FileFormatError(path.join(folder.root, source.file), error.line, error.message, 'Fix the YAML, then adopt again (nothing was changed)');
  }
}

/**
 * Plans the adoption of `root` (a guide-style folder or an adopted stack). `templateDir` is the
 * bundled stack, read for its pinned images and its `test-endpoints.sh`. Throws when `root` is
 * neither, or when one of its YAML files does not parse (file and line).
 */
export function planAdoption(root: string, templateDir: string): AdoptPlan {
  const stack = path.resolve(root);
  if (!isGuideFolder(stack) && !isStackFolder(stack)) {
    throw new SparkError(`${stack} is not laid out as the guide's llms/vllm/ (model folders with docker-compose.yml, litellm/, nginx/)`, 'Run adopt in (or with --stack) the folder that holds them; for a new stack run `spark-gateway init [DIR]`');
  }
  const folder = detectGuideFolder(stack);
  failOnBrokenYaml(folder);
  const ctx: AdoptContext = {
    folder,
    identities: identities(folder),
    pinned: pinnedImages(templateDir),
    templateText: (rel) => (existsSync(path.join(templateDir, rel)) ? readFileSync(path.join(templateDir, rel), 'utf8') : undefined),
  };
  const results = CHECKS.map((check) => check(ctx));
  const problems: AdoptProblem[] = [];
  if (!folder.hasScenarios) {
    problems.push({ id: 'no-scenarios', file: SCENARIOS_FILE, line: 1, message: `no ${SCENARIOS_FILE}: the tools do not know which models this folder has or which of them fit together`, fix: `${SCENARIOS_FILE} describing the models of this folder (${ctx.identities.map((i) => i.name).join(', ')})` });
  }
  problems.push(...results.flatMap((r) => r.problems));

  const editsByFile = new Map<string, TextEdit[]>();
  for (const edit of results.flatMap((r) => r.edits)) editsByFile.set(edit.file, [...(editsByFile.get(edit.file) ?? []), edit]);
  const renames = new Map(results.flatMap((r) => r.renames ?? []).map((r) => [r.from, r.to]));
  const changes: PlannedChange[] = [];
  if (!folder.hasScenarios) changes.push({ file: SCENARIOS_FILE, action: 'create', from: SCENARIOS_FILE, before: '', after: scenariosYaml(ctx.identities) });
  for (const file of [...new Set([...editsByFile.keys(), ...renames.keys()])].sort()) {
    const before = readFileSync(path.join(stack, file), 'utf8');
    const after = applyEdits(file, before, editsByFile.get(file) ?? []);
    if (/\.ya?ml$/.test(file) && parseDocument(after).errors.length > 0) throw new SparkError(`adopt: the fixed ${file} would not parse; nothing was changed`, 'Report this with the file');
    const to = renames.get(file);
    if (to) changes.push({ file: to, action: 'rename', from: file, before, after });
    else if (after !== before) changes.push({ file, action: 'modify', from: file, before, after });
  }
  return { stack, problems, changes };
}
