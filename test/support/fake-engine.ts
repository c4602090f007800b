/** A fake of the compose {@link Engine} for tests of code that asks Docker questions through it. */
import type { Engine } from '../../src/core/compose/engine';

/** Everything present and answering; `overrides` replace single questions. */
export function fakeEngine(overrides: Partial<Engine> = {}): Engine {
  return {
    ping: async () => undefined,
    networkExists: async () => true,
    createNetwork: async () => undefined,
    imageExists: async () => true,
    imagePullable: async () => undefined,
    container: async () => undefined,
    publishedPorts: async () => new Map(),
    logTail: async () => '',
    ...overrides,
  };
}
