import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { BadKeyError } from '../../src/core/gateway/errors';
import { FileFormatError } from '../../src/core/errors';
import { defaultGatewayUrl, maskSecret, normaliseGatewayUrl, resolveGatewayConfig } from '../../src/core/gateway/config';
import { parseModelInfo } from '../../src/core/gateway/models';

describe('gateway config', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'spark-gw-config-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const stack = (env: string, cert?: string) => {
    const root = mkdtempSync(path.join(dir, 'stack-'));
    writeFileSync(path.join(root, '.env'), env);
    if (cert !== undefined) {
      mkdirSync(path.join(root, 'ssl'));
      writeFileSync(path.join(root, 'ssl', 'public.pem'), cert);
    }
    return root;
  };

  it('reads the stack\'s dotenv through the stack\'s one reader: comments, quotes, later lines win', () => {
    const root = stack('# c\nLITELLM_MASTER_KEY=sk-first\nNGINX_HTTPS_PORT="8443"\nexport LITELLM_MASTER_KEY=\'sk-last\'\n');
    const config = resolveGatewayConfig({ stackRoot: root });
    assert.equal(config.key, 'sk-last');
    assert.equal(config.baseUrl, 'https://localhost:8443/v1');
  });

  it('refuses a malformed line of the stack\'s dotenv with its file and line, as start and sync-env do', () => {
    const root = stack('LITELLM_MASTER_KEY=sk-x\nbroken\n');
    assert.throws(() => resolveGatewayConfig({ stackRoot: root }), (e: unknown) => e instanceof FileFormatError && e.line === 2 && e.message.startsWith(path.join(root, '.env')));
  });

  it('defaults to NGINX on localhost at the stack\'s HTTPS port', () => {
    assert.equal(defaultGatewayUrl(new Map()), 'https://localhost/v1');
    assert.equal(defaultGatewayUrl(new Map([['NGINX_HTTPS_PORT', '443']])), 'https://localhost/v1');
    assert.equal(defaultGatewayUrl(new Map([['NGINX_HTTPS_PORT', '8443']])), 'https://localhost:8443/v1');
  });

  it('accepts a URL with or without /v1 and refuses what is not http(s)', () => {
    assert.equal(normaliseGatewayUrl('http://127.0.0.1:4000'), 'http://127.0.0.1:4000/v1');
    assert.equal(normaliseGatewayUrl('https://localhost:8443/v1/'), 'https://localhost:8443/v1');
    assert.throws(() => normaliseGatewayUrl('ftp://x'), /not http/);
    assert.throws(() => normaliseGatewayUrl('localhost'), /not a URL/);
  });

  it('takes plain http only to this machine, and no credentials in the URL', () => {
    for (const url of ['http://localhost:4000', 'http://127.0.0.2:4000', 'http://[::1]:4000', 'http://api.localhost:4000']) assert.match(normaliseGatewayUrl(url), /\/v1$/, url);
    for (const url of ['http://spark.lan:4000', 'http://10.0.0.7', 'http://[::2]:4000', 'http://127.0.0.1.nip.io', 'http://localhost.evil.example']) {
      assert.throws(() => normaliseGatewayUrl(url), /is plain http to .* not this machine/, url);
    }
    assert.equal(normaliseGatewayUrl('https://spark.lan'), 'https://spark.lan/v1');
    assert.throws(() => normaliseGatewayUrl('https://user:pw@spark.lan'), (e: unknown) => e instanceof Error && /credentials|user name or password/.test(e.message) && !e.message.includes('pw@'));
  });

  it('takes the key and port from the stack .env and trusts the stack\'s certificate', () => {
    const root = stack('NGINX_HTTPS_PORT=8443\nLITELLM_MASTER_KEY=sk-abc123def456\n', 'PEM');
    const config = resolveGatewayConfig({ stackRoot: root });
    assert.equal(config.baseUrl, 'https://localhost:8443/v1');
    assert.equal(config.key, 'sk-abc123def456');
    assert.equal(config.ca, 'PEM');
    assert.equal(config.caFile, path.join(root, 'ssl', 'public.pem'));
  });

  it('lets a given URL, key and CA file win over the stack', () => {
    const root = stack('LITELLM_MASTER_KEY=sk-stack\n', 'STACK');
    const ca = path.join(dir, 'other.pem');
    writeFileSync(ca, 'OTHER');
    const config = resolveGatewayConfig({ stackRoot: root, url: 'https://spark.lan', key: 'sk-given', caFile: ca });
    assert.deepEqual(config, { baseUrl: 'https://spark.lan/v1', key: 'sk-given', ca: 'OTHER', caFile: ca });
  });

  it('needs no certificate for plain http (LiteLLM on loopback)', () => {
    const root = stack('LITELLM_MASTER_KEY=sk-stack\n', 'STACK');
    assert.equal(resolveGatewayConfig({ stackRoot: root, url: 'http://127.0.0.1:4000' }).ca, undefined);
  });

  it('without a key says where it looked and how to fix it', () => {
    const root = stack('LITELLM_MASTER_KEY=\n');
    assert.throws(() => resolveGatewayConfig({ stackRoot: root }), (e: unknown) => e instanceof BadKeyError && e.message.includes(path.join(root, '.env')) && /sync-env/.test(e.fix ?? ''));
  });

  it('refuses a CA file that does not exist', () => {
    assert.throws(() => resolveGatewayConfig({ key: 'k', caFile: path.join(dir, 'missing.pem') }), /does not exist/);
  });

  it('masks secrets so they can be recognised but not used', () => {
    assert.equal(maskSecret('sk-0123456789abcdef'), 'sk-…cdef');
    assert.equal(maskSecret('short'), '*****');
  });
});

describe('parseModelInfo', () => {
  it('reads limits and tool calling per model name, once per name, in LiteLLM\'s order', () => {
    const models = parseModelInfo({
      data: [
        { model_name: 'gpt-oss-20b', model_info: { max_tokens: 16384, max_input_tokens: 16384, max_output_tokens: 8192, supports_function_calling: true } },
        { model_name: 'gpt-oss-20b', model_info: { max_tokens: 1 } },
        { model_name: 'qwen-30b', model_info: { max_tokens: 32768 } },
        { model_name: 'bare' },
      ],
    });
    assert.deepEqual(models, [
      { name: 'gpt-oss-20b', maxInputTokens: 16384, maxOutputTokens: 8192, toolCalling: true },
      { name: 'qwen-30b', maxInputTokens: 32768, maxOutputTokens: 32768, toolCalling: false },
      { name: 'bare', maxInputTokens: 4096, maxOutputTokens: 4096, toolCalling: false },
    ]);
  });
  it('refuses an answer without a data list', () => {
    assert.throws(() => parseModelInfo({}), /no data list/);
  });
});
