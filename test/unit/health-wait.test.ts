import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ContainerState, Engine } from '../../src/core/compose/engine';
import { waitUntilReady } from '../../src/core/lifecycle/health-wait';
import { fakeEngine } from '../support/fake-engine';

// A container whose log holds a finished vLLM 0.11 start and, after a restart onto the 0.31
// image, the beginning of a new one (its logo, then the silent download).
const EARLIER_RUN = [
  '(APIServer pid=1) INFO 12-01 08:00:00 [api_server.py:1839] vLLM API server version 0.11.2',
  'Loading safetensors checkpoint shards: 100% Completed | 3/3 [00:09<00:00,  3.00s/it]',
  '(APIServer pid=1) INFO:     Application startup complete.',
];
const NEW_RUN = [
  '(APIServer pid=1) INFO 12-01 09:00:00 [api_utils.py:345]  ▄▄ ▄█ █     █     █ ▀▄▀ █  version 0.31.0\r',
  '(APIServer pid=1) INFO 12-01 09:00:00 [api_utils.py:345]   █▄█▀ █     █     █     █  model   openai/gpt-oss-20b\r',
  "(APIServer pid=1) INFO 12-01 09:00:00 [api_utils.py:286] non-default args: {'model_tag': 'openai/gpt-oss-20b'}",
  '(EngineCore pid=7) INFO 12-01 09:00:06 [model_runner.py:375] Loading model from scratch...',
];

/** Running with a healthcheck that is still starting, then healthy after `polls` polls. */
function startingEngine(log: string, polls: number): Engine {
  let calls = 0;
  const state = (): ContainerState => ({ status: 'running', health: ++calls > polls ? 'healthy' : 'starting', exitCode: 0, restartCount: 0 });
  return fakeEngine({ container: async () => state(), logTail: async () => log });
}

describe('health wait: loading text from the latest start only', () => {
  it('names the silent download of a restarted 0.31 server, not the earlier run\'s "API server up"', async () => {
    const states: string[] = [];
    await waitUntilReady(startingEngine([...EARLIER_RUN, ...NEW_RUN].join('\n'), 1), [{ name: 'gpt-oss-20b', container: 'vllm-gpt-oss-20b' }], {
      timeoutMs: 10_000, intervalMs: 1, onState: (_t, s) => states.push(s),
    });
    assert.deepEqual(states, ['loading: downloading weights (5%)', 'healthy']);
  });

  it('reads a log tail that begins after the banner as it is', async () => {
    const states: string[] = [];
    await waitUntilReady(startingEngine(EARLIER_RUN.slice(1).join('\n'), 1), [{ name: 'gpt-oss-20b', container: 'vllm-gpt-oss-20b' }], {
      timeoutMs: 10_000, intervalMs: 1, onState: (_t, s) => states.push(s),
    });
    assert.deepEqual(states, ['loading: API server up (100%)', 'healthy']);
  });
});
