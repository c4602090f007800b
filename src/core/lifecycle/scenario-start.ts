/**
 * Starting a scenario: the seed's manual steps 1–9 as one cancellable sequence — pre-flight
 * (all checks before anything starts), the network, the models with the scenario's memory
 * fractions, waiting until they are healthy, LiteLLM (with Redis and PostgreSQL), NGINX, and an
 * end-to-end check through NGINX with the stack's certificate trusted. Cancelling kills the
 * running `docker compose` and stops waiting; containers already started stay as they are, so
 * `status` shows exactly where the start stopped and `down` cleans up.
 *
 * Across hosts (scenarios.yaml `hosts:`): each model runs from its compose file against its
 * host's engine, published on that host's cluster address with vLLM's API key; every host is
 * checked before anything starts, and the gateway (LiteLLM, NGINX, Redis, PostgreSQL) stays on
 * this machine, its LiteLLM config listing one deployment per placement.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { certPaths } from '../certs';
import type { Cancellation } from '../process/cancellation';
import { throwIfCancelled } from '../process/cancellation';
import type { ComposeCli } from '../compose/commands';
import { UP, composeCommand, composeFileFor, gatewayProjects, memoryEnvFor, modelUp } from '../compose/commands';
import { detectCompose } from '../compose/detect';
import type { Engine } from '../compose/engine';
import { liveEngine } from '../compose/live-engine';
import { createDockerClient } from '../docker/client';
import type { DockerClient } from '../docker/types';
import { dockerContainerSource } from '../memory/docker-source';
import { checkScenarioMemory, memoryCheckResult } from '../memory/preflight';
import { readMemorySnapshot, systemMemorySources } from '../memory/read';
import type { LineSink, ProcessCommand } from '../process/run';
import { commandLine, runProcess } from '../process/run';
import { readStackEnvSync } from '../stack/env';

import { readMemInfo } from '../meminfo';
import { findScenario } from '../planner';
import type { Backend, PreflightReport } from '../preflight/preflight';
import { PreflightError, preflight } from '../preflight/preflight';
import { engineFor, placementComposeEnv } from '../compose/hosts';
import { hostPreflight } from '../preflight/hosts';
import { resolvePlacements, scenarioHosts, scenarioOnHost } from '../scenarios/placement';
import { MAIN_HOST } from '../scenarios/hosts';
import type { ComposeVariant, HostSpec } from '../scenarios/file';
import type { Stack } from '../stack/discovery';
import { GATEWAY_SERVICES, requireWritableStack } from '../stack/discovery';
import { checkGateway } from './gateway-check';
import { updateLiteLlmConfig } from './litellm-config';
import type { ImagePuller } from '../docker/pull';
import { createImagePuller } from '../docker/pull';
import { throttledProgressWriter } from '../progress/progress-file';
import type { PhaseProgress } from '../progress/progress';
import { planFirstStart, runFirstStart } from './first-start';
import { waitUntilReady } from './health-wait';
import { startImages } from './scenario-images';
import { NETWORK, nginxPorts } from '../stack/layout';

export type StartPhase = 'preflight' | 'network' | 'pull' | 'download' | 'models' | 'health' | 'gateway' | 'nginx' | 'check';

export interface StartProgress {
  readonly phase: StartPhase;
  readonly message: string;
  /** Set for per-model progress while waiting for health. */
  readonly model?: string;
  /** Bytes of the pull or download under way (one figure for all images, all weights). */
  readonly bytes?: PhaseProgress;
}

export interface StartInput {
  readonly stack: Stack;
  readonly scenario: string;
  /** Default: the scenario's own variant. */
  readonly variant?: ComposeVariant;
  readonly backend: Backend;
  /** Only the model servers (no LiteLLM, NGINX, end-to-end check). */
  readonly modelsOnly?: boolean;
  /** The window's (or process's) Docker client; one is made when absent. */
  readonly docker?: DockerClient;
  /** The main host's engine. */
  readonly engine?: Engine;
  /** The engine of another host (default: the `docker` CLI with that host's DOCKER_HOST / context). */
  readonly hostEngine?: (host: HostSpec) => Engine;
  readonly compose?: ComposeCli;
  /** Memory to plan against (the planner only); default: the live memory check of the Memory view. */
  readonly totalBytes?: number;
  /** Compose output, line by line (an output channel, a terminal). */
  readonly sink?: LineSink;
  readonly onProgress?: (progress: StartProgress) => void;
  /** The pre-flight's checks, as soon as they ran (before any compose output, and on a refusal too). */
  readonly onPreflight?: (report: PreflightReport) => void;
  readonly cancellation?: Cancellation;
  /** How long models may take to become healthy (default: 20 min for vLLM, 3 min for the simulator). */
  readonly healthTimeoutMs?: number;
  /** Pulls the images (default: the Engine API of the engine the Docker CLI uses). */
  readonly puller?: ImagePuller;
  /** The environment compose and the Hub client see (default: this process's). */
  readonly env?: NodeJS.ProcessEnv;
}

export interface StartResult {
  readonly report: PreflightReport;
  readonly models: readonly string[];
  /** Wall time of each phase, in order (the start-up benchmark reads these). */
  readonly phases: readonly { phase: StartPhase; ms: number }[];
  /** The gateway URL checked end to end, when the gateway was started. */
  readonly gatewayUrl?: string;
}

/**
 * Starts a scenario. Throws {@link PreflightError} (nothing changed) when a check fails,
 * `CancelledError` when cancelled, and a `SparkError` naming the service that failed otherwise.
 */
export async function startScenario(input: StartInput): Promise<StartResult> {
  const { stack, backend } = input;
  requireWritableStack(stack);
  const scenario = findScenario(stack.scenarios, input.scenario);
  const variant = input.variant ?? scenario.variant;
  const docker = input.docker ?? createDockerClient();
  const engine = input.engine ?? liveEngine(docker);
  const modelsOnly = input.modelsOnly ?? false;
  const placed = resolvePlacements(stack.scenarios, scenario);
  // This machine's part of the scenario: what its pre-flight, downloads and memory check cover.
  const local = scenarioOnHost(scenario, MAIN_HOST);
  const models = placed.filter((p) => p.host.main).map((p) => p.model);
  const allNames = [...scenario.models.keys()];
  const otherHosts = scenarioHosts(stack.scenarios, scenario).filter((h) => !h.main);
  const engineOf = (host: HostSpec) => (host.main ? engine : (input.hostEngine?.(host) ?? engineFor(host, engine)));
  const phases: { phase: StartPhase; ms: number }[] = [];
  const progress = (phase: StartPhase, message: string, model?: string) => input.onProgress?.({ phase, message, model });
  const timed = async <T>(phase: StartPhase, message: string, work: () => Promise<T>): Promise<T> => {
    throwIfCancelled(input.cancellation);
    progress(phase, message);
    const started = performance.now();
    const result = await work();
    phases.push({ phase, ms: performance.now() - started });
    return result;
  };
  const run = (cmd: ProcessCommand, host?: HostSpec) => {
    input.sink?.(`$ ${host && !host.main ? `[${host.name}] ` : ''}${commandLine(cmd)}${cmd.cwd ? `   (in ${cmd.cwd})` : ''}`, 'stdout');
    return runProcess(cmd, { sink: input.sink, cancellation: input.cancellation });
  };

  const env = input.env ?? process.env;
  const networksToCreate: HostSpec[] = [];
  const puller = input.puller ?? createImagePuller(env);
  const { report, firstStart } = await timed('preflight', 'Pre-flight checks', async () => {
    const totalBytes = input.totalBytes ?? (await readMemInfo()).totalBytes;
    // Live memory (available now, models already running) unless the caller fixed the total.
    const memoryCheck = input.totalBytes === undefined
      ? async () => memoryCheckResult(checkScenarioMemory(stack.scenarios, local, await readMemorySnapshot(stack.scenarios, systemMemorySources(dockerContainerSource(docker)))), { simulator: backend === 'simulator' })
      : undefined;
    // Every host at once: each may wait on its SSH connection.
    const [main, ...others] = await Promise.all([
      preflight({ stack, scenario: local, variant, backend, modelsOnly, engine, totalBytes, memoryCheck, cancellation: input.cancellation }),
      ...otherHosts.map((host) => hostPreflight({ stack, host, scenario: scenarioOnHost(scenario, host.name), variant, backend, engine: engineOf(host), cancellation: input.cancellation })),
    ]);
    const checks: PreflightReport = { checks: [main, ...others].flatMap((r) => r?.checks ?? []), ok: [main, ...others].every((r) => r?.ok), createNetwork: main?.createNetwork ?? false };
    networksToCreate.push(...otherHosts.filter((_, i) => others[i]?.createNetwork));
    if (!checks.ok) return { report: checks, firstStart: undefined };
    // The images and weights this start still needs, checked against the disk: a refusal here is
    // still a pre-flight refusal (nothing has started), with the numbers and what to delete.
    progress('preflight', 'Checking images, weights and disk space');
    return { report: checks, firstStart: await planFirstStart({ stack, models, images: await startImages(stack, models, variant, modelsOnly, env), backend, puller, processEnv: env, cancellation: input.cancellation }) };
  });
  if (!firstStart) {
    input.onPreflight?.(report);
    throw new PreflightError(report);
  }
  const checked: PreflightReport = { ...report, checks: [...report.checks, ...firstStart.checks], ok: firstStart.checks.every((c) => c.status !== 'fail') };
  input.onPreflight?.(checked);
  if (!checked.ok) throw new PreflightError(checked);
  const compose = input.compose ?? (await detectCompose());

  if (report.createNetwork) await timed('network', `Creating network ${NETWORK}`, () => engine.createNetwork(NETWORK));
  for (const host of networksToCreate) await timed('network', `Creating network ${NETWORK} on ${host.name}`, () => engineOf(host).createNetwork(NETWORK));

  let phase: StartPhase | undefined;
  // Other processes (`status`, the tree of a window) read the figure from a progress file.
  const recorder = throttledProgressWriter(stack.root);
  const names = models.map((m) => m.name);
  await runFirstStart(firstStart, puller, {
    cancellation: input.cancellation,
    onProgress: (bytes, detail) => {
      recorder.record(bytes.phase === 'pull' ? names : models.filter((m) => m.hfModel === detail).map((m) => m.name), bytes);
      const now: StartPhase = bytes.phase === 'pull' ? 'pull' : 'download';
      if (now !== phase) {
        phase = now;
        progress(now, now === 'pull' ? `Pulling ${firstStart.missingImages.join(', ')}` : `Downloading the weights of ${models.map((m) => m.hfModel).join(', ')} into ${firstStart.context.cacheDir}`);
      }
      input.onProgress?.({ phase: now, message: bytes.text, model: detail, bytes });
    },
  }).finally(() => recorder.clear(names));

  const memoryEnv = memoryEnvFor(stack.scenarios, scenario);
  const apiKey = otherHosts.length > 0 ? (readStackEnvSync(stack.root).get('VLLM_API_KEY') ?? '') : '';
  const where = (host: HostSpec) => (host.main ? '' : ` on ${host.name}`);
  await timed('models', `Starting ${placed.map((p) => `${p.model.name}${where(p.host)}`).join(', ')}`, async () => {
    for (const { model, host, fraction } of placed) {
      progress('models', `Starting ${model.name}${where(host)} (memory fraction ${fraction})`, model.name);
      const cmd = modelUp(compose, stack.root, model, variant, memoryEnv);
      await run({ ...cmd, env: { ...cmd.env, ...placementComposeEnv(host, apiKey) } }, host);
    }
  });

  await timed('health', 'Waiting for the models to become healthy', () =>
    Promise.all([...new Set(placed.map((p) => p.host))].map((host) =>
      waitUntilReady(
        engineOf(host),
        placed.filter((p) => p.host === host).map(({ model: m }) => ({ name: m.name, container: m.container, readyUrl: `http://${host.address ?? '127.0.0.1'}:${m.hostPort}/health`, commandFile: path.join(stack.root, m.folder, composeFileFor(variant)) })),
        {
          timeoutMs: input.healthTimeoutMs ?? (backend === 'simulator' ? 180_000 : 20 * 60_000),
          cancellation: input.cancellation,
          onState: (target, state) => progress('health', `${target.name}${where(host)}: ${state}`, target.name),
        },
      ),
    )).then(() => undefined),
  );
  if (modelsOnly) return { report: checked, models: allNames, phases };

  const [litellm, nginx] = gatewayProjects(stack.root);
  const gatewayTargets = (names: readonly string[]) =>
    GATEWAY_SERVICES.filter((s) => names.includes(s.name)).map((s) => ({ name: s.name, container: s.container }));
  await timed('gateway', 'Starting LiteLLM (with Redis and PostgreSQL)', async () => {
    // One deployment per placement; a LiteLLM that runs already reads a changed file on restart.
    const wasRunning = (await engine.container(LITELLM_CONTAINER))?.status === 'running';
    const reconfigured = litellm ? await updateLiteLlmConfig(stack, scenario) : false;
    if (reconfigured) progress('gateway', `Updated litellm/config.yaml: ${allNames.map((n) => `${n} on ${placed.filter((p) => p.model.name === n).map((p) => p.host.name).join(' + ')}`).join(', ')}`);
    if (litellm) await run(composeCommand(compose, litellm.dir, 'docker-compose.yml', UP));
    if (litellm && reconfigured && wasRunning) await run(composeCommand(compose, litellm.dir, 'docker-compose.yml', ['restart', 'litellm']));
    await waitUntilReady(engine, gatewayTargets(['postgres', 'redis', 'litellm']), { timeoutMs: 300_000, cancellation: input.cancellation, onState: (t, s) => progress('gateway', `${t.name}: ${s}`) });
  });
  await timed('nginx', 'Starting NGINX', async () => {
    if (nginx) await run(composeCommand(compose, nginx.dir, 'docker-compose.yml', UP));
    await waitUntilReady(engine, gatewayTargets(['nginx']), { timeoutMs: 120_000, cancellation: input.cancellation, onState: (t, s) => progress('nginx', `${t.name}: ${s}`) });
  });

  const stackEnv = readStackEnvSync(stack.root);
  const gatewayUrl = `https://localhost:${nginxPorts(stackEnv).https}`;
  await timed('check', `Checking ${gatewayUrl} end to end`, () =>
    checkGateway(gatewayUrl, readFileSync(certPaths(stack.root).certFile), stackEnv.get('LITELLM_MASTER_KEY') ?? '', allNames),
  );
  return { report: checked, models: allNames, phases, gatewayUrl };
}

const LITELLM_CONTAINER = GATEWAY_SERVICES.find((s) => s.name === 'litellm')?.container ?? 'vllm-litellm-proxy';

