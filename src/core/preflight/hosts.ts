/**
 * The pre-flight of another host: the same checks a start runs on this machine (engine, network,
 * ports, containers, images, memory), asked of that host's engine for the models placed there —
 * its memory is its own (`docker info` MemTotal), its ports are checked on its cluster address.
 * The stack-wide checks (.env, HF_TOKEN, certificates) run once, on the main host.
 */
import type { CheckResult } from '../checks';
import type { Cancellation } from '../process/cancellation';
import type { Engine } from '../compose/engine';
import type { Backend, PreflightReport } from './preflight';
import { preflight } from './preflight';
import type { ComposeVariant, HostSpec, ScenarioSpec } from '../scenarios/file';
import type { Stack } from '../stack/discovery';
import type { HostProbe } from '../compose/hosts';
import { hostDockerArgs, probeHost, remotePortFree } from '../compose/hosts';

export interface HostPreflightInput {
  readonly stack: Stack;
  readonly host: HostSpec;
  /** The part of the scenario placed on `host` (`scenarioOnHost`). */
  readonly scenario: ScenarioSpec;
  readonly variant: ComposeVariant;
  readonly backend: Backend;
  readonly engine: Engine;
  readonly cancellation?: Cancellation;
  /** A probe made already (e.g. by `hosts`); probed here when absent. */
  readonly probe?: HostProbe;
}

/** Stack-wide checks, already in the main host's report. */
const STACK_WIDE = new Set(['env', 'hf-token', 'certs']);

/** Runs the checks on `host`; every check is tagged with the host. Never throws for a failed check. */
export async function hostPreflight(input: HostPreflightInput): Promise<PreflightReport> {
  const { host } = input;
  const probe = input.probe ?? (await probeHost(host, { cancellation: input.cancellation }));
  const tag = (check: CheckResult): CheckResult => ({ ...check, id: `${host.name}:${check.id}`, title: `${check.title} on ${host.name}`, host: host.name });
  if (!probe.reachable) {
    return { checks: [tag({ id: 'docker', title: 'Docker', status: 'fail', detail: `${probe.reach}: ${probe.reason ?? 'not reachable'}`, fix: probe.fix })], ok: false, createNetwork: false };
  }
  const address = host.address;
  const report = await preflight({
    stack: input.stack,
    scenario: input.scenario,
    variant: input.variant,
    backend: input.backend,
    modelsOnly: true,
    engine: input.engine,
    totalBytes: probe.memTotalBytes ?? 0,
    // Something else answering on the host's address and port would take the server's place.
    isPortFree: (port) => (address === undefined ? Promise.resolve(true) : remotePortFree(address, port)),
    cancellation: input.cancellation,
  });
  const checks = report.checks.filter((c) => !STACK_WIDE.has(c.id)).map((c) => tag(imageFix(c, host)));
  return { checks, ok: checks.every((c) => c.status !== 'fail'), createNetwork: report.createNetwork };
}

/** A missing image on another host is copied from this machine, where it was built or pulled. */
function imageFix(check: CheckResult, host: HostSpec): CheckResult {
  if (!check.id.startsWith('image-') || check.status !== 'fail') return check;
  const image = check.id.slice('image-'.length);
  return { ...check, fix: `Copy it there: docker save ${image} | docker ${hostDockerArgs(host).join(' ')} load (or pull it on ${host.name})` };
}
