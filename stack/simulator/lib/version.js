// @ts-check
'use strict';

/** Version of the simulator itself (also the tag of `spark-gateway/vllm-simulator`). */
const SIMULATOR_VERSION = require('../package.json').version;

/**
 * The vLLM version the simulator imitates: the one pinned by the stack's
 * `vllm/vllm-openai:v0.31.0` image. Reported by `vllm --version`, `/version`
 * and the start-up log, like real vLLM does.
 */
const VLLM_VERSION = '0.11.2';

module.exports = { SIMULATOR_VERSION, VLLM_VERSION };
