/**
 * The memory webview's protocol, shared as types only (webview/ imports it with `import type`).
 * The webview says `ready` once its script runs (after every show, since its context is not
 * retained while hidden); the host answers with an `update` and then one about every second
 * while the view is visible.
 */
import type { HostMemory, MemoryCheck, MemorySnapshot } from './types';

/**
 * Everything the view draws: the live picture and each scenario checked against it — the main
 * host's — and, when scenarios.yaml lists other hosts, each of them with its own pool and models.
 */
export interface MemoryViewModel {
  readonly snapshot: MemorySnapshot;
  readonly scenarios: readonly MemoryCheck[];
  /** The main host's name, when there are other hosts. */
  readonly mainHost?: string;
  /** The other hosts (absent without `hosts:`). */
  readonly hosts?: readonly HostMemory[];
}

export type HostMessage =
  | { readonly type: 'update'; readonly view: MemoryViewModel }
  | { readonly type: 'error'; readonly message: string };

export type WebviewMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'refresh' };

/** What the webview keeps with `vscode.setState`, to draw at once when shown again. */
export interface WebviewState {
  readonly selectedScenario?: string;
  readonly last?: MemoryViewModel;
}

/** Narrows an unknown message from the webview; anything else is ignored. */
export function isWebviewMessage(value: unknown): value is WebviewMessage {
  const type = (value as { type?: unknown } | null)?.type;
  return type === 'ready' || type === 'refresh';
}
