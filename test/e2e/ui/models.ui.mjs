// Model and scenario editing in the real VS Code, as a person uses it: a model added to the
// workspace's stack appears in the Servers tree; *New Scenario…* picks models, computes their
// fractions and shows the verdict (a pair that does not fit this 24 GiB machine is refused with
// the reasons, one that fits is saved) and the Memory panel's scenario picker offers it at once;
// *Remove Model* from the row's context menu refuses while a scenario still uses the model and
// then removes it — and the stack's two YAML files end byte for byte as they began.
// (The model is added with the core's own change set, as `spark-gateway add-model` writes it.)
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { quickInput, runCommand, waitUntil } from './workbench.mjs';

/** @typedef {import('./workbench.mjs').UiContext} UiContext */

const require = createRequire(import.meta.url);
const OUT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..', '..', 'out', 'src', 'core');
const { modelAdditionChanges, readStackTexts } = require(path.join(OUT, 'stack-edit', 'model-changes.js'));
const { applyStackChanges } = require(path.join(OUT, 'files', 'index.js'));
const { removeScenario } = require(path.join(OUT, 'stack-edit', 'yaml-edits.js'));
const { loadVllmImages } = require(path.join(OUT, 'stack', 'vllm-images.js'));

const MODEL = {
  name: 'qwen3-4b', folder: 'qwen3-4b', container: 'vllm-qwen3-4b', hfModel: 'Qwen/Qwen3-4B',
  weightsGiB: 7.5, overheadGiB: 2, kvCacheDtype: 'fp8', kvBytesPerToken: 73728, maxModelLen: 32768,
  hostPort: 8004, memoryEnv: 'QWEN3_4B_GPU_MEMORY_UTILIZATION', defaultFraction: 0.5,
  toolCallParser: 'hermes', reasoningParser: 'qwen3', tensorParallel: {}, gpus: {},
};

const state = { stack: '', scenarios: '', litellm: '' };

const serversTree = (/** @type {import('playwright-core').Page} */ page) => page.getByRole('tree', { name: 'Servers', exact: true });
const row = (/** @type {import('playwright-core').Page} */ page, /** @type {string} */ label) =>
  serversTree(page).getByRole('treeitem', { name: new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}( |$)`) });
const dialog = (/** @type {import('playwright-core').Page} */ page) => page.locator('.monaco-dialog-box');
const toast = (/** @type {import('playwright-core').Page} */ page, /** @type {RegExp} */ text) => page.locator('.notifications-toasts .notification-toast', { hasText: text }).first();

/** Shows the Servers view (clicking the activity bar entry of a shown side bar would hide it). */
async function showServers(/** @type {import('playwright-core').Page} */ page) {
  if (!(await serversTree(page).isVisible())) await page.getByRole('tab', { name: 'Spark Gateway', exact: true }).click();
  await serversTree(page).waitFor({ state: 'visible' });
}

/**
 * Right-clicks the model's row and chooses Remove Model until its confirmation dialog shows. The
 * tree redraws when the live states change (metrics every few seconds while visible), so a menu
 * can close under the test; the dialog itself is what is checked.
 */
async function removeFromRowMenu(/** @type {import('playwright-core').Page} */ page, /** @type {string} */ label) {
  const confirm = dialog(page).filter({ hasText: new RegExp(`Remove ${label} from the stack\\?`) });
  await waitUntil(`the Remove Model dialog of ${label}`, async () => {
    if (await confirm.isVisible()) return true;
    await page.keyboard.press('Escape');
    await row(page, label).click({ button: 'right', timeout: 5_000 }).catch(() => undefined);
    // A mouse click on an item of a menu that has just opened is at times ignored by the workbench
    // (the menu stays open, the item focused); choosing it with the keyboard is what always works.
    const item = page.getByRole('menuitem', { name: 'Remove Model' });
    await item.hover({ timeout: 5_000 }).then(() => page.keyboard.press('Enter'), () => undefined);
    return confirm.waitFor({ state: 'visible', timeout: 10_000 }).then(() => true, () => false);
  }, 60_000);
}

/** Runs New Scenario…, ticks `models` and names the scenario. */
async function newScenario(/** @type {import('playwright-core').Page} */ page, /** @type {string[]} */ models, /** @type {string} */ name) {
  await runCommand(page, 'Spark Gateway: New Scenario…');
  const picker = quickInput(page);
  for (const m of models) {
    // A multi-select row toggles its checkbox when clicked; its label is the model name exactly.
    await picker.getByText(m, { exact: true }).first().click();
  }
  await picker.getByText(`${models.length} Selected`).waitFor({ timeout: 10_000 });
  await picker.getByRole('button', { name: 'OK' }).click();
  const input = picker.getByRole('textbox');
  await input.waitFor({ state: 'visible' });
  await input.fill(name);
  await page.keyboard.press('Enter');
  await dialog(page).waitFor({ state: 'visible' });
}

/** @type {{ name: string, run: (ctx: UiContext) => Promise<void> }[]} */
export const tests = [
  {
    name: 'a model added to the stack appears in the Servers tree',
    run: async ({ page, workspace, screenshot }) => {
      state.stack = path.join(workspace, 'stack');
      const texts = await readStackTexts(state.stack);
      state.scenarios = texts.scenarios;
      state.litellm = texts.litellm;
      await applyStackChanges(state.stack, modelAdditionChanges(texts, MODEL, await loadVllmImages(state.stack), state.stack));
      await page.getByRole('tab', { name: 'Spark Gateway', exact: true }).waitFor({ state: 'visible', timeout: 60_000 });
      await showServers(page);
      // The workspace's scenarios.yaml watcher reloads the stack.
      await row(page, 'qwen3-4b').filter({ hasText: 'port 8004' }).waitFor({ timeout: 30_000 });
      await screenshot('servers-tree-new-model');
    },
  },
  {
    name: 'New Scenario… refuses a pair that does not fit this machine, with the reasons',
    run: async ({ page, screenshot }) => {
      await newScenario(page, ['qwen3-4b', 'gpt-oss-20b'], 'too-big');
      await dialog(page).filter({ hasText: /too-big does not fit in/ }).waitFor();
      await dialog(page).filter({ hasText: /✗ / }).waitFor();
      await screenshot('new-scenario-does-not-fit');
      await page.keyboard.press('Escape');
      await dialog(page).waitFor({ state: 'hidden' });
      if (fs.readFileSync(path.join(state.stack, 'scenarios.yaml'), 'utf8').includes('too-big')) throw new Error('a refused scenario was written');
    },
  },
  {
    name: 'New Scenario… computes the fraction, shows the verdict and saves the scenario',
    run: async ({ page, screenshot }) => {
      await newScenario(page, ['qwen3-4b'], 'small');
      await dialog(page).filter({ hasText: /small fits in/ }).waitFor();
      await dialog(page).filter({ hasText: /qwen3-4b: 0\.\d+ ×/ }).waitFor();
      await screenshot('new-scenario-fits');
      await dialog(page).getByRole('button', { name: 'Save' }).click();
      await toast(page, /Saved scenario small/).waitFor();
      await waitUntil('scenarios.yaml to hold "small"', () => /- name: small\n/.test(fs.readFileSync(path.join(state.stack, 'scenarios.yaml'), 'utf8')));
    },
  },
  {
    name: 'the Memory panel\'s scenario picker offers the new scenario at once',
    run: async ({ page, screenshot }) => {
      await runCommand(page, 'Spark Gateway: Show Memory Headroom');
      const webviews = page.locator('iframe.webview');
      /** @type {import('playwright-core').FrameLocator | undefined} */
      let panel;
      await waitUntil('the memory panel', async () => {
        const boxes = await Promise.all((await webviews.all()).map((w) => w.boundingBox()));
        const index = boxes.findIndex((b) => b !== null && b.width > 0 && b.x > 200);
        if (index >= 0) panel = webviews.nth(index).contentFrame().locator('iframe').contentFrame();
        return index >= 0;
      }, 30_000);
      const frame = /** @type {import('playwright-core').FrameLocator} */ (panel);
      await frame.locator('vscode-single-select').click();
      // The picker lists scenarios by title: "small" was saved with its models as its title.
      await frame.getByRole('option', { name: /^qwen3-4b — / }).click();
      await waitUntil('the picker to choose "small"', async () => (await frame.locator('vscode-single-select').evaluate((e) => /** @type {{ value: string }} */ (/** @type {unknown} */ (e)).value)) === 'small');
      await frame.locator('.verdict').first().waitFor();
      await screenshot('memory-panel-new-scenario');
      await page.keyboard.press('Escape');
    },
  },
  {
    name: 'Remove Model in the row\'s context menu refuses while a scenario uses the model',
    run: async ({ page, screenshot }) => {
      await showServers(page);
      await removeFromRowMenu(page, 'qwen3-4b');
      await dialog(page).getByRole('button', { name: 'Remove', exact: true }).click();
      await toast(page, /Cannot remove qwen3-4b: .*used by scenario small/).waitFor();
      await screenshot('remove-model-refused');
      await row(page, 'qwen3-4b').waitFor();
    },
  },
  {
    name: 'once no other scenario uses it, Remove Model removes it: the row goes, the stack is as it began',
    run: async ({ page, screenshot }) => {
      const file = path.join(state.stack, 'scenarios.yaml');
      fs.writeFileSync(file, removeScenario(fs.readFileSync(file, 'utf8'), file, 'small'));
      await waitUntil('the stack to reload', async () => (await row(page, 'qwen3-4b').count()) === 1, 30_000);
      await page.getByRole('button', { name: /Clear All Notifications|Clear Notification/ }).first().click().catch(() => undefined);
      await removeFromRowMenu(page, 'qwen3-4b');
      await dialog(page).getByRole('button', { name: 'Remove', exact: true }).click();
      await toast(page, /Removed qwen3-4b\./).waitFor();
      await row(page, 'qwen3-4b').waitFor({ state: 'detached' });
      await screenshot('remove-model-done');
      if (fs.readFileSync(file, 'utf8') !== state.scenarios) throw new Error('scenarios.yaml is not as it began');
      if (fs.readFileSync(path.join(state.stack, 'litellm', 'config.yaml'), 'utf8') !== state.litellm) throw new Error('litellm/config.yaml is not as it began');
      if (fs.existsSync(path.join(state.stack, 'qwen3-4b'))) throw new Error('the model folder is still there');
    },
  },
];
