import type { HostProbe } from '../../core/compose/hosts';
import { probeHost } from '../../core/compose/hosts';
import { gib } from '../../core/planner';
import type { Command } from '../io';
import { EXIT, printJson } from '../io';

export const hostsCommand: Command = {
  name: 'hosts',
  summary: 'each host of scenarios.yaml: how its Docker engine is reached, whether it answers (or why not, with the fix), its memory',
  usage: 'hosts [--json]',
  flags: ['--json'],
  values: [],
  async run(args, { io, stack }) {
    const loaded = await stack();
    const hosts = loaded.scenarios.hosts;
    // In parallel: an unreachable host waits for its SSH timeout.
    const probes: HostProbe[] = await Promise.all(hosts.map((h) => probeHost(h)));
    const failed = probes.filter((p) => !p.reachable).length;
    if (args.flags.has('--json')) {
      printJson(io, {
        hosts: hosts.map((h, i) => {
          const p = probes[i];
          return { name: h.name, main: h.main, docker: h.docker ?? null, address: h.address ?? null, reach: p?.reach, reachable: p?.reachable ?? false, serverVersion: p?.serverVersion ?? null, memTotalBytes: p?.memTotalBytes ?? null, cpus: p?.cpus ?? null, ...(p?.reachable ? {} : { reason: p?.reason, fix: p?.fix }) };
        }),
      });
      return failed > 0 ? EXIT.error : EXIT.ok;
    }
    const rows = hosts.map((h, i) => {
      const p = probes[i];
      return [h.name, p?.reach ?? '', h.address ?? '-', p?.reachable ? `reachable (Docker ${p.serverVersion ?? '?'})` : 'NOT reachable', p?.memTotalBytes ? gib(p.memTotalBytes) : '-'];
    });
    const header = ['NAME', 'DOCKER ENGINE', 'ADDRESS', 'STATE', 'MEMORY'];
    const widths = header.map((title, i) => Math.max(title.length, ...rows.map((r) => (r[i] ?? '').length)));
    for (const line of [header, ...rows]) io.out(`${line.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd()}\n`);
    for (const p of probes.filter((x) => !x.reachable)) io.out(`\n${p.host}: ${p.reason ?? 'not reachable'}\n  fix: ${p.fix ?? ''}\n`);
    return failed > 0 ? EXIT.error : EXIT.ok;
  },
};
