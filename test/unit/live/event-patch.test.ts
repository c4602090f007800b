/** What a Docker event alone tells the state model about a container it knows. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ContainerDetails, DockerEvent } from '../../../src/core/docker/types';
import { patchFromEvent } from '../../../src/core/state/event-patch';

const known: ContainerDetails = { id: 'id1', name: 'vllm-gpt-oss-20b', image: 'img', labels: {}, status: 'exited', exitCode: 137, startedAt: '2026-11-26T20:00:00Z', finishedAt: '2026-11-26T21:00:00Z', restartCount: 0, restartPolicy: 'unless-stopped', health: { status: 'unhealthy', failingStreak: 3 }, ports: [], command: [] };
const at = 1_780_000_000_123_456_789n;
const event = (action: string, attributes: Record<string, string> = {}, id = 'id1'): DockerEvent => ({ action, id, name: 'vllm-gpt-oss-20b', attributes: { name: 'vllm-gpt-oss-20b', ...attributes }, timeNano: at });

describe('patchFromEvent', () => {
  it('start: running from the event time, exit code cleared, a health check starting over', () => {
    assert.deepEqual(patchFromEvent(known, event('start')), { ...known, status: 'running', exitCode: 0, startedAt: new Date(1_780_000_000_123).toISOString(), health: { status: 'starting', failingStreak: 0 } });
    assert.equal(patchFromEvent({ ...known, health: undefined }, event('start'))?.health, undefined);
  });

  it('die: exited with the code the event carries, and nothing without one', () => {
    const running = { ...known, status: 'running' as const, exitCode: 0 };
    assert.deepEqual(patchFromEvent(running, event('die', { exitCode: '143' })), { ...running, status: 'exited', exitCode: 143, finishedAt: new Date(1_780_000_000_123).toISOString() });
    assert.equal(patchFromEvent(running, event('die')), undefined);
  });

  it('health, pause, unpause and destroy', () => {
    assert.deepEqual(patchFromEvent(known, event('health_status: healthy'))?.health, { status: 'healthy', failingStreak: 0 });
    assert.equal(patchFromEvent(known, event('pause'))?.status, 'paused');
    assert.equal(patchFromEvent(known, event('unpause'))?.status, 'running');
    assert.equal(patchFromEvent(known, event('destroy')), null);
  });

  it('says nothing about another or an unknown container, or actions only an inspect explains', () => {
    assert.equal(patchFromEvent(known, event('start', {}, 'id2')), undefined);
    assert.equal(patchFromEvent(undefined, event('start')), undefined);
    for (const action of ['create', 'stop', 'kill', 'restart', 'rename', 'update', 'oom']) assert.equal(patchFromEvent(known, event(action)), undefined, action);
  });
});
