/**
 * `docker compose` commands described as data, composed from small functions: which CLI (v2
 * plugin or v1 binary), which project folder, which file (the scenario's variant), which action,
 * and which environment (the scenario's memory fractions). Nothing here runs anything.
 */
import * as path from 'node:path';
import type { ComposeVariant, ModelSpec, ScenarioFile, ScenarioSpec } from '../scenarios/file';
import type { ProcessCommand } from '../process/run';

/** How compose is invoked here: `docker compose …` (v2) or `docker-compose …` (v1). */
export interface ComposeCli {
  readonly command: string;
  readonly prefix: readonly string[];
  readonly version: 2 | 1;
}

export const COMPOSE_V2: ComposeCli = { command: 'docker', prefix: ['compose'], version: 2 };
export const COMPOSE_V1: ComposeCli = { command: 'docker-compose', prefix: [], version: 1 };

/** The compose file of a variant: the seed's two files per model folder. Pure. */
export function composeFileFor(variant: ComposeVariant): string {
  return variant === 'multi-gpu' ? 'docker-compose-gpu.yml' : 'docker-compose.yml';
}

/** `-f FILE` when it is not compose's default file name. Pure. */
export function fileArgs(file: string): string[] {
  return file === 'docker-compose.yml' ? [] : ['-f', file];
}

/**
 * The environment that passes a scenario's memory fractions to compose: each model's
 * `memoryEnv` set to its fraction (read by `--gpu-memory-utilization ${VAR:-default}`). Pure.
 */
export function memoryEnvFor(file: ScenarioFile, scenario: ScenarioSpec): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, fraction] of scenario.models) {
    const model = file.models.find((m) => m.name === name);
    if (model) env[model.memoryEnv] = String(fraction);
  }
  return env;
}

/** A compose command in a project folder. Pure. */
export function composeCommand(cli: ComposeCli, projectDir: string, composeFile: string, action: readonly string[], env?: Record<string, string>): ProcessCommand {
  return { command: cli.command, args: [...cli.prefix, ...fileArgs(composeFile), ...action], cwd: projectDir, env };
}

/** `up -d` — start (or keep) the project's services in the background. */
export const UP = ['up', '-d'] as const;
/** `stop` with a grace period: vLLM frees its memory on SIGTERM; a kill would not wait for it. */
export function stopAction(timeoutSeconds = 30): string[] {
  return ['stop', '--timeout', String(timeoutSeconds)];
}
/** `down` (containers and the project's default network; volumes such as the model cache stay). */
export function downAction(timeoutSeconds = 30): string[] {
  return ['down', '--timeout', String(timeoutSeconds)];
}

/** Starts one model with the scenario's fractions. Pure. */
export function modelUp(cli: ComposeCli, stackRoot: string, model: ModelSpec, variant: ComposeVariant, env: Record<string, string>): ProcessCommand {
  return composeCommand(cli, path.join(stackRoot, model.folder), composeFileFor(variant), UP, env);
}

/** Stops and removes one model's containers. Pure. */
export function modelDown(cli: ComposeCli, stackRoot: string, model: ModelSpec, variant: ComposeVariant): ProcessCommand {
  return composeCommand(cli, path.join(stackRoot, model.folder), composeFileFor(variant), downAction());
}

/** The gateway's two compose projects, in start order: LiteLLM (+ Redis, PostgreSQL), then NGINX. */
export function gatewayProjects(stackRoot: string): readonly { name: string; dir: string }[] {
  return [
    { name: 'litellm', dir: path.join(stackRoot, 'litellm') },
    { name: 'nginx', dir: stackRoot },
  ];
}

/** `docker compose version` (or v1's) — used to detect which CLI works. Pure. */
export function versionCommand(cli: ComposeCli): ProcessCommand {
  return { command: cli.command, args: [...cli.prefix, 'version'] };
}
