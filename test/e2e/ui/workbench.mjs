// Helpers for UI suites: drive the VS Code workbench the way a person does (command palette,
// quick picks, the Output panel), through roles and labels rather than layout.

/**
 * What run-e2e.mjs hands every UI test.
 * @typedef {{ page: import('playwright-core').Page, workspace: string, userData: string, log: (m: string) => void, screenshot: (name: string) => Promise<string> }} UiContext
 */

/** The quick input (command palette, quick picks). */
export const quickInput = (/** @type {import('playwright-core').Page} */ page) => page.locator('.quick-input-widget');

/**
 * Opens the command palette (F1), types `title` and waits until the command is the first match.
 * Leaves the palette open: press Enter to run it.
 */
export async function commandPalette(/** @type {import('playwright-core').Page} */ page, /** @type {string} */ title) {
  await page.keyboard.press('F1');
  const input = quickInput(page).getByRole('textbox');
  await input.waitFor({ state: 'visible' });
  // Commands of lazily loaded contributions may join the palette a moment after the workbench
  // shows: type again (the palette filters once per input) until the command is listed.
  // An entry's accessible name is the title, then ", <keybinding>" or ", recently used" if any.
  const named = new RegExp(`^${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(,|$)`);
  const option = quickInput(page).getByRole('option', { name: named }).first();
  const deadline = Date.now() + 30_000;
  for (;;) {
    await input.fill(`>${title}`);
    try {
      await option.waitFor({ state: 'visible', timeout: 5_000 });
      break;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await input.fill('>');
    }
  }
  const first = quickInput(page).getByRole('option').first();
  const label = await first.getAttribute('aria-label');
  if (!named.test(label ?? '')) throw new Error(`the palette's first match for "${title}" is "${label}"`);
}

/** Runs a command from the palette by its title ("Category: Title"). */
export async function runCommand(/** @type {import('playwright-core').Page} */ page, /** @type {string} */ title) {
  await commandPalette(page, title);
  await page.keyboard.press('Enter');
}

/**
 * Shows an output channel: Output: Focus on Output View, then the channel in the panel's
 * "Switch Output" drop-down. (The palette's "Output: Show Output Channels..." is not always
 * listed in a fresh window; the view and its drop-down are.)
 */
export async function showOutputChannel(/** @type {import('playwright-core').Page} */ page, /** @type {string} */ channel) {
  await runCommand(page, 'Output: Focus on Output View');
  await quickInput(page).waitFor({ state: 'hidden' });
  await page.locator('.part.panel').getByRole('combobox', { name: 'Switch Output' }).first().selectOption({ label: channel });
  await page.getByRole('textbox', { name: `${channel} - Output` }).waitFor({ state: 'attached' });
}

/** The rendered lines of the output channel shown in the Output panel. */
export async function outputLines(/** @type {import('playwright-core').Page} */ page) {
  return page.locator('.part.panel .monaco-editor[data-uri^="output:"] .view-line').allTextContents()
    .then((lines) => lines.map((l) => l.replace(/\u00a0/g, ' ')));
}

/** Polls `check` until it holds; fails naming `what` after `timeoutMs`. Returns as soon as it holds. */
export async function waitUntil(/** @type {string} */ what, /** @type {() => Promise<boolean> | boolean} */ check, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Clicks the Spark Gateway activity bar entry, then moves the mouse off it (its hover would cover the view). */
export async function openSparkGateway(/** @type {import('playwright-core').Page} */ page) {
  const entry = page.getByRole('tab', { name: /^Spark Gateway/ });
  await entry.waitFor({ state: 'visible', timeout: 60_000 });
  await entry.click();
  await page.mouse.move(800, 450);
}

/**
 * The content frame of a memory webview (VS Code nests two iframes): the one in the side bar or
 * the one in the editor area, told apart by where the webview sits on screen.
 */
export async function memoryFrame(/** @type {import('playwright-core').Page} */ page, /** @type {'side bar' | 'editor'} */ where) {
  const webviews = page.locator('iframe.webview');
  /** @type {number | undefined} */
  let found;
  await waitUntil(`a memory webview in the ${where}`, async () => {
    const boxes = await Promise.all((await webviews.all()).map((w) => w.boundingBox()));
    const index = boxes.findIndex((b) => b !== null && b.width > 0 && (where === 'editor' ? b.x > 200 : b.x < 200));
    found = index >= 0 ? index : undefined;
    return found !== undefined;
  }, 30_000);
  return webviews.nth(/** @type {number} */ (found)).contentFrame().locator('iframe').contentFrame();
}

/** The notification center (it lists every notification, toasts or not). */
export const notificationCenter = (/** @type {import('playwright-core').Page} */ page) => page.locator('.notifications-center');

/** Opens the notification center unless it is open. */
export async function showNotifications(/** @type {import('playwright-core').Page} */ page) {
  if (await notificationCenter(page).isVisible()) return;
  // The status bar's bell opens the center (the palette races with a closing quick pick).
  await page.locator('[id="status.notifications"]').first().click();
  await notificationCenter(page).waitFor({ state: 'visible' });
}

/**
 * Runs `item` from the context menu of `target` (a tree row), with the keyboard as a user may:
 * arrow keys to the item, Enter. A mouse click on the item was ignored at times while the row
 * under the menu redraws (the menu stayed open, and in CI the next click elsewhere hit its
 * overlay); the keyboard picks the item whatever the row does. The menu must close after Enter,
 * or it is closed with Escape (which runs nothing) and opened again.
 */
export async function runFromContextMenu(/** @type {import('playwright-core').Page} */ page, /** @type {import('playwright-core').Locator} */ target, /** @type {string} */ item, timeoutMs = 30_000) {
  const menu = page.locator('.context-view.monaco-menu-container');
  const focused = menu.locator('.action-menu-item:focus');
  await waitUntil(`${item} in the context menu`, async () => {
    if (await menu.isVisible()) await page.keyboard.press('Escape');
    await target.click({ button: 'right', timeout: 5_000 }).catch(() => undefined);
    if (!(await page.getByRole('menuitem', { name: item }).waitFor({ state: 'visible', timeout: 5_000 }).then(() => true, () => false))) return false;
    const entries = await menu.getByRole('menuitem').count();
    for (let i = 0; i <= entries; i++) {
      await page.keyboard.press('ArrowDown');
      const label = (await focused.getAttribute('aria-label', { timeout: 1_000 }).catch(() => null)) ?? (await focused.textContent({ timeout: 1_000 }).catch(() => null));
      if (label?.trim() === item) {
        await page.keyboard.press('Enter');
        return menu.waitFor({ state: 'hidden', timeout: 2_000 }).then(() => true, () => false);
      }
    }
    return false;
  }, timeoutMs);
}

/** Picks the quick pick's option whose accessible name starts with `label` (a whole word). */
export async function chooseOption(/** @type {import('playwright-core').Page} */ page, /** @type {string} */ label) {
  const option = quickInput(page).getByRole('option', { name: new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`) }).first();
  await option.waitFor({ state: 'visible' });
  await option.click();
}
