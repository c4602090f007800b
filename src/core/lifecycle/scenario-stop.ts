/**
 * Stopping a scenario as the seed's step 10 does — NGINX first, then LiteLLM, then the models —
 * but only what the scenario started: its own models, and the gateway only when no other model
 * of the stack is still running (the gateway serves those too). `docker compose down` stops
 * gracefully (SIGTERM, then a timeout) and keeps volumes, so the model cache survives.
 */
import * as path from 'node:path';
import type { Cancellation } from '../compose/cancellation';
import type { ComposeCli } from '../compose/commands';
import { composeCommand, downAction, gatewayProjects, modelDown } from '../compose/commands';
import { detectCompose } from '../compose/detect';
import type { Engine } from '../compose/engine';
import { liveEngine } from '../compose/live-engine';
import { createDockerClient } from '../docker/client';
import type { LineSink, ProcessCommand } from '../compose/process';
import { commandLine, runProcess } from '../compose/process';
import { findScenario } from '../planner';
import type { ModelSpec } from '../scenarios';
import type { Stack } from '../stack';
import { GATEWAY_SERVICES, requireWritableStack } from '../stack';

export interface StopInput {
  readonly stack: Stack;
  /** Undefined: every model and the gateway. */
  readonly scenario?: string;
  readonly engine?: Engine;
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
}

/** Stops a scenario (or everything); see the module comment for what is stopped. */
export async function stopScenario(input: StopInput): Promise<StopResult> {
  const { stack } = input;
  requireWritableStack(stack);
  const engine = input.engine ?? liveEngine(createDockerClient());
  await engine.ping();
  const scenario = input.scenario === undefined ? undefined : findScenario(stack.scenarios, input.scenario);
  const ours = scenario ? [...scenario.models.keys()] : stack.scenarios.models.map((m) => m.name);
  const models = ours.map((name) => stack.scenarios.models.find((m) => m.name === name)).filter((m): m is ModelSpec => m !== undefined);
  const others: string[] = [];
  for (const model of stack.scenarios.models) {
    if (ours.includes(model.name)) continue;
    const state = await engine.container(model.container);
    if (state && state.status !== 'exited' && state.status !== 'dead' && state.status !== 'created') others.push(model.name);
  }
  const compose = input.compose ?? (await detectCompose());
  const run = (cmd: ProcessCommand) => {
    input.sink?.(`$ ${commandLine(cmd)}${cmd.cwd ? `   (in ${cmd.cwd})` : ''}`, 'stdout');
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
  for (const model of [...models].reverse()) {
    if ((await engine.container(model.container)) === undefined) continue;
    input.onProgress?.(`Stopping ${model.name}`);
    await run(modelDown(compose, stack.root, model, scenario?.variant ?? 'spark'));
    stopped.push(model.name);
  }
  return { stopped, keptRunning: others, gatewayStopped, gatewayKept: !gatewayStopped && gatewayRunning };
}
