// The Servers tree live, as a person sees it: three model servers started by hand with `docker run`
// (as the seed allows) in three states at once — gpt-oss-20b healthy (with its /metrics load),
// qwen-30b loading (a long simulated load, so its shard progress shows; a start period like the
// compose file's keeps its failing probes from counting meanwhile), gpt-oss-120b exited
// (tensor-parallel size 3 does not divide gpt-oss's attention heads: vLLM exits with code 1).
// Screenshots of the tree and of the failed row's tooltip. Needs Docker and the simulator image
// under the vLLM tags; it creates and removes those three containers (run under the Docker lock).
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { outputLines, quickInput, runCommand, waitUntil } from './workbench.mjs';

/** @typedef {import('./workbench.mjs').UiContext} UiContext */
/** @typedef {import('playwright-core').Page} Page */

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const IMAGE = 'nvcr.io/nvidia/vllm:26.10-py3';
const CONTAINERS = ['vllm-gpt-oss-20b', 'vllm-qwen-30b', 'vllm-gpt-oss-120b'];

function docker(/** @type {string[]} */ ...args) {
  const r = spawnSync('docker', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`docker ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

function removeContainers() {
  for (const c of CONTAINERS) spawnSync('docker', ['rm', '-f', c], { stdio: 'ignore' });
}

/** `docker run -d` of the simulator under the vLLM image tag, as a user would run vLLM. */
function run(/** @type {string} */ name, /** @type {string} */ served, /** @type {number} */ port, /** @type {string[]} */ extra, /** @type {string[]} */ flags = []) {
  docker('run', '-d', '--name', `vllm-${served}`, '-p', `127.0.0.1:${port}:8000`, ...extra, IMAGE,
    'vllm', 'serve', name, '--served-model-name', served, '--host', '0.0.0.0', '--port', '8000', ...flags);
}

const tree = (/** @type {Page} */ page) => page.getByRole('tree', { name: 'Servers', exact: true });
const rowOf = (/** @type {Page} */ page, /** @type {string} */ model) => tree(page).getByRole('treeitem', { name: new RegExp(`^${model.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`) }).first();
const labelOf = async (/** @type {Page} */ page, /** @type {string} */ model) => (await rowOf(page, model).getAttribute('aria-label')) ?? '';

/** @type {{ name: string, run: (ctx: UiContext) => Promise<void> }[]} */
export const tests = [
  {
    name: 'containers started by hand show as healthy, loading with progress and exited in the Servers tree',
    run: async ({ page, screenshot, log }) => {
      if (spawnSync('docker', ['image', 'inspect', IMAGE], { stdio: 'ignore' }).status !== 0) {
        const built = spawnSync('bash', [path.join(REPO, 'simulator', 'build-image.sh')], { encoding: 'utf8' });
        if (built.status !== 0) throw new Error(`build-image.sh failed: ${built.stderr}`);
      }
      removeContainers();
      run('openai/gpt-oss-20b', 'gpt-oss-20b', 8001, ['-e', 'SIM_LOAD_SECONDS=1', '--health-cmd', 'curl -fsS http://127.0.0.1:8000/health', '--health-interval', '1s', '--health-retries', '3']);
      run('Qwen/Qwen3-Coder-30B-A3B-Instruct-FP8', 'qwen-30b', 8003, ['-e', 'SIM_LOAD_SECONDS=200', '-e', 'SIM_SHARDS=20', '--health-cmd', 'curl -fsS http://127.0.0.1:8000/health', '--health-interval', '2s', '--health-start-period', '900s']);
      run('openai/gpt-oss-120b', 'gpt-oss-120b', 8002, [], ['--tensor-parallel-size', '3']);

      await page.getByRole('tab', { name: /^Spark Gateway/ }).click();
      await tree(page).waitFor({ state: 'visible' });
      await waitUntil('gpt-oss-20b healthy', async () => /healthy/.test(await labelOf(page, 'gpt-oss-20b')), 60_000);
      await waitUntil('gpt-oss-20b showing its load from /metrics', async () => /healthy · (idle|\d+ running · \d+ waiting)/.test(await labelOf(page, 'gpt-oss-20b')), 30_000);
      await waitUntil('qwen-30b loading with shard progress', async () => /loading shard \d+\/20/.test(await labelOf(page, 'qwen-30b')), 60_000);
      await waitUntil('gpt-oss-120b exited with code 1', async () => /exited \(1\)/.test(await labelOf(page, 'gpt-oss-120b')), 30_000);
      for (const m of ['gpt-oss-20b', 'qwen-30b', 'gpt-oss-120b']) log(`${m}: ${await labelOf(page, m)}`);
      await screenshot('live-tree-healthy-loading-exited');
    },
  },
  {
    name: 'the exited row\'s tooltip shows its exit code and last log line',
    run: async ({ page, screenshot }) => {
      const hover = page.locator('.monaco-hover, .workbench-hover').filter({ hasText: 'Exit code' }).first();
      // The tree redraws its rows as live states arrive, and a redraw under the pointer can drop a
      // hover that was about to show: move away and hover again until the tooltip is up.
      await waitUntil('the exited row\'s tooltip', async () => {
        await page.mouse.move(0, 0);
        await rowOf(page, 'gpt-oss-120b').hover({ timeout: 5_000 }).catch(() => undefined);
        return hover.waitFor({ state: 'visible', timeout: 5_000 }).then(() => true, () => false);
      }, 60_000);
      await hover.getByText(/Last log line/).waitFor({ state: 'visible' });
      await screenshot('live-tree-exited-tooltip');
    },
  },
  {
    name: 'Tail Logs opens the container\'s log scrolled to the newest line',
    run: async ({ page, screenshot, log }) => {
      // gpt-oss-20b's health check runs every second and each probe is an access-log line, so its
      // log soon outgrows the panel: "scrolled to the end" is then something the view has to do.
      const logLines = () => {
        const r = spawnSync('docker', ['logs', 'vllm-gpt-oss-20b'], { encoding: 'utf8' });
        return `${r.stdout}${r.stderr}`.split('\n').filter((l) => l.trim());
      };
      await waitUntil('the log to be longer than the panel', () => logLines().length > 60, 90_000);
      await runCommand(page, 'Spark Gateway: Tail Logs');
      const option = quickInput(page).getByRole('option', { name: /^gpt-oss-20b\b/ }).first();
      await option.waitFor({ state: 'visible', timeout: 30_000 });
      await option.click();
      await page.getByRole('textbox', { name: 'Spark Gateway: vllm-gpt-oss-20b - Output' }).waitFor({ state: 'attached', timeout: 30_000 });
      /** @type {string[]} */
      let shown = [];
      await waitUntil('the newest access-log lines in view', async () => {
        shown = (await outputLines(page)).filter((l) => l.trim());
        return shown.length > 0 && /GET \/(health|metrics)/.test(shown.at(-1) ?? '');
      }, 30_000);
      log(`in view: ${shown[0]} … ${shown.at(-1)}`);
      // The log's first line (the simulator's banner) must be out of view.
      if (shown.some((l) => /vLLM simulator .*test double/.test(l))) throw new Error(`the view shows the top of the log: ${shown.slice(0, 2).join(' | ')}`);
      await screenshot('tail-logs-newest-line');
    },
  },
  {
    name: 'removing the containers turns the rows back to not created',
    run: async ({ page }) => {
      removeContainers();
      await waitUntil('gpt-oss-20b not created again', async () => /not created/.test(await labelOf(page, 'gpt-oss-20b')), 30_000);
    },
  },
];
