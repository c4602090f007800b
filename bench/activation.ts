/**
 * Activation (SPEC §7): `require` of the production bundle dist/extension.js to `activate()`
 * resolved, in a fresh Node process per sample — each with an empty global storage (the first
 * activation) and with the V8 code cache an earlier one left there (src/vscode/boot.ts) — with a
 * stand-in `vscode` module (test/support/fake-vscode.ts), the bundled stack as the extension
 * folder and a workspace holding a copy of it (as a user's window would: an empty window reads no stack); plus the bundle
 * sizes and which lazily loaded vendor bundles (dist/vendor/) activation pulled in. The stack is
 * read after activate() returns (the view shows a loading row meanwhile), so `ready` — until the
 * API's `ready` settled, the stack read and the state model started — is measured too, with what it
 * loaded. Both are wall time and CPU time of the process (on a shared, loaded machine the CPU
 * time is the steadier figure). Prints one JSON line, then a human summary.
 *
 *   npm run bench:activation      (BENCH_RUNS samples, default 15; BENCH_BUNDLE=file measures
 *                                  another build of the extension, e.g. one before a change)
 *
 * Docker is pointed at a socket that does not exist: activation must not wait for Docker, and
 * the bench then needs no Docker lock.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fakeContext, installFakeVscode } from '../test/support/fake-vscode';
import { REPO_ROOT } from '../test/support/processes';
import { copyStack } from '../test/support/stack-copy';

const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const BUNDLE = path.resolve(process.env.BENCH_BUNDLE ?? path.join(REPO_ROOT, 'dist', 'extension.js'));
const VENDOR = path.join(path.dirname(BUNDLE), 'vendor');

interface Sample {
  readonly requireMs: number;
  readonly activateMs: number;
  readonly totalMs: number;
  /** CPU time (user + system) of require + activate(). */
  readonly totalCpuMs: number;
  /** From require to the API's `ready` settled (the stack read after activation). */
  readonly readyMs: number;
  readonly readyCpuMs: number;
  readonly vendorLoaded: string[];
  readonly vendorLoadedByReady: string[];
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** One sample, in this (fresh) process. */
async function child(): Promise<void> {
  installFakeVscode({ workspaceFolders: process.env.BENCH_WORKSPACE ? [process.env.BENCH_WORKSPACE] : [] });
  const context = fakeContext(REPO_ROOT, process.env.BENCH_STORAGE);
  const vendor = () => Object.keys(require.cache).filter((f) => f.startsWith(VENDOR + path.sep)).map((f) => path.basename(f));
  const cpu = (since: NodeJS.CpuUsage) => {
    const used = process.cpuUsage(since);
    return (used.user + used.system) / 1000;
  };
  const cpuStarted = process.cpuUsage();
  const started = performance.now();
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the bundle is loaded as VS Code loads it
  const extension = require(process.env.BENCH_ENTRY ?? BUNDLE) as { activate(context: unknown): Promise<{ ready?: Promise<void> }> };
  const required = performance.now();
  const api = await extension.activate(context);
  const activated = performance.now();
  const totalCpuMs = cpu(cpuStarted);
  const vendorLoaded = vendor();
  // An older build (BENCH_BUNDLE) has no `ready`: its activate() read the stack already.
  await api.ready;
  const readyMs = performance.now() - started;
  const sample: Sample = { requireMs: required - started, activateMs: activated - required, totalMs: activated - started, totalCpuMs, readyMs, readyCpuMs: cpu(cpuStarted), vendorLoaded, vendorLoadedByReady: vendor() };
  process.stdout.write(`${JSON.stringify(sample)}\n`);
  await new Promise((resolve) => setTimeout(resolve, Number(process.env.BENCH_KEEP_ALIVE_MS ?? 0)));
  for (const d of context.subscriptions as { dispose(): unknown }[]) d.dispose();
  process.exit(0);
}

type Medians = Record<'require' | 'activate' | 'total' | 'totalCpu' | 'ready' | 'readyCpu', number>;

const r1 = (n: number) => Math.round(n * 10) / 10;

function medians(samples: readonly Sample[]): Medians {
  const of = (pick: (s: Sample) => number) => r1(median(samples.map(pick)));
  return { require: of((s) => s.requireMs), activate: of((s) => s.activateMs), total: of((s) => s.totalMs), totalCpu: of((s) => s.totalCpuMs), ready: of((s) => s.readyMs), readyCpu: of((s) => s.readyCpuMs) };
}

function main(): void {
  const main = path.join(path.dirname(BUNDLE), 'main.js');
  const sizes: Record<string, number> = { 'extension.js': statSync(BUNDLE).size, ...(existsSync(main) ? { 'main.js': statSync(main).size } : {}) };
  for (const f of existsSync(VENDOR) ? readdirSync(VENDOR) : []) sizes[`vendor/${f}`] = statSync(path.join(VENDOR, f)).size;
  // Two kinds of start, interleaved so both see the same machine: "cold" with an empty global
  // storage (the first activation after an install or update: V8 compiles the bundle), "warm" with
  // the code cache an earlier activation wrote there (src/vscode/boot.ts; every later window).
  // A third, "no loader", requires dist/main.js itself, as the manifest's main did before the loader.
  const cold: Sample[] = [];
  const warm: Sample[] = [];
  const direct: Sample[] = [];
  const storage = mkdtempSync(path.join(os.tmpdir(), 'spark-bench-storage-'));
  const workspace = copyStack({ syncEnv: false });
  const run = (dir: string, keepAliveMs = 0, entry = BUNDLE) => {
    const env = { ...process.env, DOCKER_HOST: 'unix:///nonexistent/spark-bench.sock', BENCH_WORKSPACE: path.dirname(workspace.dir), BENCH_STORAGE: dir, BENCH_KEEP_ALIVE_MS: String(keepAliveMs), BENCH_ENTRY: entry };
    const out = execFileSync(process.execPath, [__filename, '--child'], { encoding: 'utf8', env });
    return JSON.parse(out.trim().split('\n').pop() ?? '{}') as Sample;
  };
  try {
    // The warm-up activation stays long enough to write the cache (boot.ts writes it 3 s after).
    run(path.join(storage, 'warm'), 4000);
    for (let i = 0; i < RUNS; i++) {
      const fresh = path.join(storage, `cold-${i}`);
      cold.push(run(fresh));
      rmSync(fresh, { recursive: true, force: true });
      warm.push(run(path.join(storage, 'warm')));
      if (existsSync(main)) direct.push(run(path.join(storage, 'direct'), 0, main));
    }
  } finally {
    workspace.remove();
    rmSync(storage, { recursive: true, force: true });
  }
  const vendorLoaded = [...new Set([...cold, ...warm, ...direct].flatMap((s) => s.vendorLoaded))].sort();
  const summary = {
    bench: 'activation',
    bundle: path.relative(REPO_ROOT, BUNDLE),
    runs: RUNS,
    medianMs: medians(warm),
    coldMedianMs: medians(cold),
    ...(direct.length > 0 ? { noLoaderMedianMs: medians(direct) } : {}),
    bytes: sizes,
    vendorLoadedByActivation: vendorLoaded,
    vendorLoadedByReady: [...new Set([...cold, ...warm].flatMap((s) => s.vendorLoadedByReady))].sort(),
    loadAverage: os.loadavg().map(r1),
    cpus: os.cpus().length,
  };
  console.log(JSON.stringify(summary));
  console.log('');
  const line = (m: Medians) => `${m.total} ms (require ${m.require} ms, activate ${m.activate} ms; CPU ${m.totalCpu} ms)`;
  console.log(`Activation (require → activate() resolved, median of ${RUNS} fresh processes each):`);
  console.log(`  with the code cache of an earlier activation: ${line(summary.medianMs)}`);
  console.log(`  first activation (empty global storage):      ${line(summary.coldMedianMs)}`);
  if (direct.length > 0) console.log(`  dist/main.js required without the loader:     ${line(medians(direct))}`);
  console.log(`Stack read and state model started (API ready): ${summary.medianMs.ready} ms from require (CPU ${summary.medianMs.readyCpu} ms), loading ${summary.vendorLoadedByReady.join(', ') || 'no vendor bundle'}`);
  console.log(`Load average while measuring: ${summary.loadAverage.join(' ')} on ${summary.cpus} CPUs`);
  console.log(`Bundles: dist/extension.js (the loader) ${(sizes['extension.js'] as number / 1024).toFixed(0)} KiB, dist/main.js ${((sizes['main.js'] ?? 0) / 1024).toFixed(0)} KiB; vendor bundles loaded by activation: ${vendorLoaded.join(', ') || 'none'}`);
  for (const [f, b] of Object.entries(sizes)) console.log(`  ${f.padEnd(24)} ${(b / 1024).toFixed(0).padStart(6)} KiB`);
}

if (process.argv.includes('--child')) {
  child().catch((error: unknown) => {
    console.error(error instanceof Error ? error.stack : String(error));
    process.exit(1);
  });
} else {
  main();
}
