/**
 * The state model against a scripted Docker: events drive it, nothing is polled, the daemon going
 * away is survived. The real engine is exercised in test/integration/live-*.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeDocker, details, until } from '../../support/fake-docker';
import { Backoff } from '../../../src/core/state/backoff';
import { StackStateModel } from '../../../src/core/state/stack-state';
import type { ServiceRow } from '../../../src/core/stack/services';

const ROWS: ServiceRow[] = [{ kind: 'model', name: 'gpt-oss-20b', label: 'gpt-oss-20b', container: 'vllm-gpt-oss-20b', folder: 'gpt-oss-20b', hostPort: 8001, detail: '' }];

function nextChange(model: StackStateModel): Promise<void> {
  return new Promise((resolve) => {
    const sub = model.onDidChange(() => {
      sub.dispose();
      resolve();
    });
  });
}

describe('the stack state model (scripted Docker)', () => {
  it('starts absent, and follows create → loading with progress → healthy → exited from events', async () => {
    const docker = new FakeDocker();
    const model = new StackStateModel(ROWS, '/s', docker, { debounceMs: 20, followProgress: false });
    try {
      model.start();
      await model.whenSynced();
      assert.equal(model.services[0]?.state, 'absent');

      docker.logText = 'Starting to load model x...\nLoading safetensors checkpoint shards:  40% Completed | 2/5 [00:01<00:01]\n';
      docker.containers.set('vllm-gpt-oss-20b', details({ health: { status: 'starting', failingStreak: 0 } }));
      docker.emit('create');
      docker.emit('start');
      await until(() => model.services[0]?.state === 'loading');
      assert.deepEqual(model.services[0]?.progress?.text, 'shard 2/5');

      docker.containers.set('vllm-gpt-oss-20b', details({ health: { status: 'healthy', failingStreak: 0 } }));
      docker.emit('health_status: healthy');
      await until(() => model.services[0]?.state === 'healthy');

      docker.containers.set('vllm-gpt-oss-20b', details({ status: 'exited', exitCode: 137 }));
      docker.emit('die');
      await until(() => model.services[0]?.state === 'exited');
      assert.equal(model.services[0]?.exitCode, 137);
    } finally {
      model.dispose();
    }
  });

  it('after a crash restart within the second of the last log line, the previous run\'s lines do not count', async () => {
    const docker = new FakeDocker();
    // Docker's `since` has whole seconds, so it replays the old run's lines of 20:00:07 too.
    // The new run has logged nothing yet: it has no progress, not the old run's "up".
    docker.logText = '2026-11-26T20:00:07.250Z (APIServer pid=1) INFO:     Application startup complete.\n';
    docker.containers.set('vllm-gpt-oss-20b', details({ startedAt: '2026-11-26T20:00:07.8Z', restartCount: 1, health: { status: 'starting', failingStreak: 0 } }));
    const model = new StackStateModel(ROWS, '/s', docker, { debounceMs: 20, followProgress: false });
    try {
      model.start();
      await model.whenSynced();
      assert.equal(model.services[0]?.progress, undefined, 'no progress yet, not the previous run\'s "API server up"');
    } finally {
      model.dispose();
    }
    // A line of the new run in the same second counts (the times compared to the nanosecond).
    docker.logText += '2026-11-26T20:00:07.950000001Z Loading safetensors checkpoint shards:  40% Completed | 2/5 [00:01<00:01]\n';
    const again = new StackStateModel(ROWS, '/s', docker, { debounceMs: 20, followProgress: false });
    try {
      again.start();
      await again.whenSynced();
      assert.equal(again.services[0]?.progress?.text, 'shard 2/5');
    } finally {
      again.dispose();
    }
  });

  it('shows what an event says before its inspect answers', async () => {
    const docker = new FakeDocker();
    docker.containers.set('vllm-gpt-oss-20b', details({ status: 'exited', exitCode: 0, health: { status: 'unhealthy', failingStreak: 3 } }));
    const model = new StackStateModel(ROWS, '/s', docker, { debounceMs: 20, followProgress: false });
    try {
      model.start();
      await model.whenSynced();
      assert.equal(model.services[0]?.state, 'exited');
      let release: () => void = () => undefined;
      docker.inspectGate = new Promise((resolve) => (release = resolve));
      const inspectsBefore = docker.requestCount;
      docker.emit('start');
      await until(() => model.services[0]?.state === 'starting');
      docker.emit('die', 'vllm-gpt-oss-20b', { exitCode: '143' });
      await until(() => model.services[0]?.state === 'exited');
      assert.equal(model.services[0]?.exitCode, 143);
      // The inspects still run (for what events do not carry) and have the last word.
      docker.containers.set('vllm-gpt-oss-20b', details({ status: 'exited', exitCode: 137 }));
      release();
      await until(() => model.services[0]?.exitCode === 137);
      assert.ok(docker.requestCount > inspectsBefore);
    } finally {
      model.dispose();
    }
  });

  it('coalesces a burst of events into one inspect', async () => {
    const docker = new FakeDocker();
    docker.containers.set('vllm-gpt-oss-20b', details({ status: 'created' }));
    const model = new StackStateModel(ROWS, '/s', docker, { debounceMs: 50, followProgress: false });
    try {
      model.start();
      await model.whenSynced();
      const before = docker.requestCount;
      docker.containers.set('vllm-gpt-oss-20b', details({ status: 'restarting' }));
      for (const a of ['die', 'stop', 'start', 'die', 'restart']) docker.emit(a);
      await until(() => model.services[0]?.state === 'restarting');
      await new Promise((r) => setTimeout(r, 100));
      // one inspect, plus one tail of the log for the failure's last line
      assert.ok(docker.requestCount - before <= 2, `${docker.requestCount - before} requests`);
    } finally {
      model.dispose();
    }
  });

  it('ignores events of containers outside the stack', async () => {
    const docker = new FakeDocker();
    const model = new StackStateModel(ROWS, '/s', docker, { debounceMs: 10 });
    try {
      model.start();
      await model.whenSynced();
      const before = docker.requestCount;
      docker.emit('start', 'someone-elses-container');
      await new Promise((r) => setTimeout(r, 60));
      assert.equal(docker.requestCount, before);
    } finally {
      model.dispose();
    }
  });

  it('reports the daemon going away and reconnects with back-off, then resyncs', async () => {
    const docker = new FakeDocker();
    docker.containers.set('vllm-gpt-oss-20b', details({ health: { status: 'healthy', failingStreak: 0 } }));
    const model = new StackStateModel(ROWS, '/s', docker, { debounceMs: 10, backoff: new Backoff(20, 100) });
    try {
      model.start();
      await model.whenSynced();
      const changed = nextChange(model);
      docker.kill();
      await changed;
      assert.equal(model.connection.status, 'unreachable');
      // While down the container died; when the daemon is back the model catches up.
      docker.containers.set('vllm-gpt-oss-20b', details({ status: 'exited', exitCode: 1 }));
      await new Promise((r) => setTimeout(r, 50));
      docker.down = false;
      await until(() => model.connection.status === 'connected' && model.services[0]?.state === 'exited');
    } finally {
      model.dispose();
    }
  });

  it('fetches /metrics of healthy models only while watched', async () => {
    const docker = new FakeDocker();
    docker.containers.set('vllm-gpt-oss-20b', details({ health: { status: 'healthy', failingStreak: 0 } }));
    let fetches = 0;
    const model = new StackStateModel(ROWS, '/s', docker, { metricsMs: 20, fetchLoad: async () => (fetches++, { running: 2, waiting: 1, kvCacheUsage: 0.12 }) });
    try {
      model.start();
      await model.whenSynced();
      await new Promise((r) => setTimeout(r, 60));
      assert.equal(fetches, 0, 'nothing fetched while no view is visible');
      const watch = model.watchMetrics();
      await until(() => model.services[0]?.requests?.running === 2);
      watch.dispose();
      const after = fetches;
      await new Promise((r) => setTimeout(r, 80));
      assert.equal(fetches, after);
    } finally {
      model.dispose();
    }
  });
});
