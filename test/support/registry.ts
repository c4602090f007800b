/**
 * A real image registry on loopback for the pull tests: Debian's `docker-registry` (the CNCF
 * distribution registry) with its own config and storage folder, on 127.0.0.1:<free port>.
 * dockerd treats 127.0.0.0/8 registries as insecure (plain HTTP) by default, so no daemon
 * setting is needed.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { freePort, start, waitFor } from './processes';

export interface LoopbackRegistry {
  /** `127.0.0.1:PORT`, the prefix of image names pushed to it. */
  readonly host: string;
  /** Its storage folder (blobs under docker/registry/v2/blobs). */
  readonly storage: string;
  stop(): Promise<void>;
}

/** Starts the registry; stop() ends it and removes its storage. */
export async function startRegistry(): Promise<LoopbackRegistry> {
  const dir = mkdtempSync(path.join(tmpdir(), 'spark-registry-'));
  const port = await freePort();
  const config = path.join(dir, 'config.yml');
  writeFileSync(config, [
    'version: 0.1',
    'log:',
    '  level: warn',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${path.join(dir, 'data')}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    '',
  ].join('\n'));
  const registry = start('docker-registry', ['serve', config]);
  const host = `127.0.0.1:${port}`;
  await waitFor(`registry on ${host}`, async () => {
    try {
      return (await fetch(`http://${host}/v2/`)).status === 200;
    } catch {
      return false;
    }
  }, 20_000, () => registry.output());
  return {
    host,
    storage: path.join(dir, 'data'),
    async stop() {
      await registry.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Builds an image from `base` plus one layer of `megabytes` random bytes (so a pull has real
 * bytes to fetch: the base's layers are already on this engine), pushes it as `name` and removes
 * it locally, so the only copy is in the registry.
 */
export function pushUniqueImage(base: string, name: string, megabytes: number): void {
  const context = mkdtempSync(path.join(tmpdir(), 'spark-push-'));
  try {
    execFileSync('bash', ['-c', 'head -c "$1" /dev/urandom > "$2/blob"', 'bash', String(megabytes * 1024 * 1024), context]);
    writeFileSync(path.join(context, 'Dockerfile'), `FROM ${base}\nCOPY blob /opt/test-blob\n`);
    execFileSync('docker', ['build', '-q', '-t', name, context], { stdio: 'pipe', timeout: 300_000 });
    execFileSync('docker', ['push', '-q', name], { stdio: 'pipe', timeout: 300_000 });
    removeImage(name);
  } finally {
    rmSync(context, { recursive: true, force: true });
  }
}

/** Whether the engine has an image of that name. */
export function imagePresent(name: string): boolean {
  try {
    execFileSync('docker', ['image', 'inspect', name], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

/** Removes the local image of that name, if any. */
export function removeImage(name: string): void {
  execFileSync('docker', ['image', 'rm', '-f', name], { stdio: 'pipe' });
}
