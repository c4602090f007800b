/**
 * [live] The daemon itself restarts under a running model server (an upgrade, `systemctl restart
 * docker`): the state model reports Docker unreachable, reconnects with back-off once dockerd is
 * back, and catches up with what happened meanwhile; the log follower keeps following. dockerd is
 * stopped and started by scripts/dockerd.sh, exactly as the provisioning script starts it.
 * Run by hand only under the Docker lock (CONTRACTS): it stops every container on the machine.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createDockerClient } from '../../src/core/docker/client';
import type { LogLine } from '../../src/core/logs/follower';
import { followLogs } from '../../src/core/logs/follower';
import { serviceRows } from '../../src/core/stack/services';
import { loadStack } from '../../src/core/stack/discovery';
import { StackStateModel } from '../../src/core/state/stack-state';
import { missing } from '../support/components';
import { ensureNetwork, ensureSimulatorImage, removeNetwork } from '../support/docker';
import { composeModel, prepareModelFolder, recordStates } from '../support/live';
import { REPO_ROOT, waitFor } from '../support/processes';
import type { StackCopy } from '../support/stack-copy';
import { copyStack } from '../support/stack-copy';

const CONTAINER = 'vllm-gpt-oss-20b';

function dockerd(action: 'start' | 'stop'): void {
  execFileSync('bash', [path.join(REPO_ROOT, 'scripts', 'dockerd.sh'), action], { stdio: 'pipe', timeout: 90_000 });
}

describe('[live] surviving a dockerd restart', { skip: missing('docker', 'compose') }, () => {
  let stack: StackCopy;
  let createdNetwork = false;
  let model: StackStateModel;

  before(() => {
    ensureSimulatorImage();
    createdNetwork = ensureNetwork();
    execFileSync('docker', ['rm', '-f', CONTAINER], { stdio: 'pipe' });
    stack = copyStack();
  });

  after(() => {
    model?.dispose();
    try {
      dockerd('start'); // whatever happened, leave the daemon running
      execFileSync('docker', ['rm', '-f', CONTAINER], { stdio: 'pipe' });
      if (createdNetwork) removeNetwork();
    } finally {
      stack?.remove();
    }
  });

  it('reports Docker unreachable while it is down, then reconnects and catches up; the log follower follows on', { timeout: 240_000 }, async () => {
    const dir = prepareModelFolder(stack.dir, 'gpt-oss-20b', { SIM_LOAD_SECONDS: '2', SIM_SHARDS: '3' });
    const loaded = await loadStack(stack.dir);
    const docker = createDockerClient();
    model = new StackStateModel(serviceRows(loaded), stack.dir, docker);
    model.start();
    await model.whenSynced();
    const rec = recordStates(model, 'gpt-oss-20b');
    composeModel(dir, ['up', '-d']);
    await rec.waitFor('healthy', 60_000);
    const startedBefore = model.services.find((s) => s.name === 'gpt-oss-20b')?.startedAt;

    const stop = new AbortController();
    const lines: LogLine[] = [];
    const following = (async () => {
      for await (const line of followLogs(docker, CONTAINER, { follow: true, signal: stop.signal, maxRetryMs: 2000 })) lines.push(line);
    })();
    const connections: string[] = [];
    const sub = model.onDidChange(() => {
      if (connections[connections.length - 1] !== model.connection.status) connections.push(model.connection.status);
    });
    try {
      await waitFor('the follower to read the log', async () => lines.some((l) => l.text.includes('Application startup complete.')), 15_000);
      dockerd('stop');
      await waitFor('the model to report Docker unreachable', async () => model.connection.status === 'unreachable', 30_000);
      const down = model.connection;
      assert.ok(down.status === 'unreachable' && /Docker (socket|daemon)/.test(down.error.message), down.status === 'unreachable' ? down.error.message : '');

      const from = rec.records.length;
      dockerd('start');
      // The restart policy (unless-stopped) brings the model back when the daemon starts.
      await waitFor('the model to reconnect', async () => model.connection.status === 'connected', 60_000, () => connections.join(' → '));
      await rec.waitFor('healthy', 90_000, from);
      const after = model.services.find((s) => s.name === 'gpt-oss-20b');
      assert.notEqual(after?.startedAt, startedBefore, 'caught up with the new start of the container');
      await waitFor('the follower to see the start-up after the daemon restart', async () => lines.filter((l) => l.text.includes('Application startup complete.')).length >= 2, 60_000, () => lines.slice(-10).map((l) => l.text).join('\n'));
      assert.deepEqual(connections.slice(-2), ['unreachable', 'connected']);
    } finally {
      sub.dispose();
      rec.stop();
      stop.abort();
      await following;
    }
  });
});
