import { createDockerClient } from '../../core/docker/client';
import { SparkError, UnknownNameError } from '../../core/errors';
import { dockerContainerSource } from '../../core/memory/docker-source';
import type { HostMemory } from '../../core/memory/hosts';
import { hostMemoryInputs, readHostsMemory } from '../../core/memory/hosts';
import { systemMemorySources } from '../../core/memory/read';
import type { MemorySnapshot, ModelMemory } from '../../core/memory/types';
import { gib } from '../../core/planner';
import { hostClients, stackHostEngines } from '../../core/state/hosts-state';
import { UsageError } from '../args';
import type { Command } from '../io';
import { EXIT, printJson } from '../io';

const BAR_WIDTH = 50;

/** A text bar of the pool: models █, other processes ▓, page cache ▒, free ░. */
function bar(snapshot: MemorySnapshot): string {
  const { modelsBytes, otherBytes, cacheBytes } = snapshot.parts;
  const cells = (bytes: number) => Math.round((bytes / snapshot.totalBytes) * BAR_WIDTH);
  const models = cells(modelsBytes);
  const other = cells(otherBytes);
  const cache = Math.min(BAR_WIDTH - models - other, cells(cacheBytes));
  return `[${'█'.repeat(models)}${'▓'.repeat(other)}${'▒'.repeat(cache)}${'░'.repeat(Math.max(0, BAR_WIDTH - models - other - cache))}]`;
}

function modelLine(m: ModelMemory): string {
  const holding = m.usedSource !== 'none';
  const use = holding ? `uses ${gib(m.usedBytes)} (${m.usedSource}) of` : 'budget';
  const kv = m.kvCacheUsage !== undefined ? ` · KV cache ${Math.round(m.kvCacheUsage * 100)}%` : '';
  return `  ${m.name.padEnd(14)} ${m.state.padEnd(10)} ${use} ${gib(m.plannedBytes)} (${m.fraction} × total, ${m.fractionSource}); weights ~${gib(m.weightsBytes)}${kv}\n`;
}

/** Prints one host's pool and models (the whole output without other hosts). */
function printSnapshot(io: Parameters<Command['run']>[1]['io'], snapshot: MemorySnapshot): void {
  io.out(`Memory: ${gib(snapshot.totalBytes)} total, ${gib(snapshot.usedBytes)} used, ${gib(snapshot.availableBytes)} available (of which ${gib(snapshot.reclaimableBytes)} page cache)\n`);
  io.out(`  ${bar(snapshot)}  █ models ${gib(snapshot.parts.modelsBytes)}  ▓ other ${gib(snapshot.parts.otherBytes)}  ▒ page cache ${gib(snapshot.parts.cacheBytes)}  ░ free ${gib(snapshot.parts.freeBytes)}\n`);
  io.out(`Running scenario: ${snapshot.runningScenario ?? (snapshot.models.some((m) => m.usedSource !== 'none') ? 'none matches the running models' : 'none')}\n`);
  for (const m of snapshot.models) io.out(modelLine(m));
  for (const gpu of snapshot.gpus) {
    if (gpu.totalBytes !== undefined) io.out(`  GPU ${gpu.index}: ${gib(gpu.usedBytes ?? 0)} of ${gib(gpu.totalBytes)}\n`);
  }
  for (const problem of snapshot.problems) io.out(`  ! ${problem}\n`);
}

/** A host's entry of `memory --json`: its name and how it is reached, then its snapshot's fields or its error. */
function hostJson(host: HostMemory): Record<string, unknown> {
  const { snapshot, ...about } = host;
  return { ...about, reachable: snapshot !== undefined, ...(snapshot ?? {}) };
}

export const memoryCommand: Command = {
  name: 'memory',
  summary: 'live memory: total, used, available, page cache, and each model against its budget (per host with hosts:)',
  usage: 'memory [--json] [--host NAME]',
  flags: ['--json'],
  values: ['--host'],
  async run(args, { io, stack }) {
    if (args.positionals.length > 0) throw new UsageError('memory takes no arguments');
    const loaded = await stack();
    const file = loaded.scenarios;
    const only = args.values.get('--host');
    if (only !== undefined && !file.hosts.some((h) => h.name === only)) throw new UnknownNameError('host', only, file.hosts.map((h) => h.name));
    const docker = createDockerClient(io.env);
    const engines = stackHostEngines(loaded, docker.endpoint).filter((e) => only === undefined || e.name === only);
    const hosts = await readHostsMemory(file, hostMemoryInputs(engines, hostClients(docker), systemMemorySources(dockerContainerSource(docker))));
    const main = hosts.find((h) => h.main);
    const json = args.flags.has('--json');
    if (only !== undefined) {
      const host = hosts[0];
      if (!host?.snapshot) throw new SparkError(`host ${only} (${host?.reach ?? ''}): ${host?.error ?? 'not read'}`, host?.fix);
      if (json) printJson(io, { host: host.name, reach: host.reach, ...host.snapshot });
      else printSnapshot(io, host.snapshot);
      return EXIT.ok;
    }
    // Without other hosts the output is exactly the single-host one (SPEC §4's shape); with them the
    // main host's snapshot stays at the top level and `hosts` lists every host's own.
    const several = hosts.length > 1;
    if (json) {
      printJson(io, { ...(main?.snapshot ?? {}), ...(several ? { hosts: hosts.map(hostJson) } : {}) });
      return EXIT.ok;
    }
    for (const host of hosts) {
      if (several) io.out(`\n== ${host.name} (${host.main ? 'this machine, gateway' : host.reach}) ==\n`);
      if (host.snapshot) printSnapshot(io, host.snapshot);
      else io.out(`  unreachable: ${host.error ?? ''}${host.fix ? ` — ${host.fix}` : ''}\n`);
    }
    return EXIT.ok;
  },
};
