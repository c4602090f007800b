// A workspace holding only the guide's llms/vllm/ (test/fixtures/guide): the Servers view names it
// and offers Adopt with what adopting does; Adopt shows each change in the diff editor before it
// is applied; after Apply the tree shows THEIR models and the backups exist.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { openSparkGateway, quickInput, waitUntil } from './workbench.mjs';

/** @typedef {import('./workbench.mjs').UiContext} UiContext */

/** A copy of the guide's folder, as a user who followed the guide has it. */
export function prepareWorkspace(/** @type {string} */ dir, /** @type {{ repo: string }} */ { repo }) {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  fs.cpSync(path.join(repo, 'test', 'fixtures', 'guide', 'llms'), path.join(dir, 'llms'), { recursive: true });
}

const sidebar = (/** @type {import('playwright-core').Page} */ page) => page.locator('.part.sidebar');
const serversTree = (/** @type {import('playwright-core').Page} */ page) => page.getByRole('tree', { name: 'Servers', exact: true });
const option = (/** @type {import('playwright-core').Page} */ page, /** @type {RegExp} */ name) => quickInput(page).getByRole('option', { name }).first();

/** @type {{ name: string, run: (ctx: UiContext) => Promise<void> }[]} */
export const tests = [
  {
    name: 'a guide folder shows the adopt welcome view, naming the folder',
    run: async ({ page, screenshot }) => {
      await openSparkGateway(page);
      await sidebar(page).getByText("laid out as the guide's", { exact: false }).waitFor({ state: 'visible', timeout: 60_000 });
      await sidebar(page).getByRole('button', { name: 'Adopt This Stack…' }).waitFor({ state: 'visible' });
      await sidebar(page).getByText('llms/vllm (to adopt)').waitFor({ state: 'visible' });
      await screenshot('guide-folder-adopt-welcome');
    },
  },
  {
    name: 'Adopt shows the changes in the diff editor with Apply and Cancel before writing',
    run: async ({ page, workspace, screenshot }) => {
      await sidebar(page).getByRole('button', { name: 'Adopt This Stack…' }).click();
      await option(page, /Apply all \d+ changes/).waitFor({ state: 'visible', timeout: 30_000 });
      await option(page, /Cancel/).waitFor({ state: 'visible' });
      if (fs.existsSync(path.join(workspace, 'llms', 'vllm', 'scenarios.yaml'))) throw new Error('adopt wrote before Apply');
      // The list is virtual: filter it to the change, then pick it.
      await quickInput(page).getByRole('textbox').fill('modify qwen-30b/docker-compose.yml');
      await option(page, /modify qwen-30b\/docker-compose\.yml/).click();
      // The diff editor: the file as it is on the left, the proposal on the right.
      await page.locator('.monaco-diff-editor').first().waitFor({ state: 'visible', timeout: 30_000 });
      await page.getByRole('tab', { name: /qwen-30b\/docker-compose\.yml: now ↔ after adopting/ }).waitFor({ state: 'visible' });
      await page.locator('.monaco-diff-editor .modified').getByText('qwen3_coder', { exact: false }).first().waitFor({ state: 'visible' });
      await option(page, /Apply all \d+ changes/).waitFor({ state: 'visible', timeout: 30_000 });
      await screenshot('adopt-diff-preview');
    },
  },
  {
    name: 'Apply writes the changes with backups; the tree shows their models',
    run: async ({ page, workspace, screenshot }) => {
      await option(page, /Apply all \d+ changes/).click();
      const stack = path.join(workspace, 'llms', 'vllm');
      await waitUntil('scenarios.yaml written', () => fs.existsSync(path.join(stack, 'scenarios.yaml')), 30_000);
      if (!fs.readdirSync(path.join(stack, 'qwen-30b')).some((f) => f.startsWith('backup-'))) throw new Error('no backup beside qwen-30b/docker-compose.yml');
      for (const [model, port] of [['gpt-oss-120b', 8002], ['gpt-oss-20b', 8001], ['qwen-30b', 8003]]) {
        await serversTree(page).getByRole('treeitem', { name: new RegExp(`^${model}( |$)`) }).filter({ hasText: `port ${port}` }).waitFor({ state: 'visible', timeout: 30_000 });
      }
      await page.locator('.notification-toast').filter({ hasText: 'Adopted' }).waitFor({ state: 'visible', timeout: 30_000 });
      await screenshot('adopt-applied-their-models');
    },
  },
];
