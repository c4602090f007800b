/**
 * `spark-gateway pull` against a real registry on loopback (Debian's docker-registry): the image
 * named by VLLM_SPARK_IMAGE exists only there (the simulator image plus a layer of random bytes,
 * pushed and removed locally), the pull reports rising byte counts of all layers and ends with
 * the image present; the disk pre-flight reads the image's size from the registry and refuses a
 * data root too small for it (a tmpfs standing in for it); a cancelled pull leaves no tag behind.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../../src/cli/main';
import { createImagePuller } from '../../src/core/docker/pull';
import { CancelledError } from '../../src/core/process/cancellation';
import { planFirstStart } from '../../src/core/lifecycle/first-start';
import { loadStack } from '../../src/core/stack/discovery';
import { missing } from '../support/components';
import { ensureSimulatorImage } from '../support/docker';
import type { LoopbackRegistry } from '../support/registry';
import { imagePresent, pushUniqueImage, removeImage, startRegistry } from '../support/registry';
import type { StackCopy } from '../support/stack-copy';
import { copyStack } from '../support/stack-copy';

const SPARK_IMAGE = 'nvcr.io/nvidia/vllm:26.10-py3';

describe('pull from a registry on loopback', { skip: missing('docker', 'registry') }, () => {
  let registry: LoopbackRegistry;
  let stack: StackCopy;
  let image: string;
  before(async () => {
    ensureSimulatorImage();
    registry = await startRegistry();
    image = `${registry.host}/spark-test/vllm:pull-${process.pid}`;
    pushUniqueImage(SPARK_IMAGE, image, 64);
    stack = copyStack({ syncEnv: true });
  });
  after(async () => {
    if (image) removeImage(image);
    stack?.remove();
    await registry?.stop();
  });

  it('`pull` with VLLM_SPARK_IMAGE pointing there shows rising byte counts and ends with the image present', async () => {
    let out = '';
    let err = '';
    const code = await runCli(['--stack', stack.dir, 'pull', 'gpt-oss-20b', '--models-only'], { out: (t) => (out += t), err: (t) => (err += t), cwd: stack.dir, env: { VLLM_SPARK_IMAGE: image } });
    assert.equal(code, 0, out + err);
    assert.match(out, new RegExp(`▶ Pulling ${image.replace(/[.]/g, '\\.')}`));
    // Piped output: plain lines "pulling image 12.3 / 67.2 MB … 18%", never a carriage return.
    assert.doesNotMatch(out, /\r/);
    const done = [...out.matchAll(/pulling image ([\d.]+) \/ ([\d.]+) MB/g)].map((m) => Number(m[1]));
    assert.ok(done.length >= 2, out);
    for (let i = 1; i < done.length; i++) assert.ok((done[i] ?? 0) >= (done[i - 1] ?? 0), `falling byte count in:\n${out}`);
    assert.ok((done.at(-1) ?? 0) > (done[0] ?? 0), `the count rises:\n${out}`);
    assert.ok((done.at(-1) ?? 0) >= 64, 'all of the 64 MiB layer');
    assert.match(out, new RegExp(`${image.replace(/[.]/g, '\\.')}: pulled`));
    assert.equal(imagePresent(image), true);
    const again = await runCli(['--stack', stack.dir, 'pull', 'gpt-oss-20b', '--models-only'], { out: (t) => (out = t), err: () => undefined, cwd: stack.dir, env: { VLLM_SPARK_IMAGE: image } });
    assert.equal(again, 0);
    assert.match(out, /: present/);
  });

  it('the disk pre-flight weighs Docker\'s data root against the registry\'s layer sizes, refusing with the numbers', { skip: process.getuid?.() === 0 ? false : 'mounting a tmpfs needs root' }, async () => {
    removeImage(image);
    const puller = createImagePuller({});
    const size = await puller.downloadSize(image);
    // What a pull of it then downloads, as dockerd reports it: the layers not on this engine
    // (the simulator's base layers are) — the size counts the image's config (a small blob) too.
    const pulled = await puller.pull(image);
    removeImage(image);
    const [, repository, tag] = /^[^/]+\/(.+):([^:]+)$/.exec(image) ?? [];
    const manifest = await (await fetch(`http://${registry.host}/v2/${repository}/manifests/${tag}`, { headers: { accept: 'application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json' } })).json() as { config: { size: number } };
    assert.equal(size, pulled.totalBytes + manifest.config.size, `registry size ${size} = the pull's ${pulled.totalBytes} + config`);
    assert.ok(size > 64 * 1024 * 1024, `${size} holds the 64 MiB layer`);

    // Docker's data root as a small filesystem: the real engine and registry, the data root a tmpfs.
    const small = mkdtempSync(path.join(tmpdir(), 'docker-root-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=32m', 'tmpfs', small]);
    try {
      const plan = await planFirstStart({ stack: await loadStack(stack.dir), models: [], images: [image, SPARK_IMAGE], backend: 'simulator', puller: { ...puller, dataRoot: async () => small }, processEnv: {} });
      assert.deepEqual(plan.missingImages, [image]);
      const check = plan.checks.find((c) => c.id === 'disk-images');
      assert.equal(check?.status, 'fail', JSON.stringify(check));
      assert.match(check?.detail ?? '', new RegExp(`^${(size / 1e6).toFixed(1)} MB of images to download \\(${image.replace(/[.]/g, '\\.')} ${(size / 1e6).toFixed(1)} MB\\) \\+ 1\\.1 GB margin, but only 33\\.6 MB free in Docker's data root`));
      assert.match(check?.fix ?? '', /docker image prune -a/);
      assert.equal(imagePresent(image), false, 'nothing pulled');
    } finally {
      execFileSync('umount', [small]);
      rmSync(small, { recursive: true, force: true });
    }
  });

  it('a cancelled pull leaves nothing tagged', async () => {
    // The first test pulled it: remove it (and so its unique layer) to pull it again.
    removeImage(image);
    assert.equal(imagePresent(image), false);
    const controller = new AbortController();
    let events = 0;
    await assert.rejects(
      createImagePuller({}).pull(image, {
        cancellation: controller.signal,
        onProgress: (p) => {
          events++;
          if (p.doneBytes > 0) controller.abort();
        },
      }),
      CancelledError,
    );
    assert.ok(events > 0, 'progress arrived before the cancel');
    assert.equal(imagePresent(image), false, 'the cancelled image is not tagged');
  });
});
