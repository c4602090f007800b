import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FileFormatError } from '../../src/core/errors';
import { parseScenarioFile } from '../../src/core/scenarios/file';
import { scenarioFileError, scenariosYaml } from '../support/fixtures';

const FILE = '/stacks/demo/scenarios.yaml';

const parseError = (text: string): FileFormatError => scenarioFileError(text, FILE);

describe('scenarios.yaml parsing', () => {
  it('reads models with their memory figures and scenarios with their fractions', () => {
    const file = parseScenarioFile(scenariosYaml(), FILE);
    assert.equal(file.reserveGiB, 8);
    assert.deepEqual(file.models.map((m) => m.name), ['model-a', 'model-b']);
    const a = file.models[0];
    assert.equal(a?.weightsGiB, 10);
    assert.equal(a?.hostPort, 8001);
    assert.equal(a?.memoryEnv, 'MODEL_A_GPU_MEMORY_UTILIZATION');
    assert.deepEqual(a?.tensorParallel, { spark: 1, 'multi-gpu': 2 });
    assert.deepEqual(a?.gpus, { 'multi-gpu': ['0', '1'] });
    assert.equal(file.models[1]?.toolCallParser, undefined);
    const both = file.scenarios.find((s) => s.name === 'both');
    assert.deepEqual([...(both?.models ?? [])], [['model-a', 0.2], ['model-b', 0.6]]);
    assert.equal(both?.variant, 'spark');
  });

  it('reports a YAML syntax error with the file and its line', () => {
    const text = scenariosYaml().replace('reserveGiB: 8', 'reserveGiB: [8');
    const error = parseError(text);
    assert.equal(error.file, FILE);
    assert.equal(typeof error.line, 'number');
    assert.match(error.message, /^\/stacks\/demo\/scenarios\.yaml:\d+: /);
  });

  it('names the line of a scenario that refers to an unknown model', () => {
    const text = scenariosYaml(`  - name: typo
    variant: spark
    models: { model-c: 0.1 }
`);
    const error = parseError(text);
    const expectedLine = text.split('\n').findIndex((l) => l.includes('model-c: 0.1')) + 1;
    assert.equal(error.line, expectedLine);
    assert.match(error.message, /unknown model "model-c"/);
    assert.match(error.message, /known: model-a, model-b/);
  });

  it('names the line of a memory fraction outside (0, 1]', () => {
    const text = scenariosYaml().replace('model-b: 0.6', 'model-b: 1.6');
    const error = parseError(text);
    assert.equal(error.line, text.split('\n').findIndex((l) => l.includes('model-b: 1.6')) + 1);
    assert.match(error.message, /at most 1/);
  });

  it('rejects a tensor-parallel size that cannot divide the attention heads', () => {
    const text = scenariosYaml().replace('multi-gpu: 2 }', 'multi-gpu: 3 }');
    const error = parseError(text);
    assert.equal(error.line, text.split('\n').findIndex((l) => l.includes('multi-gpu: 3')) + 1);
    assert.match(error.message, /tensor-parallel size 3/);
  });

  it('rejects an unknown compose variant', () => {
    const error = parseError(scenariosYaml().replace('title: Both\n    variant: spark', 'title: Both\n    variant: cloud'));
    assert.match(error.message, /variant must be one of spark, multi-gpu, not "cloud"/);
  });

  it('names a missing field and where its parent is', () => {
    const text = scenariosYaml().replace('    hostPort: 8002\n', '');
    const error = parseError(text);
    assert.match(error.message, /missing "hostPort"/);
    assert.equal(error.line, text.split('\n').findIndex((l) => l.includes('name: model-b')) + 1);
  });

  it('rejects a model defined twice and duplicate keys', () => {
    assert.match(parseError(scenariosYaml().replace('name: model-b', 'name: model-a')).message, /defined twice/);
    assert.match(parseError(scenariosYaml().replace('reserveGiB: 8', 'reserveGiB: 8\nreserveGiB: 9')).message, /unique|duplicate/i);
  });

  it('rejects an unsupported version', () => {
    const error = parseError(scenariosYaml().replace('version: 1', 'version: 2'));
    assert.equal(error.line, 1);
    assert.match(error.message, /unsupported version 2/);
  });
});
