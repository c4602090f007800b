/**
 * The seed's troubleshooting table turned into checks a program can run, in the order a person
 * would debug: Docker, network, certificates, token and env, ports, images, each container,
 * LiteLLM, NGINX, a model through the gateway, memory headroom, then each other host (its
 * engine, network, images). Every row has a status and, when
 * something is wrong, the fix. Checks that depend on an earlier one are skipped, not failed, so
 * the first failure is the one to fix. The compose files' own rows (they parse, they ship no
 * known secret) hold on every stack, Docker or not.
 */
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import type { CheckResult } from '../checks';
import { certPaths } from '../certs';
import { composeFileFor } from '../compose/commands';
import type { Engine } from '../compose/engine';
import { parseDotEnv } from '../stack/env';
import { envSyncProblems } from '../sync-env';
import { SparkError } from '../errors';
import { httpsRequest } from '../lifecycle/gateway-check';
import type { MemInfo } from '../meminfo';
import { GIB, gib } from '../planner';
import { composeFileChecks, noImagesIfBroken, readableImageRefs } from './compose-files';
import type { HostToCheck } from './hosts';
import { runHostChecks } from './hosts';
import { workersCheck } from './litellm-workers';
import { certificateCheck, gatewayImageRefs, imageCheck, portFree } from '../preflight/preflight';
import type { Stack } from '../stack/discovery';
import { GATEWAY_SERVICES } from '../stack/discovery';
import { ENV_FILE, LITELLM_PORT, NETWORK, nginxPorts } from '../stack/layout';
import { isPlaceholderToken } from '../stack/env';

export interface DoctorInput {
  readonly stack: Stack;
  readonly engine: Engine;
  readonly memInfo: () => Promise<MemInfo>;
  readonly isPortFree?: (port: number) => Promise<boolean>;
  /** The machine's cores (default: what Node sees). */
  readonly cores?: number;
  /** The other hosts of scenarios.yaml's `hosts:`, each checked on its own engine. */
  readonly hosts?: readonly HostToCheck[];
}

/** Runs every check; never throws for a failed check (it is a row). */
export async function runDoctor(input: DoctorInput): Promise<CheckResult[]> {
  const { stack, engine } = input;
  const rows: CheckResult[] = [];
  const add = (row: CheckResult) => rows.push(row);
  const skip = (id: string, title: string, why: string) => add({ id, title, status: 'skip', detail: why });

  let dockerUp = true;
  try {
    await engine.ping();
    add({ id: 'docker', title: 'Docker reachable', status: 'ok', detail: 'the daemon answers' });
  } catch (error) {
    dockerUp = false;
    add({ id: 'docker', title: 'Docker reachable', status: 'fail', detail: messageOf(error), fix: error instanceof SparkError ? error.fix : 'Start Docker' });
  }

  if (dockerUp) {
    add((await engine.networkExists(NETWORK))
      ? { id: 'network', title: `Network ${NETWORK}`, status: 'ok', detail: 'present' }
      : { id: 'network', title: `Network ${NETWORK}`, status: 'fail', detail: `Network ${NETWORK} not found`, fix: `docker network create ${NETWORK} (or start a scenario, which creates it)` });
  } else skip('network', `Network ${NETWORK}`, 'Docker is not reachable');

  const certs = certificateCheck(stack.root);
  add({ ...certs, title: 'Certificates present and valid for localhost' });
  for (const row of composeFileChecks(stack.root)) add(row);

  const envFile = path.join(stack.root, ENV_FILE);
  let env: ReadonlyMap<string, string> = new Map();
  try {
    env = existsSync(envFile) ? parseDotEnv(readFileSync(envFile, 'utf8'), envFile).values : new Map();
    add(isPlaceholderToken(env.get('HF_TOKEN'))
      ? { id: 'hf-token', title: 'HF_TOKEN set', status: 'warn', detail: `HF_TOKEN is not set in ${envFile} (the models are public; gated repos and rate limits need it)`, fix: 'Set HF_TOKEN=hf_… in .env, then run `spark-gateway sync-env`' }
      : { id: 'hf-token', title: 'HF_TOKEN set', status: 'ok', detail: 'set (not shown)' });
    const config = path.join(stack.root, 'litellm', 'config.yaml');
    add(workersCheck(env.get('LITELLM_NUM_WORKERS'), input.cores ?? availableParallelism(), existsSync(config) ? readFileSync(config, 'utf8') : ''));
    const problems = await envSyncProblems(stack.root);
    add(problems.length === 0
      ? { id: 'env-sync', title: 'Environment synced', status: 'ok', detail: 'the per-folder .env files match .env' }
      : { id: 'env-sync', title: 'Environment synced', status: 'fail', detail: problems.join('; '), fix: 'Run `spark-gateway sync-env`' });
  } catch (error) {
    add({ id: 'env-sync', title: 'Environment synced', status: 'fail', detail: messageOf(error), fix: error instanceof SparkError ? error.fix : undefined });
  }

  const owners = new Map<number, string>();
  for (const m of stack.scenarios.models) owners.set(m.hostPort, m.container);
  owners.set(LITELLM_PORT, 'vllm-litellm-proxy');
  const ports = nginxPorts(env);
  owners.set(ports.https, 'vllm-nginx-proxy');
  owners.set(ports.http, 'vllm-nginx-proxy');
  const published = dockerUp ? await engine.publishedPorts() : new Map<number, string>();
  const isPortFree = input.isPortFree ?? portFree;
  for (const [port, owner] of owners) {
    const holder = published.get(port);
    const base = { id: `port-${port}`, title: `Port ${port}` };
    if (holder === owner) add({ ...base, status: 'ok', detail: `used by ${owner}` });
    else if (holder !== undefined) add({ ...base, status: 'fail', detail: `taken by container ${holder} (${owner} needs it)`, fix: `docker stop ${holder}, or change the port` });
    else if (await isPortFree(port)) add({ ...base, status: 'ok', detail: 'free' });
    else add({ ...base, status: 'fail', detail: `in use by another program (${owner} needs it)`, fix: `Stop it: \`ss -ltnp 'sport = :${port}'\` shows which` });
  }

  const containers = new Map<string, Awaited<ReturnType<Engine['container']>>>();
  if (dockerUp) {
    const modelFiles = stack.scenarios.models.map((m) => path.join(stack.root, m.folder, composeFileFor('spark')));
    // The images in use, as compose resolves them (an override in .env shows with its variable).
    const refs = await readableImageRefs(modelFiles);
    const modelImages = new Set(refs.map((r) => r.image));
    for (const image of modelImages) {
      const from = refs.find((r) => r.image === image && r.overriddenBy)?.overriddenBy;
      const source = from ? `set by ${from}` : 'pinned default';
      add((await engine.imageExists(image))
        ? { id: `image-${image}`, title: `Image ${image}`, status: 'ok', detail: `present (${source})` }
        : { id: `image-${image}`, title: `Image ${image}`, status: 'warn', detail: `not present (${source}); compose pulls it on start, which needs the registry`, fix: 'spark-gateway pull' });
    }
    // The gateway's images as a start checks them: one that can be neither found nor pulled is
    // a failure here too, or the doctor would pass what the start then refuses.
    const gatewayRefs = (await gatewayImageRefs(stack.root).catch(noImagesIfBroken)).filter((r) => !modelImages.has(r.image));
    for (const check of await Promise.all(gatewayRefs.map((r) => imageCheck(engine, r.image, 'vllm', r.overriddenBy !== undefined)))) add(check);
    const all = [...GATEWAY_SERVICES.map((s) => ({ name: s.name, container: s.container })), ...stack.scenarios.models.map((m) => ({ name: m.name, container: m.container }))];
    for (const { name, container } of all) {
      const state = await engine.container(container);
      containers.set(container, state);
      const base = { id: `container-${name}`, title: `${name} (${container})` };
      if (!state) add({ ...base, status: 'skip', detail: 'not started' });
      else if (state.health === 'healthy' || (state.status === 'running' && state.health === undefined)) add({ ...base, status: 'ok', detail: state.health ?? state.status });
      else if (state.status === 'running' && state.health === 'starting') add({ ...base, status: 'warn', detail: 'starting (loading)', fix: `Wait, or follow it: spark-gateway logs ${name} -f` });
      else add({ ...base, status: 'fail', detail: state.status === 'exited' ? `exited (code ${state.exitCode})` : (state.health ?? state.status), fix: `Read its log: docker logs ${container}` });
    }
  }

  const running = (container: string) => containers.get(container)?.status === 'running';
  if (running('vllm-litellm-proxy')) {
    add(await probe('litellm', 'LiteLLM answering', async () => {
      const response = await fetch(`http://127.0.0.1:${LITELLM_PORT}/health/liveliness`, { signal: AbortSignal.timeout(5000) });
      await response.arrayBuffer();
      return response.ok ? undefined : `/health/liveliness answered ${response.status}`;
    }, 'docker logs vllm-litellm-proxy'));
  } else skip('litellm', 'LiteLLM answering', 'LiteLLM is not running (start a scenario)');

  const base = `https://localhost:${ports.https}`;
  const { certFile } = certPaths(stack.root);
  if (running('vllm-nginx-proxy') && certs.status === 'ok') {
    const ca = readFileSync(certFile);
    const nginxRow = await probe('nginx', 'NGINX answering over HTTPS', async () => {
      const answer = await httpsRequest(`${base}/health`, ca);
      return answer.status === 200 ? undefined : `${base}/health answered ${answer.status} (502: LiteLLM or a model is down)`;
    }, 'Check `docker ps` and docker logs vllm-nginx-proxy');
    add(nginxRow);
    if (nginxRow.status === 'ok') {
      add(await probe('model', 'A model answering through the gateway', async () => {
        const auth = { authorization: `Bearer ${env.get('LITELLM_MASTER_KEY') ?? ''}` };
        const list = await httpsRequest(`${base}/v1/models`, ca, { headers: auth });
        if (list.status === 401) return '401 Unauthorized: the key does not match LITELLM_MASTER_KEY';
        const ids = ((JSON.parse(list.body) as { data?: { id: string }[] }).data ?? []).map((m) => m.id);
        const model = stack.scenarios.models.find((m) => ids.includes(m.name) && running(m.container));
        if (!model) return 'No models available (no model container is running)';
        const chat = await httpsRequest(`${base}/v1/chat/completions`, ca, { headers: auth, json: { model: model.name, messages: [{ role: 'user', content: 'ping' }], max_tokens: 1 }, timeoutMs: 60_000 });
        return chat.status === 200 ? undefined : `${model.name} answered ${chat.status} through the gateway`;
      }, 'Run `spark-gateway sync-env`, check `docker ps`, or start a scenario'));
    }
  } else {
    skip('nginx', 'NGINX answering over HTTPS', running('vllm-nginx-proxy') ? 'the certificate is not usable' : 'NGINX is not running (start a scenario)');
    skip('model', 'A model answering through the gateway', 'NGINX is not answering');
  }

  const mem = await input.memInfo();
  const reserve = stack.scenarios.reserveGiB * GIB;
  add(mem.availableBytes >= reserve
    ? { id: 'memory', title: 'Memory headroom', status: 'ok', detail: `${gib(mem.availableBytes)} available of ${gib(mem.totalBytes)}` }
    : { id: 'memory', title: 'Memory headroom', status: 'warn', detail: `only ${gib(mem.availableBytes)} available of ${gib(mem.totalBytes)} (reserve ${gib(reserve)})`, fix: "Stop a model, or drop the page cache: sudo sh -c 'sync; echo 3 > /proc/sys/vm/drop_caches'" });
  if (input.hosts && input.hosts.length > 0) rows.push(...(await runHostChecks(stack, input.hosts)));
  return rows;
}

async function probe(id: string, title: string, check: () => Promise<string | undefined>, fix: string): Promise<CheckResult> {
  try {
    const problem = await check();
    return problem === undefined ? { id, title, status: 'ok', detail: 'answers' } : { id, title, status: 'fail', detail: problem, fix };
  } catch (error) {
    return { id, title, status: 'fail', detail: messageOf(error), fix };
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
