/**
 * What a chosen scenario would need against what is free now, on the scale of the whole pool:
 * the upper row is the memory now (in use | given back by models the start restarts | free |
 * page cache), the lower row the budgets of the models the scenario would start, laid from where
 * "in use" ends. Ending in free memory fits; reaching into the page cache fits once it is
 * dropped; past the end-of-memory mark does not fit. The verdict and reasons come from the same
 * check the start pre-flight uses.
 */
import type { MemoryCheck, MemorySnapshot } from '../../src/core/memory/types';
import { barCanvas, el, legendItem, mark, segment } from './dom';
import { gib } from './format';

const ROW = 14;
const GAP = 6;

const VERDICT: Record<MemoryCheck['verdict'], [string, string]> = {
  running: ['ok', '▶ Runs now'],
  fits: ['ok', '✓ Fits'],
  'fits-after-dropping-cache': ['warn', '⚠ Fits after dropping the page cache'],
  'does-not-fit': ['bad', '✗ Does not fit'],
};

export function renderScenario(check: MemoryCheck, snapshot: MemorySnapshot): HTMLElement {
  const box = el('div', 'scenario-picture');
  const total = snapshot.totalBytes;
  const inUse = Math.max(0, total - check.availableBytes);
  // Models the start would restart at another fraction (or the caller stops) give their memory back.
  const released = Math.max(0, check.availableBytes - snapshot.availableBytes);
  // The pool bar's split of what is available (page cache | free), so both pictures agree.
  const cache = snapshot.parts.cacheBytes;
  const freeNow = snapshot.parts.freeBytes;
  const end = inUse + check.neededBytes;
  // Past the end of memory the scale grows, so what does not fit is drawn, not clipped away.
  const scale = Math.max(total, end);
  const pct = (bytes: number) => (bytes / scale) * 100;

  const [verdictClass, verdictText] = VERDICT[check.verdict];
  const summary = `${check.title}: needs ${gib(check.neededBytes)} more; ${gib(check.freeBytes)} free and ${gib(check.availableBytes - check.freeBytes)} page cache available. ${verdictText}.`;
  const height = ROW * 2 + GAP;
  const canvas = barCanvas(height, summary);
  let at = 0;
  for (const [bytes, cls] of [[inUse, 'other'], [released, 'released'], [freeNow, 'free'], [cache, 'cache']] as const) {
    canvas.append(segment(pct(at), pct(at + bytes), ROW, `seg ${cls}`));
    at += bytes;
  }
  if (end > total) canvas.append(segment(pct(total), 100, ROW, 'seg overflow'));
  at = inUse;
  check.models.forEach((m, index) => {
    if (m.alreadyRunning) return;
    canvas.append(segment(pct(at), pct(at + m.budgetBytes), ROW, `seg need m${modelIndex(snapshot, m.name, index) % 3}`, ROW + GAP));
    at += m.budgetBytes;
  });
  canvas.append(mark(pct(inUse), height, 'start-mark'), mark(pct(total), height, 'end-mark'));

  const now = el('ul', 'legend');
  now.append(legendItem('other', `in use ${gib(inUse)}`));
  if (released > 0) now.append(legendItem('released', `given back by restarted models ${gib(released)}`));
  now.append(legendItem('free', `free ${gib(freeNow)}`), legendItem('cache', `page cache ${gib(cache)}`));
  if (end > total) now.append(legendItem('overflow', `missing ${gib(end - total)}`));
  box.append(el('p', 'caption', 'Memory now (top) and the budgets this scenario would add (below), from where use ends:'), canvas, now);

  const needs = el('ul', 'legend');
  check.models.forEach((m, index) => {
    const extra = m.alreadyRunning ? ' — already running' : '';
    needs.append(legendItem(`need m${modelIndex(snapshot, m.name, index) % 3}`, `${m.name} ${gib(m.budgetBytes)} (${m.fraction} × total; needs ≥ ${gib(m.minimumBytes)})${extra}`));
  });
  box.append(needs);

  const verdict = el('p', `verdict ${verdictClass}`, verdictText);
  verdict.setAttribute('role', 'status');
  box.append(verdict);
  const notes = [...check.reasons, ...check.warnings];
  if (notes.length > 0) {
    const list = el('ul', 'reasons');
    for (const note of notes) list.append(el('li', undefined, note));
    box.append(list);
  }
  const toStart = check.models.filter((m) => !m.alreadyRunning);
  box.append(el('p', 'muted', `Plan: ${gib(check.plan.plannedBytes)} of ${gib(check.plan.totalBytes)} in budgets, ${gib(check.plan.reserveBytes)} kept for the system. ${toStart.length === 0 ? 'All its models run now: starting it adds nothing.' : `Starts ${toStart.map((m) => m.name).join(', ')}.`}`));
  return box;
}

/** The model's position in the snapshot, so it keeps its colour in every picture. */
function modelIndex(snapshot: MemorySnapshot, name: string, fallback: number): number {
  const index = snapshot.models.findIndex((m) => m.name === name);
  return index >= 0 ? index : fallback;
}
