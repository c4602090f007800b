/** The local Docker engine for engine-level tests: images, networks, compose projects. */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { SIMULATOR_DIR } from './simulator';

let imageBuilt = false;

/** Builds the simulator image under the vLLM images' tags, once per test process (Docker caches it). */
export function ensureSimulatorImage(): void {
  if (imageBuilt) return;
  execFileSync('bash', [path.join(SIMULATOR_DIR, 'build-image.sh')], { stdio: 'pipe', timeout: 300_000 });
  imageBuilt = true;
}

/** Creates `vllm_network` when missing; returns whether this call created it (so it can remove it). */
export function ensureNetwork(name = 'vllm_network'): boolean {
  try {
    execFileSync('docker', ['network', 'inspect', name], { stdio: 'pipe' });
    return false;
  } catch {
    execFileSync('docker', ['network', 'create', name], { stdio: 'pipe' });
    return true;
  }
}

export function removeNetwork(name = 'vllm_network'): void {
  execFileSync('docker', ['network', 'rm', name], { stdio: 'pipe' });
}

/** `docker inspect` of one container, parsed. */
export function inspect(container: string): ContainerInspect {
  return (JSON.parse(execFileSync('docker', ['inspect', container], { encoding: 'utf8' })) as ContainerInspect[])[0] as ContainerInspect;
}

export interface ContainerInspect {
  Args: string[];
  State: { Status: string; StartedAt?: string; Health?: { Status: string; Log?: { ExitCode: number; Output: string }[] } };
  Config: { Image: string; Labels: Record<string, string> };
  HostConfig: { DeviceRequests?: { Driver: string; Count: number; DeviceIDs: string[] | null; Capabilities: string[][] }[] | null };
}

/** Runs `docker compose` in `dir` with an argument array; returns stdout. */
export function compose(dir: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): string {
  return execFileSync('docker', ['compose', ...args], { cwd: dir, env: { ...process.env, ...env }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000 });
}
