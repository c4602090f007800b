/**
 * Runs the stack's own `nginx/multi-model.conf` with the test NGINX (provisioning's pinned
 * NGINX >= 1.27.3, see {@link nginxBinary}): the same file the
 * container mounts, with only what differs on the host substituted — the upstream address (an
 * address, or a name the given DNS server answers), the DNS server, the certificate paths and
 * the listen ports (loopback, IPv4 and IPv6).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { nginxBinary } from './components';
import type { Running } from './processes';
import { answers, freePort, start, waitFor } from './processes';

export interface GatewayNginx {
  readonly httpsPort: number;
  readonly httpPort: number;
  readonly process: Running;
  stop(): Promise<void>;
}

/** Writes an nginx.conf for `stackDir`'s config in `workDir`; returns its path. */
export function writeNginxConfig(stackDir: string, workDir: string, ports: { upstream: string; https: number; http: number; resolver?: string; variableUpstream?: boolean }): string {
  mkdirSync(workDir, { recursive: true });
  const replace = (text: string, from: RegExp, to: string) => {
    if (!from.test(text)) throw new Error(`nginx/multi-model.conf no longer has ${from}: update the test's substitution`);
    return text.replace(from, to);
  };
  let site = readFileSync(path.join(stackDir, 'nginx', 'multi-model.conf'), 'utf8');
  site = replace(site, /server \S+( resolve;\s*# UPSTREAM)/, `server ${ports.upstream}$1`);
  // Docker's DNS (127.0.0.11) does not exist on the host; a test that resolves names brings its own.
  if (ports.resolver) site = replace(site, /resolver \S+( [^;]*;\s*# RESOLVER)/, `resolver ${ports.resolver}$1`);
  // bench:chat only: the form NGINX < 1.27.3 re-resolves with (proxy_pass with a variable, a new
  // connection to LiteLLM per request), to measure what the stack's keepalive pool saves.
  if (ports.variableUpstream) {
    site = replace(site, /upstream litellm \{[^}]*server (\S+) resolve;[^}]*\}/, 'map "" $litellm_upstream {\n    default $1;\n}');
    site = site.replaceAll('http://litellm', 'http://$litellm_upstream');
  }
  site = replace(site, /ssl_certificate\s+\S+;(\s*# CERT)/, `ssl_certificate ${path.join(stackDir, 'ssl', 'public.pem')};$1`);
  site = replace(site, /ssl_certificate_key\s+\S+;(\s*# KEY)/, `ssl_certificate_key ${path.join(stackDir, 'ssl', 'private.pem')};$1`);
  site = replace(site, /listen 80;/, `listen 127.0.0.1:${ports.http};`);
  site = replace(site, /listen \[::\]:80;/, `listen [::1]:${ports.http};`);
  site = replace(site, /listen 443 ssl;/, `listen 127.0.0.1:${ports.https} ssl;`);
  site = replace(site, /listen \[::\]:443 ssl;/, `listen [::1]:${ports.https} ssl;`);
  writeFileSync(path.join(workDir, 'site.conf'), site);
  const main = [
    'daemon off;',
    'worker_processes 1;',
    `pid ${path.join(workDir, 'nginx.pid')};`,
    `error_log ${path.join(workDir, 'error.log')} info;`,
    'events { worker_connections 256; }',
    'http {',
    '  access_log off;',
    ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `  ${t}_temp_path ${path.join(workDir, `${t}_temp`)};`),
    `  include ${path.join(workDir, 'site.conf')};`,
    '}',
  ].join('\n');
  const conf = path.join(workDir, 'nginx.conf');
  writeFileSync(conf, `${main}\n`);
  return conf;
}

/** `nginx -t` on a config; throws with NGINX's own message when it is refused. */
export function checkNginxConfig(conf: string): string {
  return execFileSync(nginxBinary(), ['-t', '-c', conf, '-p', path.dirname(conf)], { encoding: 'utf8', stdio: 'pipe' }) + '';
}

/**
 * Starts the host NGINX with the stack's config in front of `upstream` (host:port), names
 * resolved by `resolver` (host:port of a DNS server) when given.
 */
export async function startGatewayNginx(stackDir: string, workDir: string, upstream: string, resolver?: string, variableUpstream = false): Promise<GatewayNginx> {
  const httpsPort = await freePort();
  const httpPort = await freePort();
  const conf = writeNginxConfig(stackDir, workDir, { upstream, https: httpsPort, http: httpPort, resolver, variableUpstream });
  checkNginxConfig(conf);
  const proc = start(nginxBinary(), ['-c', conf, '-p', workDir]);
  await waitFor('nginx', () => answers(`http://127.0.0.1:${httpPort}/healthz`), 20_000, () => proc.output() + safeRead(path.join(workDir, 'error.log')));
  return { httpsPort, httpPort, process: proc, stop: () => proc.stop() };
}

function safeRead(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
