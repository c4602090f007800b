/**
 * Cancellation as the core accepts it: an AbortSignal, or anything shaped like VS Code's
 * CancellationToken, so the progress notification's token passes straight in while the core
 * never imports VS Code.
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
