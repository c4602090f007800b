/**
 * A STAND-IN for the Hugging Face Hub (the Hub cannot be reached from the test machines): a small
 * HTTP server on 127.0.0.1 answering recorded repositories in the Hub's own shapes, at the paths
 * `@huggingface/hub` 2.17.5 calls (read from its source in node_modules):
 *   GET  /api/models/{repo}[/revision/{rev}]?expand=…   modelInfo (id, sha, private, gated, siblings)
 *   GET  /api/models/{repo}/tree/{rev}?recursive=…       listFiles (type, path, size, oid, lfs)
 *   GET|HEAD /{repo}/resolve/{rev}/{file}                 downloadFile (Range: bytes=0-0 probe → 206 +
 *                                                          Content-Range + ETag, then the bytes)
 * (files with `bytes` served for real, with Range, resumable) with the Hub's errors: 401 + X-Error-Code RepoNotFound without a token (404 with one), GatedRepo
 * for a gated repository's files, RevisionNotFound, 429 + Retry-After. Clients find it through
 * HF_ENDPOINT. Faults: rate limiting, and a connection dropped on a chosen path ("network fails
 * mid-way").
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StandInFile {
  readonly path: string;
  readonly size?: number;
  /** Small files (config.json, the index) carry their text; large ones only a size. */
  readonly content?: string;
  /**
   * The bytes of a checkpoint file that is really downloaded (the download tests): served with
   * HTTP Range, listed as LFS with the sha256 of these bytes as its oid, as the Hub does.
   */
  readonly bytes?: Buffer;
  /** The oid the listing gives instead of the real one (a hostile or broken Hub's listing). */
  readonly listedOid?: string;
}

export interface StandInRepo {
  readonly id: string;
  readonly sha: string;
  readonly gated?: false | 'auto' | 'manual';
  readonly private?: boolean;
  readonly files: readonly StandInFile[];
}

export interface StandInRequest {
  readonly method: string;
  readonly path: string;
  readonly authorization?: string;
  /** The Range header, when the client sent one (a resumed download). */
  readonly range?: string;
}

export interface HubFaults {
  /** Answer everything with 429. */
  rateLimit?: boolean;
  /** Drop the connection (no answer) on requests whose path matches. */
  dropPath?: RegExp;
  /** Never answer requests whose path matches (the connection stays open): a Hub that hangs. */
  hangPath?: RegExp;
  /** Redirect file downloads to another origin, as the Hub sends them to its CDN. */
  redirectResolveTo?: string;
  /** Send only the first `bytes` of a matching file's body, then drop the connection (a broken download). */
  cutAfter?: { path: RegExp; bytes: number };
  /** Send matching files' bodies in chunks with a pause between them (a slow link, so progress can be watched). */
  slow?: { path: RegExp; chunkBytes: number; delayMs: number };
}

export interface HubStandIn {
  readonly url: string;
  readonly requests: StandInRequest[];
  readonly faults: HubFaults;
  stop(): Promise<void>;
}

function sizeOf(file: StandInFile): number {
  if (file.bytes !== undefined) return file.bytes.length;
  return file.content !== undefined ? Buffer.byteLength(file.content) : (file.size ?? 0);
}

function oidOf(repo: StandInRepo, file: StandInFile): string {
  // The Hub's LFS oid is the sha256 of the file's bytes; for files without bytes a stable stand-in.
  if (file.bytes !== undefined) return createHash('sha256').update(file.bytes).digest('hex');
  // A small file's oid is its git blob id, as the Hub lists it.
  if (file.content !== undefined) return createHash('sha1').update(`blob ${Buffer.byteLength(file.content)}\0`).update(file.content).digest('hex');
  return createHash('sha256').update(`${repo.id}/${file.path}/${sizeOf(file)}`).digest('hex');
}

/** Starts the stand-in; `token` is the one token that may see private and gated repositories. */
export async function startHubStandIn(repos: readonly StandInRepo[], options: { token?: string } = {}): Promise<HubStandIn> {
  const requests: StandInRequest[] = [];
  const faults: HubFaults = {};
  const byId = new Map(repos.map((r) => [r.id, r]));

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(text)), ...headers });
    res.end(text);
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = decodeURIComponent(url.pathname);
    requests.push({ method: req.method ?? 'GET', path: `${url.pathname}${url.search}`, authorization: req.headers.authorization, ...(req.headers.range ? { range: req.headers.range } : {}) });
    if (faults.dropPath?.test(path)) {
      req.socket.destroy();
      return;
    }
    if (faults.hangPath?.test(path)) return;
    if (faults.rateLimit) return send(res, 429, { error: 'You have been rate-limited; you can retry this action in about 1 hour.' }, { 'retry-after': '3600' });
    const auth = req.headers.authorization;
    if (auth !== undefined && auth !== `Bearer ${options.token}`) return send(res, 401, { error: 'Invalid credentials in Authorization header' });
    const authorized = auth !== undefined;

    const api = /^\/api\/models\/([^/]+\/[^/]+)(?:\/(revision|tree)\/([^/]+))?$/.exec(path);
    const resolve = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(path);
    const repoId = api?.[1] ?? resolve?.[1];
    const repo = repoId ? byId.get(repoId) : undefined;
    if (!repo || (repo.private && !authorized)) {
      return send(res, authorized ? 404 : 401, { error: 'Repository not found' }, { 'x-error-code': 'RepoNotFound' });
    }
    const revision = api?.[3] ?? resolve?.[2] ?? 'main';
    if (!['main', 'HEAD', repo.sha].includes(revision)) return send(res, 404, { error: `Invalid rev id: ${revision}` }, { 'x-error-code': 'RevisionNotFound' });

    if (api && api[2] !== 'tree') {
      return send(res, 200, {
        _id: repo.sha.slice(0, 24), id: repo.id, modelId: repo.id, sha: repo.sha, private: repo.private === true, gated: repo.gated ?? false,
        disabled: false, downloads: 0, likes: 0, lastModified: '2026-01-01T00:00:00.000Z', pipeline_tag: 'text-generation', library_name: 'transformers',
        siblings: repo.files.map((f) => ({ rfilename: f.path })),
      });
    }
    if (api) {
      return send(res, 200, repo.files.map((f) => {
        const size = sizeOf(f);
        const lfs = f.content === undefined || f.bytes !== undefined ? { oid: f.listedOid ?? oidOf(repo, f), size, pointerSize: 135 } : undefined;
        return { type: 'file', oid: lfs ? createHash('sha1').update(lfs.oid).digest('hex') : (f.listedOid ?? oidOf(repo, f).slice(0, 40)), size, path: f.path, ...(lfs ? { lfs } : {}) };
      }));
    }
    if (resolve) {
      if (faults.redirectResolveTo) {
        res.writeHead(302, { location: `${faults.redirectResolveTo}${url.pathname}`, 'content-length': '0' });
        res.end();
        return;
      }
      if (repo.gated && !authorized) {
        return send(res, 401, { error: `Access to model ${repo.id} is restricted. You must have access to it and be authenticated to access it. Please log in.` }, { 'x-error-code': 'GatedRepo' });
      }
      const file = repo.files.find((f) => f.path === resolve[3]);
      if (!file) return send(res, 404, { error: 'Entry not found' }, { 'x-error-code': 'EntryNotFound' });
      const body = file.bytes ?? (file.content !== undefined ? Buffer.from(file.content) : Buffer.alloc(0));
      const real = file.bytes !== undefined || file.content !== undefined;
      const cut = faults.cutAfter?.path.test(path) ? faults.cutAfter.bytes : undefined;
      const sendBody = (bytes: Buffer): void => {
        const slow = faults.slow?.path.test(path) ? faults.slow : undefined;
        if (req.method === 'HEAD') res.end();
        else if (slow && cut === undefined) {
          let at = 0;
          const next = (): void => {
            if (res.destroyed) return;
            const chunk = bytes.subarray(at, at + slow.chunkBytes);
            at += chunk.length;
            if (at >= bytes.length) res.end(chunk);
            else res.write(chunk, () => setTimeout(next, slow.delayMs));
          };
          next();
        } else if (cut === undefined || cut >= bytes.length) res.end(bytes);
        // A broken download: part of the body, then the connection drops.
        else res.write(bytes.subarray(0, cut), () => req.socket.destroy());
      };
      const size = sizeOf(file);
      const headers = { etag: `"${oidOf(repo, file)}"`, 'x-repo-commit': repo.sha, 'accept-ranges': 'bytes', 'content-type': 'application/octet-stream' };
      const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
      if (range) {
        const start = Number(range[1]);
        const end = Math.min(range[2] ? Number(range[2]) : size - 1, size - 1);
        const slice = real ? body.subarray(start, end + 1) : Buffer.alloc(Math.max(0, end - start + 1));
        res.writeHead(206, { ...headers, 'content-range': `bytes ${start}-${end}/${size}`, 'content-length': String(slice.length) });
        sendBody(slice);
        return;
      }
      res.writeHead(200, { ...headers, 'content-length': String(size) });
      // A large file without recorded content is never downloaded by the client under test.
      sendBody(body);
      return;
    }
    send(res, 404, { error: 'Not found' });
  };

  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    faults,
    stop: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** Runs the CLI in-process on `stackDir` with HF_ENDPOINT at `hub` (the stand-in answers meanwhile). */
export function cliWithHub(hub: HubStandIn, stackDir: string, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  return cliWithEnv({ HF_ENDPOINT: hub.url }, stackDir, ...argv);
}

/** Runs the CLI in-process on `stackDir` with exactly `env` as its environment. */
export async function cliWithEnv(env: NodeJS.ProcessEnv, stackDir: string, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const { runCli } = await import('../../src/cli/main');
  let out = '';
  let err = '';
  const code = await runCli(['--stack', stackDir, ...argv], { out: (t) => (out += t), err: (t) => (err += t), cwd: stackDir, env });
  return { code, out, err };
}
