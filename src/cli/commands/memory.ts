import { createDockerClient } from '../../core/docker/client';
import { dockerContainerSource } from '../../core/memory/docker-source';
import { readMemorySnapshot, systemMemorySources } from '../../core/memory/read';
import type { MemorySnapshot, ModelMemory } from '../../core/memory/types';
import { gib } from '../../core/planner';
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

export const memoryCommand: Command = {
  name: 'memory',
  summary: 'live memory: total, used, available, page cache, and each model against its budget',
  usage: 'memory [--json]',
  flags: ['--json'],
  values: [],
  async run(args, { io, stack }) {
    if (args.positionals.length > 0) throw new UsageError('memory takes no arguments');
    const { scenarios: file } = await stack();
    const snapshot = await readMemorySnapshot(file, systemMemorySources(dockerContainerSource(createDockerClient(io.env))));
    if (args.flags.has('--json')) {
      printJson(io, snapshot);
      return EXIT.ok;
    }
    io.out(`Memory: ${gib(snapshot.totalBytes)} total, ${gib(snapshot.usedBytes)} used, ${gib(snapshot.availableBytes)} available (of which ${gib(snapshot.reclaimableBytes)} page cache)\n`);
    io.out(`  ${bar(snapshot)}  █ models ${gib(snapshot.parts.modelsBytes)}  ▓ other ${gib(snapshot.parts.otherBytes)}  ▒ page cache ${gib(snapshot.parts.cacheBytes)}  ░ free ${gib(snapshot.parts.freeBytes)}\n`);
    io.out(`Running scenario: ${snapshot.runningScenario ?? (snapshot.models.some((m) => m.usedSource !== 'none') ? 'none matches the running models' : 'none')}\n`);
    for (const m of snapshot.models) io.out(modelLine(m));
    for (const gpu of snapshot.gpus) {
      if (gpu.totalBytes !== undefined) io.out(`  GPU ${gpu.index}: ${gib(gpu.usedBytes ?? 0)} of ${gib(gpu.totalBytes)}\n`);
    }
    for (const problem of snapshot.problems) io.out(`  ! ${problem}\n`);
    return EXIT.ok;
  },
};
