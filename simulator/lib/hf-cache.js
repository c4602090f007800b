// @ts-check
'use strict';

const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

/**
 * The Hugging Face cache as vLLM's loader reads it (huggingface_hub's layout):
 *   <HF_HUB_CACHE or $HF_HOME/hub or ~/.cache/huggingface/hub>/models--org--name/
 *     refs/main            the commit the revision "main" points at
 *     snapshots/<sha>/...  the files, links into blobs/
 *     blobs/<etag>         the bytes; <etag>.incomplete while a download runs
 * The simulator checks it like vLLM does before loading; when the model is absent and it runs in
 * its image (whose cache is the host's mounted one; SIM_WRITES_HF_CACHE=1, baked into the image),
 * it emulates vLLM's download: made-up
 * bytes written into blobs/<etag>.incomplete as the time passes, then moved and linked, so the
 * host sees the cache grow as it would during a real vLLM download (which prints nothing).
 */

/** The hub cache folder, as huggingface_hub resolves it. */
function hubCacheDir(/** @type {NodeJS.ProcessEnv} */ env = process.env) {
  if (env.HF_HUB_CACHE) return env.HF_HUB_CACHE;
  return path.join(env.HF_HOME || path.join(os.homedir(), '.cache', 'huggingface'), 'hub');
}

/** `openai/gpt-oss-20b` -> `models--openai--gpt-oss-20b`. */
function repoFolder(/** @type {string} */ hub, /** @type {string} */ repo) {
  return path.join(hub, `models--${repo.split('/').join('--')}`);
}

/**
 * The model's snapshot if the cache has it as vLLM needs it (refs/main, and a config.json in that
 * snapshot); undefined when vLLM would download.
 * @returns {{ sha: string, dir: string } | undefined}
 */
function findSnapshot(/** @type {string} */ hub, /** @type {string} */ repo) {
  const folder = repoFolder(hub, repo);
  try {
    const sha = fs.readFileSync(path.join(folder, 'refs', 'main'), 'utf8').trim();
    const dir = path.join(folder, 'snapshots', sha);
    return fs.existsSync(path.join(dir, 'config.json')) ? { sha, dir } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether the emulated download writes into the cache: only in the simulator's image, which sets
 * SIM_WRITES_HF_CACHE=1 (there the cache is the host's mount). Not guessed from /.dockerenv: a
 * simulator a test starts on a machine that is itself a container would fill that machine's cache.
 */
function writesCache(/** @type {NodeJS.ProcessEnv} */ env = process.env) {
  return env.SIM_WRITES_HF_CACHE === '1';
}

/**
 * Writes a made-up checkpoint of `totalBytes` in `shards` files into the cache over `ms`
 * milliseconds, in huggingface_hub's way: each file grows as blobs/<etag>.incomplete, is renamed
 * to its blob when complete and linked from the snapshot; refs/main is written at the end.
 * @param {{ hub: string, repo: string, totalBytes: number, shards: number, ms: number,
 *   sleep: (ms: number) => Promise<void> }} input
 */
async function emulateDownload(input) {
  const folder = repoFolder(input.hub, input.repo);
  const sha = crypto.createHash('sha1').update(`simulated ${input.repo}`).digest('hex');
  const blobs = path.join(folder, 'blobs');
  const snapshot = path.join(folder, 'snapshots', sha);
  fs.mkdirSync(blobs, { recursive: true });
  fs.mkdirSync(snapshot, { recursive: true });
  const config = Buffer.from(`${JSON.stringify({ architectures: ['SimulatedForCausalLM'], simulated: true })}\n`);
  /** @type {{ name: string, size: number }[]} */
  const files = [];
  const per = Math.max(1, Math.floor(input.totalBytes / input.shards));
  for (let k = 1; k <= input.shards; k++) files.push({ name: `model-${String(k).padStart(5, '0')}-of-${String(input.shards).padStart(5, '0')}.safetensors`, size: per });
  const steps = 20 * input.shards;
  const chunk = Buffer.alloc(Math.ceil(per / 20));
  const link = (/** @type {string} */ name, /** @type {string} */ etag) => {
    fs.rmSync(path.join(snapshot, name), { force: true });
    fs.symlinkSync(path.join('..', '..', 'blobs', etag), path.join(snapshot, name));
  };
  const configEtag = crypto.createHash('sha1').update(config).digest('hex');
  fs.writeFileSync(path.join(blobs, configEtag), config);
  link('config.json', configEtag);
  for (const file of files) {
    const etag = crypto.createHash('sha256').update(`${input.repo}/${file.name}`).digest('hex');
    const partial = path.join(blobs, `${etag}.incomplete`);
    const fd = fs.openSync(partial, 'w');
    let written = 0;
    try {
      while (written < file.size) {
        const part = chunk.subarray(0, Math.min(chunk.length, file.size - written));
        fs.writeSync(fd, part);
        written += part.length;
        await input.sleep(input.ms / steps);
      }
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(partial, path.join(blobs, etag));
    link(file.name, etag);
  }
  fs.mkdirSync(path.join(folder, 'refs'), { recursive: true });
  fs.writeFileSync(path.join(folder, 'refs', 'main'), sha);
  return { sha, dir: snapshot };
}

module.exports = { hubCacheDir, repoFolder, findSnapshot, writesCache, emulateDownload };
