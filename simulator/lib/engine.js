// @ts-check
'use strict';

/**
 * The simulated engine: admits requests (up to --max-num-seqs running, the rest waiting), paces
 * tokens at SIM_TOKENS_PER_SECOND per request, and keeps the counters and histograms that
 * `/metrics` and the periodic stats log line report.
 */

/** vLLM's time-to-first-token buckets (seconds). */
const TTFT_BUCKETS = Object.freeze([0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75,
  1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0, 160.0, 640.0, 2560.0]);
/** vLLM's request-latency buckets (seconds). */
const LATENCY_BUCKETS = Object.freeze([0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0,
  40.0, 50.0, 60.0, 120.0, 240.0, 480.0, 960.0, 1920.0, 7680.0]);

/** KV-cache block size in tokens; usage is counted in whole blocks like vLLM's paged cache. */
const BLOCK_SIZE = 16;

/** How many past prompts the prefix cache remembers. */
const PREFIX_MEMORY = 256;

class Histogram {
  /** @param {readonly number[]} buckets */
  constructor(buckets) {
    this.buckets = buckets;
    /** cumulative count per bucket upper bound */
    this.counts = buckets.map(() => 0);
    this.count = 0;
    this.sum = 0;
  }

  /** @param {number} value */
  observe(value) {
    this.count++;
    this.sum += value;
    this.counts = this.counts.map((c, i) => (value <= /** @type {number} */ (this.buckets[i]) ? c + 1 : c));
  }
}

/**
 * @typedef {'stop' | 'length' | 'abort' | 'error'} FinishReason
 * @typedef {{ promptTokens: number, generated: number }} Sequence
 */

class Engine {
  /**
   * @param {{ tokensPerSecond: number, maxNumSeqs: number, kvCacheTokens: number,
   *   enablePrefixCaching: boolean, now?: () => number }} options
   */
  constructor(options) {
    this.intervalMs = 1000 / options.tokensPerSecond;
    this.maxNumSeqs = options.maxNumSeqs;
    this.kvCacheTokens = options.kvCacheTokens;
    this.enablePrefixCaching = options.enablePrefixCaching;
    this.now = options.now ?? (() => performance.now());
    /** @type {Set<Sequence>} */
    this.running = new Set();
    /** @type {Array<() => void>} admission callbacks of waiting requests, oldest first */
    this.waiting = [];
    /** requests admitted and not finished (running, or about to start) */
    this.slots = 0;
    this.totals = { promptTokens: 0, generationTokens: 0, preemptions: 0, prefixQueries: 0, prefixHits: 0 };
    /** @type {Record<FinishReason, number>} */
    this.finished = { stop: 0, length: 0, abort: 0, error: 0 };
    this.ttft = new Histogram(TTFT_BUCKETS);
    this.e2e = new Histogram(LATENCY_BUCKETS);
    /** @type {string[][]} recent prompts, for prefix-cache hits */
    this.recentPrompts = [];
  }

  /** Fraction (0..1) of KV-cache blocks held by running requests. */
  kvCacheUsage() {
    let blocks = 0;
    for (const s of this.running) blocks += Math.ceil((s.promptTokens + s.generated) / BLOCK_SIZE);
    return Math.min(1, (blocks * BLOCK_SIZE) / this.kvCacheTokens);
  }

  /**
   * Runs one request: waits for a slot, "prefills" the prompt, then emits `pieces` one per token
   * interval through `onToken`. Resolves with the finish reason: `finishReason` when all pieces
   * were emitted, `abort` when `signal` fired first.
   * @param {{ promptWords: readonly string[], pieces: readonly string[], finishReason: 'stop' | 'length',
   *   signal: AbortSignal, onToken: (piece: string, index: number) => void }} req
   * @returns {Promise<FinishReason>}
   */
  async generate(req) {
    const arrival = this.now();
    /** @type {Sequence} */
    const seq = { promptTokens: req.promptWords.length, generated: 0 };
    try {
      await this.admit(req.signal);
    } catch {
      this.finished.abort++;
      return 'abort';
    }
    this.running.add(seq);
    this.totals.promptTokens += seq.promptTokens;
    this.lookupPrefix(req.promptWords);
    /** @type {FinishReason} */
    let reason = req.finishReason;
    try {
      for (const [i, piece] of req.pieces.entries()) {
        await sleep(this.intervalMs, req.signal);
        if (i === 0) this.ttft.observe((this.now() - arrival) / 1000);
        seq.generated++;
        this.totals.generationTokens++;
        req.onToken(piece, i);
      }
    } catch {
      reason = 'abort';
    } finally {
      this.running.delete(seq);
      this.releaseSlot();
    }
    this.finished[reason]++;
    if (reason !== 'abort') this.e2e.observe((this.now() - arrival) / 1000);
    return reason;
  }

  /**
   * Resolves when the request may run (a slot is taken); rejects if aborted while waiting.
   * @param {AbortSignal} signal
   */
  admit(signal) {
    if (signal.aborted) return Promise.reject(new Error('aborted'));
    if (this.slots < this.maxNumSeqs && this.waiting.length === 0) {
      this.slots++;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const go = () => {
        signal.removeEventListener('abort', onAbort);
        resolve(undefined);
      };
      const onAbort = () => {
        this.waiting = this.waiting.filter((w) => w !== go);
        reject(new Error('aborted'));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(go);
    });
  }

  /** Frees a slot and hands it to the oldest waiting request. */
  releaseSlot() {
    this.slots--;
    const next = this.waiting.shift();
    if (next) {
      this.slots++;
      next();
    }
  }

  /**
   * Prefix caching: tokens of this prompt already seen as the prefix of an earlier prompt are hits.
   * @param {readonly string[]} promptWords
   */
  lookupPrefix(promptWords) {
    if (!this.enablePrefixCaching) return;
    let best = 0;
    for (const prev of this.recentPrompts) {
      let n = 0;
      while (n < prev.length && n < promptWords.length && prev[n] === promptWords[n]) n++;
      best = Math.max(best, n);
    }
    this.totals.prefixQueries += promptWords.length;
    this.totals.prefixHits += best;
    this.recentPrompts.push([...promptWords]);
    if (this.recentPrompts.length > PREFIX_MEMORY) this.recentPrompts.shift();
  }
}

/**
 * @param {number} ms
 * @param {AbortSignal} signal
 * @returns {Promise<void>}
 */
function sleep(ms, signal) {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new Error('aborted'));
    const onAbort = () => {
      clearTimeout(timer);
      reject(new Error('aborted'));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

module.exports = { Engine, Histogram, TTFT_BUCKETS, LATENCY_BUCKETS };
