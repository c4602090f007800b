import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HostMessage, MemoryViewModel } from '../../../src/core/memory/messages';
import type { IntervalTimer } from '../../../src/core/memory/view-controller';
import { MemoryViewController } from '../../../src/core/memory/view-controller';

/** A timer driven by the test: `advance(n)` fires every live interval n times. */
class FakeTimer implements IntervalTimer {
  private next = 1;
  readonly live = new Map<number, () => void>();
  setInterval(callback: () => void): unknown {
    const handle = this.next++;
    this.live.set(handle, callback);
    return handle;
  }
  clearInterval(handle: unknown): void {
    this.live.delete(handle as number);
  }
  async advance(ticks: number): Promise<void> {
    for (let i = 0; i < ticks; i++) {
      for (const callback of [...this.live.values()]) callback();
      await new Promise((resolve) => setImmediate(resolve)); // let the load settle
    }
  }
}

const VIEW = { snapshot: {}, scenarios: [] } as unknown as MemoryViewModel;

function setup(load: () => Promise<MemoryViewModel> = () => Promise.resolve(VIEW)) {
  const timer = new FakeTimer();
  const posted: HostMessage[] = [];
  let loads = 0;
  const controller = new MemoryViewController({
    load: () => {
      loads++;
      return load();
    },
    post: (m) => posted.push(m),
    timer,
  });
  return { timer, posted, controller, loads: () => loads };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('memory view controller', () => {
  it('waits for the webview to be ready, then updates at once and on every tick while visible', async () => {
    const { timer, posted, controller, loads } = setup();
    controller.setVisible(true);
    await timer.advance(3);
    assert.equal(loads(), 0, 'no work before the webview can show it');
    controller.receive({ type: 'ready' });
    await settle();
    assert.equal(loads(), 1);
    await timer.advance(3);
    assert.equal(loads(), 4);
    assert.ok(posted.every((m) => m.type === 'update'));
    assert.equal(posted.length, 4);
  });

  it('does no work at all while hidden: the timer is cleared and ticks load nothing', async () => {
    const { timer, controller, loads } = setup();
    controller.setVisible(true);
    controller.receive({ type: 'ready' });
    await timer.advance(2);
    const before = loads();
    controller.setVisible(false);
    assert.equal(timer.live.size, 0, 'no interval while hidden');
    await timer.advance(10);
    assert.equal(loads(), before);
  });

  it('after being shown again it waits for the new script instance to say ready', async () => {
    const { timer, controller, loads } = setup();
    controller.setVisible(true);
    controller.receive({ type: 'ready' });
    await settle();
    controller.setVisible(false);
    controller.setVisible(true);
    await timer.advance(2);
    const before = loads();
    assert.equal(timer.live.size, 0);
    controller.receive({ type: 'ready' });
    await settle();
    assert.equal(loads(), before + 1);
    assert.equal(timer.live.size, 1);
  });

  it('skips a tick while the previous load still runs, so slow sources never pile up', async () => {
    let release: (() => void) | undefined;
    const { timer, controller, loads } = setup(() => new Promise((resolve) => (release = () => resolve(VIEW))));
    controller.setVisible(true);
    controller.receive({ type: 'ready' });
    await timer.advance(5);
    assert.equal(loads(), 1);
    release?.();
    await settle();
    await timer.advance(1);
    assert.equal(loads(), 2);
  });

  it('posts an error message when reading fails, and drops answers that arrive after hiding', async () => {
    let fail = true;
    let release: (() => void) | undefined;
    const { posted, controller } = setup(() => (fail ? Promise.reject(new Error('meminfo unreadable')) : new Promise((resolve) => (release = () => resolve(VIEW)))));
    controller.setVisible(true);
    controller.receive({ type: 'ready' });
    await settle();
    assert.deepEqual(posted, [{ type: 'error', message: 'meminfo unreadable' }]);
    fail = false;
    controller.receive({ type: 'refresh' });
    controller.setVisible(false);
    release?.();
    await settle();
    assert.equal(posted.length, 1);
  });

  it('stops for good when disposed', async () => {
    const { timer, controller, loads } = setup();
    controller.setVisible(true);
    controller.receive({ type: 'ready' });
    await settle();
    controller.dispose();
    controller.receive({ type: 'ready' });
    await timer.advance(3);
    assert.equal(loads(), 1);
    assert.equal(timer.live.size, 0);
  });
});
