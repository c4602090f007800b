// Add Model… in the real VS Code, as a person uses it: the command palette, the repository id
// typed into the input box, the Hub read (from the Hub STAND-IN of test/support/hub-standin.ts —
// the Hub cannot be reached here — found through HF_ENDPOINT in the stack's .env), the preview of
// the estimate with its working, the confirmation, then the new row in the Servers tree.
// Screenshots: the preview with the confirmation, and the tree with the new model.
// Afterwards the model is removed again with the CLI's remove-model (other suites expect the
// bundled three models). No container is started.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { quickInput, runCommand, waitUntil } from './workbench.mjs';

/** @typedef {import('./workbench.mjs').UiContext} UiContext */

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const require = createRequire(import.meta.url);
// The compiled test support (npm run test:e2e runs build:tests first).
const { startHubStandIn } = require(path.join(REPO, 'out', 'test', 'support', 'hub-standin.js'));
const { QWEN3_4B } = require(path.join(REPO, 'out', 'test', 'support', 'hub-repos.js'));
const NAME = 'qwen3-4b';

/** @type {{ hub?: { url: string, stop: () => Promise<void> }, stack: string }} */
const state = { stack: '' };

/** The content frame of the Markdown preview (a webview: two nested iframes) in the editor area. */
async function previewFrame(/** @type {import('playwright-core').Page} */ page) {
  const webviews = page.locator('iframe.webview');
  /** @type {number | undefined} */
  let found;
  await waitUntil('the Markdown preview', async () => {
    const boxes = await Promise.all((await webviews.all()).map((w) => w.boundingBox()));
    const index = boxes.findIndex((b) => b !== null && b.width > 0 && b.x > 200);
    found = index >= 0 ? index : undefined;
    return found !== undefined;
  }, 60_000);
  return webviews.nth(/** @type {number} */ (found)).contentFrame().locator('iframe').contentFrame();
}

/** @type {{ name: string, run: (ctx: UiContext) => Promise<void> }[]} */
export const tests = [
  {
    name: 'Add Model… reads the repository and previews the estimate with its working',
    run: async ({ page, workspace, screenshot }) => {
      state.hub = await startHubStandIn([QWEN3_4B]);
      state.stack = path.join(workspace, 'stack');
      const env = path.join(state.stack, '.env');
      if (!fs.existsSync(env)) fs.copyFileSync(path.join(state.stack, '.env.example'), env);
      fs.appendFileSync(env, `\n# The Hub stand-in of the e2e test\nHF_ENDPOINT=${state.hub?.url}\n`);

      await page.getByRole('tab', { name: /^Spark Gateway/ }).waitFor({ state: 'visible', timeout: 60_000 });
      await runCommand(page, 'Spark Gateway: Add Model…');
      const input = quickInput(page).getByRole('textbox');
      await quickInput(page).getByText(/Repository id/).first().waitFor({ state: 'visible' });
      await input.fill(QWEN3_4B.id);
      await page.keyboard.press('Enter');

      await quickInput(page).getByRole('option', { name: new RegExp(`Add ${NAME}\\b`) }).first().waitFor({ state: 'visible', timeout: 60_000 });
      const preview = await previewFrame(page);
      // 36 layers × 8 KV heads × head_dim 128 × 2 × 2 B, and the index's total_size.
      await preview.getByText(/KV bytes per token/).first().waitFor({ state: 'visible', timeout: 30_000 });
      await preview.getByText(/147456/).first().waitFor({ state: 'visible' });
      await preview.getByText(/8044936192/).first().waitFor({ state: 'visible' });
      await preview.getByText(/Beside what runs now/).first().waitFor({ state: 'visible' });
      await preview.getByText(/Fits alone/).first().waitFor({ state: 'visible' });
      await screenshot('add-model-preview');
    },
  },
  {
    name: 'confirming writes the model and the Servers tree shows its row',
    run: async ({ page, screenshot }) => {
      await quickInput(page).getByRole('option', { name: new RegExp(`Add ${NAME}\\b`) }).first().click();
      await waitUntil(`${NAME}/docker-compose.yml`, () => fs.existsSync(path.join(state.stack, NAME, 'docker-compose.yml')), 30_000);
      await page.getByRole('tab', { name: /^Spark Gateway/ }).click();
      const row = page.getByRole('tree', { name: 'Servers', exact: true }).getByRole('treeitem', { name: new RegExp(`^${NAME}\\b`) }).first();
      await row.waitFor({ state: 'visible', timeout: 30_000 });
      await screenshot('tree-with-added-model');
    },
  },
  {
    name: 'remove-model takes it out again',
    run: async () => {
      try {
        execFileSync(process.execPath, [path.join(REPO, 'dist', 'cli.js'), '--stack', state.stack, 'remove-model', NAME], { stdio: 'pipe', timeout: 60_000 });
        fs.rmSync(path.join(state.stack, '.cache'), { recursive: true, force: true });
      } finally {
        await state.hub?.stop();
      }
      if (fs.existsSync(path.join(state.stack, NAME))) throw new Error(`${NAME}/ is still there`);
    },
  },
];
