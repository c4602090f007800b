/**
 * Two extra hosts on this machine for the [hosts] tests: network namespaces on the bridge sgbr0,
 * each with its own Docker engine and SSH server, reached through the `ssh://` Docker contexts
 * sg-spark2 and sg-spark3 (test/support/hosts-env.sh builds them; read its header). This module
 * starts or reuses them, loads the simulator image into each engine, and hands tests the
 * environment their processes need to reach the hosts (never root's own ~/.ssh or ~/.docker).
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { Socket } from 'node:net';
import * as path from 'node:path';
import { REQUIRE_ALL } from './components';
import { ensureSimulatorImage } from './docker';
import { REPO_ROOT, STACK_DIR } from './processes';
import { SIMULATOR_DIR } from './simulator';

const SCRIPT = path.join(REPO_ROOT, 'test', 'support', 'hosts-env.sh');
const RUN = '/run/spark-hosts';
const CLIENT = `${RUN}/client`;

export interface TestHost {
  /** The host's name, its network namespace's and its Docker context's. */
  readonly name: 'sg-spark2' | 'sg-spark3';
  /** Its address on the bridge (the "cluster link"): sshd listens here, ports are published here. */
  readonly address: string;
  /** `ssh://root@ADDRESS`, the Docker endpoint as a user writes it. */
  readonly endpoint: string;
  /** The engine's own socket, for the test's own bookkeeping (the product goes through ssh). */
  readonly socket: string;
}

export const TEST_HOSTS: readonly TestHost[] = (['sg-spark2', 'sg-spark3'] as const).map((name, i) => ({
  name,
  address: `10.231.7.${i + 2}`,
  endpoint: `ssh://root@10.231.7.${i + 2}`,
  socket: `${RUN}/${name}/docker.sock`,
}));

/** The main namespace's address on the bridge (where the hosts see the gateway come from). */
export const BRIDGE_ADDRESS = '10.231.7.1';

/**
 * What a process needs to reach the test hosts as a user would: PATH with the `ssh` wrapper that
 * uses the test's ssh config (its key as IdentityFile) and known_hosts, DOCKER_CONFIG with the two
 * contexts. No ssh-agent: the docker CLI and our client both run that `ssh`. Merge it over
 * process.env for the docker CLI, compose and the CLI.
 */
export function hostsEnv(): Record<string, string> {
  return {
    PATH: `${CLIENT}/bin:${process.env.PATH ?? '/usr/bin:/bin'}`,
    DOCKER_CONFIG: `${CLIENT}/docker`,
  };
}

/** Why the hosts cannot be built here (not root, a tool missing), else false; throws in CI. */
export function missingHosts(): string | false {
  let reason: string | undefined;
  if (process.getuid?.() !== 0) reason = 'the [hosts] test hosts need root (network namespaces, dockerd, sshd)';
  else {
    const absent = ['/usr/sbin/sshd', '/usr/bin/ssh-agent', '/usr/bin/nsenter', '/usr/sbin/dockerd'].find((tool) => !existsSync(tool));
    if (absent) reason = `${absent} is missing (run scripts/provision-test-env.sh)`;
    else if (!existsSync('/usr/sbin/ip') && !existsSync('/sbin/ip') && !existsSync('/bin/ip')) reason = 'ip (iproute2) is missing (run scripts/provision-test-env.sh)';
  }
  if (reason === undefined) return false;
  if (REQUIRE_ALL) throw new Error(`${reason} — CI requires every component`);
  return reason;
}

function script(args: readonly string[], timeout = 180_000): string {
  try {
    return execFileSync('bash', [SCRIPT, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout });
  } catch (error) {
    const { stderr } = error as { stderr?: string };
    throw new Error(`hosts-env.sh ${args.join(' ')} failed:\n${stderr ?? String(error)}`);
  }
}

export interface Hosts {
  readonly hosts: readonly TestHost[];
  /** Whether this call brought the environment up (else it was running and healthy). */
  readonly started: boolean;
  /** Stops the host's sshd (the engine keeps running): the host becomes unreachable over ssh. */
  stopSshd(host: TestHost): void;
  startSshd(host: TestHost): void;
  /** Tears down what {@link setupHosts} started; a reused environment stays (its owner keeps it). */
  teardown(): void;
}

/**
 * Brings up (or reuses, when every context answers) the two hosts, with the simulator image of
 * this worktree in each engine. Call it under the Docker lock: it builds the simulator image on the
 * main engine first. SPARK_HOSTS_KEEP=1 keeps an environment this call started after teardown().
 */
export async function setupHosts(): Promise<Hosts> {
  let started = false;
  try {
    script(['check'], 60_000);
  } catch {
    script(['up']);
    started = true;
  }
  ensureSimulatorImage();
  for (const host of TEST_HOSTS) await loadSimulatorImage(host);
  return {
    hosts: TEST_HOSTS,
    started,
    stopSshd: (host) => void script(['sshd-stop', host.name], 30_000),
    startSshd: (host) => void script(['sshd-start', host.name], 30_000),
    teardown: () => {
      if (!started || process.env.SPARK_HOSTS_KEEP === '1') return;
      closeHostSockets();
      script(['down'], 120_000);
    },
  };
}

/** Every image tag the simulator build gives (stack/vllm-images.yaml plus its own tag). */
export function simulatorTags(): string[] {
  const images = readFileSync(path.join(STACK_DIR, 'vllm-images.yaml'), 'utf8')
    .split('\n')
    .map((line) => /^([^#\s][^\s]*):\s+\d+\.\d+\.\d+\s*$/.exec(line.replace(/#.*/, ''))?.[1])
    .filter((image): image is string => image !== undefined);
  const version = (JSON.parse(readFileSync(path.join(SIMULATOR_DIR, 'package.json'), 'utf8')) as { version: string }).version;
  return [...images, `spark-gateway/vllm-simulator:${version}`];
}

function imageId(tag: string, socket?: string): string | undefined {
  try {
    return execFileSync('docker', [...(socket ? ['-H', `unix://${socket}`] : []), 'image', 'inspect', '--format', '{{.Id}}', tag], { encoding: 'utf8', stdio: 'pipe' }).trim();
  } catch {
    return undefined;
  }
}

/**
 * `docker save TAGS | docker -H <host engine> load`, streamed through this process; skipped when
 * the host already has every tag at the main engine's image id (its data root outlives `down`).
 */
export async function loadSimulatorImage(host: TestHost): Promise<void> {
  const tags = simulatorTags();
  if (tags.every((tag) => imageId(tag) !== undefined && imageId(tag) === imageId(tag, host.socket))) return;
  const save = spawn('docker', ['save', ...tags], { stdio: ['ignore', 'pipe', 'pipe'] });
  const load = spawn('docker', ['-H', `unix://${host.socket}`, 'load', '--quiet'], { stdio: ['pipe', 'pipe', 'pipe'] });
  save.stdout.pipe(load.stdin);
  const errors: string[] = [];
  save.stderr.on('data', (d: Buffer) => errors.push(d.toString()));
  load.stderr.on('data', (d: Buffer) => errors.push(d.toString()));
  const exit = (child: typeof save | typeof load) => new Promise<number | null>((resolve) => child.once('close', resolve));
  const [saved, loaded] = await Promise.all([exit(save), exit(load)]);
  if (saved !== 0 || loaded !== 0) throw new Error(`loading the simulator image into ${host.name} failed (save ${saved}, load ${loaded}): ${errors.join('')}`);
}

/**
 * Closes this process's own TCP connections to the test hosts before their namespaces go. After an
 * sshd stop and restart (the unreachable-host test) docker-modem's ssh transport was seen keeping
 * one connection open; once its peer's namespace is deleted that socket's FIN is never answered
 * and the test process cannot exit for minutes. (Not seen for plain requests: see the hosts notes.)
 */
function closeHostSockets(): void {
  const handles = (process as unknown as { _getActiveHandles?: () => unknown[] })._getActiveHandles?.() ?? [];
  for (const handle of handles) {
    if (handle instanceof Socket && handle.remoteAddress?.startsWith('10.231.7.')) handle.destroy();
  }
}
