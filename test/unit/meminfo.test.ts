import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseMemInfo } from '../../src/core/meminfo';

describe('/proc/meminfo parsing', () => {
  it('reads total, available, free and page cache in bytes', () => {
    const info = parseMemInfo('MemTotal:       127535228 kB\nMemFree:         1000 kB\nMemAvailable:   120000000 kB\nBuffers: 10 kB\nCached:          5000000 kB\nSwapCached: 0 kB\n');
    assert.deepEqual(info, { totalBytes: 127535228 * 1024, freeBytes: 1000 * 1024, availableBytes: 120000000 * 1024, cachedBytes: 5000000 * 1024 });
  });

  it('refuses text without MemTotal', () => {
    assert.throws(() => parseMemInfo('MemFree: 1 kB\n'), /no MemTotal/);
  });
});
