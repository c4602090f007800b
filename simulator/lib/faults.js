// @ts-check
'use strict';

/**
 * Fault injection. The current fault is read on every request, so tests can flip it on a running
 * container through `POST /sim/fault` (see server.js) without restarting it.
 *
 *  - `none`           normal behaviour
 *  - `fail`           every completion request answers 500 with an OpenAI-shaped error
 *  - `hang`           completion requests are accepted and never answered (until the client leaves)
 *  - `die-mid-stream` a completion sends DIE_AFTER_CHUNKS content chunks, then the process exits 1
 *  - `fail-health`    the engine is dead to `/health` and `/ping`: 503 with an empty body, as vLLM
 *                     answers on EngineDeadError, so a Docker healthcheck turns unhealthy
 *
 * @typedef {'none' | 'fail' | 'hang' | 'die-mid-stream' | 'fail-health'} FaultName
 */

/** @type {readonly FaultName[]} */
const FAULTS = Object.freeze(['none', 'fail', 'hang', 'die-mid-stream', 'fail-health']);

/** Content chunks (tokens) sent before a `die-mid-stream` crash. */
const DIE_AFTER_CHUNKS = 3;

/**
 * @param {string} value
 * @returns {FaultName | undefined} undefined when not a known fault
 */
function parseFault(value) {
  const v = value.trim().toLowerCase();
  return FAULTS.find((f) => f === v);
}

/** The mutable current fault of one simulator process. */
class FaultState {
  /** @param {FaultName} initial */
  constructor(initial) {
    /** @type {FaultName} */
    this.current = initial;
  }

  /**
   * @param {string} value
   * @returns {FaultName}
   * @throws {Error} naming the accepted values when `value` is not a fault
   */
  set(value) {
    const fault = parseFault(value);
    if (fault === undefined) throw new Error(`unknown fault '${value}'; expected one of: ${FAULTS.join(', ')}`);
    this.current = fault;
    return fault;
  }
}

module.exports = { FAULTS, DIE_AFTER_CHUNKS, parseFault, FaultState };
