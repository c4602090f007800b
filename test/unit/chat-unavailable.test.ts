/**
 * `@spark` and the model picker when not everything runs: the picker always lists the stack's
 * models, each unanswering one with its reason; the gateway-down fix differs from the model-down
 * fix; /start offers only scenarios the planner says fit.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { stackModelsMarkdown } from '../../src/core/chat/model-choice';
import { startOffer } from '../../src/core/chat/start-offer';
import { explainUnavailable, pickerEntries, scenarioForRunningModels } from '../../src/core/chat/unavailable';
import { ModelNotLoadedError } from '../../src/core/gateway/errors';
import { GIB } from '../../src/core/planner';
import { parseScenarioFile } from '../../src/core/scenarios/file';
import type { ServiceState, ServiceStatus } from '../../src/core/state/service-state';
import { scenariosYaml } from '../support/fixtures';

const file = parseScenarioFile(scenariosYaml(), 'scenarios.yaml');

function status(kind: ServiceStatus['kind'], name: string, state: ServiceState): ServiceStatus {
  return { kind, name, container: kind === 'model' ? `vllm-${name}` : `vllm-${name}-proxy`, state, health: state === 'healthy' ? 'healthy' : null, ports: [] };
}

/** Every gateway service and model in the given state, with overrides. */
function statuses(gateway: ServiceState, models: Record<string, ServiceState>): ServiceStatus[] {
  return [
    ...['postgres', 'redis', 'litellm', 'nginx'].map((g) => status('gateway', g, gateway)),
    ...Object.entries(models).map(([m, s]) => status('model', m, s)),
  ];
}

describe('pickerEntries', () => {
  it('lists every model of the stack when the gateway cannot be asked, each marked not answering with a fix', () => {
    const entries = pickerEntries(file, undefined, undefined);
    assert.deepEqual(entries.map((e) => [e.name, e.answering, e.maxInputTokens, e.unavailable?.reason]), [
      ['model-a', false, 1024, 'model-down'],
      ['model-b', false, 2048, 'model-down'],
    ]);
    assert.match(entries[0]?.unavailable?.fix ?? '', /spark-gateway up model-a/);
  });

  it('marks only the models whose probe failed when the gateway answers, with limits from LiteLLM', () => {
    const gateway = {
      models: [{ name: 'model-a', maxInputTokens: 16384, maxOutputTokens: 4096, toolCalling: true }, { name: 'model-b', maxInputTokens: 8192, maxOutputTokens: 8192, toolCalling: false }],
      availability: [{ model: 'model-a', available: true, latencyMs: 12 }, { model: 'model-b', available: false, error: new ModelNotLoadedError('model-b', 'down') }],
    };
    const entries = pickerEntries(file, gateway, statuses('absent', { 'model-a': 'healthy', 'model-b': 'absent' }));
    assert.deepEqual(entries.map((e) => [e.name, e.answering, e.maxInputTokens, e.toolCalling, e.latencyMs, e.unavailable?.reason]), [
      ['model-a', true, 16384, true, 12, undefined],
      ['model-b', false, 8192, false, undefined, 'model-down'],
    ]);
  });

  it('adds models the gateway routes that scenarios.yaml does not list', () => {
    const gateway = { models: [{ name: 'extra', maxInputTokens: 4096, maxOutputTokens: 4096, toolCalling: false }], availability: [{ model: 'extra', available: true }] };
    assert.deepEqual(pickerEntries(file, gateway, undefined).map((e) => e.name), ['model-a', 'model-b', 'extra']);
  });
});

describe('explainUnavailable', () => {
  it('says "start the gateway" (with the scenario whose models run) when the models run and LiteLLM/NGINX do not', () => {
    const why = explainUnavailable(file, 'model-a', statuses('absent', { 'model-a': 'healthy', 'model-b': 'absent' }), 'down');
    assert.equal(why.reason, 'gateway-down');
    assert.equal(why.scenario, 'model-a');
    assert.match(why.message, /model-a runs, but the gateway does not \(LiteLLM and NGINX not running\)/);
    assert.match(why.fix, /^Start the gateway: `spark-gateway up model-a`/);
  });

  it('says "start a scenario" when no model server runs', () => {
    const why = explainUnavailable(file, undefined, statuses('absent', { 'model-a': 'absent', 'model-b': 'exited' }), 'down');
    assert.equal(why.reason, 'model-down');
    assert.match(why.fix, /^Start a scenario/);
  });

  it('names only the missing part of the gateway', () => {
    const live = [...statuses('healthy', { 'model-a': 'healthy', 'model-b': 'healthy' }).filter((s) => s.name !== 'nginx'), status('gateway', 'nginx', 'exited')];
    const why = explainUnavailable(file, undefined, live, 'unknown');
    assert.equal(why.reason, 'gateway-down');
    assert.equal(why.scenario, 'both');
    assert.match(why.message, /\(NGINX not running\)/);
  });

  it('does not blame the gateway when it answered (a gateway run outside Docker reads as absent)', () => {
    const why = explainUnavailable(file, 'model-a', statuses('absent', { 'model-a': 'healthy' }), 'answers');
    assert.equal(why.reason, 'not-answering');
    assert.match(why.fix, /spark-gateway logs model-a/);
  });

  it('says the model is not running when its server is down, whatever the gateway does', () => {
    const why = explainUnavailable(file, 'model-b', statuses('healthy', { 'model-a': 'healthy', 'model-b': 'exited' }), 'answers');
    assert.equal(why.reason, 'model-down');
    assert.match(why.fix, /spark-gateway up both/);
  });
});

describe('scenarioForRunningModels', () => {
  it('prefers a scenario whose models all run, then the one holding most of them', () => {
    assert.equal(scenarioForRunningModels(file, ['model-a', 'model-b']), 'both');
    assert.equal(scenarioForRunningModels(file, ['model-a']), 'model-a');
    assert.equal(scenarioForRunningModels(file, ['model-b']), 'both');
    assert.equal(scenarioForRunningModels(file, []), undefined);
  });
});

describe('startOffer', () => {
  it('offers only the scenarios the planner says fit, with the reason for the others', () => {
    // 64 GiB: model-a alone fits; in `both`, model-b's budget (0.6 × 64 = 38.4 GiB) is below its 40 + 4 GiB.
    const offer = startOffer(file, 64 * GIB);
    assert.deepEqual(offer.fitting.map((s) => s.name), ['model-a']);
    assert.deepEqual(offer.notFitting.map((n) => n.scenario.name), ['both']);
    assert.match(offer.notFitting[0]?.reason ?? '', /model-b: budget 38\.4 GiB/);
    assert.deepEqual(startOffer(file, 128 * GIB).fitting.map((s) => s.name), ['model-a', 'both']);
  });
});

describe('stackModelsMarkdown', () => {
  it('lists the stack\'s models with their live state when the gateway cannot be asked', () => {
    const text = stackModelsMarkdown(file.models, statuses('absent', { 'model-a': 'healthy' }));
    assert.equal(text.split('\n')[0], '- **model-a** — healthy · 1k context · no tools · ~12 GiB + KV cache');
    assert.match(text.split('\n')[1] ?? '', /^- \*\*model-b\*\* — state unknown/);
  });
});
