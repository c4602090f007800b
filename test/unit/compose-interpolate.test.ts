/**
 * Compose's interpolation as the core reads it: defaults, nesting, `$$`, and the images of a
 * compose file resolved from the process environment over the folder's `.env`.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { composeImageRefs } from '../../src/core/compose/images';
import { interpolate } from '../../src/core/compose/interpolate';

const env = (values: Record<string, string>) => (name: string) => values[name];

describe('compose interpolation', () => {
  it('uses the value when set and the default when unset or (with :-) empty', () => {
    assert.equal(interpolate('${IMG:-nginx:1.27}', env({})), 'nginx:1.27');
    assert.equal(interpolate('${IMG:-nginx:1.27}', env({ IMG: 'mirror/nginx:2' })), 'mirror/nginx:2');
    assert.equal(interpolate('${IMG:-nginx:1.27}', env({ IMG: '' })), 'nginx:1.27');
    assert.equal(interpolate('${IMG-nginx:1.27}', env({ IMG: '' })), '');
    assert.equal(interpolate('${A:-${B:-deep}}/x', env({})), 'deep/x');
    assert.equal(interpolate('${A:-${B:-deep}}/x', env({ B: 'b' })), 'b/x');
    assert.equal(interpolate('$HOME/$$literal ${X:+set}', env({ HOME: '/h', X: '1' })), '/h/$literal set');
    assert.equal(interpolate('${P:?run ../sync-env.sh first}', env({ P: 'pw' })), 'pw');
  });

  it('resolves a compose file\'s images from the environment over the folder\'s .env, naming the override', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'interp-'));
    try {
      writeFileSync(path.join(dir, 'docker-compose.yml'), 'services:\n  a:\n    image: ${A_IMAGE:-org/a:1}\n  b:\n    image: "${B_IMAGE:-org/b:2}"\n  c:\n    image: org/c:3\n');
      writeFileSync(path.join(dir, '.env'), 'A_IMAGE=mirror/a:9\nB_IMAGE=mirror/b:9\n');
      const refs = await composeImageRefs(path.join(dir, 'docker-compose.yml'), { B_IMAGE: 'shell/b:8' });
      assert.deepEqual(refs.map((r) => [r.service, r.image, r.overriddenBy]), [
        ['a', 'mirror/a:9', 'A_IMAGE'],
        ['b', 'shell/b:8', 'B_IMAGE'],
        ['c', 'org/c:3', undefined],
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
