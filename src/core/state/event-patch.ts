/**
 * What a Docker event itself says about a container the model already knows, before any inspect:
 * `start` means running (health checks start over), `die` with its `exitCode` means exited,
 * `pause`/`unpause`, `health_status: …` and `destroy` likewise. The state model shows this at
 * once and then inspects, as before, for everything an event does not carry — so the tree is as
 * fresh as the event stream instead of one batching window plus one inspect behind it.
 */
import type { ContainerDetails, DockerEvent } from '../docker/types';

/** The event's own time as an ISO string (Docker's timeNano, to the millisecond). */
function eventTime(event: DockerEvent): string {
  return new Date(Number(event.timeNano / 1_000_000n)).toISOString();
}

/**
 * `known` as `event` leaves it: a new object when the event changes what the state shows,
 * `null` when the container is gone, `undefined` when the event says nothing certain (another
 * container, an unknown one, or an action whose outcome only an inspect tells). Pure.
 */
export function patchFromEvent(known: ContainerDetails | undefined, event: DockerEvent): ContainerDetails | null | undefined {
  if (!known || known.id !== event.id) return undefined;
  const health = /^health_status: (healthy|unhealthy|starting)$/.exec(event.action)?.[1] as 'healthy' | 'unhealthy' | 'starting' | undefined;
  if (health) return { ...known, health: { status: health, failingStreak: health === 'unhealthy' ? Math.max(1, known.health?.failingStreak ?? 0) : 0 } };
  switch (event.action) {
    case 'start':
      return { ...known, status: 'running', exitCode: 0, startedAt: eventTime(event), ...(known.health ? { health: { status: 'starting', failingStreak: 0 } } : {}) };
    case 'die': {
      const code = event.attributes.exitCode;
      // Without the exit code (which Docker always sends) the row could show a wrong one.
      if (code === undefined || !/^\d+$/.test(code)) return undefined;
      return { ...known, status: 'exited', exitCode: Number(code), finishedAt: eventTime(event) };
    }
    case 'pause':
      return { ...known, status: 'paused' };
    case 'unpause':
      return { ...known, status: 'running' };
    case 'destroy':
      return null;
    default:
      return undefined;
  }
}
