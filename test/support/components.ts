/**
 * Integration tests use real components. On a developer machine a missing component skips its
 * tests with the reason; in CI (`CI=true`) or with `SPARK_REQUIRE_ALL=1` a missing component is a
 * failure, so a green CI run always means the real components ran.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const REQUIRE_ALL = process.env.CI === 'true' || process.env.SPARK_REQUIRE_ALL === '1';

/** Where provisioning puts LiteLLM (outside the repo, so clones share it). */
export const LITELLM_BIN = process.env.SPARK_LITELLM_BIN ?? '/opt/spark-gateway/litellm-venv/bin/litellm';

/** Returns why `component` is unusable, or undefined when it works. */
export function probe(component: 'docker' | 'compose' | 'nginx' | 'redis' | 'litellm' | 'openssl' | 'registry' | 'dnsmasq'): string | undefined {
  const tries: Record<typeof component, () => void> = {
    docker: () => execFileSync('docker', ['info', '--format', '{{.ServerVersion}}'], { stdio: 'pipe', timeout: 20_000 }),
    compose: () => execFileSync('docker', ['compose', 'version'], { stdio: 'pipe', timeout: 20_000 }),
    nginx: checkNginxVersion,
    redis: () => execFileSync('redis-server', ['--version'], { stdio: 'pipe' }),
    litellm: () => {
      if (!existsSync(LITELLM_BIN)) throw new Error(`${LITELLM_BIN} is missing (run scripts/provision-test-env.sh)`);
    },
    openssl: () => execFileSync('openssl', ['version'], { stdio: 'pipe' }),
    registry: () => execFileSync('docker-registry', ['--version'], { stdio: 'pipe' }),
    dnsmasq: () => execFileSync('/usr/sbin/dnsmasq', ['--version'], { stdio: 'pipe' }),
  };
  try {
    tries[component]();
    return undefined;
  } catch (error) {
    return `${component} is not available: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
  }
}

/**
 * For `describe(name, { skip: missing(...) }, ...)`: false when every component works; the reason
 * (a skip) when one is missing on a developer machine; throws in CI so the run fails loudly.
 */
export function missing(...components: Parameters<typeof probe>[0][]): string | false {
  for (const component of components) {
    const reason = probe(component);
    if (reason === undefined) continue;
    if (REQUIRE_ALL) throw new Error(`${reason} — CI requires every component (run scripts/provision-test-env.sh)`);
    return reason;
  }
  return false;
}

/**
 * The NGINX the tests run the stack's config with: provisioning's (scripts/provision-nginx.sh),
 * since the config's upstream `resolve` needs NGINX >= 1.27.3 like the stack's pinned image, and
 * Debian 12's is 1.22. SPARK_NGINX_BIN points elsewhere; without either, the host's (Debian
 * installs it in /usr/sbin, which is not on every user's PATH), which {@link probe} then refuses
 * when it is too old.
 */
export const NGINX_BIN = process.env.SPARK_NGINX_BIN ?? '/opt/spark-gateway/nginx-1.30.6/bin/nginx';

/** The oldest open-source NGINX with `server … resolve` in an upstream. */
export const NGINX_MIN_VERSION = [1, 27, 3] as const;

export function nginxBinary(): string {
  if (existsSync(NGINX_BIN)) return NGINX_BIN;
  return existsSync('/usr/sbin/nginx') ? '/usr/sbin/nginx' : 'nginx';
}

/** Throws unless `nginx -v` (which prints to stderr) says NGINX_MIN_VERSION or later. */
function checkNginxVersion(): void {
  const run = spawnSync(nginxBinary(), ['-v'], { encoding: 'utf8' });
  if (run.error) throw run.error;
  const text = `${run.stdout}${run.stderr}`;
  const version = /nginx\/(\d+)\.(\d+)\.(\d+)/.exec(text)?.slice(1).map(Number);
  if (!version) throw new Error(`${nginxBinary()} -v printed no version: ${text.trim()}`);
  const rank = (v: readonly number[]) => v.reduce((sum, n) => sum * 1000 + n, 0);
  if (rank(version) < rank(NGINX_MIN_VERSION)) {
    throw new Error(`${nginxBinary()} is nginx ${version.join('.')}, older than ${NGINX_MIN_VERSION.join('.')} (the stack's config uses upstream \`resolve\`): run scripts/provision-nginx.sh`);
  }
}

/**
 * Like {@link missing}, for the vLLM wheels provisioning installs per pinned vLLM version
 * (scripts/provision-vllm.sh): false when every venv's python exists.
 */
export function missingVllm(venvs: readonly string[]): string | false {
  const absent = venvs.find((venv) => !existsSync(`${venv}/bin/python`));
  if (absent === undefined) return false;
  const reason = `vLLM is not available: ${absent}/bin/python is missing (run scripts/provision-vllm.sh)`;
  if (REQUIRE_ALL) throw new Error(`${reason} — CI requires every component`);
  return reason;
}
