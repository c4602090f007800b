// The servers view through the UI, as a person uses it: open the Spark Gateway activity bar entry,
// see the tree, run "Spark Gateway: Refresh" from the command palette, see its result (the tree,
// and a new "stack: …" line in the Spark Gateway output). Each step saves a screenshot under
// test-results/e2e/ (numbered in order). Steps run in order on one workbench page.
import { commandPalette, outputLines, showOutputChannel, waitUntil } from './workbench.mjs';

/** @typedef {import('./workbench.mjs').UiContext} UiContext */

const MODELS = ['gpt-oss-20b', 'gpt-oss-120b', 'qwen-30b'];
const GATEWAY = ['PostgreSQL', 'Redis', 'LiteLLM', 'NGINX'];

/** The servers view's tree (its aria label is the view's name). */
const serversTree = (/** @type {import('playwright-core').Page} */ page) => page.getByRole('tree', { name: 'Servers', exact: true });
const row = (/** @type {import('playwright-core').Page} */ page, /** @type {string} */ label) =>
  serversTree(page).getByRole('treeitem', { name: new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}( |$)`) });

async function expectTreeRows(/** @type {import('playwright-core').Page} */ page) {
  for (const label of ['Gateway', ...GATEWAY, 'Model servers', ...MODELS]) await row(page, label).waitFor({ state: 'visible' });
}

/** Log lines of the Spark Gateway output that report a loaded stack. */
async function stackLines(/** @type {import('playwright-core').Page} */ page) {
  return (await outputLines(page)).filter((l) => /\bstack: \S+\/stack\b/.test(l));
}

/** @type {{ lines: number }} */
const state = { lines: 0 };

/** @type {{ name: string, run: (ctx: UiContext) => Promise<void> }[]} */
export const tests = [
  {
    name: 'the activity bar entry opens the servers tree with Gateway, Model servers and the models',
    run: async ({ page, screenshot }) => {
      const entry = page.getByRole('tab', { name: /^Spark Gateway/ });
      await entry.waitFor({ state: 'visible', timeout: 60_000 });
      await entry.click();
      // The side bar's title: "Spark Gateway" (several views) or "Spark Gateway: Servers" (one).
      await page.locator('.part.sidebar').getByRole('heading', { name: /^Spark Gateway/ }).first().waitFor({ state: 'visible' });
      await expectTreeRows(page);
      await row(page, 'gpt-oss-120b').filter({ hasText: 'port 8002' }).waitFor();
      await screenshot('activity-bar-servers-tree');
    },
  },
  {
    name: 'the Spark Gateway output shows the stack the extension loaded',
    run: async ({ page }) => {
      await showOutputChannel(page, 'Spark Gateway');
      await waitUntil('a "stack: …/stack" line in the Spark Gateway output', async () => (await stackLines(page)).length > 0);
      state.lines = (await stackLines(page)).length;
    },
  },
  {
    name: 'Spark Gateway: Refresh is found in the command palette',
    run: async ({ page, screenshot }) => {
      await commandPalette(page, 'Spark Gateway: Refresh');
      await screenshot('command-palette-refresh');
    },
  },
  {
    name: 'running it reloads the stack: a new line in the output, the tree still shows the models',
    run: async ({ page, screenshot }) => {
      await page.keyboard.press('Enter');
      await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
      await waitUntil(`a new "stack:" line after Refresh (there were ${state.lines})`, async () => (await stackLines(page)).length > state.lines);
      await expectTreeRows(page);
      await screenshot('after-refresh-tree-and-output');
    },
  },
];
