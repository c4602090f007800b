/**
 * LiteLLM's model_list generated from the placements of a scenario: one deployment per host
 * under the one name, comments and other entries kept, nothing changed for a one-host stack.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { findScenario } from '../../../src/core/planner';
import { parseScenarioFile } from '../../../src/core/scenarios/file';
import { REMOTE_API_KEY, liteLlmConfigFor, withRouterDefaults } from '../../../src/core/stack-edit/litellm-deployments';
import { scenariosWithHosts } from '../../support/hosts-fixtures';
import { STACK_DIR } from '../../support/processes';

const CONFIG = path.join(STACK_DIR, 'litellm', 'config.yaml');
const bundledConfig = readFileSync(CONFIG, 'utf8');
const HOSTS = [{ name: 'spark-2', address: '10.231.7.2' }, { name: 'spark-3', address: '10.231.8.2' }];

interface Entry {
  model_name: string;
  litellm_params: { model: string; api_base: string; api_key: string };
  model_info: { max_tokens: number };
}
const entries = (text: string, name: string): Entry[] => (parse(text) as { model_list: Entry[] }).model_list.filter((e) => e.model_name === name);

describe('LiteLLM deployments from scenarios.yaml', () => {
  it('leaves the bundled config byte for byte as it is for every one-host scenario', () => {
    const file = parseScenarioFile(readFileSync(path.join(STACK_DIR, 'scenarios.yaml'), 'utf8'), 'scenarios.yaml');
    for (const scenario of file.scenarios) assert.equal(liteLlmConfigFor(bundledConfig, CONFIG, file, scenario), bundledConfig, scenario.name);
  });

  it('writes one deployment per host under the one model name, with the host address, port and key', () => {
    const file = parseScenarioFile(scenariosWithHosts(HOSTS, { alsoLocal: true }), 'scenarios.yaml');
    const text = liteLlmConfigFor(bundledConfig, CONFIG, file, findScenario(file, 'replicas'));
    const twenty = entries(text, 'gpt-oss-20b');
    assert.deepEqual(twenty.map((e) => [e.litellm_params.api_base, e.litellm_params.api_key]), [
      ['http://vllm-gpt-oss-20b:8000/v1', 'not-used'],
      ['http://10.231.7.2:8001/v1', REMOTE_API_KEY],
      ['http://10.231.8.2:8001/v1', REMOTE_API_KEY],
    ]);
    assert.ok(twenty.every((e) => e.litellm_params.model === 'hosted_vllm/gpt-oss-20b' && e.model_info.max_tokens === 16384), 'each copy keeps the model and its model_info');
    assert.deepEqual(entries(text, 'qwen-30b').map((e) => e.litellm_params.api_base), ['http://10.231.7.2:8003/v1']);
    assert.deepEqual(entries(text, 'gpt-oss-120b').map((e) => e.litellm_params.api_base), ['http://vllm-gpt-oss-120b:8000/v1'], 'a model outside the scenario keeps its entry');
    assert.match(text, /api_base: http:\/\/10\.231\.8\.2:8001\/v1 # spark-3/);
    // The user's comments survive the edit.
    for (const comment of bundledConfig.split('\n').filter((l) => l.trim().startsWith('#'))) assert.ok(text.includes(comment), comment);
  });

  it('goes back to the one local deployment when a one-host scenario is started again', () => {
    const file = parseScenarioFile(scenariosWithHosts(HOSTS), 'scenarios.yaml');
    const spread = liteLlmConfigFor(bundledConfig, CONFIG, file, findScenario(file, 'replicas'));
    assert.notEqual(spread, bundledConfig);
    const back = liteLlmConfigFor(liteLlmConfigFor(spread, CONFIG, file, findScenario(file, 'gpt-oss-20b')), CONFIG, file, findScenario(file, 'qwen-30b'));
    assert.equal(back, bundledConfig);
  });

  it('fills in the router settings replicas need without overriding the user\'s', () => {
    const bare = 'model_list: []\nrouter_settings:\n  routing_strategy: least-busy # mine\n';
    const text = withRouterDefaults(bare, 'config.yaml');
    assert.deepEqual(parse(text).router_settings, { routing_strategy: 'least-busy', num_retries: 2, allowed_fails: 1, cooldown_time: 30, enable_weighted_failover: true });
    assert.match(text, /least-busy # mine/);
    assert.equal(withRouterDefaults(text, 'config.yaml'), text);
    assert.deepEqual(parse(withRouterDefaults('model_list: []\n', 'config.yaml')).router_settings.num_retries, 2);
  });
});
