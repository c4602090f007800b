import assert from 'node:assert/strict';
import { FileFormatError } from '../../src/core/errors';
import { parseScenarioFile } from '../../src/core/scenarios/file';

/** Small scenarios files made by the tests themselves. */
export const MODEL_A = `  - name: model-a
    folder: model-a
    container: vllm-model-a
    hfModel: org/model-a
    weightsGiB: 10
    overheadGiB: 2
    kvCacheDtype: auto
    kvBytesPerToken: 1048576
    maxModelLen: 1024
    hostPort: 8001
    memoryEnv: MODEL_A_GPU_MEMORY_UTILIZATION
    defaultFraction: 0.2
    tensorParallel: { spark: 1, multi-gpu: 2 }
    gpus: { multi-gpu: ["0", "1"] }
`;

export const MODEL_B = `  - name: model-b
    folder: model-b
    container: vllm-model-b
    hfModel: org/model-b
    weightsGiB: 40
    overheadGiB: 4
    kvCacheDtype: fp8
    kvBytesPerToken: 1048576
    maxModelLen: 2048
    hostPort: 8002
    memoryEnv: MODEL_B_GPU_MEMORY_UTILIZATION
    defaultFraction: 0.5
`;

/** A valid file: two models, a scenario each and one with both. */
export function scenariosYaml(extraScenario = ''): string {
  return `version: 1
reserveGiB: 8
models:
${MODEL_A}${MODEL_B}scenarios:
  - name: model-a
    title: model-a alone
    variant: spark
    models: { model-a: 0.25 }
  - name: both
    title: Both
    variant: spark
    models:
      model-a: 0.2
      model-b: 0.6
${extraScenario}`;
}

/** A file with model-a and model-b, the hosts spark-2 (ssh://) and, unless `twoHosts` is false, spark-3 (a context), and `scenario` as its only scenario's models. */
export function hostsYaml(scenarioModels: string, twoHosts = true): string {
  const spark3 = twoHosts ? '  - name: spark-3\n    docker: sg-spark3\n    address: 10.231.8.2\n' : '';
  return `version: 1
reserveGiB: 8
hosts:
  - name: spark-2
    docker: ssh://root@10.231.7.2
    address: 10.231.7.2
${spark3}models:
${MODEL_A}${MODEL_B}scenarios:
  - name: spread
    variant: spark
    models:
${scenarioModels}`;
}

/** Parses a scenarios file that must be refused and returns its {@link FileFormatError}. */
export function scenarioFileError(text: string, file: string): FileFormatError {
  try {
    parseScenarioFile(text, file);
  } catch (error) {
    assert.ok(error instanceof FileFormatError, `expected FileFormatError, got ${String(error)}`);
    return error;
  }
  assert.fail('the file was accepted');
}
