/**
 * The Engine API's pull messages (`POST /images/create`, one JSON object per line, one layer per
 * `id`) folded into one figure: bytes of all layers downloaded out of all layers' sizes, the
 * number the user asked for instead of a line per layer. Pure, so it is tested on recorded
 * streams; sizes become known as layers start, so `totalBytes` can grow while `doneBytes` only
 * rises.
 */

/** One line of the pull stream, as dockerd writes it. */
export interface PullMessage {
  readonly status?: string;
  readonly id?: string;
  readonly progressDetail?: { readonly current?: number; readonly total?: number };
  readonly error?: string;
  readonly errorDetail?: { readonly message?: string };
}

/** Where a pull is: bytes downloaded of the layers known so far. */
export interface PullProgress {
  readonly image: string;
  readonly doneBytes: number;
  readonly totalBytes: number;
  /** Layers to fetch, and those finished (downloaded, or already present). */
  readonly layers: number;
  readonly layersDone: number;
}

interface Layer {
  done: number;
  total: number;
  finished: boolean;
  /** Present locally already ("Already exists"): nothing to fetch, so no bytes counted. */
  skipped: boolean;
}

/** Folds pull messages into a {@link PullProgress}. */
export class PullTracker {
  private readonly layers = new Map<string, Layer>();

  constructor(readonly image: string) {}

  /** Takes one message; returns the error dockerd reported, if it is one. */
  push(message: PullMessage): string | undefined {
    if (message.error !== undefined || message.errorDetail?.message !== undefined) return message.errorDetail?.message ?? message.error;
    const id = message.id;
    const status = message.status ?? '';
    // Lines without a layer id are about the whole image ("Pulling from …", "Digest: …").
    if (!id || !/^[0-9a-f]{12,64}$/.test(id)) return undefined;
    const layer = this.layers.get(id) ?? { done: 0, total: 0, finished: false, skipped: false };
    this.layers.set(id, layer);
    if (status === 'Already exists') {
      layer.skipped = true;
      layer.finished = true;
    } else if (status === 'Downloading') {
      const { current = 0, total = 0 } = message.progressDetail ?? {};
      if (total > 0) layer.total = total;
      layer.done = Math.max(layer.done, current);
    } else if (status === 'Download complete' || status === 'Verifying Checksum' || status === 'Pull complete' || status.startsWith('Extracting')) {
      // After the download the layer's bytes are all here (a small layer can skip "Downloading").
      layer.done = layer.total = Math.max(layer.total, layer.done);
      if (status === 'Pull complete') layer.finished = true;
    }
    return undefined;
  }

  /** The figure so far. */
  get progress(): PullProgress {
    let doneBytes = 0;
    let totalBytes = 0;
    let layersDone = 0;
    for (const layer of this.layers.values()) {
      if (layer.finished) layersDone++;
      if (layer.skipped) continue;
      doneBytes += layer.done;
      totalBytes += layer.total;
    }
    return { image: this.image, doneBytes, totalBytes, layers: this.layers.size, layersDone };
  }
}
