#!/usr/bin/env node
// End-to-end tests in a real VS Code: code-server (VS Code server 1.139) driven by headless Chromium.
//
//   npm run test:e2e    (packages the .vsix, compiles the tests, then runs this file)
//
// 1. Makes a throw-away profile under .e2e/ (user data with seeded settings, extensions folder,
//    a workspace holding a copy of the repo's stack/), installs spark-gateway.vsix into it.
// 2. Starts code-server on 127.0.0.1 (free port, no auth, no telemetry, no update check, no gallery).
// 3. In-host suites: code-server runs with `--vscode-option enable-smoke-test-driver` (a built
//    VS Code web client ignores the URL's development payload without it; it also hides
//    notification toasts, so step 4 gets a code-server of its own without it) and the workbench is
//    opened with `payload=[["extensionDevelopmentPath", <the installed extension's folder>],
//    ["extensionTestsPath", <out/test/e2e/suite/index.js>]]`: the remote extension host runs the
//    mocha suites next to the extension as unpacked from the .vsix; the runner writes JSON results
//    to SPARK_E2E_RESULTS (see test/e2e/README.md for the route and why).
// 4. UI suites: a second code-server on the same profile (without the test driver); a fresh
//    workbench page per test/e2e/ui/*.ui.mjs file, PNG screenshots under test-results/e2e/.
// 5. Stops every process it started (by PID/process group, also on failure, timeout, Ctrl-C),
//    deletes the profile, prints the failures and a last line `N passed, N failed`.
//
// Environment: SPARK_CODE_SERVER (default /opt/spark-gateway/bin/code-server, from
// scripts/provision-e2e.sh), SPARK_CHROMIUM (default /usr/bin/chromium), SPARK_E2E_TIMEOUT_MS
// (default 900000, counted once this run has the checkout's lock), SPARK_E2E_KEEP=1 keeps .e2e/
// for debugging, SPARK_E2E_GREP (a regular expression, as mocha's --grep) selects tests by title.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { copyStack, seedUserSettings } from './profile.mjs';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const E2E = path.join(REPO, '.e2e');
const SHOTS = path.join(REPO, 'test-results', 'e2e');
const CODE_SERVER = process.env.SPARK_CODE_SERVER ?? '/opt/spark-gateway/bin/code-server';
const CHROMIUM = process.env.SPARK_CHROMIUM ?? '/usr/bin/chromium';
const VSIX = path.join(REPO, 'spark-gateway.vsix');
const SUITE_INDEX = path.join(REPO, 'out', 'test', 'e2e', 'suite', 'index.js');
const UI_DIR = path.join(REPO, 'test', 'e2e', 'ui');
/** Where test/support/hosts-env.sh puts its `ssh` wrapper (only while the test hosts are up). */
const HOSTS_SSH_WRAPPER_DIR = '/run/spark-hosts/client/bin';
const TOTAL_TIMEOUT_MS = Number(process.env.SPARK_E2E_TIMEOUT_MS ?? 900_000);
const IN_HOST_TIMEOUT_MS = 180_000;
const LOCK_TIMEOUT_MS = 1_800_000;
const WORKBENCH_TIMEOUT_MS = 90_000;
const GREP = process.env.SPARK_E2E_GREP ?? '';

/** Chromium flags: headless, no sandbox (root), and nothing that calls out to the (closed) network. */
const CHROMIUM_ARGS = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage',
  '--disable-features=Translate,OptimizationHints,MediaRouter', '--no-default-browser-check'];

const started = Date.now();
const log = (/** @type {string} */ message) => console.log(`[e2e ${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s] ${message}`);

/** @type {{ name: string, pid: number, exited: Promise<unknown> }[]} */
const processes = [];
/** @type {import('playwright-core').Browser | undefined} */
let browser;
/** @type {Promise<void> | undefined} */
let cleanupDone;
let timedOut = false;
/** @type {ReturnType<typeof makeProfile> | undefined} */
let profile;

/** Stops what this run started: the browser, then each process group we spawned (by its PID). */
function cleanup() {
  // One cleanup, whoever asks first (main, the timeout, a signal): later callers wait for it.
  cleanupDone ??= (async () => {
    if (browser) await Promise.race([browser.close().catch(() => undefined), new Promise((r) => setTimeout(r, 10_000))]);
    for (const p of [...processes].reverse()) await stopProcessGroup(p);
    if (process.env.SPARK_E2E_KEEP === '1') log(`kept ${E2E}`);
    else {
      try {
        fs.rmSync(E2E, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
      } catch (error) {
        console.error(`e2e: could not delete ${E2E}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    releaseLock();
  })();
  return cleanupDone;
}

// One run at a time per checkout: runs share .e2e/ and test-results/e2e/. The lock is a file in
// the temp folder named after the checkout, holding the PID of the run that has it.
const LOCK = path.join(os.tmpdir(), `spark-gateway-e2e-${createHash('sha1').update(REPO).digest('hex').slice(0, 12)}.lock`);
let haveLock = false;

async function takeLock() {
  const deadline = Date.now() + LOCK_TIMEOUT_MS;
  let said = false;
  for (;;) {
    try {
      fs.writeFileSync(LOCK, String(process.pid), { flag: 'wx' });
      haveLock = true;
      return;
    } catch {
      const holder = Number(fs.readFileSync(LOCK, 'utf8').trim() || 0);
      if (!holder || !pidAlive(holder)) {
        fs.rmSync(LOCK, { force: true }); // left by a run that died
        continue;
      }
      if (!said) log(`waiting for the e2e run of pid ${holder} in this checkout to finish (${LOCK})`);
      said = true;
      if (Date.now() > deadline) fail(`another e2e run (pid ${holder}) holds ${LOCK}`);
      await new Promise((r) => setTimeout(r, 1_000));
    }
  }
}

function releaseLock() {
  try {
    if (haveLock && fs.readFileSync(LOCK, 'utf8').trim() === String(process.pid)) fs.rmSync(LOCK, { force: true });
  } catch {
    // already gone
  }
  haveLock = false;
}

function pidAlive(/** @type {number} */ pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Stops a process group we started (SIGTERM, then SIGKILL after 5 s) and waits until it is gone. */
async function stopProcessGroup(/** @type {{ name: string, pid: number }} */ p) {
  for (const signal of /** @type {const} */ (['SIGTERM', 'SIGKILL'])) {
    try {
      process.kill(-p.pid, signal); // the group led by our child: code-server, its server, extension hosts
    } catch {
      break; // already gone
    }
    const deadline = Date.now() + 5_000;
    while (groupAlive(p.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (!groupAlive(p.pid)) break;
  }
  const index = processes.findIndex((q) => q.pid === p.pid);
  if (index >= 0) processes.splice(index, 1);
  log(`stopped ${p.name} (process group ${p.pid})`);
}

function groupAlive(/** @type {number} */ pgid) {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

function fail(/** @type {string} */ message) {
  throw new Error(message);
}

async function freePort() {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : fail('no port');
  server.close();
  await once(server, 'close');
  return port;
}

/** Throw-away profile: user data with settings, extensions folder, workspace with a copy of stack/. */
function makeProfile() {
  fs.rmSync(E2E, { recursive: true, force: true });
  const dirs = {
    userData: path.join(E2E, 'user-data'),
    extensions: path.join(E2E, 'extensions'),
    workspace: path.join(E2E, 'workspace'),
    logs: path.join(E2E, 'logs'),
    config: path.join(E2E, 'code-server.yaml'),
    results: path.join(E2E, 'in-host-results.json'),
    xdg: path.join(E2E, 'xdg'),
    /** Where the .vsix is unpacked (set by installVsix). */
    installed: '',
  };
  for (const dir of [dirs.userData, dirs.extensions, dirs.workspace, dirs.logs, dirs.xdg]) fs.mkdirSync(dir, { recursive: true });
  seedUserSettings(dirs.userData);
  // Inside .e2e/, deleted with it.
  copyStack(REPO, dirs.workspace, path.join(E2E, 'hf-cache'));
  // Our own config file, so code-server never writes ~/.config/code-server/config.yaml.
  fs.writeFileSync(dirs.config, 'auth: none\ncert: false\n');
  return dirs;
}

/** Environment for code-server: no gallery, its config home inside the profile. */
function codeServerEnv(/** @type {ReturnType<typeof makeProfile>} */ dirs) {
  // code-server reads these from its environment; a value inherited from the caller would change the run.
  const dropped = new Set(['PASSWORD', 'HASHED_PASSWORD', 'GITHUB_TOKEN', 'VSCODE_OPTIONS', 'PORT']);
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !dropped.has(key)));
  return {
    ...env,
    // The extension reaches ssh:// hosts with the `ssh` of its PATH, as a user's does; the test hosts'
    // wrapper there (test/support/hosts-env.sh: the test key, config and known_hosts) serves the
    // *hosts* UI suite and changes nothing while it does not exist.
    PATH: `${HOSTS_SSH_WRAPPER_DIR}${path.delimiter}${env.PATH ?? ''}`,
    XDG_CONFIG_HOME: dirs.xdg,
    XDG_DATA_HOME: dirs.xdg,
    XDG_CACHE_HOME: dirs.xdg,
    EXTENSIONS_GALLERY: '{}', // no serviceUrl: the gallery (and its network calls) is disabled
    SPARK_E2E_RESULTS: dirs.results,
    SPARK_E2E_EXPECT_REMOTE: '1',
    SPARK_E2E_EXTENSION_PATH: dirs.installed,
    SPARK_E2E_USER_DATA: dirs.userData,
    SPARK_E2E_GREP: GREP,
  };
}

function commonArgs(/** @type {ReturnType<typeof makeProfile>} */ dirs) {
  return ['--config', dirs.config, '--user-data-dir', dirs.userData, '--extensions-dir', dirs.extensions];
}

/** Installs the .vsix into the profile; returns the folder it was unpacked to. */
function installVsix(/** @type {ReturnType<typeof makeProfile>} */ dirs) {
  const result = spawnSync(CODE_SERVER, [...commonArgs(dirs), '--install-extension', VSIX, '--force'], {
    env: codeServerEnv(dirs), encoding: 'utf8', timeout: 180_000,
  });
  const output = `${result.stdout}\n${result.stderr}`;
  if (result.status !== 0 || !/successfully installed/i.test(output)) fail(`installing ${VSIX} failed (exit ${result.status}):\n${output}`);
  const { publisher, name, version } = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));
  const installed = path.join(dirs.extensions, `${publisher}.${name}-${version}`);
  if (!fs.existsSync(path.join(installed, 'package.json'))) fail(`the .vsix did not unpack to ${installed}: ${fs.readdirSync(dirs.extensions).join(', ')}`);
  log(`installed ${path.basename(VSIX)} -> ${path.relative(REPO, installed)}`);
  return installed;
}

/**
 * Starts code-server on 127.0.0.1:`port` with the profile; returns its process entry once
 * /healthz answers. `testDriver` adds `--vscode-option enable-smoke-test-driver`, which the
 * in-host route needs (a built web client ignores the URL payload's extensionDevelopmentPath/
 * extensionTestsPath without it) but which also stops the workbench from showing notification
 * toasts — so the UI suites get a server without it.
 */
async function startCodeServer(/** @type {ReturnType<typeof makeProfile>} */ dirs, /** @type {number} */ port, /** @type {boolean} */ testDriver) {
  const help = spawnSync(CODE_SERVER, ['--config', dirs.config, '--help'], { env: codeServerEnv(dirs), encoding: 'utf8' }).stdout ?? '';
  const optional = ['--disable-workspace-trust', '--disable-getting-started-override'].filter((flag) => help.includes(flag));
  const args = [...commonArgs(dirs), '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--disable-telemetry',
    '--disable-update-check', '--disable-file-downloads', '--reconnection-grace-time', '30', ...optional, '--log', 'info',
    // The server would otherwise take the extension host's environment from a login shell, whose
    // profile resets PATH: the test hosts' ssh wrapper (codeServerEnv) must reach the extension.
    '--vscode-option', 'force-disable-user-env',
    ...(testDriver ? ['--vscode-option', 'enable-smoke-test-driver'] : [])];
  const out = fs.openSync(path.join(dirs.logs, 'code-server.log'), 'a');
  const child = spawn(CODE_SERVER, args, { env: codeServerEnv(dirs), stdio: ['ignore', out, out], detached: true });
  fs.closeSync(out);
  if (!child.pid) fail('code-server did not start');
  const exited = once(child, 'exit');
  const entry = { name: `code-server${testDriver ? ' (test driver)' : ''}`, pid: child.pid, exited };
  processes.push(entry);
  let exitedEarly = false;
  void exited.then(() => { exitedEarly = true; });
  log(`${entry.name} pid ${child.pid} on 127.0.0.1:${port}`);
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exitedEarly) fail(`code-server exited early; log:\n${fs.readFileSync(path.join(dirs.logs, 'code-server.log'), 'utf8')}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) fail('code-server did not answer /healthz within 60 s');
    await new Promise((r) => setTimeout(r, 250));
  }
  log(`${entry.name} is up`);
  return entry;
}

/** Waits until the workbench has restored and connected to the remote extension host. */
async function waitForWorkbench(/** @type {import('playwright-core').Page} */ page) {
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: WORKBENCH_TIMEOUT_MS });
  await page.getByRole('tablist', { name: 'Active View Switcher' }).first().waitFor({ state: 'visible', timeout: WORKBENCH_TIMEOUT_MS });
}

/**
 * @typedef {{ passed: number, failed: number, pending: number, tests: { title: string, state: string, durationMs?: number, error?: string }[], error?: string }} SuiteResults
 * @typedef {import('./ui/workbench.mjs').UiContext} UiContext
 */

/** In-host suites: the remote extension host runs out/test/e2e/suite/index.js and exits. */
async function runInHost(/** @type {string} */ base, /** @type {ReturnType<typeof makeProfile>} */ dirs, /** @type {string} */ authority) {
  fs.rmSync(dirs.results, { force: true });
  const context = await /** @type {import('playwright-core').Browser} */ (browser).newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  /** @type {(code: number) => void} */
  let onExit = () => undefined;
  const exited = new Promise((resolve) => { onExit = resolve; });
  // The workbench calls these when it runs extension tests (IAutomatedWindow): the exit code and
  // the extension host's forwarded console output.
  await page.exposeFunction('codeAutomationExit', (/** @type {number} */ code) => onExit(code));
  await page.exposeFunction('codeAutomationLog', (/** @type {string} */ type, /** @type {unknown[]} */ args) => {
    const line = args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ');
    fs.appendFileSync(path.join(dirs.logs, 'in-host-console.log'), `[${type}] ${line}\n`);
  });
  const remote = (/** @type {string} */ p) => `vscode-remote://${authority}${p}`;
  const payload = JSON.stringify([['extensionDevelopmentPath', remote(dirs.installed)], ['extensionTestsPath', remote(SUITE_INDEX)]]);
  const url = `${base}/?folder=${encodeURIComponent(dirs.workspace)}&payload=${encodeURIComponent(payload)}`;
  log('in-host suites: opening the workbench with extensionDevelopmentPath + extensionTestsPath');
  await page.goto(url);
  const deadline = Date.now() + IN_HOST_TIMEOUT_MS;
  /** @type {number | undefined} */
  let exitCode;
  void exited.then((code) => { exitCode = /** @type {number} */ (code); });
  while (!fs.existsSync(dirs.results) && exitCode === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
  /** @type {SuiteResults} */
  let results;
  if (fs.existsSync(dirs.results)) {
    results = JSON.parse(fs.readFileSync(dirs.results, 'utf8'));
  } else {
    const why = exitCode === undefined ? `no results within ${IN_HOST_TIMEOUT_MS / 1000} s` : `the extension host exited with ${exitCode} without results`;
    await page.screenshot({ path: path.join(SHOTS, 'failed-in-host.png') }).catch(() => undefined);
    results = { passed: 0, failed: 1, pending: 0, tests: [{ title: 'in-host suites', state: 'failed', error: why }] };
  }
  await context.close();
  return results;
}

/**
 * UI suites: each test/e2e/ui/*.ui.mjs exports `tests`, a list of `{ name, run(ctx) }`. Each file
 * gets a fresh workbench page (so one file's leftovers cannot break the next); its tests run in
 * order on that page, as a person would use it.
 */
async function runUi(/** @type {string} */ base, /** @type {ReturnType<typeof makeProfile>} */ dirs) {
  /** @type {SuiteResults['tests']} */
  const tests = [];
  let shotIndex = 0;
  const files = fs.readdirSync(UI_DIR).filter((f) => f.endsWith('.ui.mjs')).sort();
  for (const file of files) {
    if (timedOut) break;
    const suite = `UI ${file.replace(/\.ui\.mjs$/, '')}`;
    /** @type {{ tests: { name: string, run: (c: UiContext) => Promise<void> }[], prepareWorkspace?: (dir: string, info: { repo: string }) => Promise<void> | void }} */
    const mod = await import(pathToFileURL(path.join(UI_DIR, file)).href);
    const selected = mod.tests.filter((t) => !GREP || new RegExp(GREP).test(`${suite}: ${t.name}`));
    if (selected.length === 0) continue;
    /** @type {import('playwright-core').BrowserContext | undefined} */
    let context;
    try {
      // A suite may open its own workspace (an empty folder, a guide folder): `prepareWorkspace(dir)`
      // fills the fresh folder it is given under .e2e/ and the page opens that one instead.
      const workspace = typeof mod.prepareWorkspace === 'function' ? path.join(E2E, 'workspaces', file.replace(/\.ui\.mjs$/, '')) : dirs.workspace;
      if (workspace !== dirs.workspace) {
        fs.mkdirSync(workspace, { recursive: true });
        await mod.prepareWorkspace(workspace, { repo: REPO });
      }
      context = await /** @type {import('playwright-core').Browser} */ (browser).newContext({ viewport: { width: 1400, height: 900 } });
      const page = await context.newPage();
      page.setDefaultTimeout(30_000);
      /** @type {UiContext} */
      const ctx = {
        page,
        workspace,
        userData: dirs.userData,
        log,
        screenshot: async (name) => {
          shotIndex += 1;
          const shot = path.join(SHOTS, `${String(shotIndex).padStart(2, '0')}-${name}.png`);
          await page.screenshot({ path: shot });
          log(`screenshot ${path.relative(REPO, shot)}`);
          return shot;
        },
      };
      try {
        await page.goto(`${base}/?folder=${encodeURIComponent(workspace)}`);
        await waitForWorkbench(page);
        log(`${suite}: workbench loaded`);
      } catch (error) {
        await ctx.screenshot(`failed-workbench-${file.replace(/\.ui\.mjs$/, '')}`).catch(() => undefined);
        tests.push({ title: `${suite}: the workbench loads`, state: 'failed', error: describe(error) });
        continue;
      }
      for (const t of selected) {
        const title = `${suite}: ${t.name}`;
        if (timedOut) {
          tests.push({ title, state: 'failed', error: 'not run: the e2e run timed out' });
          continue;
        }
        const t0 = Date.now();
        try {
          await t.run(ctx);
          tests.push({ title, state: 'passed', durationMs: Date.now() - t0 });
          log(`  ✓ ${title}`);
        } catch (error) {
          await ctx.screenshot(`failed-${t.name.replace(/[^a-z0-9]+/gi, '-').toLowerCase().slice(0, 80)}`).catch(() => undefined);
          tests.push({ title, state: 'failed', durationMs: Date.now() - t0, error: describe(error) });
          log(`  ✗ ${title}`);
        }
      }
    } catch (error) {
      tests.push({ title: `${suite}: (runner)`, state: 'failed', error: describe(error) });
    } finally {
      await context?.close().catch(() => undefined);
    }
  }
  const count = (/** @type {string} */ s) => tests.filter((t) => t.state === s).length;
  return { passed: count('passed'), failed: count('failed'), pending: 0, tests };
}

function describe(/** @type {unknown} */ error) {
  return error instanceof Error ? error.stack ?? error.message : String(error);
}

function report(/** @type {string} */ kind, /** @type {SuiteResults} */ results) {
  console.log(`\n${kind}: ${results.passed} passed, ${results.failed} failed${results.pending ? `, ${results.pending} skipped` : ''}`);
  for (const t of results.tests) {
    const mark = t.state === 'passed' ? '✓' : t.state === 'failed' ? '✗' : '-';
    console.log(`  ${mark} ${t.title}${t.durationMs !== undefined ? ` (${t.durationMs} ms)` : ''}`);
    if (t.error) console.log(t.error.split('\n').map((l) => `      ${l}`).join('\n'));
  }
  if (results.error) console.log(`  runner error: ${results.error}`);
}

/** Keeps the logs of a failed run next to the screenshots. */
function keepLogs(/** @type {ReturnType<typeof makeProfile>} */ dirs) {
  const dest = path.join(SHOTS, 'logs');
  try {
    fs.cpSync(dirs.logs, path.join(dest, 'runner'), { recursive: true });
    fs.cpSync(path.join(dirs.userData, 'logs'), path.join(dest, 'vscode'), { recursive: true });
    log(`logs kept in ${path.relative(REPO, dest)}`);
  } catch {
    // nothing to keep
  }
}

async function main() {
  for (const [file, hint] of [[CODE_SERVER, 'run scripts/provision-e2e.sh'], [CHROMIUM, 'run scripts/provision-e2e.sh'],
    [VSIX, 'run `npm run package`'], [SUITE_INDEX, 'run `npm run build:tests`']]) {
    if (!fs.existsSync(file)) fail(`${file} is missing: ${hint}`);
  }
  fs.rmSync(SHOTS, { recursive: true, force: true });
  fs.mkdirSync(SHOTS, { recursive: true });
  const dirs = makeProfile();
  profile = dirs;
  dirs.installed = installVsix(dirs);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 60_000 });

  const inHostPort = await freePort();
  const inHostServer = await startCodeServer(dirs, inHostPort, true);
  const inHost = await runInHost(`http://127.0.0.1:${inHostPort}`, dirs, `127.0.0.1:${inHostPort}`);
  await stopProcessGroup(inHostServer);
  report('In-host suites (remote extension host)', inHost);

  const uiPort = await freePort();
  await startCodeServer(dirs, uiPort, false);
  const ui = await runUi(`http://127.0.0.1:${uiPort}`, dirs);
  report('UI suites (Playwright)', ui);

  const passed = inHost.passed + ui.passed;
  const failed = inHost.failed + ui.failed + (timedOut ? 1 : 0);
  if (failed > 0) keepLogs(dirs);
  log(`screenshots in ${path.relative(REPO, SHOTS)}/: ${fs.readdirSync(SHOTS).filter((f) => f.endsWith('.png')).join(', ')}`);
  return { passed, failed };
}

try {
  await takeLock();
} catch (error) {
  console.error(`e2e: ${error instanceof Error ? error.message : String(error)}`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}

// The whole run is bounded: on timeout the browser and code-server are stopped, so whatever step
// is waiting fails and main() unwinds and reports; if it does not within a minute, exit anyway.
const timer = setTimeout(() => {
  timedOut = true;
  console.error(`e2e: the run timed out after ${TOTAL_TIMEOUT_MS / 1000} s (SPARK_E2E_TIMEOUT_MS); stopping`);
  if (profile) keepLogs(profile);
  void cleanup();
  setTimeout(() => {
    console.log('0 passed, 1 failed');
    process.exit(1);
  }, 60_000).unref();
}, TOTAL_TIMEOUT_MS);
for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM'])) {
  process.on(signal, () => void cleanup().finally(() => process.exit(130)));
}

// Every suite gives its stack its own Hugging Face cache: a model written into the machine's would
// change what later runs see (the simulator skips the download of a cached model). Checked here.
const MACHINE_HUB = path.join(os.homedir(), '.cache', 'huggingface', 'hub');
const machineModels = () => (fs.existsSync(MACHINE_HUB) ? fs.readdirSync(MACHINE_HUB).filter((n) => n.startsWith('models--')) : []);
const modelsBefore = new Set(machineModels());

let exitCode = 1;
try {
  const { passed, failed } = await main();
  await cleanup();
  const leaked = machineModels().filter((n) => !modelsBefore.has(n));
  if (leaked.length > 0) console.error(`e2e: a suite wrote into the machine's Hugging Face cache ${MACHINE_HUB}: ${leaked.join(', ')} — give its stack copy its own HF_CACHE_DIR (copyStack's hfCache)`);
  console.log(`${passed} passed, ${failed + (leaked.length > 0 ? 1 : 0)} failed`);
  exitCode = failed > 0 || passed === 0 || leaked.length > 0 ? 1 : 0;
} catch (error) {
  console.error(`e2e: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
  if (profile) keepLogs(profile);
  await cleanup();
  console.log('0 passed, 1 failed');
} finally {
  clearTimeout(timer);
}
process.exit(exitCode);
