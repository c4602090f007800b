/**
 * What the pinned vLLM (0.31.0, the version of the stack's images, stack/vllm-images.yaml) serves:
 * read from its own registries by scripts/vllm-registries.py into vllm-registry.json, which a
 * test keeps equal to the installed wheel. Never edited by hand.
 */
import registry from './vllm-registry.json';

export const VLLM_VERSION: string = registry.vllmVersion;
export const GENERATE_ARCHITECTURES: ReadonlySet<string> = new Set(registry.generateArchitectures);
export const TOOL_CALL_PARSERS: ReadonlySet<string> = new Set(registry.toolCallParsers);
export const REASONING_PARSERS: ReadonlySet<string> = new Set(registry.reasoningParsers);
export const QUANTIZATION_METHODS: ReadonlySet<string> = new Set(registry.quantizationMethods);
