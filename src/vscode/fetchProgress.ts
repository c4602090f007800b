/**
 * The pull/download progress of a start running in this window, for the Servers tree: before
 * the container exists, Docker's events say nothing, so the start tells the tree directly
 * ("pulling image 3.1 / 14.8 GB" on each of its model rows; undefined when the phase ended).
 */
import * as vscode from 'vscode';

export interface FetchProgress {
  readonly models: readonly string[];
  readonly text: string | undefined;
}

const emitter = new vscode.EventEmitter<FetchProgress>();

/** Fired by the start (and *Download Models*) as bytes arrive, throttled by the caller. */
export const onFetchProgress = emitter.event;

/** Tells the tree what `models` are fetching now (undefined: nothing any more). */
export function reportFetch(models: readonly string[], text: string | undefined): void {
  emitter.fire({ models, text });
}
