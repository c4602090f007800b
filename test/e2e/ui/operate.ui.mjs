// The operate commands when nothing of the stack runs, as a new user meets them: Run Doctor (its
// fixes are buttons running the extension's commands; the HF_TOKEN fix opens .env at that line;
// a gateway image that cannot be pulled fails, as the start would), Tail Logs and Stop Scenario
// with no container (they say so, Tail Logs offers Start Scenario), and Open LiteLLM Admin UI
// with no gateway (it checks first). No container is started; the test machine has no registry.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { commandPalette, quickInput, runCommand, waitUntil } from './workbench.mjs';

/** @typedef {import('./workbench.mjs').UiContext} UiContext */
/** @typedef {import('playwright-core').Page} Page */

/** The notification centre lists every notification (a toast may hide before it is read). */
const center = (/** @type {Page} */ page) => page.locator('.notifications-center');

/** The newest notification whose text matches, with the centre opened. */
async function notification(/** @type {Page} */ page, /** @type {RegExp} */ text) {
  await waitUntil('the quick input to close', async () => !(await quickInput(page).isVisible()), 10_000);
  if (!(await center(page).isVisible())) {
    await page.locator('[id="status.notifications"]').first().click();
    await center(page).waitFor({ state: 'visible' });
  }
  const item = center(page).locator('.notification-list-item').filter({ hasText: text }).first();
  await item.waitFor({ state: 'visible', timeout: 30_000 });
  return item;
}

async function closeNotifications(/** @type {Page} */ page) {
  if (await center(page).isVisible()) await page.keyboard.press('Escape');
}

/** @type {{ name: string, run: (ctx: UiContext) => Promise<void> }[]} */
export const tests = [
  {
    name: 'the palette lists "Spark Gateway: Run Doctor" (no double colon)',
    run: async ({ page, screenshot }) => {
      await page.getByRole('tab', { name: /^Spark Gateway/ }).waitFor({ state: 'visible', timeout: 60_000 });
      await commandPalette(page, 'Spark Gateway: Run Doctor');
      await screenshot('palette-run-doctor');
      await page.keyboard.press('Enter');
    },
  },
  {
    name: 'Doctor shows its fixes as the extension\'s commands and fails a gateway image that cannot be pulled',
    run: async ({ page, screenshot }) => {
      await quickInput(page).getByText(/^Doctor: \d+ failed/).waitFor({ state: 'visible', timeout: 120_000 });
      await quickInput(page).getByText(/fix: Open \.env at HF_TOKEN \/ Sync Environment Files/).first().waitFor({ state: 'visible' });
      await screenshot('doctor-fix-buttons');
      await quickInput(page).getByRole('textbox').fill('berriai');
      await quickInput(page).getByText(/cannot be pulled/).first().waitFor({ state: 'visible' });
      await screenshot('doctor-gateway-image-fails');
    },
  },
  {
    name: 'the HF_TOKEN fix opens .env at the HF_TOKEN line',
    run: async ({ page, workspace }) => {
      await quickInput(page).getByRole('textbox').fill('HF_TOKEN');
      await quickInput(page).getByRole('option', { name: /HF_TOKEN set/ }).first().waitFor({ state: 'visible' });
      await page.keyboard.press('Enter');
      const envFile = path.join(workspace, 'stack', '.env');
      await page.getByRole('tab', { name: /^\.env\b/ }).first().waitFor({ state: 'visible', timeout: 30_000 });
      const lines = fs.readFileSync(envFile, 'utf8').split('\n');
      // A .env without the key (the in-host suite writes one) gets "HF_TOKEN=" added as its last line, unsaved.
      const found = lines.findIndex((l) => /^\s*HF_TOKEN\s*=/.test(l)) + 1;
      const line = found > 0 ? found : lines.at(-1) === '' ? lines.length : lines.length + 1;
      const cursor = page.locator('[id="status.editor.selection"]').first();
      await waitUntil(`the cursor on line ${line} of .env`, async () => new RegExp(`Ln ${line},`).test((await cursor.textContent()) ?? ''), 15_000);
      // No screenshot here: the editor would show the .env's (generated) secrets.
      // Leave no unsaved edit behind, and no .env on screen for the screenshots after this one.
      await runCommand(page, 'File: Revert File');
      await runCommand(page, 'View: Close All Editors');
    },
  },
  {
    name: 'Tail Logs with no container says so and offers Start Scenario',
    run: async ({ page, screenshot }) => {
      await runCommand(page, 'Spark Gateway: Tail Logs');
      const note = await notification(page, /No container of the stack exists yet/);
      await note.getByRole('button', { name: 'Start Scenario…' }).waitFor({ state: 'visible' });
      await screenshot('tail-logs-no-container');
    },
  },
  {
    name: 'Stop Scenario with nothing running says so instead of offering stops',
    run: async ({ page, screenshot }) => {
      await closeNotifications(page);
      await runCommand(page, 'Spark Gateway: Stop Scenario…');
      await notification(page, /Nothing of the stack is running/);
      await screenshot('stop-scenario-nothing-runs');
    },
  },
  {
    name: 'Open LiteLLM Admin UI checks the gateway first and says why it cannot open',
    run: async ({ page, screenshot }) => {
      await closeNotifications(page);
      await runCommand(page, 'Spark Gateway: Open LiteLLM Admin UI');
      const note = await notification(page, /The LiteLLM admin UI is not reachable/);
      await note.getByRole('button', { name: 'Run Doctor' }).waitFor({ state: 'visible' });
      await screenshot('admin-ui-gateway-down');
    },
  },
];
