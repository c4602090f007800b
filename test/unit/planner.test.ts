import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UnknownNameError } from '../../src/core/errors';
import { GIB, findScenario, planModel, planScenario } from '../../src/core/planner';
import { parseScenarioFile } from '../../src/core/scenarios/file';
import { scenariosYaml } from '../support/fixtures';

const file = parseScenarioFile(scenariosYaml(), 'scenarios.yaml');
const modelA = file.models[0];
assert.ok(modelA);

describe('memory planner', () => {
  it('gives a model its fraction of total memory and the rest after weights and overhead to the KV cache', () => {
    const plan = planModel(modelA, 0.25, 128 * GIB);
    assert.equal(plan.budgetBytes, 32 * GIB);
    assert.equal(plan.kvBudgetBytes, (32 - 10 - 2) * GIB);
    assert.equal(plan.minKvBytes, 1024 * 1048576); // 1 GiB: one 1024-token request at 1 MiB per token
    assert.equal(plan.fits, true);
    assert.equal(plan.reason, undefined);
  });

  it('refuses a budget below the weights and says so with the numbers', () => {
    const plan = planModel(modelA, 0.05, 128 * GIB); // 6.4 GiB < 10 + 2
    assert.equal(plan.fits, false);
    assert.match(plan.reason ?? '', /model-a: budget 6\.4 GiB \(0\.05 × 128\.0 GiB\) is below its weights 10\.0 GiB \+ overhead 2\.0 GiB/);
  });

  it('refuses when the KV cache cannot hold one full-length request', () => {
    const plan = planModel(modelA, 12.5 / 128, 128 * GIB); // 12.5 GiB: 0.5 GiB left, 1 GiB needed
    assert.equal(plan.fits, false);
    assert.match(plan.reason ?? '', /KV cache budget 0\.5 GiB cannot hold one 1024-token request \(1\.0 GiB\)/);
  });

  it('fits a scenario whose budgets leave the reserve', () => {
    const plan = planScenario(file, findScenario(file, 'both'), 128 * GIB);
    assert.equal(plan.fits, true);
    assert.equal(plan.plannedBytes, 0.8 * 128 * GIB);
    assert.ok(Math.abs(plan.freeAfterBytes - 0.2 * 128 * GIB) < 1);
    assert.deepEqual(plan.reasons, []);
  });

  it('refuses a scenario on a smaller machine with a reason per model that does not fit', () => {
    const plan = planScenario(file, findScenario(file, 'both'), 40 * GIB);
    assert.equal(plan.fits, false);
    assert.equal(plan.models.find((m) => m.model === 'model-b')?.fits, false); // 24 GiB < 40 + 4
    assert.ok(plan.reasons.some((r) => r.startsWith('model-b: budget 24.0 GiB')));
  });

  it('refuses a scenario whose budgets together eat into the reserve', () => {
    const tight = parseScenarioFile(scenariosYaml().replace('reserveGiB: 8', 'reserveGiB: 30'), 'scenarios.yaml');
    const plan = planScenario(tight, findScenario(tight, 'both'), 128 * GIB);
    assert.equal(plan.fits, false);
    assert.deepEqual(plan.models.map((m) => m.fits), [true, true]);
    assert.match(plan.reasons[0] ?? '', /together the models take 102\.4 GiB of 128\.0 GiB, leaving 25\.6 GiB — less than the 30\.0 GiB reserve/);
  });

  it('names the known scenarios when asked for an unknown one', () => {
    assert.throws(() => findScenario(file, 'nope'), (e: unknown) => e instanceof UnknownNameError && /known: model-a, both/.test(e.message));
  });
});
