/**
 * Tiny DOM helpers. Everything is built with createElement/textContent (never innerHTML), so
 * text from the host (model names, reasons) can never become markup, and no inline style
 * attributes are needed (the CSP forbids them): sizes are SVG attributes, colours CSS classes.
 */
const SVG_NS = 'http://www.w3.org/2000/svg';

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

export function svg<K extends keyof SVGElementTagNameMap>(tag: K, attributes: Record<string, string | number> = {}): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  return node;
}

/** An SVG bar chart canvas 0..100 wide (viewBox), stretched to the container's width. */
export function barCanvas(height: number, label: string): SVGSVGElement {
  const canvas = svg('svg', { viewBox: `0 0 100 ${height}`, preserveAspectRatio: 'none', role: 'img', 'aria-label': label, class: 'bar', height });
  const title = svg('title');
  title.textContent = label;
  canvas.append(title);
  return canvas;
}

/** A rectangle from `from` to `to` (0..100) on a bar canvas. */
export function segment(from: number, to: number, height: number, className: string, y = 0): SVGRectElement {
  const x = clamp(from);
  return svg('rect', { x, y, width: Math.max(0, clamp(to) - x), height, class: className });
}

/** A vertical mark at `at` (0..100), e.g. a budget. */
export function mark(at: number, height: number, className: string): SVGLineElement {
  const x = clamp(at);
  return svg('line', { x1: x, x2: x, y1: 0, y2: height, class: className, 'vector-effect': 'non-scaling-stroke' });
}

function clamp(value: number): number {
  return Math.min(100, Math.max(0, value));
}

/** A legend entry: a colour swatch and its text. */
export function legendItem(className: string, text: string): HTMLLIElement {
  const item = el('li');
  const swatch = el('span', `swatch ${className}`);
  swatch.setAttribute('aria-hidden', 'true');
  item.append(swatch, el('span', undefined, text));
  return item;
}
