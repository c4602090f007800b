/**
 * Start-up overhead (SPEC §7): a simulated scenario start — Scenario 2's model servers from their
 * real compose files on the local Docker engine, simulator backend — to "ready" (both models
 * answer), minus the simulator's configured load time, per phase. What remains is what the tool,
 * compose and Docker add. Prints one JSON line, then a human summary.
 *
 *   npm run bench:startup            (BENCH_RUNS to change the number of runs; default 3)
 *
 * Needs Docker, compose and the simulator image (simulator/build-image.sh). It starts and
 * removes the containers vllm-gpt-oss-20b and vllm-qwen-30b, so run it under the Docker lock on a
 * shared machine. The gateway part (LiteLLM, NGINX) is not included: its images cannot be pulled here.
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { startScenario } from '../src/core/lifecycle/scenario-start';
import { stopScenario } from '../src/core/lifecycle/scenario-stop';
import { loadStack } from '../src/core/stack/discovery';
import { SIMULATOR_DIR } from '../test/support/simulator';
import { copyStack } from '../test/support/stack-copy';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const SCENARIO = 'scenario-2';
// The simulator's default SIM_LOAD_SECONDS (simulator/lib/settings.js); the model folders'
// .env files (written by sync-env) do not set it, so this is the configured load time.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- plain-JS simulator module, read for its defaults
const LOAD_SECONDS = (require(path.join(SIMULATOR_DIR, 'lib', 'settings.js')) as { DEFAULTS: { loadSeconds: number } }).DEFAULTS.loadSeconds;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

async function main(): Promise<void> {
  execFileSync('bash', [path.join(SIMULATOR_DIR, 'build-image.sh')], { stdio: 'pipe' });
  const copy = copyStack();
  const samples: Record<string, number[]> = {};
  const add = (key: string, ms: number) => (samples[key] ??= []).push(ms);
  try {
    const stack = await loadStack(copy.dir);
    for (let run = 0; run < RUNS; run++) {
      const started = performance.now();
      const result = await startScenario({ stack, scenario: SCENARIO, backend: 'simulator', modelsOnly: true });
      const total = performance.now() - started;
      for (const p of result.phases) add(p.phase, p.ms);
      add('health-minus-load', (result.phases.find((p) => p.phase === 'health')?.ms ?? 0) - LOAD_SECONDS * 1000);
      add('total', total);
      add('total-minus-load', total - LOAD_SECONDS * 1000);
      const stopping = performance.now();
      await stopScenario({ stack, scenario: SCENARIO });
      add('down', performance.now() - stopping);
    }
  } finally {
    for (const name of ['vllm-gpt-oss-20b', 'vllm-qwen-30b']) {
      try {
        execFileSync('docker', ['rm', '-f', name], { stdio: 'pipe' });
      } catch {
        // already gone
      }
    }
    copy.remove();
  }
  const medians = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, Math.round(median(v))]));
  console.log(JSON.stringify({ bench: 'startup', scenario: SCENARIO, backend: 'simulator', runs: RUNS, loadSeconds: LOAD_SECONDS, medianMs: medians, samplesMs: Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, v.map(Math.round)])) }));
  console.log(`\nStart of ${SCENARIO} (2 models, simulator, models only), median of ${RUNS} runs; simulator load time ${LOAD_SECONDS} s:`);
  for (const key of ['preflight', 'network', 'models', 'health', 'health-minus-load', 'total', 'total-minus-load', 'down']) {
    if (medians[key] !== undefined) console.log(`  ${key.padEnd(18)} ${String(medians[key]).padStart(7)} ms`);
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
