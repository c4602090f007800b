/**
 * The memory view (webview). It draws what the host sends: `ready` once the script runs, then an
 * `update` about every second while visible. Its context is discarded while hidden, so the last
 * picture and the chosen scenario live in `vscode.setState` and are drawn at once when shown again.
 */
import './lit-nonce';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import type { VscodeSingleSelect } from '@vscode-elements/elements/dist/vscode-single-select/vscode-single-select.js';
import type { HostMessage, MemoryViewModel, WebviewMessage, WebviewState } from '../../src/core/memory/messages';
import { el } from './dom';
import { renderHosts } from './hosts';
import { renderModels } from './models';
import { renderPool } from './pool';
import { renderScenario } from './scenario';
import './memory.css';

interface VsCodeApi {
  postMessage(message: WebviewMessage): void;
  getState(): WebviewState | undefined;
  setState(state: WebviewState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
let state: WebviewState = vscode.getState() ?? {};

const app = document.getElementById('app') as HTMLElement;
const status = el('p', 'problems');
const live = el('div', 'live');
const scenarioSection = el('section', 'scenario');
const select = document.createElement('vscode-single-select') as VscodeSingleSelect;
const picture = el('div');
/** The other hosts, after this machine's scenario check (which is about this machine's part). */
const others = el('div', 'hosts');
let optionNames = '';
/** The scenario drawn; kept here because the select's own value settles only after it renders its options. */
let chosen: string | undefined = state.selectedScenario;

function build(): void {
  const label = el('label', undefined, 'Would this scenario fit now?');
  label.id = 'scenario-label';
  select.setAttribute('aria-labelledby', 'scenario-label');
  select.addEventListener('change', () => {
    chosen = select.value;
    state = { ...state, selectedScenario: chosen };
    vscode.setState(state);
    if (state.last) drawScenario(state.last);
  });
  scenarioSection.append(el('h2', undefined, 'Scenario'), label, select, picture);
  app.replaceChildren(status, live, scenarioSection, others);
}

/** Rebuilds the options only when the scenario list changes, so an open dropdown is not disturbed every second. */
function syncOptions(view: MemoryViewModel): void {
  const names = view.scenarios.map((s) => s.scenario).join('\n');
  if (names === optionNames) return;
  optionNames = names;
  if (!view.scenarios.some((s) => s.scenario === chosen)) chosen = view.snapshot.runningScenario ?? view.scenarios[0]?.scenario;
  select.replaceChildren(
    ...view.scenarios.map((s) => {
      const option = document.createElement('vscode-option');
      option.setAttribute('value', s.scenario);
      option.textContent = `${s.title} — ${s.verdict === 'running' ? 'runs now' : s.fits ? 'fits' : 'does not fit'}`;
      if (s.scenario === chosen) option.setAttribute('selected', '');
      return option;
    }),
  );
  if (chosen) select.value = chosen;
}

function drawScenario(view: MemoryViewModel): void {
  const check = view.scenarios.find((s) => s.scenario === chosen) ?? view.scenarios[0];
  picture.replaceChildren(...(check ? [renderScenario(check, view.snapshot)] : [el('p', 'muted', 'The stack defines no scenarios.')]));
}

function draw(view: MemoryViewModel): void {
  const problems = view.snapshot.problems;
  status.textContent = problems.length > 0 ? `Partial picture — ${problems.join('; ')}` : '';
  status.hidden = problems.length === 0;
  live.replaceChildren(renderPool(view.snapshot, view.mainHost), renderModels(view.snapshot, view.mainHost));
  others.replaceChildren(...renderHosts(view.hosts ?? []));
  syncOptions(view);
  drawScenario(view);
}

window.addEventListener('message', (event: MessageEvent<HostMessage>) => {
  const message = event.data;
  if (message.type === 'update') {
    state = { ...state, last: message.view };
    vscode.setState(state);
    draw(message.view);
  } else if (message.type === 'error') {
    status.textContent = `Could not read the memory: ${message.message}`;
    status.hidden = false;
  }
});

build();
if (state.last) draw(state.last);
else live.replaceChildren(el('p', 'muted', 'Reading memory…'));
vscode.postMessage({ type: 'ready' });
