// `@spark` and the model picker in the real chat view. A gateway is started for these tests —
// the vLLM simulator behind the real LiteLLM (the stack's config.yaml) behind the stack's NGINX
// config on the host NGINX — and the workspace's stack is given its .env (key, HTTPS port) and a
// certificate from its own certs.sh, so the extension finds the gateway as it would on a Spark.
//
// How the chat view reaches a participant in this host (see test/e2e/README.md): the chat
// input's model picker must have a model selected before any participant runs; a new session
// starts on "Auto" (a Copilot selection) and then answers "Language model unavailable". So the
// first test picks "gpt-oss-20b (Spark)" — our provider's model — in the picker.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { quickInput, runCommand, waitUntil } from './workbench.mjs';

/** @typedef {import('./workbench.mjs').UiContext} UiContext */

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const require = createRequire(import.meta.url);
const support = (/** @type {string} */ name) => require(path.join(REPO, 'out', 'test', 'support', `${name}.js`));
const PICKER_NAME = 'gpt-oss-20b (Spark)';
const QUESTION = 'What is unified memory?';

/** @type {{ stop: () => Promise<void> }[]} */
const running = [];

/** Where startGateway wrote the stack's .env. */
const gatewayWorkspace = { dir: '' };

async function startGateway(/** @type {string} */ workspace, /** @type {string} */ userData) {
  gatewayWorkspace.dir = workspace;
  const { startSimulator } = support('simulator');
  const { loopbackConfig, startLiteLlm, startRedis } = support('gateway');
  const { startGatewayNginx } = support('nginx');
  const stackDir = path.join(workspace, 'stack');
  const work = fs.mkdtempSync(path.join(path.dirname(workspace), 'chat-gateway-'));
  // The in-host suite may have made the pair already; certs.sh refuses to overwrite it.
  if (!fs.existsSync(path.join(stackDir, 'ssl', 'public.pem'))) execFileSync('bash', [path.join(stackDir, 'certs.sh')], { stdio: 'pipe' });
  const sim = await startSimulator({ model: 'openai/gpt-oss-20b', servedName: 'gpt-oss-20b', env: { SIM_TOKENS_PER_SECOND: '20' } });
  running.push(sim);
  const redis = await startRedis();
  running.push(redis);
  // Only gpt-oss-20b is loaded: the others point at an address where nothing listens.
  const nothing = 'http://127.0.0.1:9';
  const litellm = await startLiteLlm(loopbackConfig(new Map([['vllm-gpt-oss-20b', sim.url], ['vllm-gpt-oss-120b', nothing], ['vllm-qwen-30b', nothing]]), work, stackDir), redis.port);
  running.push(litellm);
  const nginx = await startGatewayNginx(stackDir, path.join(work, 'nginx'), new URL(litellm.url).host);
  running.push(nginx);
  fs.writeFileSync(path.join(stackDir, '.env'), `NGINX_HTTPS_PORT=${nginx.httpsPort}\nLITELLM_MASTER_KEY=${litellm.masterKey}\n`);
  // A settings change makes the extension re-read the gateway (and tell the picker); the URL is
  // the one the .env implies. gatewayUrl is a machine setting (a workspace may not say where the
  // key goes): it is written where a Remote-SSH user sets it, the remote machine's settings, and
  // removed again when the suite stops.
  const machineSettings = path.join(userData, 'Machine', 'settings.json');
  const before = fs.existsSync(machineSettings) ? fs.readFileSync(machineSettings, 'utf8') : undefined;
  const current = before ? JSON.parse(before) : {};
  fs.mkdirSync(path.dirname(machineSettings), { recursive: true });
  fs.writeFileSync(machineSettings, JSON.stringify({ ...current, 'sparkGateway.gatewayUrl': `https://localhost:${nginx.httpsPort}/v1` }, null, 2));
  running.push({
    stop: async () => {
      if (before === undefined) fs.rmSync(machineSettings, { force: true });
      else fs.writeFileSync(machineSettings, before);
    },
  });
}

/** Opens the chat view ("Chat: Open Chat"; its palette entry's label carries the keybinding too). */
export async function openChat(/** @type {import('playwright-core').Page} */ page) {
  await page.keyboard.press('F1');
  const input = quickInput(page).getByRole('textbox');
  await input.waitFor({ state: 'visible' });
  await input.fill('>Chat: Open Chat');
  await quickInput(page).getByRole('option', { name: /^Chat: Open Chat(,|$)/ }).first().waitFor({ state: 'visible' });
  await page.keyboard.press('Enter');
}

export const chatInput = (/** @type {import('playwright-core').Page} */ page) => page.locator('.interactive-input-part .monaco-editor').first();
export const modelPicker = (/** @type {import('playwright-core').Page} */ page) => page.getByRole('button', { name: /^Models?,|^Pick Model/ }).first();
export const pickerEntry = (/** @type {import('playwright-core').Page} */ page, /** @type {string} */ name) =>
  page.getByRole('menuitemcheckbox', { name }).or(page.getByRole('option', { name })).or(page.getByRole('menuitem', { name })).first();

/** Sends `text` from the chat input and waits for a response that contains `expected`. */
async function ask(/** @type {import('playwright-core').Page} */ page, /** @type {string} */ text, /** @type {RegExp} */ expected) {
  await chatInput(page).click();
  // @spark is sticky: after its first answer the input starts with "@spark " already.
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Backspace');
  await page.keyboard.type(text, { delay: 20 });
  // Close the participant/command suggestions so Enter sends instead of accepting one.
  await page.keyboard.press('Escape');
  await page.keyboard.press('Enter');
  await waitUntil(`a chat response matching ${expected}`, async () => (await page.locator('.interactive-item-container').allTextContents()).some((t) => expected.test(t)), 60_000);
}

/** @type {{ name: string, run: (ctx: UiContext) => Promise<void> }[]} */
export const tests = [
  {
    name: 'the gateway\'s answering model appears in the chat model picker as "gpt-oss-20b (Spark)" and is selected',
    run: async ({ page, workspace, userData, screenshot }) => {
      await startGateway(workspace, userData);
      await openChat(page);
      await chatInput(page).waitFor({ state: 'visible', timeout: 30_000 });
      // The picker re-reads our provider after the settings change; reopen it until the model shows.
      await waitUntil(`"${PICKER_NAME}" in the model picker`, async () => {
        await modelPicker(page).click();
        if (await pickerEntry(page, PICKER_NAME).isVisible().catch(() => false)) return true;
        // The picker shows the selected model and folds the rest under "Other Models" (VS Code
        // selects the first of ours by name, gpt-oss-120b, which does not answer here).
        const other = pickerEntry(page, 'Other Models');
        if (await other.isVisible().catch(() => false)) {
          await other.click();
          if (await pickerEntry(page, PICKER_NAME).isVisible().catch(() => false)) return true;
        }
        await page.keyboard.press('Escape');
        await page.waitForTimeout(1000);
        return false;
      }, 60_000);
      await screenshot('chat-model-picker');
      await pickerEntry(page, PICKER_NAME).click();
      await waitUntil('the picker to show the selected model', async () => ((await modelPicker(page).getAttribute('aria-label')) ?? '').includes('gpt-oss-20b'), 10_000);
    },
  },
  {
    name: '@spark answers a question in the chat view from the simulated model through the gateway',
    run: async ({ page, screenshot }) => {
      await ask(page, `@spark ${QUESTION}`, /Simulated reply from gpt-oss-20b to: What is unified memory\?/);
      await screenshot('chat-spark-answer');
    },
  },
  {
    name: '@spark /models shows which gateway models answer',
    run: async ({ page, screenshot }) => {
      await ask(page, '@spark /models', /gpt-oss-120b[\s\S]*not loaded/);
      await screenshot('chat-spark-models');
    },
  },
  {
    name: '@spark /status lists the stack\'s services with their state',
    run: async ({ page, screenshot }) => {
      await ask(page, '@spark /status', /LiteLLM[\s\S]*vllm-litellm-proxy[\s\S]*gpt-oss-120b/);
      await screenshot('chat-spark-status');
    },
  },
  {
    name: '@spark explains a model that is not loaded, with the fix',
    run: async ({ page, screenshot }) => {
      await ask(page, '@spark /model gpt-oss-120b', /now answers with .?gpt-oss-120b/);
      await ask(page, '@spark Are you there?', /gpt-oss-120b is not available at the gateway[\s\S]*Start a scenario with gpt-oss-120b/);
      await screenshot('chat-spark-model-not-loaded');
    },
  },
  {
    name: 'Open LiteLLM Admin UI checks the gateway, then opens /ui without sending plain HTTP to the HTTPS port',
    run: async ({ page, log }) => {
      const port = /NGINX_HTTPS_PORT=(\d+)/.exec(fs.readFileSync(path.join(gatewayWorkspace.dir, 'stack', '.env'), 'utf8'))?.[1];
      /** @type {import('playwright-core').Page | undefined} */
      let opened;
      page.context().once('page', (p) => (opened = p));
      await runCommand(page, 'Spark Gateway: Open LiteLLM Admin UI');
      // VS Code may ask before opening an external site: "Open".
      await waitUntil('the admin UI to open in a new page', async () => {
        const ask = page.getByRole('button', { name: /^Open$/ });
        if (await ask.isVisible().catch(() => false)) await ask.click();
        return opened !== undefined;
      }, 30_000);
      const url = /** @type {import('playwright-core').Page} */ (opened).url();
      log(`admin UI opened at ${url}`);
      // code-server forwards localhost as <origin>/proxy/<port>/, a plain-HTTP proxy: through it
      // the HTTPS port would answer "400 The plain HTTP request was sent to HTTPS port", so
      // LiteLLM's own port is opened there; a tunnel keeps https://localhost:<port>/ui.
      if (url.includes(`/proxy/${port}/`)) throw new Error(`opened the HTTPS port through a plain-HTTP proxy: ${url}`);
      if (!(url === `https://localhost:${port}/ui` || /\/proxy\/4000\/ui$/.test(url))) throw new Error(`unexpected admin UI URL ${url}`);
      await /** @type {import('playwright-core').Page} */ (opened).close();
    },
  },
  {
    name: 'stops the gateway it started',
    run: async () => {
      for (const p of running.reverse()) await p.stop();
    },
  },
];
