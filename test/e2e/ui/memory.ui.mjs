// The Memory view in the real VS Code, as a person uses it, with two simulated model servers
// running: Scenario 2 started from the workspace's stack copy by `docker compose` with its
// fractions (as `spark-gateway up` passes them), each simulator holding a little memory
// (SIM_HOLD_MEMORY_MB, scaled down) so Docker stats move. Screenshots: the view in the side bar,
// the panel with the running scenario, and the panel with a scenario that does not fit.
// Docker: run the e2e suite under `flock /work/notes/docker.lock` (fixed container names).
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { memoryFrame, runCommand, waitUntil } from './workbench.mjs';

/** @typedef {import('./workbench.mjs').UiContext} UiContext */

const MODELS = [
  { folder: 'gpt-oss-20b', container: 'vllm-gpt-oss-20b', env: 'GPT_OSS_20B_GPU_MEMORY_UTILIZATION', fraction: '0.25', holdMb: 96 },
  { folder: 'qwen-30b', container: 'vllm-qwen-30b', env: 'QWEN_30B_GPU_MEMORY_UTILIZATION', fraction: '0.45', holdMb: 48 },
];

const docker = (/** @type {string[]} */ args, /** @type {{ cwd?: string, env?: NodeJS.ProcessEnv }} */ options = {}) =>
  execFileSync('docker', args, { cwd: options.cwd, env: { ...process.env, ...options.env }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000 });

/** What the first test set up, for the last one to take down. */
const started = { createdNetwork: false, stack: '' };

/** The scenario chosen in the webview's select (its value; the label lives in its shadow root). */
const chosenScenario = (/** @type {import('playwright-core').FrameLocator} */ frame) =>
  frame.locator('vscode-single-select').evaluate((e) => /** @type {{ value: string }} */ (/** @type {unknown} */ (e)).value);

/** @type {{ name: string, run: (ctx: UiContext) => Promise<void> }[]} */
export const tests = [
  {
    name: 'Scenario 2 runs on simulators holding memory',
    run: async ({ workspace, log }) => {
      const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..', '..');
      execFileSync('bash', [path.join(repo, 'simulator', 'build-image.sh')], { stdio: 'pipe', timeout: 300_000 });
      try {
        docker(['network', 'inspect', 'vllm_network']);
      } catch {
        docker(['network', 'create', 'vllm_network']);
        started.createdNetwork = true;
      }
      started.stack = path.join(workspace, 'stack');
      execFileSync('bash', [path.join(started.stack, 'sync-env.sh')], { stdio: 'pipe' });
      for (const m of MODELS) {
        fs.appendFileSync(path.join(started.stack, m.folder, '.env'), `\nSIM_HOLD_MEMORY_MB=${m.holdMb}\nSIM_LOAD_SECONDS=1\n`);
        docker(['compose', 'up', '-d'], { cwd: path.join(started.stack, m.folder), env: { [m.env]: m.fraction } });
      }
      for (const m of MODELS) {
        await waitUntil(`${m.container} healthy`, () => {
          try {
            return docker(['inspect', '--format', '{{.State.Health.Status}}', m.container]).trim() === 'healthy';
          } catch {
            return false; // not created yet
          }
        }, 120_000);
      }
      log('Scenario 2 is up on simulators');
    },
  },
  {
    name: 'the Memory view in the side bar draws the pool, both models and the running scenario',
    run: async ({ page, screenshot }) => {
      await page.getByRole('tab', { name: /^Spark Gateway/ }).first().click();
      const header = page.getByRole('button', { name: /^Memory/ }).first();
      await header.waitFor({ state: 'visible' });
      if ((await header.getAttribute('aria-expanded')) === 'false') await header.click();
      const view = await memoryFrame(page, 'side bar');
      await view.locator('section.models .model').nth(1).waitFor({ timeout: 60_000 });
      await waitUntil('the running scenario to be chosen', async () => (await chosenScenario(view)) === 'scenario-2');
      // Its models all run: "Runs now", not "does not fit … all its models already run" (Scenario 2's plan needs a 128 GB Spark).
      await view.locator('.verdict', { hasText: 'Runs now' }).waitFor({ timeout: 30_000 });
      // The model states are the tree's (healthy, as Docker's health check and the state model say).
      await waitUntil('both models shown healthy', async () => (await view.locator('section.models .model .state').allTextContents()).filter((t) => t === 'healthy').length === 2, 30_000);
      // The bar's parts are the figures beside it: models + other processes = used, page cache + free = available.
      const pool = await view.locator('section.pool').innerText();
      const figure = (/** @type {RegExp} */ re) => Number(re.exec(pool)?.[1] ?? Number.NaN);
      const [models, other, cache, free] = [/Models ([\d.]+) GiB/, /Other processes ([\d.]+) GiB/, /Page cache ([\d.]+) GiB/, /Free ([\d.]+) GiB/].map(figure);
      const [available, used] = [/([\d.]+) GiB available/, /([\d.]+) GiB used/].map(figure);
      // Each figure is rounded to 0.1 GiB on its own, so two of them differ from their sum by at most 0.1.
      if (!(Math.abs(models + other - used) <= 0.11 && Math.abs(cache + free - available) <= 0.11)) throw new Error(`the figures do not add up: ${pool}`);
      await screenshot('memory-view-side-bar');
    },
  },
  {
    name: 'Show Memory Headroom opens the panel with two running models against their budgets',
    run: async ({ page, screenshot }) => {
      await runCommand(page, 'Spark Gateway: Show Memory Headroom');
      await page.getByRole('tab', { name: /Spark Gateway: Memory/ }).waitFor();
      const panel = await memoryFrame(page, 'editor');
      const models = panel.locator('section.models');
      await models.locator('.model').nth(1).waitFor({ timeout: 60_000 });
      const text = await models.innerText();
      for (const name of ['gpt-oss-20b', 'qwen-30b']) if (!text.includes(name)) throw new Error(`${name} missing from the panel: ${text}`);
      if (!/GiB used of .* budget \(0\.25 × total\)/.test(text)) throw new Error(`no budget for gpt-oss-20b: ${text}`);
      await screenshot('memory-panel-scenario-2-running');
    },
  },
  {
    name: 'choosing a scenario that does not fit shows the verdict and the reasons',
    run: async ({ page, screenshot }) => {
      const panel = await memoryFrame(page, 'editor');
      await panel.locator('vscode-single-select').click();
      await panel.getByRole('option', { name: /^All three models/ }).click();
      await panel.locator('.verdict', { hasText: 'Does not fit' }).waitFor();
      await panel.locator('.reasons li').first().waitFor();
      if ((await chosenScenario(panel)) !== 'all') throw new Error('the select does not show the chosen scenario');
      await screenshot('memory-panel-all-does-not-fit');
    },
  },
  {
    name: 'the simulated models are stopped again',
    run: async () => {
      for (const m of MODELS) {
        const dir = path.join(started.stack, m.folder);
        if (fs.existsSync(dir)) {
          docker(['compose', 'down', '--volumes', '--timeout', '5'], { cwd: dir });
          continue;
        }
        // The profile folder is gone (the run was interrupted): remove the container by name, but only if this run made it.
        let from = '';
        try {
          from = docker(['inspect', '--format', '{{index .Config.Labels "com.docker.compose.project.working_dir"}}', m.container]).trim();
        } catch {
          continue; // no such container
        }
        if (from === dir) docker(['rm', '-f', m.container]);
      }
      if (started.createdNetwork) docker(['network', 'rm', 'vllm_network']);
    },
  },
];
