/** Checks every compose file shares: published ports, image tags, healthchecks, LiteLLM's port and secrets. */
import { isMap, isScalar, isSeq } from 'yaml';
import type { AdoptContext } from '../context';
import type { CheckResult } from '../types';
import { emptyResult } from '../types';
import type { YamlSource } from '../yaml-source';
import { nginxHealthzEdits } from './nginx';
import { findComposeSecrets } from '../../compose/secrets';

/** Every compose file of the folder with the service keys in it. */
function composeFiles(ctx: AdoptContext): { yaml: YamlSource; services: string[] }[] {
  const all = [...ctx.folder.models.map((m) => m.yaml), ctx.folder.litellmCompose, ctx.folder.nginxCompose].filter((y): y is YamlSource => y !== undefined);
  return all.map((yaml) => ({ yaml, services: yaml.keys(['services']) }));
}

/** The parts of a port mapping split at `:` outside `${…}`. */
function portParts(spec: string): string[] {
  return spec.match(/(\$\{[^}]*\}|[^:])+/g) ?? [];
}

/** A port published on every interface: anyone on the network reaches the service unauthenticated. */
export function portsCheck(ctx: AdoptContext): CheckResult {
  const result = emptyResult();
  for (const { yaml, services } of composeFiles(ctx)) {
    for (const service of services) {
      for (const item of yaml.items(['services', service, 'ports'])) {
        if (!isScalar(item) || !item.range || typeof item.value !== 'string' && typeof item.value !== 'number') continue;
        const spec = String(item.value);
        if (portParts(spec).length !== 2) continue;
        // NGINX is the one service meant for the network: its bind address stays a setting (as in the bundled stack).
        const host = yaml.file === 'docker-compose.yml' ? '${NGINX_BIND_ADDRESS:-127.0.0.1}' : '127.0.0.1';
        const fixed = `${host}:${spec}`;
        result.problems.push({ id: 'port-all-interfaces', file: yaml.file, line: yaml.lineOf(item), message: `port ${spec} of ${service} is published on all interfaces`, fix: `"${fixed}"${host.startsWith('$') ? ' (set NGINX_BIND_ADDRESS=0.0.0.0 in .env to serve your network)' : ' (reach it from elsewhere over SSH or through NGINX)'}` });
        result.edits.push({ file: yaml.file, start: item.range[0], end: item.range[1], text: JSON.stringify(fixed) });
      }
    }
  }
  return result;
}

/** The repository of an image reference and its tag (undefined when there is none). */
export function splitImage(image: string): { repo: string; tag?: string } {
  const at = image.lastIndexOf(':');
  return at > image.lastIndexOf('/') ? { repo: image.slice(0, at), tag: image.slice(at + 1) } : { repo: image };
}

/** A tag that moves: none, `latest`, `main-latest`, `stable`, or one without a version number. */
function isUnpinned(tag: string | undefined): boolean {
  return tag === undefined || /(^|-)latest$/.test(tag) || /^main-/.test(tag) || !/\d/.test(tag);
}

/** An image without a pinned tag: the next pull silently changes what runs. */
export function unpinnedImageCheck(ctx: AdoptContext): CheckResult {
  const result = emptyResult();
  for (const { yaml, services } of composeFiles(ctx)) {
    for (const service of services) {
      const node = yaml.get(['services', service, 'image']);
      if (!isScalar(node) || !node.range || typeof node.value !== 'string' || node.value.includes('$')) continue;
      const { repo, tag } = splitImage(node.value);
      if (!isUnpinned(tag)) continue;
      const pinned = ctx.pinned.get(repo);
      result.problems.push({ id: 'unpinned-image', file: yaml.file, line: yaml.lineOf(node), message: `image ${node.value} is not pinned: the next pull may change what runs`, fix: pinned ? `image: ${pinned} (the version the bundled stack is tested with)` : `pin ${repo} to a version tag` });
      if (pinned) result.edits.push({ file: yaml.file, start: node.range[0], end: node.range[1], text: pinned });
    }
  }
  return result;
}

/** What a healthcheck can run instead of curl in images that lack it. */
const NO_CURL: readonly { repo: RegExp; test: (port: string) => string[]; why: string }[] = [
  { repo: /(^|\/)berriai\/litellm/, test: (port) => ['CMD', 'python3', '-c', `import urllib.request; urllib.request.urlopen('http://127.0.0.1:${port}/health/liveliness', timeout=4)`], why: 'the LiteLLM image has python3 but no curl; /health/liveliness needs no key' },
  { repo: /^nginx$/, test: () => ['CMD', 'wget', '-q', '-O', '/dev/null', 'http://127.0.0.1/healthz'], why: "the nginx image has busybox wget but no curl; 127.0.0.1 is an address NGINX listens on (localhost may be ::1), and /healthz is answered by NGINX itself" },
];

/** A healthcheck calling a tool its image lacks (curl in LiteLLM's and NGINX's images): it never passes. */
export function healthcheckToolCheck(ctx: AdoptContext): CheckResult {
  const result = emptyResult();
  for (const { yaml, services } of composeFiles(ctx)) {
    for (const service of services) {
      const image = yaml.string(['services', service, 'image']);
      const test = yaml.get(['services', service, 'healthcheck', 'test']);
      const known = image ? NO_CURL.find((k) => k.repo.test(splitImage(image).repo)) : undefined;
      if (!known || !test || !(test as { range?: unknown }).range) continue;
      const words = isSeq(test) ? test.items.map((i) => (isScalar(i) ? String(i.value) : '')) : isScalar(test) ? String(test.value).split(/\s+/) : [];
      if (!words.includes('curl') && !words.some((w) => /\bcurl\b/.test(w))) continue;
      const port = /:(\d+)\//.exec(words.join(' '))?.[1] ?? '4000';
      const fixed = known.test(port);
      const range = (test as { range: [number, number, number] }).range;
      result.problems.push({ id: 'healthcheck-tool', file: yaml.file, line: yaml.lineOf(test), message: `the healthcheck of ${service} calls curl, which ${image} does not have: the container is never healthy`, fix: `test: ${JSON.stringify(fixed)} (${known.why})` });
      result.edits.push({ file: yaml.file, start: range[0], end: range[1], text: `[${fixed.map((w) => JSON.stringify(w)).join(', ')}]` });
      const conf = ctx.folder.texts.get('nginx/multi-model.conf');
      if (fixed.includes('http://127.0.0.1/healthz') && conf !== undefined) result.edits.push(...nginxHealthzEdits(conf));
    }
  }
  return result;
}

/** LiteLLM publishes no host port while the scripts call localhost:4000. */
export function litellmPortCheck(ctx: AdoptContext): CheckResult {
  const result = emptyResult();
  const yaml = ctx.folder.litellmCompose;
  const service = yaml?.keys(['services']).find((s) => /litellm/.test(yaml.string(['services', s, 'image']) ?? s));
  if (!yaml || !service || yaml.items(['services', service, 'ports']).length > 0) return result;
  const anchor = yaml.get(['services', service, 'image']) as { range?: [number, number, number] } | undefined;
  if (!anchor?.range) return result;
  result.problems.push({ id: 'litellm-port', file: yaml.file, line: yaml.lineOf(anchor), message: 'LiteLLM publishes no host port, yet its scripts and the tools call http://localhost:4000', fix: 'ports: ["127.0.0.1:4000:4000"] (this machine only; others go through NGINX)' });
  const indent = yaml.indentAt(anchor.range[0]);
  const at = yaml.endOfLine(anchor.range[1] - 1);
  result.edits.push({ file: yaml.file, start: at, end: at, text: `${indent}ports:\n${indent}  - "127.0.0.1:4000:4000"\n` });
  return result;
}

/**
 * A known secret in a compose file (shared scanner: compose/secrets.ts): a secret variable with a
 * fallback (`${LITELLM_MASTER_KEY:-sk-1234}`, UI passwords defaulting to `admin`) becomes the
 * required `${VAR:?…}`; a secret written into the file (the guide's PostgreSQL password, in a
 * database URL or as POSTGRES_PASSWORD, map or list form) becomes a reference to `.env`.
 */
export function hardcodedSecretCheck(ctx: AdoptContext): CheckResult {
  const result = emptyResult();
  const moved = new Map<string, string>();
  for (const { yaml } of composeFiles(ctx)) {
    for (const found of findComposeSecrets(yaml.file, yaml.text).findings) {
      result.problems.push({ id: found.kind === 'fallback' ? 'secret-fallback' : 'hardcoded-secret', file: yaml.file, line: found.line, message: found.message, fix: found.fix });
      if (found.edit) result.edits.push({ file: yaml.file, ...found.edit });
      if (found.edit && found.value !== undefined && !moved.has(found.variable)) moved.set(found.variable, found.value);
    }
  }
  // A literal secret is the one the running stack was set up with (PostgreSQL keeps the password
  // its data was initialised with): a .env already in use gets it, so nothing is locked out. A
  // fallback's value is public, so it is not carried over (sync-env generates a new one).
  const env = ctx.folder.texts.get('.env');
  const carried = [...moved].filter(([name]) => env !== undefined && !new RegExp(`^\\s*(export\\s+)?${name}=`, 'm').test(env));
  if (env !== undefined && carried.length > 0) {
    const lines = carried.map(([name, value]) => `# The value the compose file had (moved here by adopt).\n${name}=${value}\n`).join('');
    result.edits.push({ file: '.env', start: env.length, end: env.length, text: `${env.endsWith('\n') || env === '' ? '' : '\n'}${lines}` });
  }
  return result;
}

/**
 * A compose file that defines `vllm_network` itself (the guide's model files): once the network
 * exists — made by another folder, by `docker network create` as the guide's step 1 says, or by
 * `spark-gateway up` — Compose refuses to start the project ("was not created by compose").
 */
export function externalNetworkCheck(ctx: AdoptContext): CheckResult {
  const result = emptyResult();
  for (const { yaml } of composeFiles(ctx)) {
    for (const name of yaml.keys(['networks'])) {
      const node = yaml.get(['networks', name]);
      const external = isMap(node) ? node.get('external') : undefined;
      const named = isMap(node) ? node.get('name') : undefined;
      if (external === true || (name !== 'vllm_network' && named !== 'vllm_network') || !isMap(node) || !node.range) continue;
      result.problems.push({ id: 'network-not-external', file: yaml.file, line: yaml.lineOf(node), message: `${yaml.file} creates the network ${name} itself: once it exists (another folder, \`docker network create\`, a start), Compose refuses this project because it did not create it`, fix: `networks: ${name}: external: true (every folder joins the one network; \`spark-gateway up\` creates it when missing)` });
      result.edits.push({ file: yaml.file, start: node.range[0], end: node.range[1], text: `external: true${yaml.text.slice(node.range[1] - 1, node.range[1]) === '\n' ? '\n' : ''}` });
    }
  }
  return result;
}
