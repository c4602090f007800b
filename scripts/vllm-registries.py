"""Prints what the installed vLLM wheel serves, as JSON, for src/core/models/vllm-registry.json.

The add-model estimate refuses architectures vLLM does not serve and picks tool-call and
reasoning parsers by name; both must be exactly what the pinned vLLM registers, not a copy of
its docs. This reads vLLM's own registries (no GPU needed once the platform is CPU):

  VLLM_TARGET_DEVICE=cpu /opt/spark-gateway/vllm-0.31.0/bin/python scripts/vllm-registries.py \
      > src/core/models/vllm-registry.json

test/integration/vllm-registry.test.ts runs it again and checks the committed file matches.
"""

import json
import sys

import vllm
from vllm.model_executor.layers.quantization import QUANTIZATION_METHODS
from vllm.model_executor.models import registry
from vllm.reasoning import ReasoningParserManager
from vllm.tool_parsers import ToolParserManager

# Architectures `vllm serve` runs as a chat/completions model: decoder-only text generation and
# the multimodal generators (their text model answers chat). Embedding, reward and
# classification models are registered too, but they do not serve /v1/chat/completions.
generate = sorted(set(registry._TEXT_GENERATION_MODELS) | set(registry._MULTIMODAL_MODELS))

json.dump(
    {
        "vllmVersion": vllm.__version__,
        "generateArchitectures": generate,
        "toolCallParsers": sorted(ToolParserManager.list_registered()),
        "reasoningParsers": sorted(ReasoningParserManager.list_registered()),
        "quantizationMethods": sorted(QUANTIZATION_METHODS),
    },
    sys.stdout,
    indent=1,
)
sys.stdout.write("\n")
