/**
 * Stopping a scenario as the seed's step 10 does — NGINX first, then LiteLLM, then the models —
 * but only what the scenario started: its own models, and the gateway only when no other model
 * of the stack is still running (the gateway serves those too). `docker compose down` stops
 * gracefully (SIGTERM, then a timeout) and keeps volumes, so the model cache survives.
 * A model on another host is stopped on that host's engine; a host that cannot be reached is
 * reported (with the fix) and the rest is stopped all the same.
 */
import * as path from 'node:path';
import type { Cancellation } from '../process/cancellation';
import type { ComposeCli } from '../compose/commands';
import { composeCommand, downAction, gatewayProjects, modelDown } from '../compose/commands';
import { detectCompose } from '../compose/detect';
import type { Engine } from '../compose/engine';
import { liveEngine } from '../compose/live-engine';
import { createDockerClient } from '../docker/client';
import type { LineSink, ProcessCommand } from '../process/run';
import { commandLine, runProcess } from '../process/run';
import { findScenario } from '../planner';
import type { Placement } from '../scenarios/placement';
import { placements } from '../scenarios/placement';
import type { HostProbe } from '../compose/hosts';
import { engineFor, onHost, probeHost } from '../compose/hosts';
import type { HostSpec } from '../scenarios/file';
import type { Stack } from '../stack/discovery';
import { GATEWAY_SERVICES, requireWritableStack } from '../stack/discovery';

export interface StopInput {
  readonly stack: Stack;
  /** Undefined: every model and the gateway. */
  readonly scenario?: string;
  /** The main host's engine. */
  readonly engine?: Engine;
  /** The engine of another host (default: the `docker` CLI with that host's DOCKER_HOST / context). */
  readonly hostEngine?: (host: HostSpec) => Engine;
  readonly compose?: ComposeCli;
  readonly sink?: LineSink;
  readonly onProgress?: (message: string) => void;
  readonly cancellation?: Cancellation;
}

export interface StopResult {
  /** Services stopped, in order. */
  readonly stopped: readonly string[];
  /** Models of other scenarios that keep running (and why the gateway stayed up). */
  readonly keptRunning: readonly string[];
  readonly gatewayStopped: boolean;
  /** The gateway runs after the stop (kept for the other models); false when it was not running. */
  readonly gatewayKept: boolean;
  /** Other hosts that could not be reached: what runs there was left as it is. */
  readonly unreachable: readonly HostProbe[];
}

/** Stops a scenario (or everything); see the module comment for what is stopped. */
export async function stopScenario(input: StopInput): Promise<StopResult> {
  const { stack } = input;
  requireWritableStack(stack);
  const engine = input.engine ?? liveEngine(createDockerClient());
  await engine.ping();
  const scenario = input.scenario === undefined ? undefined : findScenario(stack.scenarios, input.scenario);
  const file = stack.scenarios;
  const engineOf = (host: HostSpec) => (host.main ? engine : (input.hostEngine?.(host) ?? engineFor(host, engine)));
  // Another host is probed once: an unreachable one is reported, not waited on for each model.
  const unreachable: HostProbe[] = [];
  const reachable: HostSpec[] = [];
  for (const host of file.hosts) {
    if (host.main) reachable.push(host);
    else {
      const probe = await probeHost(host, { cancellation: input.cancellation });
      if (probe.reachable) reachable.push(host);
      else unreachable.push(probe);
    }
  }
  // What to stop: the scenario's placements, or every model on every host.
  const ours: Placement[] = scenario ? placements(scenario) : reachable.flatMap((h) => file.models.map((m) => ({ model: m.name, host: h.name, fraction: m.defaultFraction })));
  const isOurs = (model: string, host: string) => ours.some((p) => p.model === model && p.host === host);
  const others: string[] = [];
  for (const host of reachable) {
    for (const model of file.models) {
      if (isOurs(model.name, host.name)) continue;
      const state = await engineOf(host).container(model.container);
      if (state && state.status !== 'exited' && state.status !== 'dead' && state.status !== 'created') others.push(host.main ? model.name : `${model.name} on ${host.name}`);
    }
  }
  const compose = input.compose ?? (await detectCompose());
  const run = (cmd: ProcessCommand, host?: HostSpec) => {
    input.sink?.(`$ ${host && !host.main ? `[${host.name}] ` : ''}${commandLine(cmd)}${cmd.cwd ? `   (in ${cmd.cwd})` : ''}`, 'stdout');
    return runProcess(cmd, { sink: input.sink, cancellation: input.cancellation });
  };
  const stopped: string[] = [];
  const gatewayStopped = others.length === 0;
  // Progress and result speak of the gateway only when it runs: "keeping the gateway" for a gateway that is not there would mislead.
  const gatewayRunning = (await Promise.all(GATEWAY_SERVICES.map((s) => engine.container(s.container)))).some((s) => s?.status === 'running');
  if (gatewayStopped) {
    // NGINX, then LiteLLM's project (LiteLLM, Redis, PostgreSQL): the reverse of the start order.
    for (const project of [...gatewayProjects(stack.root)].reverse()) {
      const services = GATEWAY_SERVICES.filter((s) => path.join(stack.root, s.folder) === project.dir);
      const present = (await Promise.all(services.map((s) => engine.container(s.container)))).some((s) => s !== undefined);
      if (!present) continue;
      input.onProgress?.(`Stopping ${services.map((s) => s.label).join(', ')}`);
      await run(composeCommand(compose, project.dir, 'docker-compose.yml', downAction()));
      stopped.push(...services.map((s) => s.name));
    }
  } else if (gatewayRunning) {
    input.onProgress?.(`Keeping the gateway: ${others.join(', ')} still use${others.length === 1 ? 's' : ''} it`);
  }
  for (const placement of [...ours].reverse()) {
    const host = reachable.find((h) => h.name === placement.host);
    const model = file.models.find((m) => m.name === placement.model);
    if (!host || !model || (await engineOf(host).container(model.container)) === undefined) continue;
    const label = host.main ? model.name : `${model.name} on ${host.name}`;
    input.onProgress?.(`Stopping ${label}`);
    await run(onHost(modelDown(compose, stack.root, model, scenario?.variant ?? 'spark'), host), host);
    stopped.push(label);
  }
  for (const probe of unreachable) input.onProgress?.(`Not stopped on ${probe.host} (not reachable: ${probe.reason}) — fix: ${probe.fix}`);
  return { stopped, keptRunning: others, gatewayStopped, gatewayKept: !gatewayStopped && gatewayRunning, unreachable };
}
