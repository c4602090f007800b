// The Servers tree and the Memory view of a stack with two extra hosts, in the real VS Code: the
// test hosts of test/support/hosts.ts (network namespaces, each with its own Docker engine and SSH
// server, reached through ssh:// — as a user reaches a second Spark). gpt-oss-20b runs (the
// simulator, from its real compose file) on sg-spark2's engine; sg-spark3's SSH server is stopped,
// so it is unreachable. The extension reaches both through ssh:// with the `ssh` of its PATH;
// run-e2e.mjs puts the test hosts' `ssh` wrapper first there (test/e2e/README.md, "Several hosts").
// Under the Docker lock (fixed container names on every engine).
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { copyStack } from '../profile.mjs';
import { memoryFrame, openSparkGateway, runCommand, waitUntil } from './workbench.mjs';

/** @typedef {import('./workbench.mjs').UiContext} UiContext */

const REPO = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..', '..');
/** @typedef {{ hosts: { name: string, address: string, socket: string }[], stopSshd: (h: unknown) => void, startSshd: (h: unknown) => void, teardown: () => void }} TestHosts */

/** The hosts harness (compiled by `npm run build:tests`), loaded only when this suite runs. */
async function setupHosts() {
  /** @type {{ setupHosts: () => Promise<TestHosts> }} */
  const harness = await import(path.join(REPO, 'out', 'test', 'support', 'hosts.js')).then((m) => m.default ?? m);
  return harness.setupHosts();
}

/** What prepareWorkspace set up, for the last test to take down. */
const state = { /** @type {TestHosts | undefined} */ env: undefined, stack: '' };
const spark = (/** @type {string} */ name) => state.env?.hosts.find((h) => h.name === name) ?? (() => { throw new Error(`no test host ${name}`); })();

/** `docker` against one test host's engine socket (the test's own bookkeeping; the extension goes through ssh). */
const dockerOn = (/** @type {string} */ host, /** @type {string[]} */ args, /** @type {{ cwd?: string, env?: NodeJS.ProcessEnv }} */ options = {}) =>
  execFileSync('docker', ['-H', `unix://${spark(host).socket}`, ...args], { cwd: options.cwd, env: { ...process.env, ...options.env }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000 });

const health = (/** @type {string} */ host) => {
  try {
    return dockerOn(host, ['inspect', '--format', '{{.State.Status}}/{{.State.Health.Status}}', 'vllm-gpt-oss-20b']).trim();
  } catch {
    return 'absent';
  }
};

/**
 * The workspace: a copy of the stack whose scenarios.yaml lists the two hosts by their ssh://
 * endpoints and places gpt-oss-20b on local and sg-spark2, qwen-30b on sg-spark3; gpt-oss-20b
 * started on sg-spark2 from its compose file (published on that host's address only).
 */
export async function prepareWorkspace(/** @type {string} */ dir) {
  state.env = await setupHosts();
  // Its own cache beside the workspace (the hosts share this machine's file system).
  copyStack(REPO, dir, `${dir}-hf-cache`);
  state.stack = path.join(dir, 'stack');
  const file = path.join(state.stack, 'scenarios.yaml');
  const hosts = state.env.hosts.map((h) => `  - name: ${h.name}\n    docker: ssh://root@${h.address}\n    address: ${h.address}\n`).join('');
  const text = fs.readFileSync(file, 'utf8').replace('\nmodels:\n', `\nhosts:\n${hosts}\nmodels:\n`);
  fs.writeFileSync(file, `${text.trimEnd()}\n\n  - name: two-sparks\n    title: "GPT-OSS-20B here and on sg-spark2, Qwen-30B on sg-spark3"\n    variant: spark\n    models:\n      gpt-oss-20b: { fraction: 0.25, hosts: [local, sg-spark2] }\n      qwen-30b: { fraction: 0.45, hosts: [sg-spark3] }\n`);
  execFileSync('bash', [path.join(state.stack, 'sync-env.sh')], { stdio: 'pipe' });
  const folder = path.join(state.stack, 'gpt-oss-20b');
  fs.appendFileSync(path.join(folder, '.env'), '\nSIM_HOLD_MEMORY_MB=64\nSIM_LOAD_SECONDS=1\n');
  try {
    dockerOn('sg-spark2', ['network', 'inspect', 'vllm_network']);
  } catch {
    dockerOn('sg-spark2', ['network', 'create', 'vllm_network']);
  }
  dockerOn('sg-spark2', ['compose', 'up', '-d'], { cwd: folder, env: { VLLM_BIND_ADDRESS: spark('sg-spark2').address, GPT_OSS_20B_GPU_MEMORY_UTILIZATION: '0.25' } });
  await waitUntil('gpt-oss-20b healthy on sg-spark2', () => health('sg-spark2') === 'running/healthy', 120_000);
  state.env.stopSshd(spark('sg-spark3'));
}

const serversTree = (/** @type {import('playwright-core').Page} */ page) => page.getByRole('tree', { name: 'Servers', exact: true });
/**
 * A tree row by its accessible name: VS Code reads a row as its label, a space and its description
 * (when the tooltip is not a plain string, as here).
 */
const treeRow = (/** @type {import('playwright-core').Page} */ page, /** @type {RegExp} */ name) => serversTree(page).getByRole('treeitem', { name }).first();

/** The rows' accessible names in order. */
const rowNames = async (/** @type {import('playwright-core').Page} */ page) => {
  const names = [];
  for (const item of await serversTree(page).getByRole('treeitem').all()) names.push(((await item.getAttribute('aria-label')) ?? '').replace(/\s+/g, ' ').trim());
  return names;
};

/** The text of the row `label` under the host row `host` (the first such row after it). */
async function rowUnder(/** @type {import('playwright-core').Page} */ page, /** @type {string} */ host, /** @type {string} */ label) {
  const names = await rowNames(page);
  const start = names.findIndex((n) => n === host || n.startsWith(`${host} `));
  return start < 0 ? undefined : names.slice(start + 1).find((n) => n === label || n.startsWith(`${label} `));
}

/** @type {{ name: string, run: (ctx: UiContext) => Promise<void> }[]} */
export const tests = [
  {
    name: 'the tree is grouped by host: local with the gateway, sg-spark2 with its healthy replica, sg-spark3 unreachable with the fix',
    run: async ({ page, screenshot }) => {
      await openSparkGateway(page);
      await treeRow(page, /^local [\d.]+ GiB · this machine · gateway$/).waitFor({ timeout: 60_000 });
      await treeRow(page, /^sg-spark2 [\d.]+ GiB · ssh:\/\/root@10\.231\.7\.2$/).waitFor({ timeout: 60_000 });
      await treeRow(page, /^sg-spark3\s.*unreachable/).waitFor({ timeout: 60_000 });
      // The SSH step that failed and its fix, as the one row under the host.
      await treeRow(page, /SSH server of ssh:\/\/root@10\.231\.7\.3 .*refused/).waitFor({ timeout: 60_000 });
      await waitUntil('gpt-oss-20b healthy under sg-spark2', async () => /healthy/.test((await rowUnder(page, 'sg-spark2', 'gpt-oss-20b')) ?? ''), 60_000);
      const names = await rowNames(page);
      for (const label of ['Gateway', 'Model servers', 'NGINX']) if (!names.some((n) => n.startsWith(`${label}`))) throw new Error(`${label} missing from the main host: ${names.join(' | ')}`);
      // The main host's gpt-oss-20b is its own row, with its own (absent) state.
      if (/healthy/.test((await rowUnder(page, 'local', 'gpt-oss-20b')) ?? 'healthy')) throw new Error(`local's gpt-oss-20b shows sg-spark2's state: ${names.join(' | ')}`);
      await page.mouse.move(800, 450);
      await screenshot('hosts-tree-sg-spark3-unreachable');
    },
  },
  {
    name: 'while sg-spark3 is unreachable, sg-spark2 keeps updating (its replica stopped and started again)',
    run: async ({ page }) => {
      dockerOn('sg-spark2', ['stop', '--time', '2', 'vllm-gpt-oss-20b']);
      await waitUntil('gpt-oss-20b exited under sg-spark2', async () => /exited/.test((await rowUnder(page, 'sg-spark2', 'gpt-oss-20b')) ?? ''), 60_000);
      await treeRow(page, /^sg-spark3\s.*unreachable/).waitFor();
      dockerOn('sg-spark2', ['start', 'vllm-gpt-oss-20b']);
      await waitUntil('gpt-oss-20b healthy again under sg-spark2', async () => /healthy/.test((await rowUnder(page, 'sg-spark2', 'gpt-oss-20b')) ?? ''), 90_000);
    },
  },
  {
    name: 'sg-spark3 comes back by itself once its SSH server runs again',
    run: async ({ page, screenshot }) => {
      state.env?.startSshd(spark('sg-spark3'));
      // Back-off is at most 15 s between attempts.
      await treeRow(page, /^sg-spark3 [\d.]+ GiB · ssh:\/\/root@10\.231\.7\.3$/).waitFor({ timeout: 60_000 });
      await waitUntil('qwen-30b listed under sg-spark3', async () => (await rowUnder(page, 'sg-spark3', 'qwen-30b')) !== undefined, 30_000);
      await page.mouse.move(800, 450);
      await screenshot('hosts-tree-all-reachable');
    },
  },
  {
    name: 'the Memory panel shows each host\'s pool and the models placed on it',
    run: async ({ page, screenshot }) => {
      await runCommand(page, 'Spark Gateway: Show Memory Headroom');
      await page.getByRole('tab', { name: /Spark Gateway: Memory/ }).waitFor();
      const panel = await memoryFrame(page, 'editor');
      const spark2 = panel.locator('section.host[data-host="sg-spark2"]');
      await spark2.locator('section.models .model').first().waitFor({ timeout: 60_000 });
      const text = await spark2.innerText();
      if (!/(Unified memory|System memory|Memory) of sg-spark2/.test(text) || !text.includes('gpt-oss-20b')) throw new Error(`sg-spark2's section lacks its pool or model: ${text}`);
      await panel.locator('section.host[data-host="sg-spark3"] section.models').waitFor({ timeout: 30_000 });
      await panel.getByRole('heading', { name: /^Models on local/ }).waitFor();
      await screenshot('hosts-memory-panel');
      await spark2.scrollIntoViewIfNeeded();
      await screenshot('hosts-memory-panel-sg-spark2');
    },
  },
  {
    name: 'the replica on sg-spark2 is removed again and sg-spark3\'s SSH server runs',
    run: async () => {
      try {
        if (state.stack) dockerOn('sg-spark2', ['compose', 'down', '--timeout', '5'], { cwd: path.join(state.stack, 'gpt-oss-20b') });
      } finally {
        if (state.env) {
          state.env.startSshd(spark('sg-spark3'));
          state.env.teardown();
        }
      }
    },
  },
];
