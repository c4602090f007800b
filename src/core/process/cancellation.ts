/**
 * Cancellation as the core accepts it: an AbortSignal, or anything shaped like VS Code's
 * CancellationToken, so the progress notification's or the chat view's token passes straight in
 * while the core never imports VS Code. One {@link CancelledError} for the whole core, so an
 * `instanceof` check anywhere recognises a cancel from anywhere.
 */
export interface CancellationLike {
  readonly isCancellationRequested: boolean;
  onCancellationRequested(listener: () => unknown): { dispose(): unknown };
}

export type Cancellation = AbortSignal | CancellationLike;

/** The user cancelled: the operation stopped where it was, not a failure to explain. */
export class CancelledError extends Error {
  constructor(what = 'cancelled') {
    super(what);
    this.name = 'CancelledError';
  }
}

function isAbortSignal(value: Cancellation): value is AbortSignal {
  return 'aborted' in value && typeof (value as AbortSignal).addEventListener === 'function';
}

/** True when `cancellation` has fired. */
export function isCancelled(cancellation: Cancellation | undefined): boolean {
  if (!cancellation) return false;
  return isAbortSignal(cancellation) ? cancellation.aborted : cancellation.isCancellationRequested;
}

/** Calls `listener` once when `cancellation` fires (at once if it already has); returns a detach function. */
export function onCancel(cancellation: Cancellation | undefined, listener: () => void): () => void {
  if (!cancellation) return () => undefined;
  if (isCancelled(cancellation)) {
    listener();
    return () => undefined;
  }
  if (isAbortSignal(cancellation)) {
    cancellation.addEventListener('abort', listener, { once: true });
    return () => cancellation.removeEventListener('abort', listener);
  }
  const subscription = cancellation.onCancellationRequested(listener);
  return () => void subscription.dispose();
}

/** Throws {@link CancelledError} when `cancellation` has fired. */
export function throwIfCancelled(cancellation: Cancellation | undefined): void {
  if (isCancelled(cancellation)) throw new CancelledError();
}

/**
 * An AbortSignal that fires when `cancellation` does (with a {@link CancelledError} as its reason);
 * `dispose()` detaches it — call it when the work ends so long-lived tokens do not collect
 * listeners.
 */
export function toAbortSignal(cancellation: Cancellation | undefined): { readonly signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  if (!cancellation) return { signal: controller.signal, dispose: () => undefined };
  if (isAbortSignal(cancellation)) return { signal: cancellation, dispose: () => undefined };
  const detach = onCancel(cancellation, () => controller.abort(new CancelledError()));
  return { signal: controller.signal, dispose: detach };
}
