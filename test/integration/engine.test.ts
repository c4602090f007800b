/**
 * A model server's real compose file on the local Docker engine: the simulator image stands in
 * for the vLLM image under its tag (there is no GPU here; the GPU reservation is accepted by
 * way of the no-op nvidia-container-runtime-hook provisioning installs), and the container
 * becomes healthy by the compose file's own healthcheck.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { missing } from '../support/components';
import { compose, ensureNetwork, ensureSimulatorImage, inspect, removeNetwork } from '../support/docker';
import { waitFor } from '../support/processes';
import type { StackCopy } from '../support/stack-copy';
import { copyStack } from '../support/stack-copy';

describe('a model server from its real compose file on Docker', { skip: missing('docker', 'compose') }, () => {
  let stack: StackCopy;
  let createdNetwork = false;
  let dir: string;

  before(() => {
    ensureSimulatorImage();
    createdNetwork = ensureNetwork();
    stack = copyStack();
    dir = path.join(stack.dir, 'gpt-oss-20b');
  });
  after(() => {
    try {
      compose(dir, ['down', '--volumes', '--timeout', '5']);
    } finally {
      if (createdNetwork) removeNetwork();
      stack.remove();
    }
  });

  it('becomes healthy by its own healthcheck and serves its one model name on 127.0.0.1:8001', { timeout: 180_000 }, async () => {
    compose(dir, ['up', '-d'], { GPT_OSS_20B_GPU_MEMORY_UTILIZATION: '0.2' });
    const container = 'vllm-gpt-oss-20b';
    const state = inspect(container);
    assert.equal(state.Config.Image, 'nvcr.io/nvidia/vllm:26.10-py3');
    assert.equal(state.HostConfig.DeviceRequests?.[0]?.Driver, 'nvidia', 'the GPU reservation reached the engine');
    await waitFor('the container to be healthy', async () => inspect(container).State.Health?.Status === 'healthy', 150_000, () => JSON.stringify(inspect(container).State));
    const models = (await (await fetch('http://127.0.0.1:8001/v1/models')).json()) as { data: { id: string; max_model_len: number }[] };
    assert.deepEqual(models.data.map((m) => m.id), ['gpt-oss-20b']);
    assert.ok((models.data[0]?.max_model_len ?? 0) > 0);
    const args = inspect(container).Args;
    assert.equal(args[args.indexOf('--gpu-memory-utilization') + 1], '0.2', 'the scenario fraction reached vLLM\'s command line');
    assert.match(compose(dir, ['logs', '--no-color']), /Application startup complete\./);
  });
});
