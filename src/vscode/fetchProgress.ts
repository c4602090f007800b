/**
 * The pull/download progress of a start (or *Download Models*) running in this window, for the
 * Servers tree: before the container exists, Docker's events say nothing, so the work tells the
 * tree directly. A row has room for little beside the model's name, so it shows the short form
 * (`pulling 3.1/14.8 GB · 6 min left`) and its tooltip the whole figure with the rate.
 */
import * as vscode from 'vscode';
import type { PhaseProgress } from '../core/progress/progress';
import { formatDoneOfTotal, formatTimeLeft } from '../core/progress/progress';

export interface FetchText {
  /** The row's description. */
  readonly row: string;
  /** The whole figure (`downloading 23.4 / 65.0 GB · 112.0 MB/s · 6 min left`), for the tooltip. */
  readonly full: string;
}

export interface FetchProgress {
  readonly models: readonly string[];
  /** Undefined: the fetch of these models ended. */
  readonly text: FetchText | undefined;
}

/**
 * VS Code's extension host debounces a tree's change events (~200 ms, leading edge): a download
 * reporting every 50 ms would show its first figure and then nothing until it ends. One redraw
 * every half second keeps the row moving.
 */
const REDRAW_MS = 500;

const emitter = new vscode.EventEmitter<FetchProgress>();
const latest = new Map<string, FetchText>();
let timer: NodeJS.Timeout | undefined;
let lastFired = 0;

/** Fired as bytes arrive, at most every {@link REDRAW_MS}; at once when a fetch ends. */
export const onFetchProgress = emitter.event;

/** The row's short form of a pull or download figure. Pure. */
export function rowText(p: PhaseProgress): string {
  const verb = p.phase === 'pull' ? 'pulling' : 'downloading';
  const figure = p.totalBytes > 0 ? formatDoneOfTotal(p.doneBytes, p.totalBytes).replace(' / ', '/') : p.text.replace(/^\S+( image)? /, '');
  return [`${verb} ${figure}`, ...(p.secondsLeft !== undefined ? [formatTimeLeft(p.secondsLeft)] : [])].join(' · ');
}

function flush(): void {
  timer = undefined;
  lastFired = Date.now();
  const byText = new Map<FetchText, string[]>();
  for (const [model, text] of latest) byText.set(text, [...(byText.get(text) ?? []), model]);
  for (const [text, models] of byText) emitter.fire({ models, text });
}

/** Tells the tree what `models` are fetching now (undefined: nothing any more). */
export function reportFetch(models: readonly string[], progress: PhaseProgress | undefined): void {
  if (progress === undefined) {
    for (const model of models) latest.delete(model);
    emitter.fire({ models, text: undefined });
    return;
  }
  const text = { row: rowText(progress), full: progress.text };
  for (const model of models) latest.set(model, text);
  if (timer) return;
  timer = setTimeout(flush, Math.max(0, lastFired + REDRAW_MS - Date.now()));
}
