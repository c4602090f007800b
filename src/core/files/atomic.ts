/**
 * File writes that never leave a half-written file: the data goes to a temporary file in the
 * same folder (same file system, so the rename is atomic) with its final mode, then replaces
 * the target. A reader — `docker compose`, NGINX, the user's editor — sees the old file or the
 * new one, never a mix, and a secret is never readable by others even for a moment. The
 * temporary name (`.<name>.tmp.<hex>`) is hidden and listed in the stack's .gitignore.
 */
import { randomBytes } from 'node:crypto';
import { chmod, open, rename, rm } from 'node:fs/promises';
import * as path from 'node:path';
import { StackWriteError } from './transaction';

/**
 * Writes `data` to `file` atomically with `mode` (e.g. 0o600 for secrets). A failure (a full
 * disk, a read-only folder) throws {@link StackWriteError} naming the cause and the fix; the
 * file is then as it was.
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array, mode: number): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.tmp.${randomBytes(6).toString('hex')}`);
  try {
    // `wx`: never follow or reuse an existing file; the mode applies from creation on.
    const handle = await open(tmp, 'wx', mode);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    // open()'s mode is filtered by the umask; set it exactly.
    await chmod(tmp, mode);
    await rename(tmp, file);
  } catch (error) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw new StackWriteError(file, error, true, `${path.basename(file)} is as it was`);
  }
}
