// @ts-check
'use strict';

/** Version of the simulator itself (also the tag of `spark-gateway/vllm-simulator`). */
const SIMULATOR_VERSION = require('../package.json').version;

module.exports = { SIMULATOR_VERSION };
