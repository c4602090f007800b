"""Tiny random-weight checkpoints in the shapes of real models, made at test time.

Usage: <vllm venv>/bin/python make_tiny_models.py OUTPUT_DIR

Nothing is downloaded. For each family this writes OUTPUT_DIR/<name>/ with
  config.json             the published config.json of the real model (same keys, model_type and
                          architectures; its source is named below), sizes shrunk
  model.safetensors       random bf16 weights under the checkpoint names vLLM loads
  tokenizer.json, tokenizer_config.json (with the chat template), chat_template.jinja
                          (transformers 5 writes it; transformers 4 reads the one in the config)
                          one byte-level BPE trained here on a generated corpus (vocab 4096) with
                          ChatML, <tool_call> and <think> tokens, and a Qwen3-style chat template
                          (tools in the system prompt, Hermes <tool_call>{json}</tool_call>, tool
                          results in <tool_response>, reasoning in <think>, `enable_thinking`)
  generation_config.json
and OUTPUT_DIR/manifest.json listing every model with its numbers and the vLLM flags it needs.
Everything is seeded: the same script writes the same bytes (for one torch/tokenizers version).

Needs torch, safetensors, tokenizers and transformers (all installed with vLLM).
"""

from __future__ import annotations

import copy
import json
import os
import random
import sys
import zlib

import torch
from safetensors.torch import save_file
from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers, processors, trainers

SEED = 20261205
VOCAB_SIZE = 4096

# Special tokens (ids 0..2) like Qwen's: skipped on decode.
SPECIAL_TOKENS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
# Tags like Qwen3's added tokens: single ids, but not "special", so vLLM's default
# skip_special_tokens keeps them in the text its tool and reasoning parsers read.
TAG_TOKENS = ["<tool_call>", "</tool_call>", "<think>", "</think>", "<tool_response>", "</tool_response>"]

# Qwen/Qwen3-0.6B's chat template (the tokenizer_config.json "chat_template"), with `reasoning`
# (vLLM >= 0.11.2's field) read as well as `reasoning_content`.
CHAT_TEMPLATE = r"""{%- if tools %}
    {{- '<|im_start|>system\n' }}
    {%- if messages[0].role == 'system' %}
        {{- messages[0].content + '\n\n' }}
    {%- endif %}
    {{- "# Tools\n\nYou may call one or more functions to assist with the user query.\n\nYou are provided with function signatures within <tools></tools> XML tags:\n<tools>" }}
    {%- for tool in tools %}
        {{- "\n" }}
        {{- tool | tojson }}
    {%- endfor %}
    {{- "\n</tools>\n\nFor each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\n<tool_call>\n{\"name\": <function-name>, \"arguments\": <args-json-object>}\n</tool_call><|im_end|>\n" }}
{%- else %}
    {%- if messages[0].role == 'system' %}
        {{- '<|im_start|>system\n' + messages[0].content + '<|im_end|>\n' }}
    {%- endif %}
{%- endif %}
{%- set ns = namespace(multi_step_tool=true, last_query_index=messages|length - 1) %}
{%- for message in messages[::-1] %}
    {%- set index = (messages|length - 1) - loop.index0 %}
    {%- if ns.multi_step_tool and message.role == "user" and message.content is string and not(message.content.startswith('<tool_response>') and message.content.endswith('</tool_response>')) %}
        {%- set ns.multi_step_tool = false %}
        {%- set ns.last_query_index = index %}
    {%- endif %}
{%- endfor %}
{%- for message in messages %}
    {%- if message.content is string %}
        {%- set content = message.content %}
    {%- else %}
        {%- set content = '' %}
    {%- endif %}
    {%- if (message.role == "user") or (message.role == "system" and not loop.first) %}
        {{- '<|im_start|>' + message.role + '\n' + content + '<|im_end|>' + '\n' }}
    {%- elif message.role == "assistant" %}
        {%- set reasoning_content = '' %}
        {%- if message.reasoning is string %}
            {%- set reasoning_content = message.reasoning %}
        {%- elif message.reasoning_content is string %}
            {%- set reasoning_content = message.reasoning_content %}
        {%- else %}
            {%- if '</think>' in content %}
                {%- set reasoning_content = content.split('</think>')[0].rstrip('\n').split('<think>')[-1].lstrip('\n') %}
                {%- set content = content.split('</think>')[-1].lstrip('\n') %}
            {%- endif %}
        {%- endif %}
        {%- if loop.index0 > ns.last_query_index %}
            {%- if loop.last or (not loop.last and reasoning_content) %}
                {{- '<|im_start|>' + message.role + '\n<think>\n' + reasoning_content.strip('\n') + '\n</think>\n\n' + content.lstrip('\n') }}
            {%- else %}
                {{- '<|im_start|>' + message.role + '\n' + content }}
            {%- endif %}
        {%- else %}
            {{- '<|im_start|>' + message.role + '\n' + content }}
        {%- endif %}
        {%- if message.tool_calls %}
            {%- for tool_call in message.tool_calls %}
                {%- if (loop.first and content) or (not loop.first) %}
                    {{- '\n' }}
                {%- endif %}
                {%- if tool_call.function %}
                    {%- set tool_call = tool_call.function %}
                {%- endif %}
                {{- '<tool_call>\n{"name": "' }}
                {{- tool_call.name }}
                {{- '", "arguments": ' }}
                {%- if tool_call.arguments is string %}
                    {{- tool_call.arguments }}
                {%- else %}
                    {{- tool_call.arguments | tojson }}
                {%- endif %}
                {{- '}\n</tool_call>' }}
            {%- endfor %}
        {%- endif %}
        {{- '<|im_end|>\n' }}
    {%- elif message.role == "tool" %}
        {%- if loop.first or (messages[loop.index0 - 1].role != "tool") %}
            {{- '<|im_start|>user' }}
        {%- endif %}
        {{- '\n<tool_response>\n' }}
        {{- content }}
        {{- '\n</tool_response>' }}
        {%- if loop.last or (messages[loop.index0 + 1].role != "tool") %}
            {{- '<|im_end|>\n' }}
        {%- endif %}
    {%- endif %}
{%- endfor %}
{%- if add_generation_prompt %}
    {{- '<|im_start|>assistant\n' }}
    {%- if enable_thinking is defined and enable_thinking is false %}
        {{- '<think>\n\n</think>\n\n' }}
    {%- endif %}
{%- endif %}"""

# ---------------------------------------------------------------------------------------------
# The real configs (as published on the Hugging Face Hub; written from those files, since nothing
# can be downloaded here) — the shrunk copies below keep every key, model_type and architectures.
# ---------------------------------------------------------------------------------------------

# Qwen/Qwen3-0.6B config.json. Its head_dim (128) differs from hidden_size / num_attention_heads
# (1024 / 16 = 64); the tiny copy keeps that (64 vs 128 / 4 = 32).
QWEN3_0_6B = {
    "architectures": ["Qwen3ForCausalLM"],
    "attention_bias": False,
    "attention_dropout": 0.0,
    "bos_token_id": 151643,
    "eos_token_id": 151645,
    "head_dim": 128,
    "hidden_act": "silu",
    "hidden_size": 1024,
    "initializer_range": 0.02,
    "intermediate_size": 3072,
    "max_position_embeddings": 40960,
    "max_window_layers": 28,
    "model_type": "qwen3",
    "num_attention_heads": 16,
    "num_hidden_layers": 28,
    "num_key_value_heads": 8,
    "rms_norm_eps": 1e-06,
    "rope_scaling": None,
    "rope_theta": 1000000,
    "sliding_window": None,
    "tie_word_embeddings": True,
    "torch_dtype": "bfloat16",
    "transformers_version": "4.51.0",
    "use_cache": True,
    "use_sliding_window": False,
    "vocab_size": 151936,
}

# meta-llama/Llama-3.2-1B config.json (Llama 3: GQA, llama3 RoPE scaling).
LLAMA_3_2_1B = {
    "architectures": ["LlamaForCausalLM"],
    "attention_bias": False,
    "attention_dropout": 0.0,
    "bos_token_id": 128000,
    "eos_token_id": 128001,
    "head_dim": 64,
    "hidden_act": "silu",
    "hidden_size": 2048,
    "initializer_range": 0.02,
    "intermediate_size": 8192,
    "max_position_embeddings": 131072,
    "mlp_bias": False,
    "model_type": "llama",
    "num_attention_heads": 32,
    "num_hidden_layers": 16,
    "num_key_value_heads": 8,
    "pretraining_tp": 1,
    "rms_norm_eps": 1e-05,
    "rope_scaling": {
        "factor": 32.0,
        "high_freq_factor": 4.0,
        "low_freq_factor": 1.0,
        "original_max_position_embeddings": 8192,
        "rope_type": "llama3",
    },
    "rope_theta": 500000.0,
    "tie_word_embeddings": True,
    "torch_dtype": "bfloat16",
    "transformers_version": "4.45.0.dev0",
    "use_cache": True,
    "vocab_size": 128256,
}

# mistralai/Mistral-7B-v0.1 config.json (sliding-window attention on every layer; no head_dim key:
# it is hidden_size / num_attention_heads).
MISTRAL_7B_V0_1 = {
    "architectures": ["MistralForCausalLM"],
    "bos_token_id": 1,
    "eos_token_id": 2,
    "hidden_act": "silu",
    "hidden_size": 4096,
    "initializer_range": 0.02,
    "intermediate_size": 14336,
    "max_position_embeddings": 32768,
    "model_type": "mistral",
    "num_attention_heads": 32,
    "num_hidden_layers": 32,
    "num_key_value_heads": 8,
    "rms_norm_eps": 1e-05,
    "rope_theta": 10000.0,
    "sliding_window": 4096,
    "tie_word_embeddings": False,
    "torch_dtype": "bfloat16",
    "transformers_version": "4.34.0.dev0",
    "use_cache": True,
    "vocab_size": 32000,
}

# google/gemma-3-1b-it config.json (text-only Gemma 3: 5 sliding-window layers to 1 global,
# sliding_window_pattern 6; head_dim 256 vs 1152 / 4 = 288). transformers >= 4.53 spells the
# pattern out as layer_types when it saves; the tiny copy writes both, so every reader sees it.
GEMMA_3_1B_IT = {
    "architectures": ["Gemma3ForCausalLM"],
    "attention_bias": False,
    "attention_dropout": 0.0,
    "attn_logit_softcapping": None,
    "bos_token_id": 2,
    "cache_implementation": "hybrid",
    "eos_token_id": [1, 106],
    "final_logit_softcapping": None,
    "head_dim": 256,
    "hidden_activation": "gelu_pytorch_tanh",
    "hidden_size": 1152,
    "initializer_range": 0.02,
    "intermediate_size": 6912,
    "max_position_embeddings": 32768,
    "model_type": "gemma3_text",
    "num_attention_heads": 4,
    "num_hidden_layers": 26,
    "num_key_value_heads": 1,
    "pad_token_id": 0,
    "query_pre_attn_scalar": 256,
    "rms_norm_eps": 1e-06,
    "rope_local_base_freq": 10000,
    "rope_scaling": None,
    "rope_theta": 1000000,
    "sliding_window": 512,
    "sliding_window_pattern": 6,
    "torch_dtype": "bfloat16",
    "transformers_version": "4.50.0.dev0",
    "use_cache": True,
    "vocab_size": 262144,
}

# Qwen/Qwen3-30B-A3B config.json (mixture of experts: 128 experts, 8 per token, on every layer).
# gpt-oss is not used: vLLM renders gpt-oss prompts with openai_harmony's o200k_harmony encoding
# (token ids up to 201088, fetched from the network), whatever tokenizer the folder holds.
QWEN3_30B_A3B = {
    "architectures": ["Qwen3MoeForCausalLM"],
    "attention_bias": False,
    "attention_dropout": 0.0,
    "bos_token_id": 151643,
    "decoder_sparse_step": 1,
    "eos_token_id": 151645,
    "head_dim": 128,
    "hidden_act": "silu",
    "hidden_size": 2048,
    "initializer_range": 0.02,
    "intermediate_size": 6144,
    "max_position_embeddings": 40960,
    "max_window_layers": 48,
    "mlp_only_layers": [],
    "model_type": "qwen3_moe",
    "moe_intermediate_size": 768,
    "norm_topk_prob": True,
    "num_attention_heads": 32,
    "num_experts": 128,
    "num_experts_per_tok": 8,
    "num_hidden_layers": 48,
    "num_key_value_heads": 4,
    "output_router_logits": False,
    "rms_norm_eps": 1e-06,
    "rope_scaling": None,
    "rope_theta": 1000000.0,
    "router_aux_loss_coef": 0.001,
    "sliding_window": None,
    "tie_word_embeddings": False,
    "torch_dtype": "bfloat16",
    "transformers_version": "4.51.0",
    "use_cache": True,
    "use_sliding_window": False,
    "vocab_size": 151936,
}

# mistralai/Mistral-Nemo-Base-2407 config.json: a second family whose head_dim differs from
# hidden_size / num_attention_heads (128 vs 5120 / 32 = 160: smaller, where Qwen3's is larger).
MISTRAL_NEMO_BASE_2407 = {
    "architectures": ["MistralForCausalLM"],
    "attention_dropout": 0.0,
    "bos_token_id": 1,
    "eos_token_id": 2,
    "head_dim": 128,
    "hidden_act": "silu",
    "hidden_size": 5120,
    "initializer_range": 0.02,
    "intermediate_size": 14336,
    "max_position_embeddings": 1024000,
    "model_type": "mistral",
    "num_attention_heads": 32,
    "num_hidden_layers": 40,
    "num_key_value_heads": 8,
    "rms_norm_eps": 1e-05,
    "rope_theta": 1000000.0,
    "sliding_window": None,
    "tie_word_embeddings": False,
    "torch_dtype": "bfloat16",
    "transformers_version": "4.43.0.dev0",
    "use_cache": True,
    "vocab_size": 131072,
}

# vLLM flags every tiny model takes: the template writes Hermes tool calls and <think> reasoning.
TOOL_CALL_PARSER = "hermes"
REASONING_PARSER = "qwen3"  # reads <think>…</think>, honours enable_thinking (vllm/parser/qwen3.py)

# name, family, source repo, base config, overrides (sizes), extra vLLM flags
MODELS = [
    {
        "name": "tiny-qwen3",
        "family": "qwen3",
        "source": "Qwen/Qwen3-0.6B",
        "base": QWEN3_0_6B,
        "set": {"hidden_size": 128, "intermediate_size": 384, "num_hidden_layers": 2, "max_window_layers": 2,
                "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 64},
        "features": ["head_dim != hidden/heads", "qk-norm", "tied embeddings"],
    },
    {
        "name": "tiny-llama3",
        "family": "llama3",
        "source": "meta-llama/Llama-3.2-1B",
        "base": LLAMA_3_2_1B,
        "set": {"hidden_size": 256, "intermediate_size": 512, "num_hidden_layers": 2,
                "num_attention_heads": 8, "num_key_value_heads": 2, "head_dim": 32},
        "features": ["llama3 rope scaling", "tied embeddings"],
    },
    {
        "name": "tiny-mistral-sw",
        "family": "mistral",
        "source": "mistralai/Mistral-7B-v0.1",
        "base": MISTRAL_7B_V0_1,
        # The window shrinks with the model, below the tests' --max-model-len 1024 so it matters.
        "set": {"hidden_size": 256, "intermediate_size": 512, "num_hidden_layers": 2,
                "num_attention_heads": 8, "num_key_value_heads": 2, "sliding_window": 256},
        "features": ["sliding window on every layer"],
    },
    {
        "name": "tiny-gemma3",
        "family": "gemma3",
        "source": "google/gemma-3-1b-it",
        "base": GEMMA_3_1B_IT,
        # 6 layers show the 5 local : 1 global pattern once.
        "set": {"hidden_size": 192, "intermediate_size": 512, "num_hidden_layers": 6,
                "num_attention_heads": 4, "num_key_value_heads": 1, "head_dim": 64,
                "query_pre_attn_scalar": 64, "sliding_window": 128},
        "features": ["5:1 sliding/global", "head_dim != hidden/heads", "tied embeddings"],
    },
    {
        "name": "tiny-qwen3-moe",
        "family": "qwen3_moe",
        "source": "Qwen/Qwen3-30B-A3B",
        "base": QWEN3_30B_A3B,
        "set": {"hidden_size": 128, "intermediate_size": 384, "moe_intermediate_size": 128,
                "num_hidden_layers": 2, "max_window_layers": 2, "num_attention_heads": 4,
                "num_key_value_heads": 2, "head_dim": 64, "num_experts": 8, "num_experts_per_tok": 2},
        "features": ["mixture of experts", "head_dim != hidden/heads"],
    },
    {
        "name": "tiny-mistral-nemo",
        "family": "mistral",
        "source": "mistralai/Mistral-Nemo-Base-2407",
        "base": MISTRAL_NEMO_BASE_2407,
        # The real 1,024,000 positions would only make vLLM's RoPE cache big; 131072 keeps it small.
        "set": {"hidden_size": 256, "intermediate_size": 512, "num_hidden_layers": 2,
                "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 32,
                "max_position_embeddings": 131072},
        "features": ["head_dim != hidden/heads (smaller)"],
    },
]


# ---------------------------------------------------------------------------------------------
# Tokenizer
# ---------------------------------------------------------------------------------------------

WORDS = """the a an and or but if then else when while for to of in on at by with from as is are was
were be been being have has had do does did will would can could should may might must shall not no
yes this that these those it its they them their we us our you your he she his her i me my what which
who whom whose where why how all any both each few more most other some such only own same so than too
very just now here there about above after again against before below between down during into off
out over under up model server gateway request response token tokens stream streaming chat completion
completions message messages system user assistant tool tools function functions call calls result
results argument arguments name value values type types string number integer boolean object array
list item items key keys weather city temperature celsius fahrenheit forecast today tomorrow time date
search query file files folder path read write open close start stop run running start-up memory cache
kv gpu cpu disk network port host hosts proxy nginx litellm vllm docker container image images compose
health metrics latency throughput prompt prompts answer answers think thinking reason reasoning step
steps first second third next last because therefore however also maybe please thank thanks hello
world good bad new old big small fast slow long short high low true false null none error errors
warning warnings info debug log logs line lines config setting settings default option options flag
flags version versions release build test tests check checks pass fail passed failed ok done ready
load loading loaded weights layer layers head heads expert experts window sliding attention context
length size sizes batch batches queue waiting running finished reason parser parsers template
templates json yaml http https api key keys secret user users team teams budget spend cost price
hour hours minute minutes second seconds day days week weeks month months year years number numbers
one two three four five six seven eight nine ten hundred thousand million add remove update delete
get set put post list show hide find replace copy move make made take took give gave see saw know
knew think thought say said tell told ask asked use used work worked try tried need needed want
wanted like liked look looked come came go went keep kept let help helped turn turned begin began
seem seemed show showed hear heard play played move moved live lived believe believed bring brought
happen happened write wrote provide provided sit sat stand stood lose lost pay paid meet met include
included continue continued learn learned change changed lead led understand understood watch watched
follow followed create created speak spoke allow allowed spend spent grow grew offer offered remember
remembered consider considered appear appeared buy bought wait waited serve served die died send sent
expect expected build built stay stayed fall fell cut reach reached kill killed remain remained""".split()

SYLLABLES = ("ka ri to na mi su ke lo pe ra di vo ma ne ti zu ba gi ho le fa ju co se wi xa ye qu "
             "str pl tr gr br sh ch th ng ck ion ent ant ous ing ed er est ly al ic ive ful ness ment "
             "able ism ist ize ure ate ite").split()


def corpus() -> list[str]:
    """A generated text (seeded): English-like sentences, chat turns, tool calls, JSON, numbers,
    code — enough distinct words for 4096 byte-level BPE tokens."""
    rng = random.Random(SEED)
    pseudo = sorted({"".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))) for _ in range(6000)})
    vocab = WORDS + pseudo
    lines: list[str] = []
    for _ in range(12000):
        n = rng.randint(5, 18)
        words = [rng.choice(WORDS) if rng.random() < 0.7 else rng.choice(vocab) for _ in range(n)]
        sentence = " ".join(words)
        lines.append(sentence[0].upper() + sentence[1:] + rng.choice([".", "?", "!", ",", ":"]))
    for _ in range(3000):
        name = rng.choice(["get_weather", "search", "read_file", "run_command", "get_time", "lookup"])
        arg = rng.choice(vocab)
        lines.append(f'<tool_call>\n{{"name": "{name}", "arguments": {{"city": "{arg}", "unit": "celsius"}}}}\n</tool_call>')
        lines.append(f"<think>\n{' '.join(rng.choice(WORDS) for _ in range(rng.randint(4, 12)))}\n</think>\n\n")
        lines.append(f"<|im_start|>user\n{' '.join(rng.choice(vocab) for _ in range(rng.randint(3, 9)))}<|im_end|>")
        lines.append(json.dumps({"id": rng.randint(0, 10**6), "value": round(rng.random() * 1000, 3),
                                 "name": rng.choice(vocab), "ok": rng.random() < 0.5}))
        lines.append(f"def {rng.choice(pseudo)}({rng.choice(WORDS)}, {rng.choice(WORDS)}):\n    return {rng.randint(0, 9999)}")
    return lines


def make_tokenizer():
    """Trains the byte-level BPE and wraps it as a transformers tokenizer with the chat template."""
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.post_processor = processors.ByteLevel(trim_offsets=False)
    trainer = trainers.BpeTrainer(
        vocab_size=VOCAB_SIZE - len(TAG_TOKENS),
        special_tokens=SPECIAL_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(corpus(), trainer=trainer)
    tok.add_tokens([AddedToken(t, special=False, normalized=False) for t in TAG_TOKENS])
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        eos_token="<|im_end|>",
        pad_token="<|endoftext|>",
        unk_token=None,
        bos_token=None,
        model_max_length=131072,
        clean_up_tokenization_spaces=False,
        split_special_tokens=False,
    )
    fast.chat_template = CHAT_TEMPLATE
    if len(fast) > VOCAB_SIZE:
        raise SystemExit(f"tokenizer has {len(fast)} tokens, more than {VOCAB_SIZE}")
    return fast


def save_tokenizer(tokenizer, folder: str) -> None:
    """Saves it so that transformers 4.x (the 0.11 vLLM line, LiteLLM) reads it as well as 5.x:
    the generic fast class rather than 5.x's TokenizersBackend, and the chat template inside
    tokenizer_config.json too (5.x also writes chat_template.jinja)."""
    tokenizer.save_pretrained(folder)
    path = os.path.join(folder, "tokenizer_config.json")
    with open(path) as f:
        cfg = json.load(f)
    cfg.pop("backend", None)
    cfg["tokenizer_class"] = "PreTrainedTokenizerFast"
    cfg["chat_template"] = CHAT_TEMPLATE
    with open(path, "w") as f:
        json.dump(cfg, f, indent=2, sort_keys=True)
        f.write("\n")


# ---------------------------------------------------------------------------------------------
# Weights
# ---------------------------------------------------------------------------------------------

def tensors(cfg: dict, gen: torch.Generator) -> dict[str, torch.Tensor]:
    """Random weights under the Hugging Face checkpoint names of cfg's architecture."""
    h, v = cfg["hidden_size"], cfg["vocab_size"]
    nh, nkv = cfg["num_attention_heads"], cfg["num_key_value_heads"]
    hd = cfg.get("head_dim") or h // nh
    inter = cfg["intermediate_size"]
    mt = cfg["model_type"]
    gemma = mt == "gemma3_text"
    std = cfg.get("initializer_range", 0.02)

    def rand(*shape: int) -> torch.Tensor:
        return (torch.randn(*shape, generator=gen) * std).to(torch.bfloat16)

    def norm(n: int) -> torch.Tensor:
        # Gemma's RMSNorm multiplies by (1 + weight): 0 is the identity there.
        return (torch.zeros(n) if gemma else torch.ones(n)).to(torch.bfloat16)

    out: dict[str, torch.Tensor] = {"model.embed_tokens.weight": rand(v, h), "model.norm.weight": norm(h)}
    if not cfg.get("tie_word_embeddings", gemma):
        out["lm_head.weight"] = rand(v, h)
    for i in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{i}."
        out[p + "input_layernorm.weight"] = norm(h)
        out[p + "post_attention_layernorm.weight"] = norm(h)
        out[p + "self_attn.q_proj.weight"] = rand(nh * hd, h)
        out[p + "self_attn.k_proj.weight"] = rand(nkv * hd, h)
        out[p + "self_attn.v_proj.weight"] = rand(nkv * hd, h)
        out[p + "self_attn.o_proj.weight"] = rand(h, nh * hd)
        if mt in ("qwen3", "qwen3_moe", "gemma3_text"):
            out[p + "self_attn.q_norm.weight"] = norm(hd)
            out[p + "self_attn.k_norm.weight"] = norm(hd)
        if gemma:
            out[p + "pre_feedforward_layernorm.weight"] = norm(h)
            out[p + "post_feedforward_layernorm.weight"] = norm(h)
        sparse = (mt == "qwen3_moe" and i not in cfg["mlp_only_layers"]
                  and (i + 1) % cfg["decoder_sparse_step"] == 0)
        if sparse:
            mi = cfg["moe_intermediate_size"]
            out[p + "mlp.gate.weight"] = rand(cfg["num_experts"], h)
            for e in range(cfg["num_experts"]):
                q = f"{p}mlp.experts.{e}."
                out[q + "gate_proj.weight"] = rand(mi, h)
                out[q + "up_proj.weight"] = rand(mi, h)
                out[q + "down_proj.weight"] = rand(h, mi)
        else:
            out[p + "mlp.gate_proj.weight"] = rand(inter, h)
            out[p + "mlp.up_proj.weight"] = rand(inter, h)
            out[p + "mlp.down_proj.weight"] = rand(h, inter)
    return out


def layer_types(cfg: dict) -> list[str] | None:
    if cfg["model_type"] == "gemma3_text":
        k = cfg["sliding_window_pattern"]
        return ["sliding_attention" if (i + 1) % k else "full_attention" for i in range(cfg["num_hidden_layers"])]
    if cfg.get("sliding_window") and cfg["model_type"] == "mistral":
        return ["sliding_attention"] * cfg["num_hidden_layers"]
    return None


def build(out_dir: str) -> dict:
    os.makedirs(out_dir, exist_ok=True)
    tokenizer = make_tokenizer()
    ids = {t: tokenizer.convert_tokens_to_ids(t) for t in SPECIAL_TOKENS + TAG_TOKENS}
    endoftext, im_end = ids["<|endoftext|>"], ids["<|im_end|>"]
    entries = []
    for spec in MODELS:
        cfg = copy.deepcopy(spec["base"])
        cfg.update(spec["set"])
        cfg["vocab_size"] = VOCAB_SIZE
        # The real files' token ids, mapped onto this tokenizer (no BOS is added: ChatML).
        if "bos_token_id" in cfg:
            cfg["bos_token_id"] = endoftext
        cfg["eos_token_id"] = [endoftext, im_end] if isinstance(cfg["eos_token_id"], list) else im_end
        if "pad_token_id" in cfg:
            cfg["pad_token_id"] = endoftext
        lt = layer_types(cfg)
        if cfg["model_type"] == "gemma3_text":
            cfg["layer_types"] = lt
        folder = os.path.join(out_dir, spec["name"])
        os.makedirs(folder, exist_ok=True)
        gen = torch.Generator().manual_seed(SEED + zlib.crc32(spec["name"].encode()))
        weights = tensors(cfg, gen)
        save_file(weights, os.path.join(folder, "model.safetensors"), metadata={"format": "pt"})
        with open(os.path.join(folder, "config.json"), "w") as f:
            json.dump(cfg, f, indent=2, sort_keys=True)
            f.write("\n")
        with open(os.path.join(folder, "generation_config.json"), "w") as f:
            json.dump({"bos_token_id": endoftext, "do_sample": True, "eos_token_id": [im_end, endoftext],
                       "pad_token_id": endoftext, "temperature": 0.6, "top_k": 20, "top_p": 0.95,
                       "transformers_version": cfg["transformers_version"]}, f, indent=2)
            f.write("\n")
        save_tokenizer(tokenizer, folder)

        h, nh, nkv = cfg["hidden_size"], cfg["num_attention_heads"], cfg["num_key_value_heads"]
        hd = cfg.get("head_dim") or h // nh
        layers = cfg["num_hidden_layers"]
        window = cfg.get("sliding_window")
        entries.append({
            "name": spec["name"],
            "folder": spec["name"],
            "family": spec["family"],
            "source": spec["source"],
            "architecture": cfg["architectures"][0],
            "modelType": cfg["model_type"],
            "features": spec["features"],
            "hiddenSize": h,
            "intermediateSize": cfg["intermediate_size"],
            "layers": layers,
            "attentionHeads": nh,
            "kvHeads": nkv,
            "headDim": hd,
            "headDimDiffers": hd * nh != h,
            "vocabSize": cfg["vocab_size"],
            "maxPositionEmbeddings": cfg["max_position_embeddings"],
            "tiedEmbeddings": bool(cfg.get("tie_word_embeddings", cfg["model_type"] == "gemma3_text")),
            "slidingWindow": window,
            "slidingWindowPattern": cfg.get("sliding_window_pattern"),
            "layerTypes": lt,
            "experts": cfg.get("num_experts"),
            "expertsPerToken": cfg.get("num_experts_per_tok"),
            "moeIntermediateSize": cfg.get("moe_intermediate_size"),
            "parameters": sum(t.numel() for t in weights.values()),
            "weightBytes": sum(t.numel() * t.element_size() for t in weights.values()),
            # bf16 K and V of every layer, whatever its window (vLLM's pages for the unwindowed case).
            "kvBytesPerToken": layers * nkv * hd * 2 * 2,
            "toolCallParser": TOOL_CALL_PARSER,
            "reasoningParser": REASONING_PARSER,
            "vllmArgs": ["--enable-auto-tool-choice", "--tool-call-parser", TOOL_CALL_PARSER,
                         "--reasoning-parser", REASONING_PARSER],
        })
    manifest = {
        "version": 1,
        "seed": SEED,
        "tokenizer": {"type": "byte-level BPE", "vocabSize": len(tokenizer), "tokens": ids,
                      "eos": "<|im_end|>", "pad": "<|endoftext|>"},
        "models": entries,
    }
    with open(os.path.join(out_dir, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    return manifest


def check(out_dir: str, manifest: dict) -> None:
    """Reads every folder back with transformers, as vLLM will, and renders a tool call and a
    <think> block with its chat template."""
    from transformers import AutoConfig, AutoTokenizer

    for m in manifest["models"]:
        folder = os.path.join(out_dir, m["folder"])
        cfg = AutoConfig.from_pretrained(folder)
        assert cfg.model_type == m["modelType"], (cfg.model_type, m)
        assert (getattr(cfg, "head_dim", None) or cfg.hidden_size // cfg.num_attention_heads) == m["headDim"]
        if m["modelType"] == "gemma3_text":
            assert list(cfg.layer_types) == m["layerTypes"], (cfg.layer_types, m["layerTypes"])
        tok = AutoTokenizer.from_pretrained(folder)
        text = tok.apply_chat_template(
            [{"role": "user", "content": "Weather in Paris?"},
             {"role": "assistant", "content": "", "reasoning": "Call the tool.",
              "tool_calls": [{"type": "function", "function": {"name": "get_weather", "arguments": {"city": "Paris"}}}]},
             {"role": "tool", "content": "{\"celsius\": 21}"}],
            tools=[{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}],
            tokenize=False, add_generation_prompt=True, enable_thinking=False)
        for needle in ("<tools>", "<think>\nCall the tool.\n</think>", '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>',
                       "<tool_response>", "<|im_start|>assistant\n<think>\n\n</think>\n\n"):
            assert needle in text, (needle, text)
        assert tok.convert_tokens_to_ids("<tool_call>") == manifest["tokenizer"]["tokens"]["<tool_call>"]


def main() -> None:
    if len(sys.argv) != 2:
        raise SystemExit("usage: make_tiny_models.py OUTPUT_DIR")
    torch.manual_seed(SEED)
    out_dir = os.path.abspath(sys.argv[1])
    manifest = build(out_dir)
    check(out_dir, manifest)
    print(json.dumps({"dir": out_dir, "models": [m["name"] for m in manifest["models"]]}))


if __name__ == "__main__":
    main()
