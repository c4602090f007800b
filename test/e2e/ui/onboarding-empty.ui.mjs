// The first minutes in an empty workspace: the Servers view says there is no stack (not the
// bundled stack's rows) and offers Create Stack Here, Open Folder and Point to a Stack; Create
// Stack Here makes `stack/` in the workspace, the tree shows it, and the next steps are buttons.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { openSparkGateway, waitUntil } from './workbench.mjs';

/** @typedef {import('./workbench.mjs').UiContext} UiContext */

/** An empty folder: nothing for the extension to find. */
export function prepareWorkspace(/** @type {string} */ dir) {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
}

const sidebar = (/** @type {import('playwright-core').Page} */ page) => page.locator('.part.sidebar');
const serversTree = (/** @type {import('playwright-core').Page} */ page) => page.getByRole('tree', { name: 'Servers', exact: true });

/** @type {{ name: string, run: (ctx: UiContext) => Promise<void> }[]} */
export const tests = [
  {
    name: 'an empty workspace shows the no-stack welcome view with its buttons, not the bundled rows',
    run: async ({ page, screenshot }) => {
      await openSparkGateway(page);
      await sidebar(page).getByText('No stack in this workspace.', { exact: false }).waitFor({ state: 'visible', timeout: 60_000 });
      for (const name of ['Create Stack Here', 'Open Folder', 'Point to a Stack…']) await sidebar(page).getByRole('button', { name }).waitFor({ state: 'visible' });
      if ((await serversTree(page).getByRole('treeitem').count()) > 0) throw new Error('the tree shows rows in an empty workspace');
      await screenshot('empty-workspace-welcome');
    },
  },
  {
    name: 'Create Stack Here creates stack/ in the workspace; the tree shows it and the next steps are buttons',
    run: async ({ page, workspace, screenshot }) => {
      await sidebar(page).getByRole('button', { name: 'Create Stack Here' }).click();
      await waitUntil('stack/scenarios.yaml in the workspace', () => fs.existsSync(path.join(workspace, 'stack', 'scenarios.yaml')), 30_000);
      if (fs.existsSync(path.join(workspace, 'stack', '.spark-gateway-template'))) throw new Error('the copy carries the template marker');
      await serversTree(page).getByRole('treeitem', { name: /^Model servers/ }).waitFor({ state: 'visible', timeout: 30_000 });
      await serversTree(page).getByRole('treeitem', { name: /^qwen-30b/ }).waitFor({ state: 'visible' });
      const toast = page.locator('.notification-toast').filter({ hasText: 'Stack created in' });
      await toast.waitFor({ state: 'visible', timeout: 30_000 });
      for (const name of ['Sync Env', 'Generate Certificates', 'Start Scenario']) await toast.getByRole('button', { name }).waitFor({ state: 'visible' });
      await screenshot('create-stack-next-steps');
    },
  },
  {
    name: 'its Sync Env button writes .env in the new stack and offers the remaining steps',
    run: async ({ page, workspace, screenshot }) => {
      await page.locator('.notification-toast').filter({ hasText: 'Stack created in' }).getByRole('button', { name: 'Sync Env' }).click();
      await waitUntil('stack/.env written by Sync Env', () => fs.existsSync(path.join(workspace, 'stack', '.env')), 30_000);
      const next = page.locator('.notification-toast').filter({ hasText: 'after Sync Env' });
      await next.getByRole('button', { name: 'Generate Certificates' }).waitFor({ state: 'visible', timeout: 30_000 });
      await screenshot('create-stack-after-sync-env');
    },
  },
  {
    name: 'a stack that does not load shows its error with file:line and the fix in the view',
    run: async ({ page, workspace, screenshot }) => {
      await page.keyboard.press('Escape');
      const file = path.join(workspace, 'stack', 'scenarios.yaml');
      fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('reserveGiB: 8', 'reserveGiB: lots'));
      const line = fs.readFileSync(file, 'utf8').split('\n').findIndex((l) => l.startsWith('reserveGiB: lots')) + 1;
      await serversTree(page).getByRole('treeitem', { name: new RegExp(`^scenarios\\.yaml:${line} does not load`) }).waitFor({ state: 'visible', timeout: 30_000 });
      await serversTree(page).getByRole('treeitem', { name: /^"reserveGiB" must be a number/ }).waitFor({ state: 'visible' });
      await serversTree(page).getByRole('treeitem', { name: /^Fix: correct scenarios\.yaml line \d+ and save/ }).waitFor({ state: 'visible' });
      await serversTree(page).getByRole('treeitem', { name: /^Open scenarios\.yaml:/ }).waitFor({ state: 'visible' });
      await serversTree(page).getByRole('treeitem', { name: /^Reload the stack/ }).waitFor({ state: 'visible' });
      await screenshot('stack-does-not-load');
    },
  },
];
