/**
 * The Engine API's pull messages folded into one byte figure, and the progress texts the tree,
 * the notification and the CLI show.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PullTracker } from '../../src/core/docker/pull-progress';
import { RateMeter, byteProgress, formatDoneOfTotal } from '../../src/core/progress/progress';

describe('pull progress', () => {
  it('sums the bytes of all layers, counts present layers as nothing to fetch, and never falls', () => {
    const t = new PullTracker('org/img:1');
    const seen: number[] = [];
    const messages = [
      { status: 'Pulling from org/img', id: '1' },
      { status: 'Already exists', id: 'aaaaaaaaaaaa' },
      { status: 'Pulling fs layer', id: 'bbbbbbbbbbbb' },
      { status: 'Pulling fs layer', id: 'cccccccccccc' },
      { status: 'Downloading', id: 'bbbbbbbbbbbb', progressDetail: { current: 100, total: 1000 } },
      { status: 'Downloading', id: 'cccccccccccc', progressDetail: { current: 50, total: 500 } },
      { status: 'Downloading', id: 'bbbbbbbbbbbb', progressDetail: { current: 900, total: 1000 } },
      { status: 'Download complete', id: 'bbbbbbbbbbbb' },
      { status: 'Extracting', id: 'bbbbbbbbbbbb', progressDetail: { current: 10, total: 1000 } },
      { status: 'Pull complete', id: 'bbbbbbbbbbbb' },
      { status: 'Downloading', id: 'cccccccccccc', progressDetail: { current: 500, total: 500 } },
      { status: 'Pull complete', id: 'cccccccccccc' },
      { status: 'Digest: sha256:abc' },
    ];
    for (const m of messages) {
      assert.equal(t.push(m), undefined);
      seen.push(t.progress.doneBytes);
    }
    for (let i = 1; i < seen.length; i++) assert.ok((seen[i] ?? 0) >= (seen[i - 1] ?? 0), String(seen));
    assert.deepEqual(t.progress, { image: 'org/img:1', doneBytes: 1500, totalBytes: 1500, layers: 3, layersDone: 3 });
  });

  it('returns the error dockerd reports in the stream', () => {
    const t = new PullTracker('x');
    assert.equal(t.push({ error: 'manifest unknown', errorDetail: { message: 'manifest for x not found' } }), 'manifest for x not found');
  });

  it('renders rows as the tree shows them', () => {
    assert.equal(formatDoneOfTotal(3.1e9, 14.8e9), '3.1 / 14.8 GB');
    assert.equal(formatDoneOfTotal(33.6e6, 14.5e9), '33.6 MB / 14.5 GB', 'not "0.0 / 14.5 GB"');
    assert.equal(formatDoneOfTotal(0, 14.5e9), '0.0 / 14.5 GB');
    assert.equal(byteProgress('pull', 3.1e9, 14.8e9).text, 'pulling image 3.1 / 14.8 GB');
    const d = byteProgress('download', 23.4e9, 65e9, 112e6);
    assert.equal(d.text, 'downloading 23.4 / 65.0 GB · 112.0 MB/s · 6 min left');
    assert.equal(d.phase, 'download');
    assert.ok(Math.abs(d.fraction - 0.36) < 0.001);
  });

  it('measures the rate over a window of samples', () => {
    let now = 0;
    const meter = new RateMeter(5_000, () => now);
    assert.equal(meter.sample(0), undefined);
    now = 1_000;
    assert.equal(meter.sample(1e6), 1e6);
    now = 2_000;
    assert.equal(meter.sample(3e6), 1.5e6);
  });
});
