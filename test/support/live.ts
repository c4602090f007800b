/**
 * For the [live] engine tests: a model folder of a temp stack copy prepared to run the simulator
 * with a visible start-up (SIM_* in its .env, which the compose file loads with `env_file`), and a
 * recorder of the states the state model goes through.
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { StackStateModel } from '../../src/core/state/stack-state';
import type { ServiceState } from '../../src/core/state/service-state';
import { compose } from './docker';

/**
 * A compose override used by the TESTS ONLY: the stack's healthcheck (interval 10 s) probes every
 * second here, so "healthy" and "unhealthy" arrive in seconds instead of tens of seconds. The
 * test command and everything else come from the real compose file.
 */
export const HEALTH_OVERRIDE = 'docker-compose.test-health.yml';

/** Adds SIM_* settings to the model folder's .env and writes the healthcheck override; returns the folder. */
export function prepareModelFolder(stackDir: string, service: string, sim: Record<string, string>): string {
  const dir = path.join(stackDir, service);
  appendFileSync(path.join(dir, '.env'), `\n${Object.entries(sim).map(([k, v]) => `${k}=${v}`).join('\n')}\n`);
  writeFileSync(path.join(dir, HEALTH_OVERRIDE), `services:\n  ${service}:\n    healthcheck:\n      interval: 1s\n      timeout: 2s\n      retries: 3\n`);
  return dir;
}

/** `docker compose -f docker-compose.yml -f <override> <args>` in a model folder. */
export function composeModel(dir: string, args: readonly string[]): string {
  return compose(dir, ['-f', 'docker-compose.yml', '-f', HEALTH_OVERRIDE, ...args]);
}

export interface StateRecord {
  readonly at: number;
  readonly state: ServiceState;
  readonly progress?: string;
  readonly restartCount?: number;
}

/** Records every distinct state (with progress text) of one service. */
export function recordStates(model: StackStateModel, name: string): { readonly records: StateRecord[]; stop(): void; waitFor(state: ServiceState, timeoutMs: number, since?: number): Promise<StateRecord> } {
  const records: StateRecord[] = [];
  const take = () => {
    const s = model.services.find((x) => x.name === name);
    if (!s) return;
    const last = records[records.length - 1];
    const progress = s.progress?.text;
    if (last && last.state === s.state && last.progress === progress && last.restartCount === s.restartCount) return;
    records.push({ at: Date.now(), state: s.state, ...(progress ? { progress } : {}), ...(s.restartCount !== undefined ? { restartCount: s.restartCount } : {}) });
  };
  take();
  const sub = model.onDidChange(take);
  return {
    records,
    stop: () => sub.dispose(),
    async waitFor(state, timeoutMs, since = 0) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const hit = records.find((r, i) => i >= since && r.state === state);
        if (hit) return hit;
        if (Date.now() > deadline) throw new Error(`no "${state}" within ${timeoutMs} ms; states: ${JSON.stringify(records.slice(since))}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
  };
}
