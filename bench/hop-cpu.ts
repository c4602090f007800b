/**
 * CPU time spent by each hop of a request's path (the model server, LiteLLM, Redis, NGINX, this
 * client), read from /proc (Linux): utime + stime of every process of a hop's tree, the figure
 * `ps` and `top` show. Taken around each batch of requests and divided by the tokens that batch
 * streamed, it is CPU per token — a cost of the software, unlike a time or a ratio measured on a
 * machine whose few cores the hops share.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's utime and stime (`getconf CLK_TCK`; 100 on Linux almost always). */
export const CLOCK_TICKS = (() => {
  try {
    const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return ticks > 0 ? ticks : 100;
  } catch {
    return 100;
  }
})();

/** A hop: a name and the process ids that do its work (found anew per cell: see {@link processTree}). */
export interface Hop {
  readonly name: string;
  pids(): readonly number[];
}

/** utime + stime of one process (all its threads, including ones that ended), in ticks; undefined once it is gone. */
function ticksOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which may hold spaces and parentheses: 3 state, 4 ppid, … 14 utime, 15 stime.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return undefined;
  }
}

/** `root` and every process below it now (vLLM's EngineCore, uvicorn's workers, NGINX's workers). */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // ended while listed
    }
  }
  const tree: number[] = [];
  for (const queue = [root]; queue.length;) {
    const pid = queue.shift() as number;
    tree.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return tree;
}

/** The processes whose command line (arguments joined by spaces) `matches`, e.g. redis-server, which renames itself to `redis-server 127.0.0.1:PORT`. */
export function processesMatching(matches: (cmdline: string) => boolean): number[] {
  return readdirSync('/proc').filter((e) => /^\d+$/.test(e)).flatMap((entry) => {
    try {
      return matches(readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ').trim()) ? [Number(entry)] : [];
    } catch {
      return [];
    }
  });
}

/** `name (cpus)`: a process's name and the CPUs it may run on (Cpus_allowed_list), e.g. `VLLM::Worker (0)`. */
export function describeProcess(pid: number): string {
  try {
    const cpus = /^Cpus_allowed_list:\s*(.*)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? '?';
    return `${readFileSync(`/proc/${pid}/comm`, 'utf8').trim()} (${cpus})`;
  } catch {
    return `${pid} (gone)`;
  }
}

/** What {@link CpuMeter.begin} read: each hop's processes' ticks, and this process's CPU. */
export interface CpuMark {
  readonly ticks: ReadonlyMap<string, ReadonlyMap<number, number>>;
  readonly client: NodeJS.CpuUsage;
}

/**
 * Reads the hops' CPU before and after a stretch of work. The process lists are fixed when the
 * meter is made (once per cell, outside the timed batches), so a mark is a handful of small file
 * reads; the client's own CPU (`process.cpuUsage()`, this node process: the SSE reader, TLS, JSON)
 * is read last before and first after, so reading /proc is not counted as the client's.
 */
export class CpuMeter {
  private readonly pids: ReadonlyMap<string, readonly number[]>;

  constructor(hops: readonly Hop[]) {
    this.pids = new Map(hops.map((h) => [h.name, h.pids()]));
  }

  begin(): CpuMark {
    const ticks = this.read();
    return { ticks, client: process.cpuUsage() };
  }

  /** Milliseconds of CPU per hop since `mark`, and `client` for this process. */
  end(mark: CpuMark): Record<string, number> {
    const client = process.cpuUsage(mark.client);
    const now = this.read();
    const ms: Record<string, number> = {};
    for (const [hop, after] of now) {
      let ticks = 0;
      // A process that ended or appeared in between has no pair: its share is left out.
      for (const [pid, t] of after) ticks += Math.max(0, t - (mark.ticks.get(hop)?.get(pid) ?? t));
      ms[hop] = (ticks * 1000) / CLOCK_TICKS;
    }
    ms.client = (client.user + client.system) / 1000;
    return ms;
  }

  private read(): Map<string, Map<number, number>> {
    return new Map([...this.pids].map(([hop, pids]) => [hop, new Map(pids.flatMap((pid) => {
      const t = ticksOf(pid);
      return t === undefined ? [] : [[pid, t] as const];
    }))]));
  }
}
