/**
 * Everything a scenario start needs, checked before anything starts: a refusal after the first
 * model is up would leave a half-started stack and a confused user. Every check runs (the user
 * sees all problems at once), each failure says what is wrong and its fix, and nothing here
 * changes anything — the missing network is only reported; `up` creates it after the checks pass.
 */
import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import * as path from 'node:path';
import type { CheckResult } from '../checks';
import { certPaths } from '../certs';
import type { Cancellation } from '../process/cancellation';
import { composeFileFor, gatewayProjects } from '../compose/commands';
import type { Engine } from '../compose/engine';
import type { ComposeImage } from '../compose/images';
import { composeImageRefs } from '../compose/images';
import { ENV_FILE, LITELLM_PORT, NETWORK, nginxPorts } from '../stack/layout';
import { envSyncProblems } from '../sync-env';
import { SparkError } from '../errors';
import { gib, planScenario } from '../planner';
import type { ComposeVariant, ScenarioSpec } from '../scenarios/file';
import type { Stack } from '../stack/discovery';
import { GATEWAY_SERVICES } from '../stack/discovery';
import { isPlaceholderToken, readStackEnv } from '../stack/env';
import { hfCacheDir } from '../weights/cache-dir';
import { repoInCache } from '../weights/cache-list';

export type Backend = 'vllm' | 'simulator';
export const BACKENDS: readonly Backend[] = ['vllm', 'simulator'];

export interface PreflightInput {
  readonly stack: Stack;
  readonly scenario: ScenarioSpec;
  readonly variant: ComposeVariant;
  readonly backend: Backend;
  /** Start the model servers only (no LiteLLM, NGINX): no certificate or gateway image needed. */
  readonly modelsOnly: boolean;
  readonly engine: Engine;
  /** Memory to plan against (this machine's MemTotal unless given). */
  readonly totalBytes: number;
  /**
   * The live memory check (the Memory view's own verdict, so the picture and a refusal agree);
   * when absent, the planner's arithmetic against `totalBytes`.
   */
  readonly memoryCheck?: () => Promise<CheckResult>;
  readonly isPortFree?: (port: number) => Promise<boolean>;
  readonly cancellation?: Cancellation;
}

export interface PreflightReport {
  readonly checks: readonly CheckResult[];
  readonly ok: boolean;
  /** vllm_network is missing and will be created by `up`. */
  readonly createNetwork: boolean;
}

/** Pre-flight refused: `report` holds every check; the message names the first failure and its fix. */
export class PreflightError extends SparkError {
  constructor(readonly report: PreflightReport) {
    const failures = report.checks.filter((c) => c.status === 'fail');
    const first = failures[0];
    super(
      `pre-flight refused: ${first?.detail ?? 'a check failed'}${failures.length > 1 ? ` (and ${failures.length - 1} more: ${failures.slice(1).map((f) => f.title).join(', ')})` : ''}`,
      first?.fix,
    );
  }
}

/** True when every failed check is one only a start with the gateway needs: a models-only start would pass them. Pure. */
export function onlyGatewayFailed(checks: readonly CheckResult[]): boolean {
  const failed = checks.filter((c) => c.status === 'fail');
  return failed.length > 0 && failed.every((c) => c.gatewayOnly === true);
}

/** Runs every pre-flight check; never throws for a failed check (it is in the report). */
export async function preflight(input: PreflightInput): Promise<PreflightReport> {
  const { stack, scenario, engine } = input;
  const models = [...scenario.models.keys()].map((name) => stack.scenarios.models.find((m) => m.name === name)).filter((m) => m !== undefined);
  const checks: CheckResult[] = [];
  const add = (check: CheckResult) => checks.push(check);

  let dockerUp = true;
  try {
    await engine.ping();
    add({ id: 'docker', title: 'Docker', status: 'ok', detail: 'the daemon answers' });
  } catch (error) {
    dockerUp = false;
    add({ id: 'docker', title: 'Docker', status: 'fail', detail: messageOf(error), fix: error instanceof SparkError ? error.fix : undefined });
  }

  let createNetwork = false;
  if (dockerUp) {
    createNetwork = !(await engine.networkExists(NETWORK));
    add({ id: 'network', title: `Network ${NETWORK}`, status: 'ok', detail: createNetwork ? 'missing; will be created' : 'present' });
  }

  // .env: parsed first; a malformed line is one failure naming file and line.
  let env: ReadonlyMap<string, string> = new Map();
  const envFile = path.join(stack.root, ENV_FILE);
  try {
    env = await readStackEnv(stack.root);
    const problems = await envSyncProblems(stack.root);
    add(problems.length === 0
      ? { id: 'env', title: 'Environment', status: 'ok', detail: 'the per-folder .env files are in sync with .env' }
      : { id: 'env', title: 'Environment', status: 'fail', detail: problems.join('; '), fix: 'Run `spark-gateway sync-env`' });
  } catch (error) {
    add({ id: 'env', title: 'Environment', status: 'fail', detail: messageOf(error), fix: error instanceof SparkError ? error.fix : undefined });
  }

  if (input.backend === 'vllm') {
    const token = env.get('HF_TOKEN');
    // A token is only needed for what vLLM still has to download: weights already complete in
    // the cache (`download`, Download Models) load offline.
    const cacheDir = hfCacheDir(env, process.env);
    const toDownload = isPlaceholderToken(token) ? (await Promise.all(models.map(async (m) => ((await repoInCache(cacheDir, m.hfModel)) ? undefined : m.name)))).filter((n) => n !== undefined) : [];
    add(!isPlaceholderToken(token)
      ? { id: 'hf-token', title: 'HF_TOKEN', status: 'ok', detail: 'set' }
      : toDownload.length > 0
        ? { id: 'hf-token', title: 'HF_TOKEN', status: 'fail', detail: `HF_TOKEN is not set in ${envFile} (the vllm backend downloads the models from Hugging Face: ${toDownload.join(', ')})`, fix: 'Set HF_TOKEN=hf_… in .env, then run `spark-gateway sync-env`' }
        : { id: 'hf-token', title: 'HF_TOKEN', status: 'ok', detail: `not set; not needed: every model's weights are complete in ${cacheDir}` });
  } else {
    add({ id: 'hf-token', title: 'HF_TOKEN', status: 'skip', detail: 'the simulator backend downloads nothing' });
  }

  if (!input.modelsOnly) add({ ...certificateCheck(stack.root), gatewayOnly: true });

  const plan = planScenario(stack.scenarios, scenario, input.totalBytes);
  if (input.memoryCheck) {
    add(await input.memoryCheck());
  } else if (plan.fits) {
    add({ id: 'memory', title: 'Memory', status: 'ok', detail: `${gib(plan.plannedBytes)} planned of ${gib(plan.totalBytes)}, ${gib(plan.freeAfterBytes)} left` });
  } else if (input.backend === 'simulator') {
    add({ id: 'memory', title: 'Memory', status: 'warn', detail: `does not fit ${gib(plan.totalBytes)} (${plan.reasons.join('; ')}); the simulator loads no weights, so it starts anyway` });
  } else {
    add({ id: 'memory', title: 'Memory', status: 'fail', detail: `${scenario.name} does not fit in ${gib(plan.totalBytes)}: ${plan.reasons.join('; ')}`, fix: 'Stop other models or choose a smaller scenario (`spark-gateway plan <scenario>` shows the arithmetic)' });
  }

  const wanted = new Map<number, { owner: string; what: string; gatewayOnly?: true }>();
  for (const m of models) wanted.set(m.hostPort, { owner: m.container, what: `${m.name}'s port` });
  if (!input.modelsOnly) {
    wanted.set(LITELLM_PORT, { owner: 'vllm-litellm-proxy', what: "LiteLLM's port", gatewayOnly: true });
    const ports = nginxPorts(env);
    wanted.set(ports.https, { owner: 'vllm-nginx-proxy', what: 'NGINX HTTPS port (NGINX_HTTPS_PORT)', gatewayOnly: true });
    wanted.set(ports.http, { owner: 'vllm-nginx-proxy', what: 'NGINX HTTP port (NGINX_HTTP_PORT)', gatewayOnly: true });
  }
  const published = dockerUp ? await engine.publishedPorts() : new Map<number, string>();
  const isPortFree = input.isPortFree ?? portFree;
  for (const [port, { owner, what, gatewayOnly }] of wanted) {
    const holder = published.get(port);
    const base = { id: `port-${port}`, title: `Port ${port}`, ...(gatewayOnly ? { gatewayOnly } : {}) };
    if (holder === owner) add({ ...base, status: 'ok', detail: `${what}: already served by ${owner}` });
    else if (holder !== undefined) add({ ...base, status: 'fail', detail: `${what} ${port} is taken by container ${holder}`, fix: `Stop it (docker stop ${holder}) or change the port` });
    else if (await isPortFree(port)) add({ ...base, status: 'ok', detail: `${what}: free` });
    else add({ ...base, status: 'fail', detail: `${what} ${port} is in use by another program`, fix: `Stop the program listening on ${port} (\`ss -ltnp 'sport = :${port}'\` shows it)${what.includes('NGINX') ? ', or set another port in .env' : ''}` });
  }

  if (dockerUp) {
    // A container of the same name from another folder (another copy of the stack, a hand-made
    // `docker run`) would make compose fail half-way, after other models already started.
    const owned: { container: string; dir: string; gatewayOnly?: true }[] = models.map((m) => ({ container: m.container, dir: path.join(stack.root, m.folder) }));
    if (!input.modelsOnly) for (const g of GATEWAY_SERVICES) owned.push({ container: g.container, dir: path.join(stack.root, g.folder), gatewayOnly: true });
    for (const { container, dir, gatewayOnly } of owned) {
      const state = await engine.container(container);
      const tag = gatewayOnly ? { gatewayOnly } : {};
      if (state && state.projectDir !== undefined && path.resolve(state.projectDir) !== path.resolve(dir)) {
        add({ ...tag, id: `container-${container}`, title: `Container ${container}`, status: 'fail', detail: `${container} already exists, started from ${state.projectDir} (not this stack)`, fix: `Stop it there (docker compose down in ${state.projectDir}) or remove it (docker rm -f ${container})` });
      } else if (state && state.projectDir === undefined) {
        add({ ...tag, id: `container-${container}`, title: `Container ${container}`, status: 'fail', detail: `${container} already exists and was not started by docker compose`, fix: `Remove it (docker rm -f ${container})` });
      }
    }
    const modelRefs = (await Promise.all(models.map((m) => composeImageRefs(path.join(stack.root, m.folder, composeFileFor(input.variant)))))).flat();
    const modelImages = new Set(modelRefs.map((r) => r.image));
    const gatewayRefs = input.modelsOnly ? [] : (await gatewayImageRefs(stack.root)).filter((r) => !modelImages.has(r.image));
    const overridden = (image: string) => [...modelRefs, ...gatewayRefs].some((r) => r.image === image && r.overriddenBy);
    // In parallel: each pull check may wait for a registry that does not answer.
    const checked = await Promise.all([
      ...[...modelImages].map((image) => imageCheck(engine, image, input.backend, overridden(image))),
      ...gatewayRefs.map(async (r) => ({ ...(await imageCheck(engine, r.image, input.backend, overridden(r.image))), gatewayOnly: true })),
    ]);
    for (const check of checked) add(check);
  }

  return { checks, ok: checks.every((c) => c.status !== 'fail'), createNetwork };
}

/** Present and usable for https://localhost: both files, and the certificate names localhost. */
export function certificateCheck(stackRoot: string): CheckResult {
  const { certFile, keyFile } = certPaths(stackRoot);
  const missing = [certFile, keyFile].filter((f) => !existsSync(f));
  if (missing.length > 0) {
    return { id: 'certs', title: 'Certificates', status: 'fail', detail: `${missing.map((f) => path.relative(stackRoot, f)).join(' and ')} missing`, fix: 'Run `spark-gateway certs`' };
  }
  try {
    const cert = new X509Certificate(readFileSync(certFile));
    if (cert.checkHost('localhost') === undefined) {
      return { id: 'certs', title: 'Certificates', status: 'fail', detail: `${path.relative(stackRoot, certFile)} is not valid for localhost`, fix: 'Run `spark-gateway certs --force` (the old pair is kept)' };
    }
    if (Date.parse(cert.validTo) < Date.now()) {
      return { id: 'certs', title: 'Certificates', status: 'fail', detail: `${path.relative(stackRoot, certFile)} expired on ${cert.validTo}`, fix: 'Run `spark-gateway certs --force` (the old pair is kept)' };
    }
    return { id: 'certs', title: 'Certificates', status: 'ok', detail: `valid for localhost until ${cert.validTo}` };
  } catch (error) {
    return { id: 'certs', title: 'Certificates', status: 'fail', detail: `${path.relative(stackRoot, certFile)} cannot be read: ${messageOf(error)}`, fix: 'Run `spark-gateway certs --force` (the old pair is kept)' };
  }
}

/**
 * The images of the gateway's compose files (LiteLLM, Redis, PostgreSQL, NGINX), one per image,
 * resolved as compose resolves them (an override in .env names its variable).
 */
export async function gatewayImageRefs(stackRoot: string): Promise<ComposeImage[]> {
  const refs = (await Promise.all(gatewayProjects(stackRoot).map((p) => composeImageRefs(path.join(p.dir, 'docker-compose.yml'))))).flat();
  return refs.filter((r, i) => refs.findIndex((o) => o.image === r.image) === i);
}

/**
 * One image: present; or missing but pullable (a warning: the start pulls it); or missing and not
 * pullable (a failure: compose would stop half-way). Pre-flight and doctor both use it, so a row
 * the doctor shows green never becomes a start's refusal.
 */
export async function imageCheck(engine: Engine, image: string, backend: Backend, overridden = false): Promise<CheckResult> {
  const base = { id: `image-${image}`, title: `Image ${image}` };
  if (await engine.imageExists(image)) return { ...base, status: 'ok', detail: 'present' };
  const isVllmImage = /vllm/.test(image);
  // The simulator runs under the pinned vLLM tags; an image chosen by a variable is pulled.
  if (backend === 'simulator' && isVllmImage && !overridden) {
    return { ...base, status: 'fail', detail: `${image} is missing (the simulator backend runs the simulator under this tag)`, fix: 'Run `bash simulator/build-image.sh` in the Spark Gateway repository or in the installed extension folder' };
  }
  const reason = await engine.imagePullable(image, AbortSignal.timeout(15_000));
  if (reason === undefined) return { ...base, status: 'warn', detail: 'not present; the start pulls it first (this can take a while)' };
  return { ...base, status: 'fail', detail: `${image} is not present and cannot be pulled: ${reason}`, fix: `Pull or load it (docker pull ${image}, or docker load from a saved copy)` };
}

/** True when nothing listens on `port` on the loopback address compose publishes on. */
export function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'EACCES'));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
