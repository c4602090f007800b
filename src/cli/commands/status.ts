import { findHost } from '../../core/scenarios/placement';
import { readHostServices } from '../../core/state/host-services';
import type { ServiceStatus } from '../../core/state/service-state';
import { describeLoad, describeState, formatUptime } from '../../core/state/service-state';
import { readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { readStackEnv } from '../../core/stack/env';
import type { PhaseProgress } from '../../core/progress/progress';
import { byteProgress } from '../../core/progress/progress';
import { hfCacheDir, repoFolder } from '../../core/weights/cache-dir';
import { readProgress } from '../../core/progress/progress-file';
import type { Stack } from '../../core/stack/discovery';
import type { Command } from '../io';
import { EXIT, printJson } from '../io';

/** SPEC §4's JSON shape: name, kind, container, state, health, ports first, then `host` (SPEC §9) and the details. */
function toJson(s: ServiceStatus, host: string, progress: PhaseProgress | undefined): Record<string, unknown> {
  const { name, kind, container, state, health, ports, ...details } = s;
  return { name, kind, container, state, health, ports, host, ...details, ...(progress ? { progress } : {}) };
}

/**
 * SPEC §9's progress of a model: a pull or download a start in any process recorded, else
 * vLLM's load read from its log (bytes as the shards loaded of the model's weights).
 */
function phaseProgress(s: ServiceStatus, stack: Stack, cacheDir: string): PhaseProgress | undefined {
  if (s.kind !== 'model') return undefined;
  if (s.state === 'absent' || s.state === 'created' || s.state === 'starting') {
    const recorded = readProgress(stack.root, s.name);
    if (recorded) return recorded;
  }
  const spec = stack.scenarios.models.find((m) => m.name === s.name);
  const weights = Math.round((spec?.weightsGiB ?? 0) * 1024 ** 3);
  // Started by hand, vLLM downloads on its own and logs nothing of it (0.31): while its cache
  // folder holds a partial blob (huggingface_hub's `<etag>.incomplete`), the cache's growth
  // against the model's weights is the figure.
  // (vLLM's "Loading model from scratch" is read as 'downloading weights' until its next line.)
  const vllmDownloads = (s.state === 'starting' || s.state === 'loading') && (!s.progress || s.progress.text === 'downloading weights');
  if (vllmDownloads && spec) {
    const folder = repoFolder(cacheDir, spec.hfModel);
    if (downloading(folder)) return byteProgress('download', Math.min(cacheBytes(folder), weights), weights);
  }
  if (!s.progress) return undefined;
  // The load's text is vLLM's own milestone ("shard 2/4"), as status --json gave it before phases.
  const shards = /shard (\d+)\/(\d+)/.exec(s.progress.text);
  const doneBytes = shards ? Math.round((weights * Number(shards[1])) / Number(shards[2])) : s.progress.fraction >= 0.7 ? weights : 0;
  return { phase: 'load', doneBytes, totalBytes: weights, fraction: s.progress.fraction, text: s.progress.text };
}

function portsText(s: ServiceStatus): string {
  return s.ports.map((p) => `${p.hostIp}:${p.hostPort}->${p.containerPort}`).join(', ') || '-';
}

/** The pull or download text of a model not started yet (the load is in describeState already). */
function fetching(progress: PhaseProgress | undefined): string | undefined {
  return progress && progress.phase !== 'load' ? progress.text : undefined;
}

/** Whether a download into the repository's cache folder is under way (a partial blob is there). */
function downloading(folder: string): boolean {
  try {
    return readdirSync(path.join(folder, 'blobs')).some((f) => f.endsWith('.incomplete'));
  } catch {
    return false;
  }
}

/** Bytes of a repository's blobs in the cache, partial downloads included. */
function cacheBytes(folder: string): number {
  try {
    return readdirSync(path.join(folder, 'blobs')).reduce((n, f) => n + statSync(path.join(folder, 'blobs', f)).size, 0);
  } catch {
    return 0;
  }
}

export const statusCommand: Command = {
  name: 'status',
  summary: 'the state of every gateway service and model server (however it was started)',
  usage: 'status [--json] [--host NAME]',
  flags: ['--json'],
  values: ['--host'],
  async run(args, { io, stack }) {
    const loaded = await stack();
    const cacheDir = hfCacheDir(await readStackEnv(loaded.root), io.env);
    const only = args.values.get('--host');
    const hosts = only === undefined ? loaded.scenarios.hosts : [findHost(loaded.scenarios, only)];
    const read = await readHostServices(loaded, hosts, io.env);
    const services = read.flatMap((h) => (h.services ?? []).map((s) => ({ s, host: h.host.name })));
    const unreachable = read.filter((h) => h.problem).map((h) => ({ host: h.host.name, reason: h.problem?.reason, fix: h.problem?.fix }));
    if (args.flags.has('--json')) {
      printJson(io, { services: services.map(({ s, host }) => toJson(s, host, phaseProgress(s, loaded, cacheDir))), ...(unreachable.length > 0 ? { unreachable } : {}) });
      return unreachable.length > 0 ? EXIT.error : EXIT.ok;
    }
    // A HOST column once the stack has more than this machine (a one-host stack reads as before).
    const showHost = loaded.scenarios.hosts.length > 1;
    const rows = services.map(({ s, host }) => [
      s.name,
      ...(showHost ? [host] : []),
      s.kind,
      [describeState(s), fetching(phaseProgress(s, loaded, cacheDir)), describeLoad(s)].filter(Boolean).join(' · '),
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
