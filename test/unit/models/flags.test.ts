/** The serving-flag table: parsers by family, checked against the pinned vLLM's own registries. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseModelConfig } from '../../../src/core/models/config';
import { FAMILIES, servingFlags } from '../../../src/core/models/flags';
import { REASONING_PARSERS, TOOL_CALL_PARSERS, VLLM_VERSION } from '../../../src/core/models/vllm-registry';
import { fixtureConfig } from '../../support/hub-repos';

const flagsFor = (repo: string, fixture = repo) => servingFlags(repo, parseModelConfig(fixtureConfig(fixture), `${fixture}/config.json`), undefined);

describe('serving flags', () => {
  it(`names only parsers that vLLM ${VLLM_VERSION} registers`, () => {
    for (const row of FAMILIES) {
      if (row.toolCallParser) assert.ok(TOOL_CALL_PARSERS.has(row.toolCallParser), `${row.family}: tool parser ${row.toolCallParser}`);
      if (row.reasoningParser) assert.ok(REASONING_PARSERS.has(row.reasoningParser), `${row.family}: reasoning parser ${row.reasoningParser}`);
    }
  });

  it('gpt-oss → openai tools and openai_gptoss reasoning', () => {
    const f = flagsFor('openai/gpt-oss-20b');
    assert.deepEqual([f.toolCallParser, f.reasoningParser], ['openai', 'openai_gptoss']);
    assert.deepEqual(f.args, ['--enable-auto-tool-choice', '--tool-call-parser', 'openai', '--reasoning-parser', 'openai_gptoss']);
  });

  it('Qwen3-Coder → qwen3_coder (the repository name tells it from Qwen3, which gets hermes + qwen3)', () => {
    assert.equal(flagsFor('Qwen/Qwen3-Coder-30B-A3B-Instruct-FP8').toolCallParser, 'qwen3_coder');
    const qwen3 = flagsFor('Qwen/Qwen3-30B-A3B');
    assert.deepEqual([qwen3.toolCallParser, qwen3.reasoningParser], ['hermes', 'qwen3']);
  });

  it('Llama 3.1 → llama3_json; Mistral → mistral', () => {
    assert.equal(flagsFor('meta-llama/Llama-3.1-8B-Instruct').toolCallParser, 'llama3_json');
    assert.equal(flagsFor('mistralai/Mistral-7B-v0.1').toolCallParser, 'mistral');
  });

  it('an unknown family gets no automatic tool choice, and says so', () => {
    const f = flagsFor('deepseek-ai/DeepSeek-V2-Lite');
    assert.equal(f.toolCallParser, undefined);
    assert.ok(!f.args.includes('--enable-auto-tool-choice'));
    assert.match(f.notes.join('\n'), /no tool-call parser is known for model_type "deepseek_v2"/);
  });

  it('--trust-remote-code only when config.json has auto_map, and the user is told', () => {
    const custom = flagsFor('deepseek-ai/DeepSeek-V2-Lite');
    assert.equal(custom.trustRemoteCode, true);
    assert.ok(custom.args.includes('--trust-remote-code'));
    assert.match(custom.notes.join('\n'), /runs Python code from deepseek-ai\/DeepSeek-V2-Lite/);
    assert.equal(flagsFor('Qwen/Qwen3-4B').trustRemoteCode, false);
  });
});
