// @ts-check
'use strict';

/**
 * SIM_HOLD_MEMORY_MB: memory allocated while the "weights load" (a share per checkpoint shard) and
 * held until exit, so `docker stats` and memory views move like they do with a real model server.
 * Pages are written to, so they are resident, not just reserved.
 */
class MemoryBallast {
  /** @param {number} megabytes */
  constructor(megabytes) {
    this.totalBytes = megabytes * 1024 * 1024;
    /** @type {Buffer[]} */
    this.blocks = [];
    this.heldBytes = 0;
  }

  /**
   * Allocates the share of shard `k` of `n` (all of what is left at the last shard).
   * @param {number} k
   * @param {number} n
   */
  load(k, n) {
    const target = Math.floor((this.totalBytes * k) / n);
    const bytes = target - this.heldBytes;
    if (bytes <= 0) return;
    const block = Buffer.allocUnsafeSlow(bytes);
    block.fill(0x5a);
    this.blocks.push(block);
    this.heldBytes += bytes;
  }
}

module.exports = { MemoryBallast };
