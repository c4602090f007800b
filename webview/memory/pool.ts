/** The stacked bar of the whole memory pool: models, other processes, page cache, free. */
import type { MemorySnapshot } from '../../src/core/memory/types';
import { barCanvas, el, legendItem, segment } from './dom';
import { gib } from './format';

const HEIGHT = 24;

/** `host` names whose pool it is, when the stack has several hosts. */
export function renderPool(snapshot: MemorySnapshot, host?: string): HTMLElement {
  const section = el('section', 'pool');
  const kind = snapshot.gpuMemory === 'unified' ? 'Unified memory' : 'System memory';
  const heading = el('h2', undefined, host ? `${kind} of ${host}` : kind);
  heading.append(el('span', 'muted', ` ${gib(snapshot.totalBytes)}`));
  section.append(heading);

  const { modelsBytes, otherBytes, cacheBytes, freeBytes } = snapshot.parts;
  const pct = (bytes: number) => (bytes / snapshot.totalBytes) * 100;
  const parts: [string, number, string][] = [
    ['models', modelsBytes, 'Models'],
    ['other', otherBytes, 'Other processes'],
    ['cache', cacheBytes, 'Page cache'],
    ['free', freeBytes, 'Free'],
  ];
  const label = parts.map(([, bytes, name]) => `${name} ${gib(bytes)}`).join(', ');
  const canvas = barCanvas(HEIGHT, `Memory: ${label}`);
  let at = 0;
  for (const [cls, bytes] of parts) {
    canvas.append(segment(at, at + pct(bytes), HEIGHT, `seg ${cls}`));
    at += pct(bytes);
  }
  section.append(canvas);

  const legend = el('ul', 'legend');
  for (const [cls, bytes, name] of parts) legend.append(legendItem(cls, `${name} ${gib(bytes)}`));
  section.append(legend);
  section.append(el('p', 'muted', `${gib(snapshot.availableBytes)} available (page cache included) · ${gib(snapshot.usedBytes)} used`));

  for (const gpu of snapshot.gpus) {
    if (gpu.totalBytes === undefined) continue;
    const used = gpu.usedBytes ?? 0;
    const gpuBar = barCanvas(10, `GPU ${gpu.index}: ${gib(used)} of ${gib(gpu.totalBytes)}`);
    gpuBar.append(segment(0, (used / gpu.totalBytes) * 100, 10, 'seg models'), segment((used / gpu.totalBytes) * 100, 100, 10, 'seg free'));
    section.append(el('p', 'caption', `GPU ${gpu.index}: ${gib(used)} of ${gib(gpu.totalBytes)}`), gpuBar);
  }
  return section;
}
