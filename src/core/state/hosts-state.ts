/**
 * The stack's services across hosts: one {@link StackStateModel} per host's Docker engine (the
 * main host with the gateway and the models placed on it, every other host with its models),
 * each following its own event stream and reconnecting on its own with back-off. A host that
 * cannot be reached is reported as such, with its error and fix, while the others keep updating.
 * With no `hosts:` in scenarios.yaml there is one host, the main one, and this is the single
 * state model it always was.
 */
import { createDockerClientFor } from '../docker/client';
import type { DockerEndpoint } from '../docker/endpoint';
import { unreachableDockerClient } from '../docker/unreachable';
import { hostEndpoint, hostReach } from '../docker/host-endpoint';
import type { HostSpec } from '../scenarios/file';
import type { Stack } from '../stack/discovery';
import type { DockerClient, EngineInfo } from '../docker/types';
import type { ModelLoad } from '../metrics/vllm';
import { fetchModelLoad } from '../metrics/vllm';
import type { ServiceRow } from '../stack/services';
import { hostServiceRows } from '../stack/services';
import type { ServiceStatus } from './service-state';
import type { Connection, StackStateOptions } from './stack-state';
import { StackStateModel } from './stack-state';

/** One host as the composition needs it. */
export interface HostEngine {
  /** The host's name in scenarios.yaml (the main host's default name when there is no `hosts:`). */
  readonly name: string;
  /** The main host runs the gateway; the welcome views follow its engine. */
  readonly main: boolean;
  readonly endpoint: DockerEndpoint;
  /** The services placed on this host (the main host's include the gateway's). */
  readonly rows: readonly ServiceRow[];
  /** The address its model servers publish their ports on (the cluster link); loopback when unset. */
  readonly address?: string;
  /** How it is reached, in words (`ssh://root@10.231.7.2`, `Docker context "sg-spark2"`). */
  readonly reach: string;
  /** Why its endpoint could not be resolved (a missing Docker context); its engine is then reported unreachable. */
  readonly endpointError?: Error;
}

/**
 * The hosts of a loaded stack with their rows and engines: the main host on `mainEndpoint` (the
 * window's or the CLI's own client), every other host through its `docker:` context or URL.
 */
export function stackHostEngines(stack: Stack, mainEndpoint: DockerEndpoint, resolve: (host: HostSpec) => DockerEndpoint = (host) => hostEndpoint(host)): HostEngine[] {
  return hostServiceRows(stack).map(({ host, rows }) => {
    const base = { name: host.name, main: host.main, rows, reach: hostReach(host), ...(host.address !== undefined ? { address: host.address } : {}) };
    if (host.main) return { ...base, endpoint: mainEndpoint };
    try {
      const endpoint = resolve(host);
      // hostEndpoint resolves a URL as DOCKER_HOST; messages should name where it really comes from.
      return { ...base, endpoint: endpoint.source === 'DOCKER_HOST' ? { ...endpoint, source: `host ${host.name} in scenarios.yaml` } : endpoint };
    } catch (error) {
      const url = host.docker ?? host.name;
      return { ...base, endpoint: { source: base.reach, url, modemOptions: { host: undefined } }, endpointError: error instanceof Error ? error : new Error(String(error)) };
    }
  });
}

/** `clientFor` of {@link HostsStateOptions} for the window and the CLI: `main` for the main host, a new client for each other one. */
export function hostClients(main: DockerClient): (spec: HostEngine) => DockerClient {
  return (spec) => (spec.main ? main : spec.endpointError ? unreachableDockerClient(spec.endpoint, spec.endpointError) : createDockerClientFor(spec.endpoint));
}

/** One host as views show it. */
export interface HostState {
  readonly name: string;
  readonly main: boolean;
  readonly endpoint: DockerEndpoint;
  readonly address?: string;
  readonly reach: string;
  readonly connection: Connection;
  /** True once its engine was read (until then its services say nothing certain). */
  readonly synced: boolean;
  /** The engine's machine (memory, CPUs), once it answered. */
  readonly info?: EngineInfo;
  /** Its services, each with `host` set. */
  readonly services: readonly ServiceStatus[];
}

export interface HostsStateOptions {
  /** The Docker client of a host (the window's own client for the main host). */
  readonly clientFor: (spec: HostEngine) => DockerClient;
  /** Options of every host's state model (`fetchLoad` is given the host's address). */
  readonly state?: Omit<StackStateOptions, 'fetchLoad'> & { readonly fetchLoad?: (hostPort: number, address: string) => Promise<ModelLoad> };
}

interface Host {
  spec: HostEngine;
  readonly docker: DockerClient;
  readonly model: StackStateModel;
  info?: EngineInfo;
  /** The error of the last one-shot read ({@link HostsStateModel.syncOnce}), which has no event loop to report it. */
  oneShotError?: Error;
  readonly subscription: { dispose(): void };
}

export class HostsStateModel {
  private hostList: Host[] = [];
  private readonly listeners = new Set<() => void>();
  private running = false;
  private metricsWatches: { dispose(): void }[][] = [];

  constructor(
    specs: readonly HostEngine[],
    private stackRoot: string,
    private readonly options: HostsStateOptions,
  ) {
    this.hostList = specs.map((spec) => this.create(spec));
  }

  /** Every host, the main one first. */
  get hosts(): readonly HostState[] {
    return this.hostList.map((h) => this.stateOf(h));
  }

  /** The main host's state model (the window's welcome views and freshness benchmark follow it). */
  get main(): StackStateModel | undefined {
    return this.hostList.find((h) => h.spec.main)?.model;
  }

  /** All services of all hosts, main host first, each with `host`. */
  get services(): readonly ServiceStatus[] {
    return this.hostList.flatMap((h) => this.stateOf(h).services);
  }

  /** The main host's connection (what "Docker is unreachable" means for the window). */
  get connection(): Connection {
    return this.main?.connection ?? { status: 'connecting' };
  }

  /** True once the main host's engine was read. */
  get synced(): boolean {
    return this.main?.synced ?? false;
  }

  /** Resolves once the main host's engine was read; the other hosts report on their own. */
  whenSynced(): Promise<void> {
    return this.main?.whenSynced() ?? Promise.resolve();
  }

  /** The Docker client of the named host (for container actions and logs on that host). */
  clientOf(host: string): DockerClient | undefined {
    return this.hostList.find((h) => h.spec.name === host)?.docker;
  }

  /** Called after any host's services, connection or engine info changed. */
  onDidChange(listener: () => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** Starts following every host's engine. Idempotent. */
  start(): void {
    if (this.running) return;
    this.running = true;
    for (const host of this.hostList) host.model.start();
  }

  /**
   * Replaces the hosts (scenarios.yaml was reloaded): a host with the same name and endpoint keeps
   * its engine connection and only gets its new rows; others are created or closed.
   */
  setHosts(specs: readonly HostEngine[], stackRoot: string): void {
    this.stackRoot = stackRoot;
    const next: Host[] = [];
    const kept = new Set<Host>();
    for (const spec of specs) {
      const same = this.hostList.find((h) => h.spec.name === spec.name && h.spec.endpoint.url === spec.endpoint.url && h.spec.address === spec.address && !kept.has(h));
      if (same) {
        kept.add(same);
        same.spec = spec;
        same.model.setRows(spec.rows, stackRoot);
        next.push(same);
      } else {
        const host = this.create(spec);
        if (this.running) host.model.start();
        next.push(host);
      }
    }
    for (const host of this.hostList) if (!kept.has(host)) this.close(host);
    this.hostList = next;
    // Metrics watches follow the hosts: re-taken on the new set.
    const demand = this.metricsWatches.length;
    this.metricsWatches.forEach((watches) => watches.forEach((w) => w.dispose()));
    this.metricsWatches = Array.from({ length: demand }, () => this.hostList.map((h) => h.model.watchMetrics()));
    this.notify();
  }

  /** Asks every host's state model for `/metrics` of its healthy models until disposed. */
  watchMetrics(): { dispose(): void } {
    const watches = this.hostList.map((h) => h.model.watchMetrics());
    this.metricsWatches.push(watches);
    return {
      dispose: () => {
        const index = this.metricsWatches.indexOf(watches);
        if (index < 0) return;
        this.metricsWatches.splice(index, 1);
        watches.forEach((w) => w.dispose());
      },
    };
  }

  /**
   * Reads every host once without following events (the CLI). A host that cannot be reached does
   * not fail the others: its state says unreachable, with the error.
   */
  async syncOnce(): Promise<readonly HostState[]> {
    await Promise.all(this.hostList.map(async (host) => {
      try {
        await host.model.syncOnce();
        host.oneShotError = undefined;
        host.info = await host.docker.info().catch(() => host.info);
      } catch (error) {
        host.oneShotError = error instanceof Error ? error : new Error(String(error));
      }
    }));
    return this.hosts;
  }

  dispose(): void {
    this.running = false;
    this.metricsWatches.forEach((watches) => watches.forEach((w) => w.dispose()));
    this.metricsWatches = [];
    for (const host of this.hostList) this.close(host);
    this.hostList = [];
    this.listeners.clear();
  }

  private create(spec: HostEngine): Host {
    const docker = this.options.clientFor(spec);
    const fetchLoad = this.options.state?.fetchLoad;
    const model = new StackStateModel(spec.rows, this.stackRoot, docker, {
      ...this.options.state,
      // A model on another host answers /metrics on that host's cluster address.
      fetchLoad: (port) => (fetchLoad ? fetchLoad(port, host.spec.address ?? '127.0.0.1') : fetchModelLoad(port, undefined, host.spec.address)),
    });
    let wasConnected = false;
    const host: Host = {
      spec,
      docker,
      model,
      subscription: model.onDidChange(() => {
        const connected = model.connection.status === 'connected';
        // The engine's machine is read once per connection (it may be another machine after a reconnect).
        if (connected && !wasConnected) void this.readInfo(host);
        wasConnected = connected;
        this.notify();
      }),
    };
    return host;
  }

  private async readInfo(host: Host): Promise<void> {
    try {
      host.info = await host.docker.info();
      if (this.hostList.includes(host)) this.notify();
    } catch {
      // The event loop reports an engine that went away; the memory shown stays the last known.
    }
  }

  private close(host: Host): void {
    host.subscription.dispose();
    host.model.dispose();
  }

  private stateOf(host: Host): HostState {
    const { spec, model } = host;
    const connection: Connection = host.oneShotError ? { status: 'unreachable', error: host.oneShotError, retryInMs: 0 } : model.connection;
    return {
      name: spec.name,
      main: spec.main,
      endpoint: spec.endpoint,
      ...(spec.address !== undefined ? { address: spec.address } : {}),
      reach: spec.reach,
      connection,
      synced: model.synced && !host.oneShotError,
      ...(host.info ? { info: host.info } : {}),
      services: model.services.map((s) => ({ ...s, host: spec.name })),
    };
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }
}
