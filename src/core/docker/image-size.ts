/**
 * The download size of an image before it is pulled: the registry's manifest lists every layer
 * with its compressed size, which is what a pull fetches. The Engine API does not say it: its
 * distribution inspect (`GET /distribution/{name}/json`) answers only the manifest's own
 * descriptor (digest, media type, the manifest's few hundred bytes) and the platforms — checked
 * against Debian's docker-registry on loopback — so the registry is read directly, with the
 * Docker Registry HTTP API v2 (an anonymous or `docker login` token when it asks for one).
 */
import type { Cancellation } from '../process/cancellation';
import { onCancel } from '../process/cancellation';

export interface ImageReference {
  /** The registry's host as in the image name (`docker.io` for Docker Hub). */
  readonly registry: string;
  /** `nvidia/vllm`, `library/redis`. */
  readonly repository: string;
  /** A tag or a `sha256:` digest. */
  readonly reference: string;
}

/** Splits an image name as Docker does (`redis:7` → docker.io, library/redis, 7). Pure. */
export function parseImageReference(image: string): ImageReference {
  const [name = '', digest] = image.split('@');
  const slash = name.indexOf('/');
  const first = slash >= 0 ? name.slice(0, slash) : '';
  const hasHost = slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost');
  const registry = hasHost ? first : 'docker.io';
  let path = hasHost ? name.slice(slash + 1) : name;
  let tag = 'latest';
  const colon = path.lastIndexOf(':');
  if (colon > path.lastIndexOf('/')) {
    tag = path.slice(colon + 1);
    path = path.slice(0, colon);
  }
  if (registry === 'docker.io' && !path.includes('/')) path = `library/${path}`;
  return { registry, repository: path, reference: digest ?? tag };
}

/** Where the registry's API is: Docker Hub's API host; plain HTTP for loopback, as dockerd does. Pure. */
export function registryBaseUrl(registry: string): string {
  if (registry === 'docker.io') return 'https://registry-1.docker.io';
  const host = registry.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  const loopback = host === 'localhost' || host === '::1' || /^127\./.test(host);
  return `${loopback ? 'http' : 'https'}://${registry}`;
}

const ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

interface Manifest {
  readonly mediaType?: string;
  readonly manifests?: readonly { digest: string; platform?: { architecture?: string; os?: string; variant?: string } }[];
  readonly layers?: readonly { size: number }[];
  readonly config?: { size: number; digest: string };
}

export interface SizeOptions {
  /** Credentials `docker login` stored for this registry, if any. */
  readonly auth?: { readonly username: string; readonly password: string };
  /** The engine's platform (`docker info`): the entry of a multi-platform index to size. */
  readonly platform: { readonly os: string; readonly architecture: string };
  /**
   * The uncompressed layer ids (`docker image inspect`'s RootFS.Layers) the engine has already:
   * a pull skips those layers ("Already exists"), so they are not counted.
   */
  readonly localLayers?: ReadonlySet<string>;
  readonly timeoutMs?: number;
  readonly cancellation?: Cancellation;
}

/** `WWW-Authenticate: Bearer realm="…",service="…",scope="…"` → its parameters. Pure. */
export function parseChallenge(header: string): { scheme: string; params: Record<string, string> } {
  const scheme = header.split(' ')[0]?.toLowerCase() ?? '';
  const params: Record<string, string> = {};
  for (const match of header.slice(scheme.length).matchAll(/(\w+)="([^"]*)"/g)) params[match[1] as string] = match[2] as string;
  return { scheme, params };
}

/**
 * The compressed bytes a pull of `image` downloads (its layers and config, for the engine's
 * platform, less the layers the engine has), read from the registry. Throws when the registry
 * cannot be read or has no such image.
 */
export async function imageDownloadSize(image: string, options: SizeOptions): Promise<number> {
  const ref = parseImageReference(image);
  const base = registryBaseUrl(ref.registry);
  const controller = new AbortController();
  const detach = onCancel(options.cancellation, () => controller.abort(new Error('cancelled')));
  const timer = setTimeout(() => controller.abort(new Error(`the registry ${ref.registry} did not answer within ${(options.timeoutMs ?? 15_000) / 1000} s`)), options.timeoutMs ?? 15_000);
  const basic = options.auth ? `Basic ${Buffer.from(`${options.auth.username}:${options.auth.password}`).toString('base64')}` : undefined;
  let authorization: string | undefined;
  const get = async <T>(kind: 'manifests' | 'blobs', reference: string): Promise<T> => {
    const url = `${base}/v2/${ref.repository}/${kind}/${reference}`;
    for (let attempt = 0; ; attempt++) {
      // A blob may be redirected to storage elsewhere; fetch drops the Authorization header there.
      const response = await fetch(url, { headers: { accept: ACCEPT, ...(authorization ? { authorization } : {}) }, signal: controller.signal });
      if (response.status === 401 && attempt === 0) {
        authorization = await authorize(response.headers.get('www-authenticate') ?? '', ref, basic, controller.signal);
        continue;
      }
      if (!response.ok) throw new Error(`the registry ${ref.registry} answered ${response.status} for ${ref.repository}:${reference}`);
      return (await response.json()) as T;
    }
  };
  try {
    let manifest = await get<Manifest>('manifests', ref.reference);
    if (manifest.manifests) {
      const entry = manifest.manifests.find((m) => m.platform?.os === options.platform.os && m.platform.architecture === options.platform.architecture);
      if (!entry) throw new Error(`${image} has no ${options.platform.os}/${options.platform.architecture} image`);
      manifest = await get<Manifest>('manifests', entry.digest);
    }
    const { layers, config } = manifest;
    if (!layers || !config) throw new Error(`the registry's manifest of ${image} lists no layers`);
    // The config names each layer's uncompressed id, in the manifest's order.
    const diffIds = options.localLayers?.size ? ((await get<{ rootfs?: { diff_ids?: string[] } }>('blobs', config.digest)).rootfs?.diff_ids ?? []) : [];
    return layers.reduce((n, l, i) => n + (options.localLayers?.has(diffIds[i] ?? '') ? 0 : l.size), 0) + config.size;
  } finally {
    clearTimeout(timer);
    detach();
  }
}

/** The Authorization header a registry's 401 challenge asks for (a pull token, or basic credentials). */
async function authorize(header: string, ref: ImageReference, basic: string | undefined, signal: AbortSignal): Promise<string> {
  const challenge = parseChallenge(header);
  if (challenge.scheme === 'basic') {
    if (!basic) throw new Error(`the registry ${ref.registry} needs a login (docker login ${ref.registry})`);
    return basic;
  }
  const realm = challenge.params.realm;
  if (challenge.scheme !== 'bearer' || !realm) throw new Error(`the registry ${ref.registry} asks for an authentication this tool does not know: ${header}`);
  const url = new URL(realm);
  if (challenge.params.service) url.searchParams.set('service', challenge.params.service);
  url.searchParams.set('scope', challenge.params.scope ?? `repository:${ref.repository}:pull`);
  const response = await fetch(url, { headers: basic ? { authorization: basic } : {}, signal });
  if (!response.ok) throw new Error(`the registry's token service ${url.origin} answered ${response.status}`);
  const body = (await response.json()) as { token?: string; access_token?: string };
  const token = body.token ?? body.access_token;
  if (!token) throw new Error(`the registry's token service ${url.origin} gave no token`);
  return `Bearer ${token}`;
}

/** The platform names of `docker info`'s OSType/Architecture as manifests spell them. Pure. */
export function enginePlatform(info: { OSType?: string; Architecture?: string }): { os: string; architecture: string } {
  const arch = info.Architecture ?? '';
  const architecture = arch === 'x86_64' ? 'amd64' : arch === 'aarch64' ? 'arm64' : arch;
  return { os: info.OSType ?? 'linux', architecture };
}
