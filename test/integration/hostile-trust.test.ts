/**
 * Hostile inputs around trust and known secrets: a folder's own settings (Restricted Mode) that
 * would send the gateway key elsewhere or pick another stack, plain http to another machine, the
 * guide's published compose file with its public fallbacks, every other form of a secret in a
 * compose file, a compose file compose rejects, `--json` failures, the master key on curl's
 * command line, and NGINX's TLS and headers. The extension side runs on the fake `vscode` module
 * with real servers on 127.0.0.1; the rest with the real CLI, scripts, curl and NGINX.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingHttpHeaders, Server } from 'node:http';
import { createServer } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { parseDocument } from 'yaml';
import { runCli } from '../../src/cli/main';
import type { CheckResult } from '../../src/core/checks';
import { findComposeSecrets } from '../../src/core/compose/secrets';
import { runDoctor } from '../../src/core/doctor/doctor';
import { SparkError } from '../../src/core/errors';
import { createPinnedFetch } from '../../src/core/gateway/transport';
import { loadVllmImages } from '../../src/core/stack/vllm-images';
import { renderModelFolder } from '../../src/core/stack/model-template';
import { loadStack } from '../../src/core/stack/discovery';
import { missing } from '../support/components';
import { fakeEngine } from '../support/fake-engine';
import { installFakeVscode } from '../support/fake-vscode';
import type { GuideCopy } from '../support/guide-copy';
import { copyGuide, treeDigest } from '../support/guide-copy';
import { startGatewayNginx } from '../support/nginx';
import { REPO_ROOT, STACK_DIR } from '../support/processes';
import type { StackCopy } from '../support/stack-copy';
import { copyStack } from '../support/stack-copy';
import type * as GatewaySessionModule from '../../src/vscode/chat/gatewaySession';
import type * as StackLocatorModule from '../../src/vscode/stackLocator';

const run = promisify(execFile);
const memInfo = async () => ({ totalBytes: 128 * 1024 ** 3, availableBytes: 100 * 1024 ** 3, freeBytes: 0, cachedBytes: 0 });
const PUBLISHED = path.join(REPO_ROOT, 'test', 'fixtures', 'guide-published', 'litellm-docker-compose.yml');

/** A server on 127.0.0.1 that records each request's path and Authorization header. */
async function recordingServer(answer: (url: string, headers: IncomingHttpHeaders) => { status: number; body: unknown }): Promise<{ port: number; seen: { url: string; auth?: string }[]; server: Server }> {
  const seen: { url: string; auth?: string }[] = [];
  const server = createServer((req, res) => {
    seen.push({ url: req.url ?? '', ...(req.headers.authorization ? { auth: req.headers.authorization } : {}) });
    req.resume();
    const { status, body } = answer(req.url ?? '', req.headers);
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, seen, server };
}

async function cli(cwd: string, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, { out: (t) => (out += t), err: (t) => (err += t), cwd, env: {}, bundledStack: STACK_DIR });
  return { code, out, err };
}

const lineOf = (text: string, pattern: RegExp) => text.split('\n').findIndex((l) => pattern.test(l)) + 1;

describe('workspace trust: where the gateway key goes, which stack is read', () => {
  // One fake window for the file; each test sets its trust and settings.
  const window: { workspaceFolders: string[]; trusted: boolean; settings: { user: Record<string, unknown>; workspace: Record<string, unknown> } } = {
    workspaceFolders: [],
    trusted: false,
    settings: { user: {}, workspace: {} },
  };
  const STORED = 'sk-stored-by-set-gateway-key';
  const STACK_KEY = 'sk-the-folders-own-key';
  let home: string;
  let stackRoot: string;
  // Loaded after the fake `vscode` module is installed (type imports are erased).
  let session: typeof GatewaySessionModule;
  let locator: typeof StackLocatorModule;
  const secrets = { get: async () => STORED, store: async () => undefined, delete: async () => undefined, onDidChange: () => ({ dispose: () => undefined }) };

  before(async () => {
    home = mkdtempSync(path.join(tmpdir(), 'spark-trust-'));
    stackRoot = path.join(home, 'stack');
    mkdirSync(stackRoot);
    writeFileSync(path.join(stackRoot, '.env'), `LITELLM_MASTER_KEY=${STACK_KEY}\nNGINX_HTTPS_PORT=9443\n`);
    window.workspaceFolders.push(path.join(home, 'workspace'));
    mkdirSync(path.join(home, 'workspace'));
    installFakeVscode(window);
    session = await import('../../src/vscode/chat/gatewaySession');
    locator = await import('../../src/vscode/stackLocator');
  });
  after(() => rmSync(home, { recursive: true, force: true }));

  const newSession = () => new session.GatewaySession(secrets as never, () => ({ root: stackRoot }) as never);

  test("hostile: Restricted Mode, the folder's gatewayUrl names another server → the user's gateway gets the request and the stored key, the folder's server nothing", async () => {
    const modelInfo = { data: [{ model_name: 'm1', model_info: {} }] };
    const user = await recordingServer(() => ({ status: 200, body: modelInfo }));
    const folders = await recordingServer(() => ({ status: 200, body: modelInfo }));
    try {
      window.trusted = false;
      window.settings = { user: { 'sparkGateway.gatewayUrl': `http://127.0.0.1:${user.port}` }, workspace: { 'sparkGateway.gatewayUrl': `http://127.0.0.1:${folders.port}` } };
      const s = newSession();
      const client = await s.client();
      assert.equal(client.url, `http://127.0.0.1:${user.port}/v1`);
      await s.models().catch(() => undefined);
      assert.deepEqual(user.seen.map((r) => r.auth), [`Bearer ${STORED}`]);
      assert.deepEqual(folders.seen, [], "the folder's server got no request");
      s.dispose();
    } finally {
      user.server.close();
      folders.server.close();
    }
  });

  test("hostile: Restricted Mode, only the folder sets gatewayUrl → the stack's https://localhost with the stack's own key; the stored key is not sent, the folder's server gets nothing", async () => {
    const folders = await recordingServer(() => ({ status: 200, body: { data: [] } }));
    try {
      window.trusted = false;
      window.settings = { user: {}, workspace: { 'sparkGateway.gatewayUrl': `http://127.0.0.1:${folders.port}` } };
      const s = newSession();
      const client = await s.client();
      assert.equal(client.url, 'https://localhost:9443/v1');
      assert.equal(client.config.key, STACK_KEY, 'the stored key is not attached to a URL the folder chose');
      await s.models().catch(() => undefined);
      assert.deepEqual(folders.seen, []);
      s.dispose();
      // Trusted, the stored key is the user's to use with the stack's gateway.
      window.trusted = true;
      window.settings = { user: {}, workspace: {} };
      const trusted = newSession();
      assert.equal((await trusted.client()).config.key, STORED);
      trusted.dispose();
    } finally {
      folders.server.close();
    }
  });

  test('hostile: gatewayUrl http://spark.lan:4000 (plain http to another machine) → refused with the https fix, before any request', async () => {
    window.trusted = true;
    window.settings = { user: { 'sparkGateway.gatewayUrl': 'http://spark.lan:4000' }, workspace: {} };
    const s = newSession();
    await assert.rejects(s.client(), (e: unknown) => e instanceof SparkError && /plain http to spark\.lan/.test(e.message) && /https:\/\/spark\.lan\/v1/.test(e.fix ?? '') && /localhost, 127\.0\.0\.1 or \[::1\]/.test(e.fix ?? ''));
    s.dispose();
    // The CLI's --gateway-url is checked the same way (exit 1, the fix on stderr).
    const { code, err } = await cli(home, '--stack', stackRoot, 'chat', 'm1', 'hi', '--gateway-url', 'http://10.0.0.7:4000/v1', '--key', 'sk-x');
    assert.equal(code, 1);
    assert.match(err, /plain http to 10\.0\.0\.7.*— Use https:\/\/10\.0\.0\.7\/v1/);
    assert.doesNotMatch(err, /sk-x/);
  });

  test('hostile: a request to another origin than the gateway the key was given for → refused before a byte is sent', async () => {
    const other = await recordingServer(() => ({ status: 200, body: {} }));
    const transport = createPinnedFetch({ origin: 'https://localhost:9443' });
    try {
      await assert.rejects(transport.fetch(`http://127.0.0.1:${other.port}/v1/models`, { headers: { authorization: `Bearer ${STORED}` } }), /refused to send a request to http:\/\/127\.0\.0\.1:\d+: the gateway is https:\/\/localhost:9443/);
      assert.deepEqual(other.seen, []);
    } finally {
      transport.dispose();
      other.server.close();
    }
  });

  test("hostile: Restricted Mode, the folder's stackPath points at another stack → not read until the folder is trusted", async () => {
    const other = copyStack({ syncEnv: false });
    try {
      window.settings = { user: {}, workspace: { 'sparkGateway.stackPath': other.dir } };
      window.trusted = false;
      const restricted = await locator.locateWorkspaceStack();
      assert.notEqual(restricted.kind === 'ready' ? restricted.stack.root : undefined, other.dir);
      assert.equal(restricted.kind, 'none', 'the workspace has no stack of its own');
      window.trusted = true;
      const trusted = await locator.locateWorkspaceStack();
      assert.equal(trusted.kind === 'ready' ? trusted.stack.root : trusted.kind, other.dir);
    } finally {
      other.remove();
    }
  });

  test("hostile: package.json → gatewayUrl machine-scoped, gatewayUrl and stackPath restricted in untrusted workspaces, as settings.ts reads them", async () => {
    const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { capabilities: { untrustedWorkspaces: { restrictedConfigurations?: string[] } }; contributes: { configuration: { properties: Record<string, { scope?: string }> } } };
    const { SETTINGS } = await import('../../src/vscode/settings');
    const properties = pkg.contributes.configuration.properties;
    assert.deepEqual(Object.keys(properties).sort(), Object.keys(SETTINGS).map((k) => `sparkGateway.${k}`).sort(), 'every setting is classified');
    const restricted = Object.entries(SETTINGS).filter(([, s]) => s.restricted).map(([k]) => `sparkGateway.${k}`).sort();
    assert.deepEqual([...(pkg.capabilities.untrustedWorkspaces.restrictedConfigurations ?? [])].sort(), restricted);
    for (const [name, s] of Object.entries(SETTINGS)) assert.equal(properties[`sparkGateway.${name}`]?.scope, s.scope, name);
    assert.equal(properties['sparkGateway.gatewayUrl']?.scope, 'machine');
  });
});

describe('known secrets in compose files', () => {
  let guide: GuideCopy;
  before(() => {
    guide = copyGuide();
  });
  after(() => guide.remove());

  test("hostile: the guide's published litellm compose (sk-1234, admin, a fixed DB password) → adopt reports each with file:line and fixes it", async () => {
    const fixtureBefore = readFileSync(PUBLISHED);
    const file = path.join(guide.stack, 'litellm', 'docker-compose.yml');
    copyFileSync(PUBLISHED, file);
    // The user's running setup: a .env that predates adopting, PostgreSQL initialised with the file's password.
    writeFileSync(path.join(guide.stack, '.env'), 'HF_TOKEN=hf_x\n');
    const text = readFileSync(file, 'utf8');
    const plan = await cli(guide.home, '--stack', 'llms/vllm', 'adopt', '--dry-run', '--json');
    assert.equal(plan.code, 0, plan.err);
    const problems = (JSON.parse(plan.out) as { problems: { id: string; file: string; line: number; message: string; fix: string }[] }).problems.filter((p) => p.file === 'litellm/docker-compose.yml' && /secret/.test(p.id));
    const at = (id: string) => problems.filter((p) => p.id === id).map((p) => p.line).sort((a, b) => a - b);
    assert.deepEqual(at('secret-fallback'), [lineOf(text, /^\s+- LITELLM_MASTER_KEY=\$\{LITELLM_MASTER_KEY:-sk-1234\}$/), lineOf(text, /^\s+- UI_PASSWORD=\$\{UI_PASSWORD:-admin\}$/)]);
    assert.deepEqual(at('hardcoded-secret'), [lineOf(text, /^\s+- DATABASE_URL=/), lineOf(text, /^\s+POSTGRES_PASSWORD: dbpassword9090$/)]);
    for (const p of problems) assert.doesNotMatch(`${p.message} ${p.fix}`, /dbpassword9090/, 'a literal password is never printed');

    const applied = await cli(guide.home, '--stack', 'llms/vllm', 'adopt', '--json');
    assert.equal(applied.code, 0, applied.err);
    const fixed = readFileSync(file, 'utf8');
    assert.equal(parseDocument(fixed).errors.length, 0);
    const body = fixed.split('\n').filter((l) => !l.startsWith('#')).join('\n');
    assert.doesNotMatch(body, /sk-1234|UI_PASSWORD:-admin|dbpassword9090/);
    assert.match(body, /- UI_USERNAME=\$\{UI_USERNAME:-admin\}/, 'a user name is not a secret: it stays');
    assert.match(fixed, /- LITELLM_MASTER_KEY=\$\{LITELLM_MASTER_KEY:\?run \.\.\/sync-env\.sh first\}/);
    assert.match(fixed, /- UI_PASSWORD=\$\{UI_PASSWORD:\?set UI_PASSWORD in \.\.\/\.env and run \.\.\/sync-env\.sh\}/);
    assert.match(fixed, /postgresql:\/\/llmproxy:\$\{POSTGRES_PASSWORD:\?run \.\.\/sync-env\.sh first\}@vllm-litellm-postgres/);
    assert.deepEqual(findComposeSecrets('litellm/docker-compose.yml', fixed).findings, [], 'nothing left for the doctor');
    const env = readFileSync(path.join(guide.stack, '.env'), 'utf8');
    assert.match(env, /^POSTGRES_PASSWORD=dbpassword9090$/m, 'the password PostgreSQL was initialised with moves to .env');
    assert.doesNotMatch(env, /sk-1234|admin/, "a fallback's public value is not carried over");
    assert.ok(readFileSync(PUBLISHED).equals(fixtureBefore), 'the fixture itself is untouched');
  });

  test("hostile: a real-looking master key in the user's env template → adopt prints only its first characters", async () => {
    const copy = copyGuide();
    try {
      const key = 'sk-live-9f8e7d6c5b4a39281706';
      const template = path.join(copy.stack, 'env.example');
      writeFileSync(template, readFileSync(template, 'utf8').replace('LITELLM_MASTER_KEY=sk-1234', `LITELLM_MASTER_KEY=${key}`));
      const before = treeDigest(copy.home);
      for (const json of [true, false]) {
        const { code, out, err } = await cli(copy.home, '--stack', 'llms/vllm', 'adopt', '--dry-run', ...(json ? ['--json'] : []));
        assert.equal(code, 0, err);
        assert.ok(!`${out}${err}`.includes(key.slice(3, 12)), `the key is not printed (${json ? 'json' : 'text'})`);
        assert.match(out, /LITELLM_MASTER_KEY has the fixed value sk-… in the template/);
      }
      assert.deepEqual(treeDigest(copy.home), before, '--dry-run wrote nothing');
    } finally {
      copy.remove();
    }
  });

  describe('the doctor, on every stack', () => {
    let stack: StackCopy;
    before(() => {
      stack = copyStack({ syncEnv: true, certs: false });
    });
    after(() => stack.remove());

    const doctor = async () => runDoctor({ stack: await loadStack(stack.dir), engine: fakeEngine({}), memInfo, isPortFree: async () => true });

    test("hostile: the bundled stack and the model template's output → no secret fallback, the doctor's compose row is ok", async () => {
      const rows = await doctor();
      assert.deepEqual(rows.filter((r) => r.id.startsWith('compose-')).map((r) => [r.id, r.status]), [['compose-files', 'ok']]);
      const loaded = await loadStack(STACK_DIR);
      const images = await loadVllmImages(STACK_DIR);
      for (const model of loaded.scenarios.models) {
        for (const [file, text] of renderModelFolder(model, images)) assert.deepEqual(findComposeSecrets(file, text).findings, [], file);
      }
    });

    test('hostile: every fallback and literal form in a freshly written compose file → the doctor fails on each with file:line and its fix', async () => {
      const rel = 'litellm/docker-compose.override.yml';
      const file = path.join(stack.dir, rel);
      const lines = [
        'services:',
        '  litellm:',
        '    environment:',
        '      LITELLM_MASTER_KEY: ${LITELLM_MASTER_KEY:-sk-1234}',
        '      UI_PASSWORD: ${UI_PASSWORD-admin}',
        '      LITELLM_SALT_KEY: "${LITELLM_SALT_KEY:=sk-salt}"',
        '      APP_SECRET: ${APP_SECRET=hunter2}',
        '      DATABASE_URL: postgres://litellm:fixedpass@vllm-litellm-postgres:5432/litellm',
        '      REDIS_URL: redis://:redispass@vllm-litellm-redis:6379',
        '      VLLM_API_KEY: ${VLLM_API_KEY:-}',
        '      POSTGRES_PASSWORD_FILE: /run/secrets/pg',
        '      DISABLE_KEY_CHECK: "true"',
        '      LITELLM_LOG: ${LITELLM_LOG:-ERROR}',
        '  postgres:',
        '    environment:',
        '      - POSTGRES_PASSWORD=literalpass',
        '      - "HF_TOKEN=${HF_TOKEN:-hf_public}"',
        '      - AUTH_TOKEN=',
        '',
      ];
      writeFileSync(file, lines.join('\n'));
      try {
        const rows = await doctor();
        const failing = rows.filter((r) => r.id.startsWith('compose-secret-'));
        const expected = [4, 5, 6, 7, 8, 9, 16, 17];
        assert.deepEqual(failing.map((r) => Number(/:(\d+)$/.exec(r.id)?.[1])).sort((a, b) => a - b), expected, failing.map((r) => r.detail).join('\n'));
        for (const row of failing) {
          assert.equal(row.status, 'fail');
          assert.match(row.detail, new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:\\d+: `));
          assert.ok(row.fix && row.fix.length > 0);
          assert.doesNotMatch(`${row.detail} ${row.fix}`, /fixedpass|redispass|literalpass|hunter2/);
        }
        const byLine = (n: number) => failing.find((r) => r.id.endsWith(`:${n}`)) as CheckResult;
        assert.match(byLine(4).fix ?? '', /\$\{LITELLM_MASTER_KEY:\?run \.\.\/sync-env\.sh first\}/);
        assert.match(byLine(5).detail, /UI_PASSWORD falls back to the fixed value adm…/);
        assert.match(byLine(8).fix ?? '', /adopt/);
        assert.equal(rows.find((r) => r.id === 'compose-files'), undefined, 'no ok row while one fails');
      } finally {
        rmSync(file);
      }
    });

    test('hostile: a compose file compose rejects (a duplicate key) → the doctor fails naming file:line, the other rows still run', async () => {
      const rel = 'gpt-oss-20b/docker-compose.yml';
      const file = path.join(stack.dir, rel);
      const original = readFileSync(file, 'utf8');
      const broken = original.replace(/^(\s+)container_name: (.*)$/m, '$1container_name: $2\n$1container_name: again');
      const line = lineOf(broken, /container_name: again/);
      writeFileSync(file, broken);
      try {
        const rows = await doctor();
        const row = rows.find((r) => r.id === `compose-parse-${rel}`);
        assert.equal(row?.status, 'fail');
        assert.match(row?.detail ?? '', new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:${line}: `));
        assert.match(row?.fix ?? '', new RegExp(`line ${line}`));
        assert.ok(rows.some((r) => r.id === 'memory'), 'the doctor ran to the end');
        // The CLI says so too, and exits 1.
        const { code, out } = await cli(stack.dir, '--stack', stack.dir, 'doctor');
        assert.equal(code, 1);
        assert.match(out, new RegExp(`✗ ${rel.replace(/[./]/g, '\\$&')} parses: .*:${line}:`));
      } finally {
        writeFileSync(file, original);
      }
    });
  });
});

test('hostile: a --json command that fails → {"error": {message, fix, file, line}} on stdout, the exit code kept', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'spark-json-'));
  try {
    const absent = await cli(dir, '--stack', path.join(dir, 'nothing-here'), 'status', '--json');
    assert.equal(absent.code, 1);
    assert.equal(absent.err, '');
    const error = (JSON.parse(absent.out) as { error: { message: string; fix?: string } }).error;
    assert.match(error.message, /nothing-here/);
    const usage = await cli(dir, 'doctor', 'extra', '--json');
    assert.equal(usage.code, 64);
    assert.deepEqual(JSON.parse(usage.out), { error: { message: 'doctor takes no arguments' } });
    const stack = copyStack({ syncEnv: false });
    try {
      writeFileSync(path.join(stack.dir, 'scenarios.yaml'), 'models: [\n');
      const broken = await cli(stack.dir, '--stack', stack.dir, 'scenarios', '--json');
      assert.equal(broken.code, 1);
      const e = (JSON.parse(broken.out) as { error: { message: string; file?: string; line?: number } }).error;
      assert.equal(e.file, path.join(stack.dir, 'scenarios.yaml'));
      assert.equal(typeof e.line, 'number');
    } finally {
      stack.remove();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

describe("the stack's test scripts and the master key", () => {
  const KEY = 'sk-argv-probe-0123456789abcdef';
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'spark-curl-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("hostile: test-endpoints.sh with the master key → never on curl's command line (a curl on PATH records its argv)", async () => {
    const bin = path.join(dir, 'bin');
    mkdirSync(bin);
    const log = path.join(dir, 'argv.log');
    const headers = path.join(dir, 'headers.log');
    // Records every argument, and the content of each -H @file, then fails as an unreachable host would.
    writeFileSync(path.join(bin, 'curl'), `#!/usr/bin/env bash\nfor a in "$@"; do printf '%s\\n' "$a" >>'${log}'; case $a in @*) cat "\${a#@}" >>'${headers}';; esac; done\necho 'curl: (7) Failed to connect' >&2\nexit 7\n`);
    chmodSync(path.join(bin, 'curl'), 0o755);
    const script = path.join(dir, 'test-endpoints.sh');
    copyFileSync(path.join(STACK_DIR, 'test-endpoints.sh'), script);
    const result = await run('bash', [script], { env: { PATH: `${bin}:${process.env.PATH ?? ''}`, GATEWAY_URL: 'http://127.0.0.1:9', LITELLM_MASTER_KEY: KEY, MODELS: 'm1' } }).catch((e: { stdout: string; code: number }) => e);
    assert.match(result.stdout, /FAIL/);
    const argv = readFileSync(log, 'utf8');
    assert.ok(argv.includes('-H'), 'curl was called with headers');
    assert.ok(!argv.includes(KEY), `the key is not in curl's argv:\n${argv}`);
    assert.match(readFileSync(headers, 'utf8'), new RegExp(`^Authorization: Bearer ${KEY}$`, 'm'), 'curl got the key from the header file');
    assert.deepEqual(readdirSync(dir).filter((n) => n.startsWith('tmp')), [], 'no header file left behind');
  });

  test('hostile: litellm/test-litellm.sh against a gateway that demands the key → the real curl sends it from the file and every check passes', async () => {
    const gateway = await recordingServer((url, h) => {
      if (url === '/health/liveliness') return { status: 200, body: '"I\'m alive!"' };
      if (h.authorization !== `Bearer ${KEY}`) return { status: 401, body: { error: 'no key' } };
      if (url === '/v1/models') return { status: 200, body: { data: [{ id: 'm1' }] } };
      return { status: 200, body: { choices: [{ message: { content: 'pong' } }] } };
    });
    try {
      const script = path.join(dir, 'test-litellm.sh');
      copyFileSync(path.join(STACK_DIR, 'litellm', 'test-litellm.sh'), script);
      const { stdout } = await run('bash', [script], { env: { PATH: process.env.PATH ?? '', LITELLM_URL: `http://127.0.0.1:${gateway.port}`, LITELLM_MASTER_KEY: KEY } });
      assert.match(stdout, /All checks passed/);
      assert.ok(gateway.seen.some((r) => r.url === '/v1/chat/completions' && r.auth === `Bearer ${KEY}`));
      assert.ok(!stdout.includes(KEY));
    } finally {
      gateway.server.close();
    }
  });

  test('hostile: no script of the stack puts a bearer key on a command line', () => {
    for (const rel of ['test-endpoints.sh', 'litellm/test-litellm.sh', 'litellm/quick-start.sh', 'sync-env.sh', 'certs.sh']) {
      const text = readFileSync(path.join(STACK_DIR, rel), 'utf8');
      assert.doesNotMatch(text, /-H\s+["']?Authorization: Bearer \$/, rel);
    }
  });
});

describe('NGINX: TLS and headers', { skip: missing('nginx', 'openssl') }, () => {
  let stack: StackCopy;
  let nginx: Awaited<ReturnType<typeof startGatewayNginx>>;
  let ca: string;
  before(async () => {
    stack = copyStack({ certs: true });
    ca = readFileSync(path.join(stack.dir, 'ssl', 'public.pem'), 'utf8');
    nginx = await startGatewayNginx(stack.dir, path.join(path.dirname(stack.dir), 'nginx'), '127.0.0.1:9');
  });
  after(async () => {
    await nginx?.stop();
    stack?.remove();
  });

  const head = (host: string) => new Promise<IncomingHttpHeaders>((resolve, reject) => {
    const req = httpsRequest({ host: '127.0.0.1', port: nginx.httpsPort, path: '/healthz', ca, servername: 'localhost', headers: { host } }, (res) => {
      res.resume();
      resolve(res.headers);
    });
    req.on('error', reject);
    req.end();
  });

  test('hostile: a client asks for TLS 1.1 → refused; TLS 1.2 gets a forward-secret AEAD cipher', async () => {
    // The server's alert, not the client's own refusal: the client offers TLS 1.1 (security level 0).
    await assert.rejects(new Promise((resolve, reject) => {
      const socket = tlsConnect({ host: '127.0.0.1', port: nginx.httpsPort, ca, servername: 'localhost', minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT:@SECLEVEL=0' }, () => resolve(socket.getProtocol()));
      socket.on('error', reject);
    }), /alert protocol version/i);
    const cipher = await new Promise<{ name: string; version: string }>((resolve, reject) => {
      const socket = tlsConnect({ host: '127.0.0.1', port: nginx.httpsPort, ca, servername: 'localhost', maxVersion: 'TLSv1.2' }, () => {
        resolve({ name: socket.getCipher().name, version: socket.getProtocol() ?? '' });
        socket.end();
      });
      socket.on('error', reject);
    });
    assert.equal(cipher.version, 'TLSv1.2');
    assert.match(cipher.name, /^ECDHE-(RSA|ECDSA)-(AES\d+-GCM-SHA\d+|CHACHA20-POLY1305)$/);
  });

  test('hostile: a response → no NGINX version; HSTS for a network name, none for localhost (it would hold for every local port)', async () => {
    const network = await head('spark.lan');
    assert.equal(network.server, 'nginx');
    assert.equal(network['strict-transport-security'], 'max-age=31536000');
    for (const host of ['localhost', 'localhost:8443', '127.0.0.1', '[::1]']) {
      const local = await head(host);
      assert.equal(local['strict-transport-security'], undefined, host);
      assert.equal(local.server, 'nginx');
    }
  });
});
