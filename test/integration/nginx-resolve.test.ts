/**
 * NGINX follows LiteLLM: the stack's NGINX config, run by the real NGINX, finds its upstream
 * by name through a real DNS server (dnsmasq on loopback, standing in for Docker's embedded
 * DNS). Mid-run the name moves to a second upstream on another loopback address and the first
 * one goes away — what `docker compose up -d --force-recreate` of LiteLLM does — and NGINX,
 * never restarted, reaches the new one within the config's re-resolution period (`valid=`).
 * The two upstreams are stand-ins for LiteLLM that answer with their own name and count the
 * TCP connections NGINX opens to them: the upstream's keepalive pool survives re-resolution.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { createServer } from 'node:http';
import { Agent, request } from 'node:https';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { missing } from '../support/components';
import type { Dns } from '../support/dns';
import { startDns } from '../support/dns';
import type { GatewayNginx } from '../support/nginx';
import { startGatewayNginx } from '../support/nginx';
import { freePort } from '../support/processes';
import type { StackCopy } from '../support/stack-copy';
import { copyStack } from '../support/stack-copy';

const NAME = 'vllm-litellm-proxy';

/** A stand-in LiteLLM on `host`: every answer names it; it counts the requests and TCP connections it got. */
interface StandIn {
  readonly server: Server;
  readonly seen: { requests: number; connections: number };
}

function standIn(name: string, host: string, port: number): Promise<StandIn> {
  const seen = { requests: 0, connections: 0 };
  const server = createServer((req, res) => {
    seen.requests += 1;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ upstream: name, url: req.url }));
  });
  server.on('connection', () => (seen.connections += 1));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve({ server, seen }));
  });
}

interface Answer {
  readonly at: number;
  readonly status: number;
  readonly upstream: string | undefined;
}

describe('NGINX re-resolves LiteLLM by name', { skip: missing('nginx', 'openssl', 'dnsmasq') }, () => {
  let stack: StackCopy;
  let dns: Dns;
  let nginx: GatewayNginx;
  let first: StandIn;
  let second: StandIn;
  let ca: string;
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });

  const get = (urlPath: string): Promise<{ status: number; upstream: string | undefined }> => new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: nginx.httpsPort, path: urlPath, ca, servername: 'localhost', agent, timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => {
        let upstream: string | undefined;
        try {
          upstream = (JSON.parse(body) as { upstream?: string }).upstream;
        } catch {
          upstream = undefined; // NGINX's own error page
        }
        resolve({ status: res.statusCode ?? 0, upstream });
      });
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });

  before(async () => {
    stack = copyStack({ certs: true });
    ca = readFileSync(path.join(stack.dir, 'ssl', 'public.pem'), 'utf8');
    const work = path.join(path.dirname(stack.dir), 'resolve');
    mkdirSync(work, { recursive: true });
    // Same port on two loopback addresses, as a re-created container keeps its port and gets a new address.
    const port = await freePort();
    first = await standIn('first', '127.0.0.2', port);
    second = await standIn('second', '127.0.0.3', port);
    dns = await startDns(work, NAME, '127.0.0.2');
    nginx = await startGatewayNginx(stack.dir, path.join(work, 'nginx'), `${NAME}:${port}`, dns.address);
  });
  after(async () => {
    agent.destroy();
    await nginx?.stop();
    await dns?.stop();
    for (const s of [first, second]) {
      s?.server.closeAllConnections();
      s?.server.close();
    }
    stack?.remove();
  });

  it('reaches the new upstream within the resolver period after the name moves, without a restart', { timeout: 60_000 }, async () => {
    const conf = readFileSync(path.join(stack.dir, 'nginx', 'multi-model.conf'), 'utf8');
    const valid = /^resolver \S+ valid=(\d+)s\b.*# RESOLVER$/m.exec(conf);
    assert.ok(valid, 'the stack config has `resolver … valid=Ns` on its RESOLVER line');
    const periodMs = Number(valid[1]) * 1000;

    for (let i = 0; i < 10; i++) assert.deepEqual(await get('/v1/models'), { status: 200, upstream: 'first' });
    // The upstream's keepalive pool: NGINX reuses its connections to LiteLLM rather than opening
    // one per request (which a proxy_pass with a variable does: as many connections as requests).
    assert.equal(first.seen.requests, 10);
    assert.ok(first.seen.connections < first.seen.requests / 2, `NGINX opened ${first.seen.connections} connections for ${first.seen.requests} requests: no keepalive to the upstream`);

    // The re-create: the old upstream is gone and the name answers the new address.
    first.server.closeAllConnections();
    await new Promise<void>((resolve) => first.server.close(() => resolve()));
    await dns.point(NAME, '127.0.0.3');
    const switched = performance.now();

    // A bounded loop: one request every 100 ms for the period plus 4 s.
    const answers: Answer[] = [];
    while (performance.now() - switched < periodMs + 4000) {
      const at = performance.now() - switched;
      const answer = await get('/v1/models').catch(() => ({ status: 0, upstream: undefined }));
      answers.push({ at, ...answer });
      await new Promise((r) => setTimeout(r, 100));
    }
    // One second past the period for NGINX's own query to the DNS server.
    const settled = periodMs + 1000;
    const late = answers.filter((a) => a.at > settled);
    const lateFailures = late.filter((a) => a.status !== 200 || a.upstream !== 'second');
    assert.deepEqual(lateFailures, [], `every request later than ${settled} ms after the switch reaches the new upstream`);
    assert.ok(late.length >= 10, `the loop ran past the period (${late.length} late requests)`);
    assert.ok(answers.every((a) => a.upstream !== 'first'), 'the old upstream is gone');
    // Re-resolution kept the pool: the new upstream's connections are reused as well.
    assert.ok(second.seen.connections < second.seen.requests / 2, `after the switch NGINX opened ${second.seen.connections} connections for ${second.seen.requests} requests`);
    // The plain-HTTP health endpoint follows too.
    const health = await fetch(`http://127.0.0.1:${nginx.httpPort}/health`);
    assert.deepEqual(await health.json(), { upstream: 'second', url: '/health/liveliness' });
  });
});
