/**
 * The other hosts of a multi-host stack, each in its own section under the main host's picture:
 * how it is reached, its pool and its models, or why it could not be read (with the fix).
 */
import type { HostMemory } from '../../src/core/memory/types';
import { el } from './dom';
import { gib } from './format';
import { renderModels } from './models';
import { renderPool } from './pool';

export function renderHosts(hosts: readonly HostMemory[]): HTMLElement[] {
  return hosts.map((host) => {
    const section = el('section', 'host');
    section.dataset.host = host.name;
    const title = el('h2', 'host-title', host.name);
    title.append(el('span', 'muted', ` ${[host.reach, host.address].filter(Boolean).join(' · ')}`));
    section.append(title);
    if (!host.snapshot) {
      section.classList.add('unreachable');
      section.append(el('p', 'problems', `Unreachable: ${host.error ?? 'not read'}`));
      if (host.fix) section.append(el('p', 'muted', `Fix: ${host.fix}`));
      return section;
    }
    if (host.snapshot.problems.length > 0) section.append(el('p', 'problems', `Partial picture — ${host.snapshot.problems.join('; ')}`));
    // Without its /proc/meminfo only the total is known: a bar of "all free" would claim what was not measured.
    const pool = host.totalOnly ? el('h2', undefined, `Memory of ${host.name}`) : renderPool(host.snapshot, host.name);
    if (host.totalOnly) pool.append(el('span', 'muted', ` ${gib(host.snapshot.totalBytes)} total · used and free not measured`));
    section.append(pool, renderModels(host.snapshot, host.name));
    return section;
  });
}
