/**
 * Logs (SPEC §7): lines per second from a container into the log view's buffer — the core's
 * follower (demultiplexing, timestamps, colour stripping) feeding the bounded LogBuffer the
 * Tail Logs channel keeps — and the memory it holds; side by side with `docker logs -f` read
 * directly in the same run. Prints one JSON line, then a human summary.
 *
 *   npm run bench:logs      (BENCH_LINES, default 200000; BENCH_RUNS, default 3)
 *
 * Needs Docker and the simulator image (its node binary writes the lines). Creates and removes a
 * container named spark-gateway-bench-logs; run it under the Docker lock on a shared machine.
 */
import { execFileSync, spawn } from 'node:child_process';
import * as path from 'node:path';
import { createDockerClient } from '../src/core/docker/client';
import { LogBuffer } from '../src/core/logs/buffer';
import { followLogs } from '../src/core/logs/follower';

const LINES = Number(process.env.BENCH_LINES ?? 200_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const CONTAINER = 'spark-gateway-bench-logs';
const REPO = path.resolve(__dirname, '..', '..');
/** A vLLM access-log-like line with colour codes, as uvicorn prints them. */
const WRITER = `const line = (i) => '(APIServer pid=1) \\u001b[32mINFO\\u001b[0m:     127.0.0.1:41234 - "POST /v1/chat/completions HTTP/1.1" 200 OK request ' + i + '\\n';
let i = 0; const n = ${LINES};
function write() { let ok = true; while (i < n && ok) { ok = process.stdout.write(line(i++)); } if (i < n) process.stdout.once('drain', write); }
write(); setInterval(() => {}, 1 << 30);`;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function docker(...args: string[]): string {
  return execFileSync('docker', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** `docker logs -f` straight: time until it printed every line. */
function cliRead(): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn('docker', ['logs', '-f', CONTAINER], { stdio: ['ignore', 'pipe', 'ignore'] });
    let count = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) count++;
      if (count >= LINES) {
        resolve(performance.now() - started);
        child.kill();
      }
    });
    child.on('exit', () => (count < LINES ? reject(new Error(`docker logs -f ended after ${count} lines`)) : undefined));
  });
}

/** The core's follower into a LogBuffer: time until every line is in the buffer, and what it holds. */
async function followerRead(): Promise<{ ms: number; heldLines: number; heldChars: number; heapDeltaBytes: number }> {
  const client = createDockerClient();
  global.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const buffer = new LogBuffer(5000);
  const stop = new AbortController();
  const started = performance.now();
  let count = 0;
  for await (const line of followLogs(client, CONTAINER, { follow: true, signal: stop.signal })) {
    buffer.push(line.text);
    if (++count >= LINES) break;
  }
  const ms = performance.now() - started;
  stop.abort();
  global.gc?.();
  if (buffer.lines().some((l) => l.includes('\u001b'))) throw new Error('colour codes reached the buffer');
  return { ms, heldLines: buffer.size, heldChars: buffer.heldChars, heapDeltaBytes: process.memoryUsage().heapUsed - heapBefore };
}

async function main(): Promise<void> {
  execFileSync('bash', [path.join(REPO, 'simulator', 'build-image.sh')], { stdio: 'pipe' });
  try {
    docker('rm', '-f', CONTAINER);
  } catch {
    // not there
  }
  docker('run', '-d', '--name', CONTAINER, 'nvcr.io/nvidia/vllm:26.10-py3', 'node', '-e', WRITER);
  try {
    // Wait until every line is in Docker's log, so both readers read the same finished log.
    const deadline = Date.now() + 120_000;
    while (Number(docker('logs', '--tail', '1', CONTAINER).match(/request (\d+)/)?.[1] ?? -1) < LINES - 1) {
      if (Date.now() > deadline) throw new Error('the writer did not finish in 120 s');
      await new Promise((r) => setTimeout(r, 500));
    }
    const cli: number[] = [];
    const core: number[] = [];
    let held = { heldLines: 0, heldChars: 0, heapDeltaBytes: 0 };
    for (let run = 0; run < RUNS; run++) {
      cli.push(await cliRead());
      const r = await followerRead();
      core.push(r.ms);
      held = r;
    }
    const perSecond = (ms: number) => Math.round((LINES / ms) * 1000);
    const result = {
      bench: 'logs',
      lines: LINES,
      runs: RUNS,
      medianLinesPerSecond: { followerIntoBuffer: perSecond(median(core)), dockerLogsCli: perSecond(median(cli)) },
      buffer: { maxLines: 5000, heldLines: held.heldLines, heldChars: held.heldChars, heapDeltaBytes: held.heapDeltaBytes },
      rssBytes: process.memoryUsage().rss,
    };
    console.log(JSON.stringify(result));
    console.log(`
Logs: ${LINES} lines (${RUNS} runs, median) from container ${CONTAINER}
  core follower → LogBuffer   ${result.medianLinesPerSecond.followerIntoBuffer.toLocaleString('en')} lines/s (demux, timestamps, colour stripping)
  docker logs -f (baseline)   ${result.medianLinesPerSecond.dockerLogsCli.toLocaleString('en')} lines/s (raw bytes, newlines counted)
  held: ${held.heldLines} lines, ${(held.heldChars / 1024).toFixed(0)} KiB of text in the bounded buffer; heap growth ${(held.heapDeltaBytes / 1024 / 1024).toFixed(1)} MiB after reading all ${LINES}`);
  } finally {
    docker('rm', '-f', CONTAINER);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
