/**
 * Regenerates every model folder's compose files from `scenarios.yaml` with the model template
 * (src/core/stack/model-template.ts), or with `--check` only reports the files that differ.
 *
 *   npm run stack:models                       # the bundled stack/
 *   npm run stack:models -- --stack DIR        # another stack
 *   npm run stack:models -- --check            # exit 1 when a file is not the template's output
 */
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { writeFileAtomic } from '../src/core/files';
import { loadVllmImages } from '../src/core/stack/vllm-images';
import { renderModelFolder } from '../src/core/stack/model-template';
import { loadScenarioFile } from '../src/core/scenarios/file';

async function main(argv: readonly string[]): Promise<number> {
  const stackIndex = argv.indexOf('--stack');
  const root = path.resolve(stackIndex >= 0 ? (argv[stackIndex + 1] ?? '') : path.join(__dirname, '..', '..', 'stack'));
  const check = argv.includes('--check');
  const scenarios = await loadScenarioFile(path.join(root, 'scenarios.yaml'));
  const images = await loadVllmImages(root);
  let differing = 0;
  for (const model of scenarios.models) {
    for (const [file, text] of renderModelFolder(model, images)) {
      const target = path.join(root, file);
      const current = await readFile(target, 'utf8').catch(() => undefined);
      if (current === text) continue;
      differing += 1;
      if (check) {
        console.log(`differs from the template: ${file}`);
      } else {
        await writeFileAtomic(target, text, 0o644);
        console.log(`wrote ${file}`);
      }
    }
  }
  if (differing === 0) console.log(`all ${scenarios.models.length * 2} model compose files are the template's output`);
  return check && differing > 0 ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  },
);
