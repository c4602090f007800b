import { createDockerClient } from '../../core/docker/client';
import { serviceRows } from '../../core/services';
import type { ServiceStatus } from '../../core/state/service-state';
import { describeLoad, describeState, formatUptime } from '../../core/state/service-state';
import { StackStateModel } from '../../core/state/stack-state';
import type { Command } from '../io';
import { EXIT, printJson } from '../io';

/** SPEC §4's JSON shape: name, kind, container, state, health, ports first, then the details. */
function toJson(s: ServiceStatus): Record<string, unknown> {
  const { name, kind, container, state, health, ports, ...details } = s;
  return { name, kind, container, state, health, ports, ...details };
}

function portsText(s: ServiceStatus): string {
  return s.ports.map((p) => `${p.hostIp}:${p.hostPort}->${p.containerPort}`).join(', ') || '-';
}

export const statusCommand: Command = {
  name: 'status',
  summary: 'the state of every gateway service and model server (however it was started)',
  usage: 'status [--json]',
  flags: ['--json'],
  values: [],
  async run(args, { io, stack }) {
    const loaded = await stack();
    const model = new StackStateModel(serviceRows(loaded), loaded.root, createDockerClient(io.env), { followProgress: false });
    // The CLI is a "view" for the moment it prints: it wants the load of healthy models too.
    const watch = model.watchMetrics();
    let services: readonly ServiceStatus[];
    try {
      services = await model.syncOnce();
    } finally {
      watch.dispose();
      model.dispose();
    }
    if (args.flags.has('--json')) {
      printJson(io, { services: services.map(toJson) });
      return EXIT.ok;
    }
    const rows = services.map((s) => [
      s.name,
      s.kind,
      [describeState(s), describeLoad(s)].filter(Boolean).join(' · '),
      s.container,
      portsText(s),
      formatUptime(s.startedAt, Date.now()) ?? '-',
    ]);
    const header = ['NAME', 'KIND', 'STATE', 'CONTAINER', 'PORTS', 'UP'];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
    for (const line of [header, ...rows]) io.out(`${line.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd()}\n`);
    for (const s of services) {
      if (s.lastLogLine) io.out(`\n${s.name}: last log line: ${s.lastLogLine}\n`);
      if (s.healthOutput) io.out(`${s.name}: health probe: ${s.healthOutput}\n`);
    }
    return EXIT.ok;
  },
};
