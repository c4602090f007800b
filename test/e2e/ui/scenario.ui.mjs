// Starting and stopping a scenario from the command palette, as a person does: "Sync Environment Files", then
// "Spark Gateway: Start Scenario…", pick the scenario (the quick pick shows the planner's fit),
// the variant, the simulator backend and "Models and gateway", which the pre-flight refuses (the
// gateway's images cannot be pulled on the test machine) with a one-line notification offering
// "Models only"; that button starts the models, the progress notification shows, both models
// become healthy in the Servers tree, the Compose channel shows the pre-flight before compose's
// output, then "Stop Scenario…" starts on what runs. Screenshots of each step.
// Needs Docker and the simulator image under the vLLM tags; it starts and removes the containers
// vllm-gpt-oss-20b and vllm-qwen-30b (run under the Docker lock on a shared machine).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chooseOption, notificationCenter, quickInput, runCommand, showNotifications, showOutputChannel, waitUntil } from './workbench.mjs';

/** @typedef {import('./workbench.mjs').UiContext} UiContext */
/** @typedef {import('playwright-core').Page} Page */

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const SCENARIO = 'scenario-2';
const MODELS = ['gpt-oss-20b', 'qwen-30b'];
const CONTAINERS = MODELS.map((m) => `vllm-${m}`);
const escape = (/** @type {string} */ s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The notification center (toasts do not show in this headless workbench; the center lists every notification). */
const center = notificationCenter;
const choose = chooseOption;

const tree = (/** @type {Page} */ page) => page.getByRole('tree', { name: 'Servers', exact: true });
const labelOf = async (/** @type {Page} */ page, /** @type {string} */ model) =>
  (await tree(page).getByRole('treeitem', { name: new RegExp(`^${escape(model)}\\b`) }).first().getAttribute('aria-label')) ?? '';
const exists = (/** @type {string} */ container) => spawnSync('docker', ['container', 'inspect', container], { stdio: 'ignore' }).status === 0;

/** The most recently written file under `dir` whose name matches. */
function newestFile(/** @type {string} */ dir, /** @type {RegExp} */ name) {
  /** @type {{ file: string, at: number } | undefined} */
  let best;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !name.test(entry.name)) continue;
    const file = path.join(entry.parentPath, entry.name);
    const at = statSync(file).mtimeMs;
    if (!best || at > best.at) best = { file, at };
  }
  return best?.file;
}

function removeContainers() {
  for (const c of CONTAINERS) spawnSync('docker', ['rm', '-f', c], { stdio: 'ignore' });
}

/** @type {{ name: string, run: (ctx: UiContext) => Promise<void> }[]} */
export const tests = [
  {
    name: 'Sync Environment Files writes the per-model .env files',
    run: async ({ page, workspace }) => {
      if (spawnSync('docker', ['image', 'inspect', 'nvcr.io/nvidia/vllm:26.10-py3'], { stdio: 'ignore' }).status !== 0) {
        const built = spawnSync('bash', [path.join(REPO, 'simulator', 'build-image.sh')], { encoding: 'utf8' });
        if (built.status !== 0) throw new Error(`build-image.sh failed: ${built.stderr}`);
      }
      removeContainers();
      // The workbench lists the extension's commands once its extension host has scanned it.
      await page.getByRole('tab', { name: /^Spark Gateway/ }).waitFor({ state: 'visible', timeout: 60_000 });
      await runCommand(page, 'Spark Gateway: Sync Environment Files');
      await waitUntil('stack/gpt-oss-20b/.env', () => existsSync(path.join(workspace, 'stack', 'gpt-oss-20b', '.env')), 30_000);
    },
  },
  {
    name: 'Start Scenario shows the scenarios with their fit',
    run: async ({ page, screenshot }) => {
      await runCommand(page, 'Spark Gateway: Start Scenario…');
      await quickInput(page).getByRole('option', { name: new RegExp(`^${SCENARIO}\\b`) }).first().waitFor({ state: 'visible', timeout: 30_000 });
      await quickInput(page).getByText(/fits|does not fit/).first().waitFor({ state: 'visible' });
      await screenshot('start-scenario-quick-pick');
    },
  },
  {
    name: 'with the gateway, the refusal is one line (the gateway\'s images cannot be pulled here) and offers "Models only"',
    run: async ({ page, screenshot }) => {
      await choose(page, SCENARIO);
      await choose(page, 'spark');
      await choose(page, 'simulator');
      await choose(page, 'Models and gateway');
      await showNotifications(page);
      const refusal = center(page).locator('.notification-list-item').filter({ hasText: new RegExp(`Cannot start ${SCENARIO}: \\d+ pre-flight checks? failed .*Details and fixes in the Compose output`) }).first();
      await refusal.waitFor({ state: 'visible', timeout: 120_000 });
      await refusal.getByRole('button', { name: 'Models only' }).waitFor({ state: 'visible' });
      await screenshot('start-refused-models-only-button');
      if (CONTAINERS.some(exists)) throw new Error('the refusal started a container');
      await refusal.getByRole('button', { name: 'Models only' }).click();
    },
  },
  {
    name: '"Models only" starts the model servers with a progress notification',
    run: async ({ page, screenshot }) => {
      await showNotifications(page);
      await center(page).getByText(new RegExp(`Starting ${SCENARIO}`)).first().waitFor({ state: 'visible', timeout: 60_000 });
      await screenshot('start-scenario-progress');
    },
  },
  {
    name: 'both models become healthy: a notification and the Servers tree say so',
    run: async ({ page, screenshot }) => {
      await showNotifications(page);
      await center(page).getByText(new RegExp(`${SCENARIO} is up: ${MODELS.join(', ')}`)).first().waitFor({ state: 'visible', timeout: 150_000 });
      await screenshot('start-scenario-done-notification');
      await page.keyboard.press('Escape');
      await page.getByRole('tab', { name: /^Spark Gateway/ }).click();
      for (const model of MODELS) await waitUntil(`${model} healthy in the Servers tree`, async () => /healthy/.test(await labelOf(page, model)), 60_000);
      await screenshot('tree-after-start-scenario');
    },
  },
  {
    name: 'the Compose channel has the pre-flight lines before compose\'s output',
    run: async ({ page, workspace, log, screenshot }) => {
      await showOutputChannel(page, 'Spark Gateway: Compose');
      // The panel renders only the lines in view; the channel's whole text is in its log file
      // under the profile's logs/ (VS Code keeps every output channel there).
      const file = newestFile(path.join(path.dirname(workspace), 'user-data', 'logs'), /Compose\.log$/);
      if (!file) throw new Error('no Compose channel log under the profile');
      log(`compose channel: ${file}`);
      let lines = [];
      await waitUntil('the models-only start in the Compose channel', () => {
        lines = readFileSync(file, 'utf8').split('\n');
        return lines.some((l) => l.includes(`── start ${SCENARIO} (spark, simulator, models only)`)) && lines.some((l) => l.startsWith('$ '));
      }, 30_000);
      const start = lines.findIndex((l) => l.includes(`── start ${SCENARIO} (spark, simulator, models only)`));
      const after = lines.slice(start);
      const preflight = after.findIndex((l) => l.startsWith('Pre-flight:'));
      const compose = after.findIndex((l) => l.startsWith('$ '));
      if (preflight < 0 || compose < 0 || preflight > compose) throw new Error(`pre-flight at ${preflight}, first compose command at ${compose}:\n${after.join('\n')}`);
      await screenshot('compose-channel-preflight-first');
    },
  },
  {
    name: 'Stop Scenario starts its pick on what runs and stops both models, leaving no container',
    run: async ({ page, screenshot }) => {
      try {
        await runCommand(page, 'Spark Gateway: Stop Scenario…');
        // The pick replaces the palette: wait for its title before reading its first entry.
        await quickInput(page).getByText('Stop scenario', { exact: true }).waitFor({ state: 'visible', timeout: 30_000 });
        const label = (await quickInput(page).getByRole('option').first().getAttribute('aria-label')) ?? '';
        if (!new RegExp(`^${escape(SCENARIO)}\\b.*runs now`).test(label)) throw new Error(`the first entry is "${label}"`);
        await screenshot('stop-scenario-preselects-running');
        await choose(page, SCENARIO);
        await waitUntil('the containers to be gone', () => CONTAINERS.every((c) => !exists(c)), 90_000);
      } finally {
        removeContainers();
      }
    },
  },
];
