/**
 * Cancellation as the core accepts it: an AbortSignal, or anything shaped like VS Code's
 * CancellationToken (so the chat view's token passes straight in without the core knowing VS Code).
 */

export interface CancellationLike {
  readonly isCancellationRequested: boolean;
  onCancellationRequested(listener: () => unknown): { dispose(): unknown };
}

export type Cancellation = AbortSignal | CancellationLike;

/** The user (or the caller) cancelled: not a failure to explain, just the end of the request. */
export class CancelledError extends Error {
  constructor() {
    super('cancelled');
    this.name = 'CancelledError';
  }
}

function isAbortSignal(value: Cancellation): value is AbortSignal {
  return typeof (value as AbortSignal).addEventListener === 'function' && 'aborted' in value;
}

/**
 * An AbortSignal that fires when `cancellation` does; `dispose()` detaches it (call it when the
 * request ends so long-lived tokens do not collect listeners).
 */
export function toAbortSignal(cancellation: Cancellation | undefined): { readonly signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  if (!cancellation) return { signal: controller.signal, dispose: () => undefined };
  if (isAbortSignal(cancellation)) return { signal: cancellation, dispose: () => undefined };
  if (cancellation.isCancellationRequested) controller.abort(new CancelledError());
  const subscription = cancellation.onCancellationRequested(() => controller.abort(new CancelledError()));
  return { signal: controller.signal, dispose: () => void subscription.dispose() };
}
