/**
 * The images' disk check and what it reads: image names split as Docker splits them, where a
 * registry's API is, a registry's auth challenge, and the check's verdicts with their numbers.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { enginePlatform, parseChallenge, parseImageReference, registryBaseUrl } from '../../src/core/docker/image-size';
import { DISK_MARGIN_BYTES, imagesDiskCheck } from '../../src/core/weights/disk';

describe('image sizes', () => {
  it('splits image names as Docker does', () => {
    assert.deepEqual(parseImageReference('nvcr.io/nvidia/vllm:26.10-py3'), { registry: 'nvcr.io', repository: 'nvidia/vllm', reference: '26.10-py3' });
    assert.deepEqual(parseImageReference('redis:7.4'), { registry: 'docker.io', repository: 'library/redis', reference: '7.4' });
    assert.deepEqual(parseImageReference('ghcr.io/berriai/litellm'), { registry: 'ghcr.io', repository: 'berriai/litellm', reference: 'latest' });
    assert.deepEqual(parseImageReference('127.0.0.1:5000/spark-test/vllm:t'), { registry: '127.0.0.1:5000', repository: 'spark-test/vllm', reference: 't' });
    assert.deepEqual(parseImageReference(`localhost:5000/a@sha256:${'a'.repeat(64)}`), { registry: 'localhost:5000', repository: 'a', reference: `sha256:${'a'.repeat(64)}` });
    assert.deepEqual(parseImageReference('user/app:1'), { registry: 'docker.io', repository: 'user/app', reference: '1' });
  });

  it('reads loopback registries over plain HTTP (as dockerd does) and every other one over HTTPS', () => {
    assert.equal(registryBaseUrl('docker.io'), 'https://registry-1.docker.io');
    assert.equal(registryBaseUrl('nvcr.io'), 'https://nvcr.io');
    assert.equal(registryBaseUrl('127.0.0.1:5000'), 'http://127.0.0.1:5000');
    assert.equal(registryBaseUrl('localhost:5000'), 'http://localhost:5000');
    assert.equal(registryBaseUrl('registry.local:5000'), 'https://registry.local:5000');
  });

  it('reads a bearer challenge and the engine\'s platform', () => {
    assert.deepEqual(parseChallenge('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/redis:pull"'), {
      scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/redis:pull' },
    });
    assert.deepEqual(enginePlatform({ OSType: 'linux', Architecture: 'aarch64' }), { os: 'linux', architecture: 'arm64' });
    assert.deepEqual(enginePlatform({ OSType: 'linux', Architecture: 'x86_64' }), { os: 'linux', architecture: 'amd64' });
  });

  it('refuses when the data root cannot hold the download, warns when it cannot hold it unpacked, with the numbers', () => {
    const image = 'nvcr.io/nvidia/vllm:26.10-py3';
    const refused = imagesDiskCheck({ dataRoot: '/var/lib/docker', freeBytes: 5e9, missing: [{ image, downloadBytes: 9e9 }] });
    assert.equal(refused.status, 'fail');
    assert.match(refused.detail, /^9\.0 GB of images to download \(nvcr\.io\/nvidia\/vllm:26\.10-py3 9\.0 GB\) \+ 1\.1 GB margin, but only 5\.0 GB free in Docker's data root: 5\.1 GB short$/);
    assert.match(refused.fix ?? '', /docker image prune -a/);
    const warned = imagesDiskCheck({ dataRoot: '/var/lib/docker', freeBytes: 15e9, missing: [{ image, downloadBytes: 9e9 }] });
    assert.equal(warned.status, 'warn');
    assert.match(warned.detail, /about 22\.5 GB unpacked, and 15\.0 GB free/);
    const ok = imagesDiskCheck({ dataRoot: '/var/lib/docker', freeBytes: 50e9, missing: [{ image, downloadBytes: 9e9 }, { image: 'redis:7' }] });
    assert.equal(ok.status, 'ok');
    assert.match(ok.detail, /redis:7 size unknown.*the registry did not give the size of redis:7/);
    // Sizes unknown: only a nearly full data root is refused.
    assert.equal(imagesDiskCheck({ dataRoot: '/d', freeBytes: DISK_MARGIN_BYTES, missing: [{ image }] }).status, 'fail');
    assert.equal(imagesDiskCheck({ dataRoot: '/d', freeBytes: 1e12, missing: [] }).status, 'ok');
  });
});
