// `@spark` when nothing runs, on a profile whose chat view was never opened (this file sorts
// before chat.ui.mjs, which starts a gateway): no model server, no LiteLLM, no NGINX. *Ask @spark*
// opens the chat with a Spark model selected — without it a new chat sits on Copilot's "Auto"
// and every request answers "Language model unavailable" before @spark's handler runs — and
// /status, /start and /models answer without a model; a prompt gets the fix.
import { runCommand, waitUntil } from './workbench.mjs';

/** @typedef {import('./workbench.mjs').UiContext} UiContext */
/** @typedef {import('playwright-core').Page} Page */

const chatInput = (/** @type {Page} */ page) => page.locator('.interactive-input-part .monaco-editor').first();
const modelPicker = (/** @type {Page} */ page) => page.getByRole('button', { name: /^Models?,|^Pick Model/ }).first();
const responses = (/** @type {Page} */ page) => page.locator('.interactive-item-container');

/** Sends `@spark <text>` from the chat input and waits for a response matching `expected`. */
async function ask(/** @type {Page} */ page, /** @type {string} */ text, /** @type {RegExp} */ expected) {
  await chatInput(page).click();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Backspace');
  await page.keyboard.type(`@spark ${text}`, { delay: 20 });
  // Close the participant/command suggestions so Enter sends instead of accepting one.
  await page.keyboard.press('Escape');
  await page.keyboard.press('Enter');
  await waitUntil(`a chat response matching ${expected}`, async () => (await responses(page).allTextContents()).some((t) => expected.test(t)), 60_000);
}

/** @type {{ name: string, run: (ctx: UiContext) => Promise<void> }[]} */
export const tests = [
  {
    name: 'Ask @spark opens the chat with "@spark " typed and a Spark model selected, with the gateway down',
    run: async ({ page, screenshot, log }) => {
      await page.getByRole('tab', { name: /^Spark Gateway/ }).waitFor({ state: 'visible', timeout: 60_000 });
      await runCommand(page, 'Spark Gateway: Ask @spark');
      await chatInput(page).waitFor({ state: 'visible', timeout: 30_000 });
      await waitUntil('the chat input to hold "@spark"', async () => /@spark/.test((await chatInput(page).textContent()) ?? ''), 15_000);
      await waitUntil('a "(Spark)" model selected in the picker', async () => /\(Spark\)/.test((await modelPicker(page).getAttribute('aria-label')) ?? ''), 30_000);
      log(`picker: ${await modelPicker(page).getAttribute('aria-label')}`);
      await screenshot('ask-spark-fresh-profile');
    },
  },
  {
    name: '@spark /status answers with the gateway down',
    run: async ({ page, screenshot }) => {
      // The first message sent from the input Ask @spark prepared: "@spark " plus the command.
      await chatInput(page).click();
      await page.keyboard.press('End');
      await page.keyboard.type('/status', { delay: 20 });
      await page.keyboard.press('Escape');
      await page.keyboard.press('Enter');
      await waitUntil('/status to list the services', async () => (await responses(page).allTextContents()).some((t) => /NGINX[\s\S]*vllm-nginx-proxy[\s\S]*not created[\s\S]*gpt-oss-120b/.test(t)), 60_000);
      const text = (await responses(page).allTextContents()).join('\n');
      if (/Language model unavailable/.test(text)) throw new Error('the chat answered "Language model unavailable"');
      await screenshot('chat-offline-status');
    },
  },
  {
    name: '@spark /start answers with the gateway down, with buttons only for scenarios that fit',
    run: async ({ page, screenshot }) => {
      await ask(page, '/start', /Scenarios in scenarios\.yaml that fit this machine/);
      await screenshot('chat-offline-start');
    },
  },
  {
    name: '@spark /models lists the stack\'s models when the gateway cannot be asked',
    run: async ({ page, screenshot }) => {
      await ask(page, '/models', /gateway (is not answering|cannot be asked)[\s\S]*gpt-oss-20b[\s\S]*gpt-oss-120b[\s\S]*qwen-30b/);
      await screenshot('chat-offline-models');
    },
  },
  {
    name: 'a prompt to @spark with nothing running says what is wrong and the fix',
    run: async ({ page, screenshot }) => {
      await ask(page, 'Hello?', /Spark Gateway:[\s\S]*Fix:/);
      await screenshot('chat-offline-prompt-fix');
    },
  },
];
