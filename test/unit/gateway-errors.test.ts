import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  BadKeyError,
  GatewayDownError,
  GatewayRequestError,
  GatewayTimeoutError,
  GatewayTrustError,
  ModelNotLoadedError,
  RateLimitedError,
  classifyGatewayFailure,
  errorMessageOf,
} from '../../src/core/gateway/errors';

const url = 'https://localhost/v1';
/** LiteLLM 1.108's answer when the model server behind a model name refuses connections. */
const upstreamDown = {
  message: "litellm.InternalServerError: InternalServerError: Hosted_vllmException - Cannot connect to host REDACTED:8000 ssl:<ssl.SSLContext object> [Connect call failed ('REDACTED', 8000)]\n\nLiteLLM: model group 'gpt-oss-120b' failed with the error above. No fallback was attempted.",
  type: 'internal_server_error',
  code: '500',
};

describe('classifyGatewayFailure', () => {
  it('calls a refused connection "gateway down" with the start fix', () => {
    const error = classifyGatewayFailure({ url, code: 'ECONNREFUSED' });
    assert.ok(error instanceof GatewayDownError);
    assert.match(error.message, /localhost\/v1.*ECONNREFUSED/);
    assert.match(error.fix ?? '', /spark-gateway up/);
  });

  it('calls 502 from NGINX "gateway down": LiteLLM behind it is not answering', () => {
    assert.ok(classifyGatewayFailure({ url, status: 502, body: '<html>Bad Gateway</html>' }) instanceof GatewayDownError);
  });

  it('calls 401 a bad key with the sync-env fix, without quoting the body (it may echo the key)', () => {
    const error = classifyGatewayFailure({ url, status: 401, body: { message: 'Authentication Error, Received API Key = sk-secret-value' } });
    assert.ok(error instanceof BadKeyError);
    assert.match(error.fix ?? '', /sync-env/);
    assert.doesNotMatch(error.message, /sk-secret/);
  });

  it('calls LiteLLM\'s "No connected db." a bad key: without a database only the master key is accepted', () => {
    const error = classifyGatewayFailure({ url, status: 400, body: { message: 'No connected db.', type: 'no_db_connection' } });
    assert.ok(error instanceof BadKeyError);
    assert.match(error.message, /not the master key/);
  });

  it('calls LiteLLM\'s cannot-connect error "model not loaded" with the scenario fix', () => {
    const error = classifyGatewayFailure({ url, status: 500, body: upstreamDown, model: 'gpt-oss-120b' });
    assert.ok(error instanceof ModelNotLoadedError);
    assert.equal(error.model, 'gpt-oss-120b');
    assert.match(error.fix ?? '', /scenario with gpt-oss-120b.*spark-gateway up gpt-oss-120b/);
  });

  it('calls "No deployments available" (all cooling down, sent as 429) model not loaded, not rate limited', () => {
    const error = classifyGatewayFailure({ url, status: 429, body: { message: 'No deployments available for selected model, Try again in 30 seconds.' }, model: 'qwen-30b' });
    assert.ok(error instanceof ModelNotLoadedError);
  });

  it('calls an unknown model name model not loaded with a fix that names the config', () => {
    const error = classifyGatewayFailure({ url, status: 400, body: { message: '/chat/completions: Invalid model name passed in model=nope.' }, model: 'nope' });
    assert.ok(error instanceof ModelNotLoadedError);
    assert.match(error.fix ?? '', /litellm\/config\.yaml/);
  });

  it('calls other 429s rate limited', () => {
    assert.ok(classifyGatewayFailure({ url, status: 429, body: { message: 'Rate limit exceeded for key' } }) instanceof RateLimitedError);
  });

  it('calls a client timeout and 504 a timeout', () => {
    assert.ok(classifyGatewayFailure({ url, timedOut: true }) instanceof GatewayTimeoutError);
    assert.ok(classifyGatewayFailure({ url, status: 504, body: 'Gateway Time-out' }) instanceof GatewayTimeoutError);
  });

  it('calls a certificate the client does not trust a trust error with the --ca fix', () => {
    const error = classifyGatewayFailure({ url, code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    assert.ok(error instanceof GatewayTrustError);
    assert.match(error.fix ?? '', /ssl\/public\.pem/);
  });

  it('passes any other refusal on with the gateway\'s own message on one line', () => {
    const error = classifyGatewayFailure({ url, status: 400, body: { message: 'max_tokens\n is too large' } });
    assert.ok(error instanceof GatewayRequestError);
    assert.match(error.message, /\(400\): max_tokens is too large$/);
  });
});

describe('errorMessageOf', () => {
  it('reads OpenAI-shaped bodies, bare error objects, FastAPI details and text', () => {
    assert.equal(errorMessageOf({ error: { message: 'a' } }), 'a');
    assert.equal(errorMessageOf({ message: 'b' }), 'b');
    assert.equal(errorMessageOf({ detail: 'c' }), 'c');
    assert.equal(errorMessageOf(' d '), 'd');
    assert.equal(errorMessageOf(undefined), undefined);
  });
});
