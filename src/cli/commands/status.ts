import { findHost } from '../../core/scenarios/placement';
import { readHostServices } from '../../core/state/host-services';
import type { ServiceStatus } from '../../core/state/service-state';
import { describeLoad, describeState, formatUptime } from '../../core/state/service-state';
import type { PhaseProgress } from '../../core/progress/progress';
import { modelProgress, modelProgressSource } from '../../core/weights/model-progress';
import type { Command } from '../io';
import { EXIT, printJson } from '../io';

/** SPEC §4's JSON shape: name, kind, container, state, health, ports first, then `host` (SPEC §9) and the details. */
function toJson(s: ServiceStatus, host: string, progress: PhaseProgress | undefined): Record<string, unknown> {
  // `phaseProgress` is the same figure as a following state model reads it (the tree's): `progress` here.
  const { name, kind, container, state, health, ports, phaseProgress, ...details } = s;
  const figure = progress ?? phaseProgress;
  return { name, kind, container, state, health, ports, host, ...details, ...(figure ? { progress: figure } : {}) };
}

function portsText(s: ServiceStatus): string {
  return s.ports.map((p) => `${p.hostIp}:${p.hostPort}->${p.containerPort}`).join(', ') || '-';
}

/** The pull or download text of a model not started yet (the load is in describeState already). */
function fetching(progress: PhaseProgress | undefined): string | undefined {
  return progress && progress.phase !== 'load' ? progress.text : undefined;
}

export const statusCommand: Command = {
  name: 'status',
  summary: 'the state of every gateway service and model server (however it was started)',
  usage: 'status [--json] [--host NAME]',
  flags: ['--json'],
  values: ['--host'],
  async run(args, { io, stack }) {
    const loaded = await stack();
    const source = await modelProgressSource(loaded, io.env);
    const only = args.values.get('--host');
    const hosts = only === undefined ? loaded.scenarios.hosts : [findHost(loaded.scenarios, only)];
    const read = await readHostServices(loaded, hosts, io.env);
    // SPEC §9's progress of each model: the core's one figure, the one the Servers tree shows.
    const services = await Promise.all(read.flatMap((h) => (h.services ?? []).map(async (s) => ({ s, host: h.host.name, progress: await modelProgress(s, source) }))));
    const unreachable = read.filter((h) => h.problem).map((h) => ({ host: h.host.name, reason: h.problem?.reason, fix: h.problem?.fix }));
    if (args.flags.has('--json')) {
      printJson(io, { services: services.map(({ s, host, progress }) => toJson(s, host, progress)), ...(unreachable.length > 0 ? { unreachable } : {}) });
      return unreachable.length > 0 ? EXIT.error : EXIT.ok;
    }
    // A HOST column once the stack has more than this machine (a one-host stack reads as before).
    const showHost = loaded.scenarios.hosts.length > 1;
    const rows = services.map(({ s, host, progress }) => [
      s.name,
      ...(showHost ? [host] : []),
      s.kind,
      [describeState(s), fetching(progress), describeLoad(s)].filter(Boolean).join(' · '),
      s.container,
      portsText(s),
      formatUptime(s.startedAt, Date.now()) ?? '-',
    ]);
    const header = ['NAME', ...(showHost ? ['HOST'] : []), 'KIND', 'STATE', 'CONTAINER', 'PORTS', 'UP'];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
    for (const line of [header, ...rows]) io.out(`${line.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd()}\n`);
    for (const { s, host } of services) {
      const who = showHost && host !== 'local' ? `${s.name} on ${host}` : s.name;
      if (s.lastLogLine) io.out(`\n${who}: last log line: ${s.lastLogLine}\n`);
      if (s.healthOutput) io.out(`${who}: health probe: ${s.healthOutput}\n`);
    }
    for (const u of unreachable) io.err(`spark-gateway: host ${u.host} is not reachable: ${u.reason ?? 'unknown'} — ${u.fix ?? ''}\n`);
    return unreachable.length > 0 ? EXIT.error : EXIT.ok;
  },
};
