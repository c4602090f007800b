/**
 * The memory webview's real bundle (dist/webview, from `npm run build`) in headless Chromium,
 * under the page and CSP the extension serves (src/vscode/memory/html.ts), with a stand-in for
 * VS Code's `acquireVsCodeApi` that answers `ready` with a recorded picture of a DGX Spark
 * running Scenario 2. Screenshots go to test-results/webview/ for a person to look at.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import type { MemoryViewModel } from '../../src/core/memory/messages';
import { assembleSnapshot } from '../../src/core/memory/snapshot';
import { memoryViewModel } from '../../src/core/memory/view-model';
import { GIB } from '../../src/core/planner';
import { loadStack } from '../../src/core/stack/discovery';
import { memoryHtml } from '../../src/vscode/memory/html';
import { REQUIRE_ALL } from '../support/components';
import { REPO_ROOT, STACK_DIR, freePort } from '../support/processes';

const CHROMIUM = process.env.SPARK_CHROMIUM ?? '/usr/bin/chromium';
const BUNDLE = path.join(REPO_ROOT, 'dist', 'webview');
const SHOTS = path.join(REPO_ROOT, 'test-results', 'webview');
const NONCE = 'dGVzdC1ub25jZS0xMjM0NQ==';

/** A DGX Spark (≈122.5 GiB MemTotal) running Scenario 2: budgets nearly full, as vLLM pre-allocates its KV cache. */
async function recordedView(): Promise<MemoryViewModel> {
  const file = (await loadStack(STACK_DIR)).scenarios;
  const total = 128452756 * 1024;
  const snapshot = assembleSnapshot({
    file,
    memInfo: { totalBytes: total, availableBytes: 31 * GIB, freeBytes: 12.5 * GIB, cachedBytes: 19 * GIB },
    containers: [
      { container: 'vllm-gpt-oss-20b', id: 'a'.repeat(64), state: 'healthy', command: ['vllm', 'serve', 'openai/gpt-oss-20b', '--gpu-memory-utilization', '0.25'] },
      { container: 'vllm-qwen-30b', id: 'b'.repeat(64), state: 'healthy', command: ['vllm', 'serve', 'Qwen/Qwen3-Coder-30B-A3B-Instruct-FP8', '--gpu-memory-utilization', '0.45'] },
    ],
    dockerUsage: new Map([['vllm-gpt-oss-20b', 2.1 * GIB], ['vllm-qwen-30b', 2.4 * GIB]]),
    nvidiaSmi: { gpus: [{ index: 0 }], processes: [{ pid: 4242, usedBytes: 29.6 * GIB }, { pid: 4343, usedBytes: 53.9 * GIB }] },
    pidContainers: new Map([[4242, 'a'.repeat(64)], [4343, 'b'.repeat(64)]]),
    kvCache: new Map([['gpt-oss-20b', 0.12], ['qwen-30b', 0.46]]),
    problems: [],
    takenAt: new Date('2026-11-26T21:00:00Z'),
  });
  return memoryViewModel(file, snapshot);
}

/**
 * VS Code injects the theme's colours as --vscode-* variables into every webview; these are the
 * ones the view uses, with the values of the default Dark Modern theme.
 */
const DARK_MODERN = `html { background: #181818; }
:root {
  --vscode-font-family: system-ui, "Ubuntu", "Droid Sans", sans-serif; --vscode-font-size: 13px;
  --vscode-foreground: #cccccc; --vscode-descriptionForeground: #9d9d9d; --vscode-editor-background: #1f1f1f;
  --vscode-editorWidget-background: #202020; --vscode-widget-border: #313131; --vscode-focusBorder: #0078d4;
  --vscode-charts-blue: #3794ff; --vscode-charts-purple: #b180d7; --vscode-charts-orange: #d18616;
  --vscode-charts-yellow: #cca700; --vscode-charts-green: #89d185; --vscode-errorForeground: #f85149;
  --vscode-editorWarning-foreground: #cca700; --vscode-testing-iconPassed: #73c991;
  --vscode-badge-background: #616161; --vscode-badge-foreground: #f8f8f8;
  --vscode-settings-dropdownBackground: #313131; --vscode-settings-dropdownBorder: #3c3c3c;
  --vscode-settings-dropdownForeground: #cccccc; --vscode-settings-dropdownListBorder: #454545;
  --vscode-list-activeSelectionBackground: #04395e; --vscode-list-activeSelectionForeground: #ffffff;
  --vscode-list-hoverBackground: #2a2d2e;
}`;

/** Stands in for VS Code: records posted messages, keeps setState in sessionStorage (so a reload is a hide/show), answers `ready`. */
function fakeVsCodeApi(view: MemoryViewModel): string {
  return `
window.__posted = [];
window.acquireVsCodeApi = () => ({
  postMessage(message) {
    window.__posted.push(message);
    if (message.type === 'ready' && !sessionStorage.getItem('hold')) {
      setTimeout(() => window.postMessage({ type: 'update', view: ${JSON.stringify(view)} }, '*'), 0);
    }
  },
  getState() { const s = sessionStorage.getItem('state'); return s ? JSON.parse(s) : undefined; },
  setState(state) { sessionStorage.setItem('state', JSON.stringify(state)); },
});`;
}

/** Picks a scenario as a user does: the select's value, then its change event. */
async function choose(page: Page, scenario: string): Promise<void> {
  await page.locator('vscode-single-select').evaluate((e, value) => {
    (e as unknown as { value: string }).value = value;
    e.dispatchEvent(new Event('change'));
  }, scenario);
}

function selected(page: Page): Promise<string> {
  return page.locator('vscode-single-select').evaluate((e) => (e as unknown as { value: string }).value);
}

describe('memory webview in headless Chromium', { skip: !existsSync(path.join(BUNDLE, 'memory.js')) && !REQUIRE_ALL ? 'dist/webview/memory.js is missing (npm run build)' : false }, () => {
  let server: Server;
  let browser: Browser;
  let page: Page;
  const violations: string[] = [];
  const errors: string[] = [];

  before(async () => {
    const view = await recordedView();
    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    const html = memoryHtml({ cspSource: origin, nonce: NONCE, scriptUri: `${origin}/dist/webview/memory.js`, styleUri: `${origin}/dist/webview/memory.css` })
      // The stand-in API must exist before the bundle runs; it carries the page's nonce like any allowed script.
      .replace('<script nonce=', `<script nonce="${NONCE}">${fakeVsCodeApi(view)}</script>\n<script nonce=`)
      .replace('<title>', `<style nonce="${NONCE}">${DARK_MODERN}</style>\n<title>`);
    server = createServer((request, response) => {
      const url = request.url ?? '/';
      if (url === '/') {
        response.writeHead(200, { 'content-type': 'text/html' }).end(html);
        return;
      }
      const file = path.join(BUNDLE, path.basename(url));
      if (!url.startsWith('/dist/webview/') || !existsSync(file)) {
        response.writeHead(404).end();
        return;
      }
      response.writeHead(200, { 'content-type': file.endsWith('.css') ? 'text/css' : 'text/javascript' }).end(readFileSync(file));
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    page = await browser.newPage({ viewport: { width: 760, height: 1100 }, colorScheme: 'dark' });
    page.on('console', (m) => {
      if (/Content Security Policy|Refused/.test(m.text())) violations.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(origin);
    await page.addStyleTag({ content: 'x{}' }).catch(() => undefined); // must be refused by the CSP: checked below
    mkdirSync(SHOTS, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('says ready, then draws the pool, both models and the running scenario without a CSP violation of its own', async () => {
    // Scenario 2 runs at its own fractions: "Runs now", not a verdict on starting it again.
    await page.locator('.verdict', { hasText: '▶ Runs now' }).waitFor({ timeout: 15_000 });
    assert.deepEqual(await page.evaluate('window.__posted'), [{ type: 'ready' }]);
    assert.equal(await page.locator('section.models .model').count(), 2);
    assert.match((await page.locator('section.pool svg').getAttribute('aria-label')) ?? '', /^Memory: Models 83\.5 GiB, Other processes/);
    assert.match(await page.locator('section.models').innerText(), /gpt-oss-20b[\s\S]*29\.6 GiB used of 30\.6 GiB budget[\s\S]*KV cache 12% full/);
    assert.match(await page.locator('section.models').innerText(), /Not running: gpt-oss-120b \(not created\)/);
    // The dropdown is a vscode-elements component: upgraded (shadow root) and styled under the CSP.
    assert.equal(await page.locator('vscode-single-select').evaluate((e) => e.shadowRoot !== null && (e.shadowRoot.adoptedStyleSheets.length > 0 || e.shadowRoot.querySelector('style') !== null)), true);
    assert.equal(await selected(page), 'scenario-2');
    assert.deepEqual(errors, []);
    // The only violation allowed is the test's own injected <style>, proving the CSP is enforced.
    assert.ok(violations.every((v) => /style/.test(v)), violations.join('\n'));
    assert.ok(violations.length >= 1, 'the CSP refused an un-nonced inline style');
    await page.screenshot({ path: path.join(SHOTS, 'memory-scenario-2-running.png'), fullPage: true });
  });

  it('draws a scenario that does not fit with the verdict and the planner\'s reason', async () => {
    await choose(page, 'all');
    await page.locator('.verdict', { hasText: '✗ Does not fit' }).waitFor();
    assert.match(await page.locator('.reasons').innerText(), /together the models take .* less than the 8\.0 GiB reserve/);
    await page.screenshot({ path: path.join(SHOTS, 'memory-all-does-not-fit.png'), fullPage: true });
    await choose(page, 'gpt-oss-120b');
    await page.locator('.verdict', { hasText: '✗ Does not fit' }).waitFor();
    assert.match(await page.locator('.reasons').innerText(), /only 31\.0 GiB is available now; running outside this scenario: gpt-oss-20b .*qwen-30b .* stop them first/);
    await page.screenshot({ path: path.join(SHOTS, 'memory-120b-blocked-by-running.png'), fullPage: true });
  });

  it('restores the last picture and the chosen scenario from its state when shown again, before any update', async () => {
    await page.evaluate("sessionStorage.setItem('hold', '1')"); // the host sends nothing this time
    await page.reload();
    await page.locator('.verdict', { hasText: '✗ Does not fit' }).waitFor({ timeout: 10_000 });
    assert.equal(await selected(page), 'gpt-oss-120b');
    assert.equal(await page.locator('section.models .model').count(), 2);
  });

  it('fits a narrow side bar', async () => {
    await page.setViewportSize({ width: 320, height: 1400 });
    await page.evaluate("sessionStorage.removeItem('hold')");
    await page.reload();
    await choose(page, 'scenario-2');
    await page.locator('.verdict', { hasText: '▶ Runs now' }).waitFor();
    assert.equal(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth + 1'), true, 'no horizontal scrolling');
    await page.screenshot({ path: path.join(SHOTS, 'memory-sidebar.png'), fullPage: true });
  });
});
