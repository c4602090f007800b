import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { maskSecret, parseDotEnv } from '../../src/core/stack/env';
import { FileFormatError } from '../../src/core/errors';
import { isPlaceholderSecret, isPlaceholderToken } from '../../src/core/stack/env';

describe('.env parsing', () => {
  it('reads KEY=VALUE with export, one pair of quotes stripped, the last duplicate winning', () => {
    const env = parseDotEnv('# c\n\nexport A=1\nB="two words"\nC=\'x\'\nA=3\r\nD=a=b # kept\n', '.env');
    assert.deepEqual([...env.values], [['A', '3'], ['B', 'two words'], ['C', 'x'], ['D', 'a=b # kept']]);
    assert.deepEqual(env.order, ['A', 'B', 'C', 'D']);
  });

  it('names file and line of a line without "=" and never quotes the value', () => {
    assert.throws(() => parseDotEnv('A=1\nhf_secret_token_value\n', '/s/.env'), (e: unknown) => {
      assert.ok(e instanceof FileFormatError);
      assert.equal(e.message, '/s/.env:2: not a KEY=VALUE line (it has no "=")');
      assert.ok(!e.message.includes('hf_secret'));
      return true;
    });
  });

  it('refuses a bad variable name and an unclosed quote', () => {
    assert.throws(() => parseDotEnv('1A=x\n', '.env'), /\.env:1: "1A" is not a variable name/);
    assert.throws(() => parseDotEnv('A=1\nB="open\n', '.env'), /\.env:2: the value of B opens a quote/);
  });

  it('masks secrets as sync-env.sh does', () => {
    assert.equal(maskSecret('hf_abcdefghijklmnopyz'), 'hf_ab…yz');
    assert.equal(maskSecret('short'), '(set, hidden)');
  });

  it('treats empty values and known placeholders as missing', () => {
    for (const v of ['', 'sk-1234', 'changeme', '<your key>']) assert.ok(isPlaceholderSecret(v), v);
    assert.ok(!isPlaceholderSecret('sk-0123456789abcdef'));
    assert.ok(isPlaceholderToken('hf_your_token_here'));
    assert.ok(!isPlaceholderToken('hf_real'));
  });
});
