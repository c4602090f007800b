/**
 * `spark-gateway certs` on a copy of the stack: the pair NGINX and every client pin. It must have
 * the names clients use, last ten years, keep its key private, and never be replaced by accident.
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { request } from 'node:https';
import { hostname, tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../../src/cli/main';
import { missing } from '../support/components';
import { checkNginxConfig, startGatewayNginx, writeNginxConfig } from '../support/nginx';
import type { StackCopy } from '../support/stack-copy';
import { copyStack } from '../support/stack-copy';

async function cli(stackDir: string, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(['--stack', stackDir, ...argv], { out: (t) => (out += t), err: (t) => (err += t), cwd: stackDir, env: {} });
  return { code, out, err };
}

function snapshot(file: string): { bytes: string; mtimeMs: number } {
  return { bytes: readFileSync(file).toString('base64'), mtimeMs: statSync(file).mtimeMs };
}

describe('spark-gateway certs', () => {
  let stack: StackCopy;
  let cert: string;
  let key: string;
  before(() => {
    stack = copyStack({ syncEnv: false });
    cert = path.join(stack.dir, 'ssl', 'public.pem');
    key = path.join(stack.dir, 'ssl', 'private.pem');
  });
  after(() => stack.remove());

  it('writes a pair with SAN localhost, 127.0.0.1, ::1 and the host name, valid nine years or more, key mode 600', async () => {
    const { code, out } = await cli(stack.dir, 'certs');
    assert.equal(code, 0);
    assert.match(out, /Wrote ssl\/public\.pem/);
    const x509 = new X509Certificate(readFileSync(cert));
    const sans = (x509.subjectAltName ?? '').split(', ');
    for (const name of ['DNS:localhost', 'IP Address:127.0.0.1', 'IP Address:0:0:0:0:0:0:0:1', `DNS:${hostname()}`]) {
      assert.ok(sans.includes(name), `${name} in ${x509.subjectAltName}`);
    }
    const years = (Date.parse(x509.validTo) - Date.now()) / (365.25 * 24 * 3600 * 1000);
    assert.ok(years >= 9, `valid ${years.toFixed(2)} years`);
    assert.ok(x509.checkPrivateKey((await import('node:crypto')).createPrivateKey(readFileSync(key))), 'the key belongs to the certificate');
    assert.equal(statSync(key).mode & 0o777, 0o600);
  });

  it('refuses a second run without --force and changes nothing', async () => {
    const before = [snapshot(cert), snapshot(key)];
    const { code, err } = await cli(stack.dir, 'certs');
    assert.equal(code, 1);
    assert.match(err, /already exist.*not overwriting.*--force/);
    assert.deepEqual([snapshot(cert), snapshot(key)], before);
    assert.deepEqual(readdirSync(path.dirname(cert)).sort(), ['private.pem', 'public.pem']);
  });

  it('renews with --force and keeps the old pair in ssl/backup-<timestamp>/', async () => {
    const oldCert = readFileSync(cert, 'utf8');
    const oldKey = readFileSync(key, 'utf8');
    const { code, out } = await cli(stack.dir, 'certs', '--force');
    assert.equal(code, 0, out);
    assert.notEqual(readFileSync(cert, 'utf8'), oldCert);
    const backups = readdirSync(path.dirname(cert)).filter((f) => f.startsWith('backup-'));
    assert.equal(backups.length, 1);
    assert.match(backups[0] ?? '', /^backup-\d{8}T\d{6}Z$/);
    const backup = path.join(path.dirname(cert), backups[0] ?? '');
    assert.equal(readFileSync(path.join(backup, 'public.pem'), 'utf8'), oldCert);
    assert.equal(readFileSync(path.join(backup, 'private.pem'), 'utf8'), oldKey);
    assert.equal(statSync(backup).mode & 0o777, 0o700);
    assert.equal(statSync(key).mode & 0o777, 0o600);
  });

  describe('with the real NGINX', { skip: missing('nginx') }, () => {
    let work: string;
    before(() => {
      work = mkdtempSync(path.join(tmpdir(), 'spark-certs-nginx-'));
    });
    after(() => rmSync(work, { recursive: true, force: true }));

    it('is accepted by `nginx -t` with the stack\'s config', () => {
      const conf = writeNginxConfig(stack.dir, path.join(work, 't'), { upstream: '127.0.0.1:9', https: 18443, http: 18080 });
      assert.doesNotThrow(() => checkNginxConfig(conf));
    });

    it('lets a client that trusts only this certificate connect to https://localhost', async () => {
      const nginx = await startGatewayNginx(stack.dir, path.join(work, 'run'), '127.0.0.1:9');
      try {
        const body = await new Promise<string>((resolve, reject) => {
          const req = request({ host: 'localhost', port: nginx.httpsPort, path: '/healthz', ca: readFileSync(cert), timeout: 5000 }, (res) => {
            let text = '';
            res.on('data', (d: Buffer) => (text += d.toString()));
            res.on('end', () => resolve(text));
          });
          req.on('error', reject);
          req.end();
        });
        assert.equal(body.trim(), 'ok');
      } finally {
        await nginx.stop();
      }
    });
  });
});

