/**
 * The stack's NGINX config, run by the real NGINX with a certificate made by the stack's
 * certs.sh: it passes `nginx -t`, answers on IPv4 and IPv6, trusts nothing but the stack's own
 * certificate, and streams an upstream response chunk by chunk instead of buffering it.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, Server } from 'node:http';
import { createServer } from 'node:http';
import { request } from 'node:https';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { missing } from '../support/components';
import type { GatewayNginx } from '../support/nginx';
import { startGatewayNginx } from '../support/nginx';
import type { StackCopy } from '../support/stack-copy';
import { copyStack } from '../support/stack-copy';

/** A loopback upstream that sends the next chunk only when the test says it saw the last one. */
class SteppedUpstream {
  readonly server: Server;
  private release: (() => void) | undefined;
  requests: string[] = [];
  constructor(private readonly chunks: readonly string[]) {
    this.server = createServer((req, res) => {
      this.requests.push(`${req.method} ${req.url}`);
      if (req.url === '/health/liveliness') {
        res.end('"I\'m alive!"');
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      void (async () => {
        for (const chunk of this.chunks) {
          res.write(chunk);
          await new Promise<void>((resolve) => (this.release = resolve));
        }
        res.end();
      })();
    });
  }
  /** Lets the upstream send its next chunk. */
  next(): void {
    this.release?.();
  }
  listen(): Promise<number> {
    return new Promise((resolve) => this.server.listen(0, '127.0.0.1', () => resolve((this.server.address() as AddressInfo).port)));
  }
}

function get(options: { port: number; host: string; path: string; ca: string; servername?: string }): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = request({ host: options.host, port: options.port, path: options.path, ca: options.ca, servername: options.servername ?? 'localhost', method: 'GET' }, resolve);
    req.on('error', reject);
    req.end();
  });
}

describe('NGINX with the stack config', { skip: missing('nginx', 'openssl') }, () => {
  const chunks = ['data: {"n":1}\n\n', 'data: {"n":2}\n\n', 'data: {"n":3}\n\n', 'data: [DONE]\n\n'];
  const upstream = new SteppedUpstream(chunks);
  let stack: StackCopy;
  let nginx: GatewayNginx;
  let ca: string;

  before(async () => {
    stack = copyStack({ certs: true });
    ca = readFileSync(path.join(stack.dir, 'ssl', 'public.pem'), 'utf8');
    const port = await upstream.listen();
    nginx = await startGatewayNginx(stack.dir, path.join(path.dirname(stack.dir), 'nginx'), `127.0.0.1:${port}`);
  });
  after(async () => {
    await nginx?.stop();
    upstream.server.close();
    stack?.remove();
  });

  it('streams each upstream chunk to the client before the upstream sends the next', { timeout: 20_000 }, async () => {
    const response = await get({ host: '127.0.0.1', port: nginx.httpsPort, path: '/v1/chat/completions', ca });
    assert.equal(response.statusCode, 200);
    const received: string[] = [];
    // The upstream holds every chunk after the first until we have read the one before it:
    // if NGINX buffered, nothing would arrive and this loop would never finish.
    for await (const data of response) {
      received.push(String(data));
      upstream.next();
    }
    assert.deepEqual(received.join(''), chunks.join(''));
    assert.ok(received.length >= chunks.length, `chunks were merged: ${JSON.stringify(received)}`);
  });

  it('answers /health from LiteLLM\'s unauthenticated liveliness probe, over IPv4 and IPv6', async () => {
    for (const host of ['127.0.0.1', '::1']) {
      const response = await get({ host, port: nginx.httpsPort, path: '/health', ca });
      assert.equal(response.statusCode, 200, host);
      response.resume();
    }
    assert.ok(upstream.requests.includes('GET /health/liveliness'));
  });

  it('serves a certificate that clients verify against the stack\'s own public.pem', async () => {
    await assert.rejects(get({ host: '127.0.0.1', port: nginx.httpsPort, path: '/healthz', ca: '' }).then(() => undefined), /self[- ]signed|unable to verify|certificate/i);
    const ok = await get({ host: '127.0.0.1', port: nginx.httpsPort, path: '/healthz', ca, servername: 'localhost' });
    assert.equal(ok.statusCode, 200);
    ok.resume();
  });

  it('redirects plain HTTP to HTTPS but answers its health check', async () => {
    const redirect = await fetch(`http://127.0.0.1:${nginx.httpPort}/v1/models`, { redirect: 'manual' });
    assert.equal(redirect.status, 301);
    assert.match(redirect.headers.get('location') ?? '', /^https:\/\//);
    assert.equal((await fetch(`http://127.0.0.1:${nginx.httpPort}/healthz`)).status, 200);
  });
});
