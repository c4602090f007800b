/**
 * The gateway as this window sees it: the client built from the settings, the key (SecretStorage
 * when the user set one, else the stack's .env) and the stack's certificate; the model list and
 * probe results cached briefly so the picker and `@spark` do not hit the gateway on every call.
 */
import * as vscode from 'vscode';
import type { Cancellation } from '../../core/process/cancellation';
import type { ModelAvailability } from '../../core/gateway/client';
import { GatewayClient } from '../../core/gateway/client';
import { resolveGatewayConfig } from '../../core/gateway/config';
import type { GatewayModel } from '../../core/gateway/models';
import type { Stack } from '../../core/stack/discovery';
import { readSetting } from '../settings';

export const GATEWAY_KEY_SECRET = 'sparkGateway.gatewayKey';
/** Models and probes are re-read after this long; a change event refreshes sooner. */
const CACHE_MS = 30_000;

interface Cached<T> {
  readonly at: number;
  readonly value: Promise<T>;
}

export class GatewaySession implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when the client must be rebuilt or the model list re-read (settings, key, stack). */
  readonly onDidChange = this.changed.event;
  private current: GatewayClient | undefined;
  private modelList: Cached<GatewayModel[]> | undefined;
  private probes: Cached<ModelAvailability[]> | undefined;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(private readonly secrets: vscode.SecretStorage, private readonly stack: () => Stack | undefined) {
    this.subscriptions.push(
      this.changed,
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('sparkGateway.gatewayUrl') || e.affectsConfiguration('sparkGateway.stackPath')) this.invalidate();
      }),
      secrets.onDidChange((e) => {
        if (e.key === GATEWAY_KEY_SECRET) this.invalidate();
      }),
      // Trusting the folder lets its settings count: the URL (and with it the key's destination) may change.
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.invalidate()),
    );
  }

  /** Forgets the client and the caches, and tells listeners (the model picker) to re-read. */
  invalidate(): void {
    this.current?.dispose();
    this.current = undefined;
    this.modelList = undefined;
    this.probes = undefined;
    this.changed.fire();
  }

  /**
   * The window's stack was (re)loaded: a client or model list made before — the model picker can
   * ask while the stack is still being read, just after activation — may name the wrong gateway
   * or CA, so they are dropped and the picker re-reads. Nothing made yet: nothing to do (the
   * gateway is not asked on the picker's behalf).
   */
  stackChanged(): void {
    if (this.current || this.modelList || this.probes) this.invalidate();
  }

  /** Forgets the cached model list and probes only (a model server came or went). */
  refreshModels(): void {
    this.modelList = undefined;
    this.probes = undefined;
    this.changed.fire();
  }

  /**
   * The client; throws a SparkError (no key, bad URL, plain http to another machine, missing CA)
   * with its fix. The key saved with Set Gateway Key goes only to the gateway the user's trusted
   * settings name (see {@link storedKeyAllowed}); the client's transport refuses any other origin.
   */
  async client(): Promise<GatewayClient> {
    if (this.current) return this.current;
    const url = readSetting('gatewayUrl');
    const stored = await this.secrets.get(GATEWAY_KEY_SECRET);
    const stackRoot = this.stack()?.root;
    const key = stored && storedKeyAllowed(vscode.workspace.isTrusted, url) ? stored : undefined;
    const config = resolveGatewayConfig({ ...(stackRoot ? { stackRoot } : {}), ...(url ? { url } : {}), ...(key ? { key } : {}) });
    this.current ??= new GatewayClient(config);
    return this.current;
  }

  /** The gateway's models (cached for 30 s). */
  async models(cancellation?: Cancellation): Promise<GatewayModel[]> {
    if (!this.modelList || Date.now() - this.modelList.at > CACHE_MS) {
      const value = this.client().then((c) => c.models(cancellation));
      this.modelList = { at: Date.now(), value };
      value.catch(() => (this.modelList = undefined));
    }
    return this.modelList.value;
  }

  /** Each model's probe, in parallel (cached for 30 s). */
  async availability(cancellation?: Cancellation): Promise<ModelAvailability[]> {
    if (!this.probes || Date.now() - this.probes.at > CACHE_MS) {
      const value = Promise.all([this.client(), this.models(cancellation)]).then(([client, models]) => Promise.all(models.map((m) => client.probe(m.name, cancellation))));
      this.probes = { at: Date.now(), value };
      value.catch(() => (this.probes = undefined));
    }
    return this.probes.value;
  }

  dispose(): void {
    this.current?.dispose();
    for (const s of this.subscriptions) s.dispose();
  }
}

/**
 * Whether the stored key may be sent. In a trusted workspace the URL is the user's (gatewayUrl is
 * machine-scoped) or the trusted stack's own. In Restricted Mode only a URL from the user's own
 * settings gets it; otherwise the URL comes from the folder's `.env` (its NGINX port), which the
 * folder's author chose, and the folder's own LITELLM_MASTER_KEY is sent there instead.
 */
export function storedKeyAllowed(trusted: boolean, userUrl: string | undefined): boolean {
  return trusted || userUrl !== undefined;
}

/** `Spark Gateway: Set Gateway Key`: stores a key in SecretStorage (empty input removes it). */
export async function setGatewayKey(secrets: vscode.SecretStorage): Promise<void> {
  const value = await vscode.window.showInputBox({
    title: 'Spark Gateway key',
    prompt: 'The LiteLLM key the chat and the model picker send (empty: use LITELLM_MASTER_KEY from the stack\'s .env)',
    password: true,
    ignoreFocusOut: true,
    placeHolder: 'sk-…',
  });
  if (value === undefined) return;
  if (value.trim()) await secrets.store(GATEWAY_KEY_SECRET, value.trim());
  else await secrets.delete(GATEWAY_KEY_SECRET);
  void vscode.window.showInformationMessage(value.trim() ? 'Spark Gateway: key stored in VS Code\'s secret storage.' : 'Spark Gateway: stored key removed; the stack\'s .env key is used.');
}
