/**
 * A real DNS server for tests: Debian's dnsmasq on 127.0.0.1, answering only from a hosts file
 * the test owns — the stand-in for Docker's embedded DNS (127.0.0.11), whose answer for a
 * container name changes when the container is re-created.
 */
import { Resolver } from 'node:dns/promises';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Running } from './processes';
import { freePort, start, waitFor } from './processes';

export const DNSMASQ_BIN = '/usr/sbin/dnsmasq';

export interface Dns {
  /** host:port for NGINX's `resolver` and node's Resolver. */
  readonly address: string;
  readonly process: Running;
  /** Answers `name` with `ip` from now on (rewrites the hosts file, then SIGHUP: re-read, cache cleared). */
  point(name: string, ip: string): Promise<void>;
  stop(): Promise<void>;
}

/** What the server answers for `name` now (A record). */
export async function lookup(address: string, name: string): Promise<string | undefined> {
  const resolver = new Resolver({ timeout: 1000, tries: 1 });
  resolver.setServers([address]);
  return (await resolver.resolve4(name))[0];
}

/** Starts dnsmasq answering `name` with `ip`; nothing else is answered (no upstream servers). */
export async function startDns(workDir: string, name: string, ip: string): Promise<Dns> {
  const hosts = path.join(workDir, 'hosts');
  writeFileSync(hosts, `${ip} ${name}\n`);
  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  const proc = start(DNSMASQ_BIN, [
    '--keep-in-foreground', '--log-facility=-', '--conf-file=/dev/null', '--pid-file=',
    `--port=${port}`, '--listen-address=127.0.0.1', '--bind-interfaces',
    '--no-resolv', '--no-hosts', `--addn-hosts=${hosts}`, '--local-ttl=0', '--no-negcache',
    // As root dnsmasq drops to an unprivileged user that may not read the test's folder.
    ...(process.getuid?.() === 0 ? ['--user=root'] : []),
  ]);
  await waitFor('dnsmasq', async () => (await lookup(address, name)) === ip, 20_000, () => proc.output());
  return {
    address,
    process: proc,
    async point(moved: string, to: string) {
      writeFileSync(hosts, `${to} ${moved}\n`);
      proc.child.kill('SIGHUP');
      await waitFor(`dnsmasq to answer ${to} for ${moved}`, async () => (await lookup(address, moved)) === to, 10_000, () => proc.output());
    },
    stop: () => proc.stop(),
  };
}
