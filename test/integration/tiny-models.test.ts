/**
 * The tiny models real-vLLM tests run (test/support/tiny-models.ts): built once per version of
 * the builder script with the vLLM venv's python, they are six checkpoints whose config.json has
 * the keys of the real model's published file (compared with test/fixtures/hub where the family
 * has one), whose tokenizer's chat template renders tools, a Hermes tool call, a tool result and a
 * <think> block, and which manifest.json lists with the numbers tests work figures out from.
 * A missing vLLM venv skips this on a developer machine and fails in CI.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { fixtureConfig } from '../support/hub-repos';
import type { TinyModel, TinyModels } from '../support/tiny-models';
import { missingTinyModels, tinyModels, tinyModelsHash, vllmPython } from '../support/tiny-models';

/** The published config.json each tiny model must have every key of (test/fixtures/hub). */
const FIXTURE_OF: Readonly<Record<string, string>> = {
  'tiny-qwen3': 'Qwen/Qwen3-4B', // same keys as Qwen/Qwen3-0.6B, the source of its shape
  'tiny-qwen3-moe': 'Qwen/Qwen3-30B-A3B',
  'tiny-mistral-sw': 'mistralai/Mistral-7B-v0.1',
  'tiny-llama3': 'meta-llama/Llama-3.1-8B-Instruct', // Llama 3.2 adds head_dim
};

/** Keys only the family's real file has, for families without a fixture of the same shape. */
const FAMILY_KEYS: Readonly<Record<string, readonly string[]>> = {
  gemma3: ['sliding_window', 'sliding_window_pattern', 'query_pre_attn_scalar', 'rope_local_base_freq', 'hidden_activation', 'head_dim'],
  qwen3_moe: ['num_experts', 'num_experts_per_tok', 'moe_intermediate_size', 'decoder_sparse_step', 'mlp_only_layers', 'norm_topk_prob'],
  mistral: ['sliding_window'],
  llama3: ['rope_scaling', 'head_dim'],
  qwen3: ['head_dim', 'use_sliding_window', 'max_window_layers'],
};

type Config = Record<string, unknown>;

describe('tiny models for real-vLLM tests', { skip: missingTinyModels(), timeout: 600_000 }, () => {
  let set: TinyModels;
  const config = (model: TinyModel): Config => JSON.parse(readFileSync(path.join(set.folder(model), 'config.json'), 'utf8')) as Config;
  const byName = (name: string): TinyModel => {
    const model = set.models.find((m) => m.name === name);
    assert.ok(model, `manifest.json lists ${name}`);
    return model;
  };

  before(async () => {
    set = await tinyModels();
  });

  it('lists the six families the issue asks for, each folder complete', () => {
    assert.deepEqual(set.models.map((m) => m.name), ['tiny-qwen3', 'tiny-llama3', 'tiny-mistral-sw', 'tiny-gemma3', 'tiny-qwen3-moe', 'tiny-mistral-nemo']);
    for (const model of set.models) {
      for (const file of ['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json', 'generation_config.json']) {
        assert.ok(existsSync(path.join(set.folder(model), file)), `${model.name}/${file}`);
      }
      assert.equal(statSync(path.join(set.folder(model), 'model.safetensors')).size > model.weightBytes, true, `${model.name}: weights written`);
      assert.ok(model.weightBytes < 16 * 1024 * 1024, `${model.name} is tiny (${model.weightBytes} bytes)`);
      assert.ok([32, 64].includes(model.headDim), `${model.name}: head_dim ${model.headDim} is one the CPU attention takes`);
      assert.equal(model.vocabSize, set.manifest.tokenizer.vocabSize);
      assert.deepEqual(model.vllmArgs, ['--enable-auto-tool-choice', '--tool-call-parser', 'hermes', '--reasoning-parser', model.reasoningParser]);
    }
    assert.equal(path.basename(set.dir), tinyModelsHash());
  });

  it('shows each shape the issue names: sliding window, Gemma 3\'s 5:1 pattern, experts, head_dim ≠ hidden ÷ heads', () => {
    assert.equal(byName('tiny-mistral-sw').slidingWindow, 256);
    const gemma = byName('tiny-gemma3');
    assert.deepEqual(gemma.layerTypes, [...Array(5).fill('sliding_attention'), 'full_attention']);
    assert.equal(gemma.slidingWindowPattern, 6);
    const moe = byName('tiny-qwen3-moe');
    assert.deepEqual([moe.experts, moe.expertsPerToken], [8, 2]);
    const differs = set.models.filter((m) => m.headDimDiffers).map((m) => m.family);
    assert.ok(differs.includes('qwen3') && differs.includes('mistral'), `head_dim ≠ hidden ÷ heads in two families: ${differs.join(', ')}`);
    for (const model of set.models) {
      assert.equal(model.kvBytesPerToken, model.layers * model.kvHeads * model.headDim * 4);
      assert.equal(model.headDimDiffers, model.headDim * model.attentionHeads !== model.hiddenSize);
    }
  });

  it('writes config.json with the real files\' keys, model_type and architectures, and the manifest\'s numbers', () => {
    for (const model of set.models) {
      const cfg = config(model);
      const fixture = FIXTURE_OF[model.name];
      if (fixture !== undefined) {
        const real = JSON.parse(fixtureConfig(fixture)) as Config;
        const missingKeys = Object.keys(real).filter((key) => !(key in cfg));
        assert.deepEqual(missingKeys, [], `${model.name} lacks keys of ${fixture}`);
        assert.equal(cfg.model_type, real.model_type);
        assert.deepEqual(cfg.architectures, real.architectures);
      }
      for (const key of FAMILY_KEYS[model.family] ?? []) assert.ok(key in cfg, `${model.name}: ${key}`);
      assert.equal(cfg.model_type, model.modelType);
      assert.deepEqual(cfg.architectures, [model.architecture]);
      assert.equal(cfg.num_hidden_layers, model.layers);
      assert.equal(cfg.num_key_value_heads, model.kvHeads);
      assert.equal(cfg.head_dim ?? (cfg.hidden_size as number) / (cfg.num_attention_heads as number), model.headDim);
      assert.equal(cfg.vocab_size, model.vocabSize);
    }
    assert.equal(config(byName('tiny-gemma3')).model_type, 'gemma3_text');
  });

  it('gives every model a tokenizer whose chat template renders tools, a tool call, a tool result and <think>', () => {
    const script = String.raw`
import json, sys
from transformers import AutoTokenizer
out = {}
for folder in sys.argv[1:]:
    tok = AutoTokenizer.from_pretrained(folder)
    messages = [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Weather in Paris?"},
        {"role": "assistant", "content": "", "reasoning": "The tool knows.",
         "tool_calls": [{"type": "function", "function": {"name": "get_weather", "arguments": {"city": "Paris"}}}]},
        {"role": "tool", "content": "{\"celsius\": 21}"},
    ]
    tools = [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}]
    think = tok.apply_chat_template(messages, tools=tools, tokenize=False, add_generation_prompt=True)
    plain = tok.apply_chat_template(messages, tools=tools, tokenize=False, add_generation_prompt=True, enable_thinking=False)
    ids = {t: tok.convert_tokens_to_ids(t) for t in ["<|im_start|>", "<|im_end|>", "<tool_call>", "</tool_call>", "<think>", "</think>"]}
    out[folder] = {"think": think, "plain": plain, "ids": ids, "len": len(tok), "eos": tok.eos_token,
                   "encoded": tok.encode("<tool_call>{\"a\": 1}</tool_call>")}
print(json.dumps(out))
`;
    const folders = set.models.map((m) => set.folder(m));
    const rendered = JSON.parse(execFileSync(vllmPython(), ['-c', script, ...folders], { encoding: 'utf8', env: { ...process.env, HF_HUB_OFFLINE: '1' }, timeout: 120_000 })) as
      Record<string, { think: string; plain: string; ids: Record<string, number>; len: number; eos: string; encoded: number[] }>;
    for (const model of set.models) {
      const r = rendered[set.folder(model)];
      assert.ok(r, model.name);
      assert.match(r.think, /^<\|im_start\|>system\nBe brief\.\n\n# Tools\n/);
      assert.ok(r.think.includes('<tools>\n{"type": "function", "function": {"name": "get_weather"'), `${model.name}: tools in the system prompt`);
      assert.ok(r.think.includes('<|im_start|>assistant\n<think>\nThe tool knows.\n</think>\n\n<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call><|im_end|>'), `${model.name}: reasoning and Hermes tool call`);
      assert.ok(r.think.includes('<|im_start|>user\n<tool_response>\n{"celsius": 21}\n</tool_response><|im_end|>'), `${model.name}: tool result`);
      assert.ok(r.think.endsWith('<|im_start|>assistant\n'), `${model.name}: thinking on leaves <think> to the model`);
      assert.ok(r.plain.endsWith('<|im_start|>assistant\n<think>\n\n</think>\n\n'), `${model.name}: enable_thinking false closes an empty <think>`);
      assert.deepEqual(r.ids, Object.fromEntries(Object.keys(r.ids).map((t) => [t, set.manifest.tokenizer.tokens[t]])));
      assert.equal(r.encoded[0], set.manifest.tokenizer.tokens['<tool_call>'], 'the tag is one token');
      assert.equal(r.len, model.vocabSize);
      assert.equal(r.eos, '<|im_end|>');
    }
  });

  it('reuses a built set: a second call does not run the script', async () => {
    const started = Date.now();
    const again = await tinyModels({ python: '/nonexistent/python' });
    assert.equal(again.dir, set.dir);
    assert.ok(Date.now() - started < 2000);
  });
});
