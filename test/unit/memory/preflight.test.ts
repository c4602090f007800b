import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MemInfo } from '../../../src/core/meminfo';
import { checkScenarioMemory, memoryCheckResult, preflightMemory } from '../../../src/core/memory/preflight';
import type { ModelContainer } from '../../../src/core/memory/snapshot';
import { assembleSnapshot } from '../../../src/core/memory/snapshot';
import { GIB, findScenario } from '../../../src/core/planner';
import { parseScenarioFile } from '../../../src/core/scenarios/file';
import { scenariosYaml } from '../../support/fixtures';

// model-a: 10 + 2 + 1 GiB minimum, model-b: 40 + 4 + 2 GiB; scenarios "model-a" (0.25) and "both" (0.2 + 0.6).
const file = parseScenarioFile(scenariosYaml(), 'scenarios.yaml');

function memInfo(gib: { total?: number; available: number; cached: number }): MemInfo {
  const total = (gib.total ?? 128) * GIB;
  return { totalBytes: total, availableBytes: gib.available * GIB, cachedBytes: gib.cached * GIB, freeBytes: Math.max(0, gib.available - gib.cached) * GIB };
}

function snapshot(mem: MemInfo, running: { name: 'a' | 'b'; fraction: number; usedGiB: number }[] = []) {
  const containers: ModelContainer[] = running.map((r) => ({ container: `vllm-model-${r.name}`, id: r.name.repeat(64), state: 'healthy', command: ['--gpu-memory-utilization', String(r.fraction)] }));
  return assembleSnapshot({
    file,
    memInfo: mem,
    containers,
    dockerUsage: new Map(running.map((r) => [`vllm-model-${r.name}`, r.usedGiB * GIB])),
    pidContainers: new Map(),
    kvCache: new Map(),
    problems: [],
    takenAt: new Date(0),
  });
}

const check = (scenario: string, snap: ReturnType<typeof snapshot>, stopping?: string[]) => checkScenarioMemory(file, findScenario(file, scenario), snap, stopping ? { stopping } : {});

describe('scenario memory check (pre-flight and the view)', () => {
  it('calls a scenario whose models all run at its fractions "running", not "does not fit", and says what its plan means on this machine', () => {
    // 48 GiB: model-a's 0.25 budget (12 GiB) is below its 10 + 2 + 1 GiB minimum — it runs (the simulator loads no weights), but real weights would not.
    const result = check('model-a', snapshot(memInfo({ total: 48, available: 30, cached: 1 }), [{ name: 'a', fraction: 0.25, usedGiB: 1 }]));
    assert.equal(result.verdict, 'running');
    assert.equal(result.fits, true);
    assert.equal(result.neededBytes, 0);
    assert.deepEqual(result.reasons, []);
    assert.match(result.warnings[0] ?? '', /^it runs now, but on this machine \(48\.0 GiB\) its plan does not fit: model-a: KV cache budget/);
    assert.equal(memoryCheckResult(result).status, 'ok');
    assert.match(memoryCheckResult(result).detail, /^model-a runs already: starting it needs no more memory/);
  });

  it('fits when the budgets fit the plan and the free memory', () => {
    const result = check('both', snapshot(memInfo({ available: 120, cached: 2 })));
    assert.equal(result.verdict, 'fits');
    assert.equal(result.neededBytes, 0.8 * 128 * GIB);
    assert.deepEqual(result.reasons, []);
    assert.deepEqual(result.warnings, []);
  });

  it('fits only after dropping the page cache when the budgets need part of it, and says how', () => {
    const result = check('both', snapshot(memInfo({ available: 110, cached: 40 })));
    assert.equal(result.verdict, 'fits-after-dropping-cache');
    assert.equal(result.fits, true);
    assert.match(result.warnings[0] ?? '', /32\.4 GiB of it is page cache.*drop_caches/);
  });

  it('does not fit when running models outside the scenario hold the memory, and names them', () => {
    const result = check('model-a', snapshot(memInfo({ available: 20, cached: 1 }), [{ name: 'b', fraction: 0.5, usedGiB: 60 }]));
    assert.equal(result.verdict, 'does-not-fit');
    assert.match(result.reasons[0] ?? '', /need 32\.0 GiB but only 20\.0 GiB is available now; running outside this scenario: model-b \(60\.0 GiB\) — stop them first/);
  });

  it('counts the memory of models the caller stops first as available', () => {
    const result = check('model-a', snapshot(memInfo({ available: 20, cached: 1 }), [{ name: 'b', fraction: 0.5, usedGiB: 60 }]), ['model-b']);
    assert.equal(result.verdict, 'fits');
    assert.equal(result.availableBytes, 80 * GIB);
  });

  it('needs nothing new for a model already running at the scenario fraction', () => {
    const result = check('both', snapshot(memInfo({ available: 90, cached: 1 }), [{ name: 'a', fraction: 0.2, usedGiB: 25 }]));
    assert.deepEqual(result.models.map((m) => [m.name, m.alreadyRunning]), [['model-a', true], ['model-b', false]]);
    assert.equal(result.neededBytes, 0.6 * 128 * GIB);
    assert.equal(result.verdict, 'fits');
  });

  it("carries the planner's refusal, so the view and the start give the same reason", () => {
    const result = check('both', snapshot(memInfo({ total: 40, available: 39, cached: 0 })));
    assert.equal(result.verdict, 'does-not-fit');
    assert.ok(result.reasons.some((r) => r.startsWith('model-b: budget 24.0 GiB')));
  });

  it('preflightMemory reads the live memory and checks the named scenario', async () => {
    const result = await preflightMemory(file, 'model-a', {
      memInfo: () => Promise.resolve(memInfo({ available: 10, cached: 0 })),
      containers: { containers: () => Promise.resolve([]), memoryUsage: () => Promise.resolve(new Map()) },
      nvidiaSmi: () => Promise.resolve(undefined),
      containerIdOfPid: () => Promise.resolve(undefined),
      kvCacheUsage: () => Promise.resolve(undefined),
      now: () => new Date(0),
    });
    assert.equal(result.verdict, 'does-not-fit');
    await assert.rejects(preflightMemory(file, 'nope', { memInfo: () => Promise.reject(new Error('unused')) } as never), /unknown scenario "nope"/);
  });

  it('becomes a pre-flight row: ok, warn with the drop-caches fix, fail with the reasons (warn for the simulator)', () => {
    assert.equal(memoryCheckResult(check('both', snapshot(memInfo({ available: 120, cached: 2 })))).status, 'ok');
    const cache = memoryCheckResult(check('both', snapshot(memInfo({ available: 110, cached: 40 }))));
    assert.deepEqual([cache.status, cache.fix], ['warn', 'Run `sync; echo 3 | sudo tee /proc/sys/vm/drop_caches`']);
    const blocked = check('model-a', snapshot(memInfo({ available: 20, cached: 1 }), [{ name: 'b', fraction: 0.5, usedGiB: 60 }]));
    const row = memoryCheckResult(blocked);
    assert.equal(row.status, 'fail');
    assert.match(row.detail, /^model-a does not fit: the models to start need 32\.0 GiB/);
    assert.equal(memoryCheckResult(blocked, { simulator: true }).status, 'warn');
  });
});
