/**
 * A slow link for the UI tests of the first start: a TCP proxy on 127.0.0.1 that forwards to
 * `target` and sends the answers back at a bounded rate, so a pull from the loopback registry
 * lasts long enough for its progress to be seen (and cancelled). Requests go through unthrottled.
 */
import type { Socket } from 'node:net';
import { createConnection, createServer } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface ThrottleProxy {
  /** `127.0.0.1:PORT`, to use instead of the target's host:port. */
  readonly host: string;
  stop(): Promise<void>;
}

/** Copies `from` to `to` at about `bytesPerSecond`, in slices sent every 50 ms. */
function throttledPipe(from: Socket, to: Socket, bytesPerSecond: number): void {
  const slice = Math.max(1024, Math.floor(bytesPerSecond / 20));
  const queue: Buffer[] = [];
  let queued = 0;
  let timer: NodeJS.Timeout | undefined;
  let ended = false;
  const tick = () => {
    let budget = slice;
    while (budget > 0 && queue.length > 0) {
      const head = queue[0] as Buffer;
      const part = head.subarray(0, budget);
      to.write(part);
      budget -= part.length;
      queued -= part.length;
      if (part.length === head.length) queue.shift();
      else queue[0] = head.subarray(part.length);
    }
    // Reading resumes once less than a slice waits, so every tick has a slice to send.
    if (queued < slice) from.resume();
    if (queue.length === 0) {
      clearInterval(timer);
      timer = undefined;
      if (ended) to.end();
    }
  };
  from.on('data', (chunk: Buffer) => {
    queue.push(chunk);
    queued += chunk.length;
    // While two slices wait, reading stops: the target's own send buffer holds the rest.
    if (queued >= 2 * slice) from.pause();
    timer ??= setInterval(tick, 50);
  });
  const finish = () => {
    if (ended) return;
    ended = true;
    if (!timer) to.end();
  };
  from.on('end', finish);
  from.on('close', finish);
}

/** Starts the proxy in front of `target` (`host:port`); stop() closes it and every connection. */
export async function startThrottleProxy(target: string, bytesPerSecond: number): Promise<ThrottleProxy> {
  const [targetHost, targetPort] = target.split(':');
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = createConnection({ host: targetHost, port: Number(targetPort) });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    // The target's last bytes may still be queued when it closes: the throttled pipe ends the
    // client after them (an early close here turned a registry's answer into an EOF).
    client.on('close', () => upstream.destroy());
    client.pipe(upstream);
    throttledPipe(upstream, client, bytesPerSecond);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    stop: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}
