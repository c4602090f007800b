// The first start as a person sees it in VS Code, on a machine where the model server's image is
// only in a registry (Debian's docker-registry on loopback, behind a throttling proxy so the pull
// lasts a few seconds) and the weights only on the Hub (the Hub STAND-IN of
// test/support/hub-standin.ts, a test double on loopback, serving a made-up checkpoint slowly):
// Start Scenario… shows "pulling 3.1/33.6 MB · 40 s left" in the Servers tree row (its short form)
// and "pulling image 3.1 / 33.6 MB · 1.2 MB/s · 40 s left" in the start notification, whose
// Cancel leaves no half-tagged image; the next start shows "downloading …" the same way, its
// figures never going back; Cancel keeps the partial file; Download Models from the row's context menu continues it
// (a Range request, no finished file fetched twice); the third start only loads ("loading …");
// Free Disk Space lists the cached model (size, last used) and removes it after a confirmation;
// Download Models from the palette fetches it again. Screenshots of each step.
// Needs Docker and docker-registry; starts and removes vllm-gpt-oss-20b (run under the Docker lock).
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chooseOption, openSparkGateway, quickInput, runCommand, runFromContextMenu, showNotifications, waitUntil } from './workbench.mjs';

/** @typedef {import('./workbench.mjs').UiContext} UiContext */
/** @typedef {import('playwright-core').Page} Page */

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const require = createRequire(import.meta.url);
const support = (/** @type {string} */ name) => require(path.join(REPO, 'out', 'test', 'support', `${name}.js`));
const { startHubStandIn } = support('hub-standin');
const { imagePresent, pushUniqueImage, removeImage, startRegistry } = support('registry');
const { startThrottleProxy } = support('throttle-proxy');
const { ensureSimulatorImage } = support('docker');

const MODEL = 'gpt-oss-20b';
const REPO_ID = 'openai/gpt-oss-20b';
const CONTAINER = `vllm-${MODEL}`;
const MB = 1024 * 1024;
const SHARDS = [randomBytes(12 * MB), randomBytes(12 * MB)];
const SHARD_NAMES = SHARDS.map((_, i) => `model-0000${i + 1}-of-0000${SHARDS.length}.safetensors`);
/** The blobs' names: an LFS file's sha256, as the Hub lists it. */
const SHARD_BLOBS = SHARDS.map((bytes) => createHash('sha256').update(bytes).digest('hex'));

/** @type {{ registry?: any, proxy?: any, hub?: any, image: string, cache: string }} */
const state = { image: '', cache: '' };

/** A copy of the stack whose .env points at the registry's image, the Hub stand-in and a temp cache. */
export async function prepareWorkspace(/** @type {string} */ dir, /** @type {{ repo: string }} */ { repo }) {
  ensureSimulatorImage();
  spawnSync('docker', ['rm', '-f', CONTAINER], { stdio: 'ignore' });
  state.registry = await startRegistry();
  // 6 MB/s: the pull (every layer: dockerd does not know the registry's digests of locally
  // built layers) takes ~15 s. The push goes to the registry itself: pushUniqueImage blocks this
  // process, which serves the proxy.
  state.proxy = await startThrottleProxy(state.registry.host, 6 * MB);
  const tag = `spark-test/vllm:first-start-ui-${process.pid}`;
  pushUniqueImage('nvcr.io/nvidia/vllm:26.10-py3', `${state.registry.host}/${tag}`, 32);
  state.image = `${state.proxy.host}/${tag}`;
  state.hub = await startHubStandIn([{
    id: REPO_ID,
    sha: 'e2e0f125a7'.padEnd(40, '0'),
    files: [{ path: 'config.json', content: '{"architectures":["GptOssForCausalLM"]}\n' }, ...SHARDS.map((bytes, i) => ({ path: SHARD_NAMES[i], bytes }))],
  }]);
  // ~1.3 MB/s: the 24 MB of shards take ~20 s.
  state.hub.faults.slow = { path: /\.safetensors$/, chunkBytes: 64 * 1024, delayMs: 50 };
  state.cache = fs.mkdtempSync(path.join(tmpdir(), 'spark-e2e-hf-'));
  fs.rmSync(dir, { recursive: true, force: true });
  const stack = path.join(dir, 'stack');
  fs.cpSync(path.join(repo, 'stack'), stack, { recursive: true, filter: (src) => !/(^|\/)(\.env|ssl|\.spark-gateway-template)$/.test(path.relative(path.join(repo, 'stack'), src)) });
  // As a user would: the settings in .env (through .env.example), then sync-env passes them on.
  fs.appendFileSync(path.join(stack, '.env.example'), `\nVLLM_SPARK_IMAGE=${state.image}\nHF_ENDPOINT=${state.hub.url}\nHF_CACHE_DIR=${state.cache}\n`);
  execFileSync('bash', [path.join(stack, 'sync-env.sh')], { stdio: 'pipe' });
}

const escape = (/** @type {string} */ s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const tree = (/** @type {Page} */ page) => page.getByRole('tree', { name: 'Servers', exact: true });
const row = (/** @type {Page} */ page) => tree(page).getByRole('treeitem', { name: new RegExp(`^${escape(MODEL)}\\b`) }).first();
const rowLabel = async (/** @type {Page} */ page) => (await row(page).getAttribute('aria-label')) ?? '';
/** A notification shown as a toast or in the notification center, whichever is on screen. */
const notification = (/** @type {Page} */ page, /** @type {RegExp} */ text) => page.locator('.notification-list-item').filter({ hasText: text, visible: true }).first();
const blobs = () => path.join(state.cache, 'hub', `models--${REPO_ID.replace('/', '--')}`, 'blobs');
const listBlobs = () => (fs.existsSync(blobs()) ? fs.readdirSync(blobs()) : []);

const choose = chooseOption;

/** Start Scenario… → the model's own scenario, spark, simulator, models only. */
async function startModelOnly(/** @type {Page} */ page) {
  await runCommand(page, 'Spark Gateway: Start Scenario…');
  await choose(page, MODEL);
  await choose(page, 'spark');
  await choose(page, 'simulator');
  await choose(page, 'Models only');
}

/**
 * The fractions a progress text shows, in order of arrival, read while `until` has not held:
 * `pulling 12.3/33.6 MB` → 12.3. A value lower than the one before is a bar going back.
 */
async function watchFigures(/** @type {() => Promise<string>} */ read, /** @type {RegExp} */ figure, /** @type {() => Promise<boolean>} */ until, timeoutMs = 90_000) {
  /** @type {number[]} */
  const seen = [];
  await waitUntil('the progress to move on', async () => {
    const match = figure.exec(await read());
    if (match && Number(match[1]) !== seen.at(-1)) seen.push(Number(match[1]));
    return until();
  }, timeoutMs);
  return seen;
}

/** @type {{ name: string, run: (ctx: UiContext) => Promise<void> }[]} */
export const tests = [
  {
    name: 'Start pulls the image: the tree row and the notification show the bytes, with Cancel',
    run: async ({ page, screenshot, log }) => {
      if (imagePresent(state.image)) throw new Error('the image is present before the start');
      await openSparkGateway(page);
      await row(page).waitFor({ state: 'visible', timeout: 60_000 });
      await startModelOnly(page);
      await waitUntil('"pulling" in the tree row', async () => /pulling [\d.]+\/[\d.]+ MB · \d+ s left/.test(await rowLabel(page)), 90_000);
      await showNotifications(page);
      const start = notification(page, new RegExp(`Starting ${escape(MODEL)}`));
      await start.getByText(/pulling image [\d.]+ \/ [\d.]+ MB/).waitFor({ state: 'visible', timeout: 30_000 });
      await start.getByRole('button', { name: 'Cancel' }).waitFor({ state: 'visible' });
      log(`row: ${await rowLabel(page)}`);
      await screenshot('first-start-pulling-tree-and-notification');
    },
  },
  {
    name: 'Cancel during the pull leaves no half-tagged image and says so',
    run: async ({ page, screenshot }) => {
      await showNotifications(page);
      await notification(page, new RegExp(`Starting ${escape(MODEL)}`)).getByRole('button', { name: 'Cancel' }).click();
      await notification(page, new RegExp(`Start of ${escape(MODEL)} cancelled`)).waitFor({ state: 'visible', timeout: 30_000 });
      await waitUntil('the tree row without the pull', async () => !/pulling/.test(await rowLabel(page)), 15_000);
      await screenshot('first-start-pull-cancelled');
      if (imagePresent(state.image)) throw new Error('a cancelled pull left the image tagged');
      if (spawnSync('docker', ['container', 'inspect', CONTAINER], { stdio: 'ignore' }).status === 0) throw new Error('a cancelled start created the container');
    },
  },
  {
    name: 'the next start pulls to the end, then downloads: rate and time left in the row and the notification, never going back',
    run: async ({ page, screenshot, log }) => {
      await page.keyboard.press('Escape');
      await startModelOnly(page);
      const pulled = await watchFigures(() => rowLabel(page), /pulling ([\d.]+)\//, async () => /downloading/.test(await rowLabel(page)));
      log(`pull figures seen in the row: ${pulled.join(', ')}`);
      if (!imagePresent(state.image)) throw new Error('the download began before the image was present');
      await showNotifications(page);
      const start = notification(page, new RegExp(`Starting ${escape(MODEL)}`));
      await start.getByText(/downloading [\d.]+ \/ [\d.]+ MB · [\d.]+ (kB|MB)\/s · \d+ s left/).waitFor({ state: 'visible', timeout: 30_000 });
      await waitUntil('time left in the tree row', async () => /downloading [\d.]+\/[\d.]+ MB · \d+ s left/.test(await rowLabel(page)), 15_000);
      log(`row: ${await rowLabel(page)}`);
      await screenshot('first-start-downloading-tree-and-notification');
      const downloaded = await watchFigures(() => rowLabel(page), /downloading ([\d.]+)\//, async () => listBlobs().includes(SHARD_BLOBS[0]) && listBlobs().includes(`${SHARD_BLOBS[1]}.incomplete`), 60_000);
      log(`download figures seen in the row: ${downloaded.join(', ')}`);
      for (const figures of [pulled, downloaded]) {
        if (figures.some((v, i) => i > 0 && v < (figures[i - 1] ?? 0))) throw new Error(`the progress went back: ${figures.join(', ')}`);
      }
      if (downloaded.length < 2) throw new Error(`the download's figure did not move: ${downloaded.join(', ')}`);
    },
  },
  {
    name: 'Cancel during the download keeps the partial file, and the finished ones',
    run: async ({ page, screenshot }) => {
      await showNotifications(page);
      await notification(page, new RegExp(`Starting ${escape(MODEL)}`)).getByRole('button', { name: 'Cancel' }).click();
      await notification(page, new RegExp(`Start of ${escape(MODEL)} cancelled`)).waitFor({ state: 'visible', timeout: 30_000 });
      await screenshot('first-start-download-cancelled');
      if (!listBlobs().includes(SHARD_BLOBS[0]) || !listBlobs().includes(`${SHARD_BLOBS[1]}.incomplete`)) throw new Error(`not the finished shard and the partial one: ${listBlobs().join(', ')}`);
      if (spawnSync('docker', ['container', 'inspect', CONTAINER], { stdio: 'ignore' }).status === 0) throw new Error('a cancelled start created the container');
    },
  },
  {
    name: 'Download Models in the row\'s context menu continues where it stopped, fetching no finished file twice',
    run: async ({ page, screenshot }) => {
      const before = state.hub.requests.length;
      await page.keyboard.press('Escape');
      await runFromContextMenu(page, row(page), 'Download Models');
      await showNotifications(page);
      const download = notification(page, new RegExp(`Downloading ${escape(MODEL)}`));
      // The title says "Downloading": the message is the figure.
      await download.getByText(/: [\d.]+ \/ [\d.]+ MB · [\d.]+ (kB|MB)\/s · \d+ s left/).waitFor({ state: 'visible', timeout: 30_000 });
      await waitUntil('the download in the tree row', async () => /downloading [\d.]+\/[\d.]+ MB/.test(await rowLabel(page)), 15_000);
      await download.getByRole('button', { name: 'Cancel' }).waitFor({ state: 'visible' });
      await screenshot('download-models-from-row-menu');
      await notification(page, new RegExp(`${escape(MODEL)}: \\d file\\(s\\) downloaded`)).waitFor({ state: 'visible', timeout: 90_000 });
      await screenshot('download-models-done');
      const fetched = state.hub.requests.slice(before).filter((/** @type {{ method: string, path: string }} */ r) => r.method === 'GET' && /\/resolve\//.test(r.path));
      const resumed = fetched.filter((/** @type {{ range?: string }} */ r) => r.range && !/^bytes=0-/.test(r.range));
      if (resumed.length !== 1) throw new Error(`expected one resumed (Range) request: ${JSON.stringify(fetched)}`);
      const names = fetched.map((/** @type {{ path: string }} */ r) => r.path.split('/').pop());
      if (names.join() !== SHARD_NAMES[1]) throw new Error(`fetched ${names.join(', ')}, not only the unfinished ${SHARD_NAMES[1]}`);
      if (listBlobs().some((b) => b.endsWith('.incomplete'))) throw new Error(`a partial file is left: ${listBlobs().join(', ')}`);
    },
  },
  {
    name: 'the third start only loads: vLLM\'s "loading" in the row, then healthy',
    run: async ({ page, screenshot, log }) => {
      const before = state.hub.requests.length;
      await page.keyboard.press('Escape');
      await startModelOnly(page);
      await waitUntil('"loading" in the tree row', async () => /loading/.test(await rowLabel(page)), 120_000);
      log(`row: ${await rowLabel(page)}`);
      await showNotifications(page);
      await screenshot('first-start-loading-tree-and-notification');
      await notification(page, new RegExp(`${escape(MODEL)} is up`)).waitFor({ state: 'visible', timeout: 180_000 });
      await waitUntil('healthy in the tree row', async () => /healthy/.test(await rowLabel(page)), 60_000);
      await screenshot('first-start-healthy');
      if (state.hub.requests.slice(before).some((/** @type {{ path: string }} */ r) => /\/resolve\//.test(r.path) && /safetensors/.test(r.path))) throw new Error('the third start downloaded weights again');
    },
  },
  {
    name: 'Free Disk Space lists the cached model with size and last use, and removes it after a confirmation',
    run: async ({ page, screenshot }) => {
      spawnSync('docker', ['rm', '-f', CONTAINER], { stdio: 'ignore' });
      await page.keyboard.press('Escape');
      await runCommand(page, 'Spark Gateway: Free Disk Space');
      await quickInput(page).getByText(REPO_ID, { exact: true }).waitFor({ state: 'visible', timeout: 30_000 });
      await quickInput(page).getByText(/25\.2 MB +last used today/).first().waitFor({ state: 'visible' });
      await screenshot('free-disk-space-pick');
      await quickInput(page).getByText(REPO_ID, { exact: true }).click();
      await quickInput(page).getByRole('button', { name: 'OK' }).click();
      const dialog = page.locator('.monaco-dialog-box');
      await dialog.getByText(new RegExp(`Remove ${escape(REPO_ID)} \\(25\\.2 MB\\)`)).waitFor({ state: 'visible', timeout: 15_000 });
      await screenshot('free-disk-space-confirm');
      await dialog.getByRole('button', { name: 'Remove' }).click();
      await waitUntil('the model gone from the cache', () => !fs.existsSync(path.dirname(blobs())), 15_000);
    },
  },
  {
    name: 'Download Models from the palette fetches a scenario\'s weights again; everything is cleaned up',
    run: async ({ page, screenshot }) => {
      try {
        state.hub.faults.slow = undefined;
        await runCommand(page, 'Spark Gateway: Download Models');
        await choose(page, MODEL);
        await showNotifications(page);
        await notification(page, new RegExp(`${escape(MODEL)}: 3 file\\(s\\) downloaded`)).waitFor({ state: 'visible', timeout: 60_000 });
        await screenshot('download-models-from-palette-done');
        const sizes = fs.readdirSync(blobs()).map((b) => fs.statSync(path.join(blobs(), b)).size).sort((a, b) => a - b);
        if (sizes.join() !== [40, 12 * MB, 12 * MB].join()) throw new Error(`blobs: ${sizes.join(', ')}`);
      } finally {
        spawnSync('docker', ['rm', '-f', CONTAINER], { stdio: 'ignore' });
        if (state.image && imagePresent(state.image)) removeImage(state.image);
        await state.hub?.stop();
        await state.proxy?.stop();
        await state.registry?.stop();
        if (state.cache) fs.rmSync(state.cache, { recursive: true, force: true });
      }
    },
  },
];
