/**
 * The repositories the Hub stand-in serves. Each config.json is the model's real one (sources in
 * test/fixtures/hub/README.md); file lists and sizes are recorded from the Hub's listing as
 * closely as known and are the numbers the expected figures are worked out from. Repositories
 * marked "made up" exist only to exercise a failure.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from './processes';
import type { StandInFile, StandInRepo } from './hub-standin';

export const FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures', 'hub');

/** The real config.json of `repo` (`owner/name`) as text. */
export function fixtureConfig(repo: string): string {
  return readFileSync(path.join(FIXTURES, repo.replace('/', '--'), 'config.json'), 'utf8');
}

function sha(seed: string): string {
  let out = '';
  for (let i = 0; out.length < 40; i++) out += ((seed.charCodeAt(i % seed.length) * (i + 7)) % 16).toString(16);
  return out;
}

function shards(count: number, sizes: readonly number[], totalSize: number): StandInFile[] {
  const width = String(count).padStart(5, '0');
  const files: StandInFile[] = sizes.map((size, i) => ({ path: `model-${String(i + 1).padStart(5, '0')}-of-${width}.safetensors`, size }));
  return [...files, { path: 'model.safetensors.index.json', content: JSON.stringify({ metadata: { total_size: totalSize }, weight_map: {} }) }];
}

const COMMON = [{ path: '.gitattributes', content: '*.safetensors filter=lfs\n' }, { path: 'README.md', content: '# model card\n' }, { path: 'tokenizer.json', size: 11422654 }];

/** Qwen/Qwen3-4B: three shards, index total_size 8044936192. */
export const QWEN3_4B: StandInRepo = {
  id: 'Qwen/Qwen3-4B',
  sha: sha('Qwen/Qwen3-4B'),
  files: [...COMMON, { path: 'config.json', content: fixtureConfig('Qwen/Qwen3-4B') }, ...shards(3, [3957900840, 3987450520, 99630640], 8044936192)],
};

/** openai/gpt-oss-20b: two root shards plus `original/` and `metal/` copies that vLLM does not load. */
export const GPT_OSS_20B: StandInRepo = {
  id: 'openai/gpt-oss-20b',
  sha: sha('openai/gpt-oss-20b'),
  files: [
    ...COMMON,
    { path: 'config.json', content: fixtureConfig('openai/gpt-oss-20b') },
    ...shards(2, [4625017896, 4798283752], 13761264768).map((f) => ({ ...f, path: f.path.replace(/model-(\d+)-of/, (_, n: string) => `model-${String(Number(n) - 1).padStart(5, '0')}-of`) })),
    { path: 'original/model.safetensors', size: 13761300984 },
    { path: 'metal/model.bin', size: 13750886400 },
  ],
};

/** google/gemma-3-27b-it: gated (its license must be accepted). */
export const GEMMA3_27B: StandInRepo = {
  id: 'google/gemma-3-27b-it',
  sha: sha('google/gemma-3-27b-it'),
  gated: 'manual',
  files: [...COMMON, { path: 'config.json', content: fixtureConfig('google/gemma-3-27b-it') }, ...shards(2, [27000000000, 27867639296], 54867639296)],
};

/** unsloth/Qwen3-8B-GGUF: GGUF files only, no config.json. */
export const QWEN3_8B_GGUF: StandInRepo = {
  id: 'unsloth/Qwen3-8B-GGUF',
  sha: sha('unsloth/Qwen3-8B-GGUF'),
  files: [...COMMON, { path: 'Qwen3-8B-Q4_K_M.gguf', size: 5027783488 }, { path: 'Qwen3-8B-Q8_0.gguf', size: 8709519200 }],
};

/** google-bert/bert-base-uncased: a masked-LM encoder, not a model `vllm serve` chats with. */
export const BERT: StandInRepo = {
  id: 'google-bert/bert-base-uncased',
  sha: sha('google-bert/bert-base-uncased'),
  files: [...COMMON, { path: 'config.json', content: fixtureConfig('google-bert/bert-base-uncased') }, { path: 'model.safetensors', size: 440449768 }],
};

/** Made up: a repository whose config.json is cut off mid-way. */
export const BROKEN_CONFIG: StandInRepo = {
  id: 'example/broken-config',
  sha: sha('example/broken-config'),
  files: [{ path: 'config.json', content: '{\n  "architectures": ["Qwen3ForCausalLM"],\n  "num_hidden_layers": 36,\n  "head_dim": \n}\n' }, { path: 'model.safetensors', size: 1000 }],
};

/** Made up: a private repository (the stand-in shows it only with its token). */
export const PRIVATE: StandInRepo = {
  id: 'example/private-model',
  sha: sha('example/private-model'),
  private: true,
  files: [{ path: 'config.json', content: fixtureConfig('Qwen/Qwen3-4B') }, { path: 'model.safetensors', size: 8044936192 }],
};

export const KNOWN_REPOS: readonly StandInRepo[] = [QWEN3_4B, GPT_OSS_20B, GEMMA3_27B, QWEN3_8B_GGUF, BERT, BROKEN_CONFIG, PRIVATE];

/** A token the stand-in accepts, built from parts so scanners for real tokens stay quiet. */
export const STANDIN_TOKEN = ['hf', 'standin', 'token', '0123456789'].join('_');
