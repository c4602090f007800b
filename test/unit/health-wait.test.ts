import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ContainerState, Engine } from '../../src/core/compose/engine';
import { NotReadyError, refusedArguments, waitUntilReady } from '../../src/core/lifecycle/health-wait';
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

// What vLLM 0.31.0 (CPU build) printed for a flag it does not know, seen in
// test/integration/real-vllm-gateway.test.ts: argparse's usage, then its one error line.
const REFUSED_LOG = [
  'Triton is installed, but doesn\'t include CPU backend. Disabling Triton.',
  'usage: vllm [-h] [-v]',
  '            {chat,complete,serve,launch,bench,collect-env,preload,run-batch,snapshot}',
  '            ...',
  'vllm: error: unrecognized arguments: --no-such-vllm-flag',
].join('\n');

describe('health wait: a command line vLLM refuses', () => {
  const exited = fakeEngine({ container: async () => ({ status: 'restarting', exitCode: 2, restartCount: 1 }), logTail: async () => REFUSED_LOG });

  it('leads with vLLM\'s own error line and names the file that holds the command', async () => {
    await assert.rejects(
      waitUntilReady(exited, [{ name: 'tiny-qwen3', container: 'vllm-tiny-qwen3', commandFile: '/stack/tiny-qwen3/docker-compose.yml' }], { timeoutMs: 10_000, intervalMs: 1 }),
      (e: unknown) => e instanceof NotReadyError
        && /vLLM refused its command line: unrecognized arguments: --no-such-vllm-flag/.test(e.message)
        && /Correct or remove that flag in \/stack\/tiny-qwen3\/docker-compose\.yml/.test(e.fix ?? ''),
    );
  });

  it('reads the error line of both argparse forms, and nothing from an ordinary crash', () => {
    assert.equal(refusedArguments(REFUSED_LOG), 'unrecognized arguments: --no-such-vllm-flag');
    assert.equal(refusedArguments('vllm serve: error: argument --kv-cache-dtype: invalid choice: \'fp4\''), 'argument --kv-cache-dtype: invalid choice: \'fp4\'');
    assert.equal(refusedArguments('RuntimeError: CUDA out of memory'), undefined);
  });
});
