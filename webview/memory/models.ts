/**
 * One bar per model on the scale of the whole pool: what it uses, a mark at its budget
 * (fraction × total) and, under it, its KV-cache region (budget − weights − overhead) filled by
 * vLLM's reported usage.
 */
import type { MemorySnapshot, ModelMemory } from '../../src/core/memory/types';
import { barCanvas, el, mark, segment } from './dom';
import { gib, percent } from './format';

const HEIGHT = 16;
const KV_HEIGHT = 6;

const STATE_CLASS: Record<string, string> = { healthy: 'ok', running: 'ok', starting: 'busy', loading: 'busy', restarting: 'busy', unhealthy: 'bad', exited: 'bad' };

/** `host` names where the models run, when the stack has several hosts. */
export function renderModels(snapshot: MemorySnapshot, host?: string): HTMLElement {
  const section = el('section', 'models');
  section.append(el('h2', undefined, host ? `Models on ${host}` : 'Models'));
  const live = snapshot.models.filter((m) => m.usedSource !== 'none' || !['absent', 'exited', 'created', 'unknown'].includes(m.state));
  if (live.length === 0) section.append(el('p', 'muted', 'No model server is running.'));
  snapshot.models.forEach((m, index) => {
    if (live.includes(m)) section.append(modelRow(m, index, snapshot.totalBytes));
  });
  const idle = snapshot.models.filter((m) => !live.includes(m));
  if (idle.length > 0) section.append(el('p', 'muted', `Not running: ${idle.map((m) => `${m.name} (${m.state === 'absent' ? 'not created' : m.state})`).join(', ')}`));
  return section;
}

function modelRow(m: ModelMemory, index: number, total: number): HTMLElement {
  const row = el('div', 'model');
  const pct = (bytes: number) => (bytes / total) * 100;
  const head = el('div', 'model-head');
  head.append(el('span', 'model-name', m.name), el('span', `state ${STATE_CLASS[m.state] ?? ''}`, m.state));
  row.append(head);

  const over = m.usedBytes > m.plannedBytes;
  const text = `${gib(m.usedBytes)} used of ${gib(m.plannedBytes)} budget (${m.fraction} × total)${over ? ' — over budget' : ''}`;
  const canvas = barCanvas(HEIGHT, `${m.name}: ${text}`);
  canvas.append(segment(0, 100, HEIGHT, 'seg track'));
  canvas.append(segment(0, pct(m.plannedBytes), HEIGHT, `seg budget m${index % 3}`));
  canvas.append(segment(0, pct(m.usedBytes), HEIGHT, `seg used m${index % 3}${over ? ' over' : ''}`));
  canvas.append(mark(pct(m.weightsBytes), HEIGHT, 'weights-mark'));
  canvas.append(mark(pct(m.plannedBytes), HEIGHT, 'budget-mark'));
  row.append(canvas, el('p', 'caption', `${text} · weights ~${gib(m.weightsBytes)} (dotted mark) · from ${m.usedSource === 'nvidia-smi' ? 'nvidia-smi' : 'Docker stats'}`));

  const kvBytes = Math.max(0, m.plannedBytes - m.weightsBytes - m.overheadBytes);
  if (kvBytes > 0) {
    const start = pct(m.weightsBytes + m.overheadBytes);
    const end = pct(m.plannedBytes);
    const usage = m.kvCacheUsage;
    const kvText = usage === undefined ? `KV cache ${gib(kvBytes)}, fill not reported yet` : `KV cache ${percent(usage)} full of ${gib(kvBytes)}`;
    const kv = barCanvas(KV_HEIGHT, `${m.name}: ${kvText}`);
    kv.append(segment(start, end, KV_HEIGHT, 'seg kv-track'));
    if (usage !== undefined) kv.append(segment(start, start + (end - start) * usage, KV_HEIGHT, 'seg kv-fill'));
    row.append(kv, el('p', 'caption', kvText));
  }
  return row;
}
