/**
 * A stand-in for the `vscode` module, enough for the bundled extension's activate() to run in
 * plain Node: what activation reads returns what a window would (the workspace folders given,
 * none by default; settings at their defaults, views hidden); everything else is a callable, constructible
 * no-op whose results are disposables. For measuring and inspecting activation, not for
 * behaviour (the e2e suites run the real VS Code).
 */
import Module from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';

type Anything = ((...args: unknown[]) => Anything) & Record<string | symbol, unknown>;

/** A value any property chain, call or `new` can be applied to; awaiting it yields undefined. */
function anything(): Anything {
  const cache = new Map<string | symbol, unknown>();
  const target = function noop() {
    return undefined;
  } as unknown as Anything;
  return new Proxy(target, {
    get(_, key) {
      if (key === 'then') return undefined;
      if (key === Symbol.iterator) return function* empty() {};
      if (key === Symbol.toPrimitive) return () => '';
      if (key === 'dispose') return () => undefined;
      if (!cache.has(key)) cache.set(key, anything());
      return cache.get(key);
    },
    apply: () => anything(),
    construct: () => anything(),
  });
}

const disposable = () => ({ dispose: () => undefined });

/** What the fake window holds: its workspace folders (absolute paths), its trust and settings. */
export interface FakeWindow {
  readonly workspaceFolders?: readonly string[];
  /** `workspace.isTrusted`; default true. Read on each access, so a test may change it. */
  readonly trusted?: boolean;
  /**
   * Settings by full key (`sparkGateway.gatewayUrl`) at the user and the workspace level, read on
   * each call: `inspect` reports both, `get` returns the workspace value over the user's (as VS
   * Code would without any trust filtering — the extension must do its own).
   */
  readonly settings?: { readonly user?: Readonly<Record<string, unknown>>; readonly workspace?: Readonly<Record<string, unknown>> };
}

function fakeConfiguration(options: FakeWindow, section: string) {
  const level = (which: 'user' | 'workspace', key: string) => options.settings?.[which]?.[section ? `${section}.${key}` : key];
  return {
    get: (key: string, fallback?: unknown) => level('workspace', key) ?? level('user', key) ?? fallback,
    has: (key: string) => level('workspace', key) !== undefined || level('user', key) !== undefined,
    inspect: (key: string) => ({ key: `${section}.${key}`, defaultValue: undefined, globalValue: level('user', key), workspaceValue: level('workspace', key), workspaceFolderValue: undefined }),
    update: async () => undefined,
  };
}

/** The fake module's exports. */
export function fakeVscode(options: FakeWindow = {}): Record<string, unknown> {
  const event = () => disposable();
  const base: Record<string, unknown> = {
    window: {
      createOutputChannel: () => ({ ...anything(), info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined, trace: () => undefined, appendLine: () => undefined, append: () => undefined, dispose: () => undefined }),
      createTreeView: () => ({ visible: false, onDidChangeVisibility: event, dispose: () => undefined, badge: undefined, message: undefined }),
      registerWebviewViewProvider: disposable,
      showInformationMessage: async () => undefined,
      showWarningMessage: async () => undefined,
      showErrorMessage: async () => undefined,
    },
    workspace: {
      workspaceFolders: options.workspaceFolders?.map((fsPath, index) => ({ uri: { fsPath, path: fsPath, scheme: 'file' }, name: fsPath.split('/').pop() ?? fsPath, index })),
      get isTrusted() {
        return options.trusted ?? true;
      },
      getConfiguration: (section = '') => fakeConfiguration(options, section),
      onDidChangeConfiguration: event,
      onDidChangeWorkspaceFolders: event,
      onDidGrantWorkspaceTrust: event,
      createFileSystemWatcher: () => ({ onDidChange: event, onDidCreate: event, onDidDelete: event, dispose: () => undefined }),
      registerTextDocumentContentProvider: disposable,
      asRelativePath: (p: string) => p,
    },
    commands: { registerCommand: disposable, executeCommand: async () => undefined, getCommands: async () => [] },
    chat: { createChatParticipant: () => ({ ...anything(), dispose: () => undefined }) },
    lm: { registerLanguageModelChatProvider: disposable, tools: [] },
    Disposable: Object.assign(function Disposable() {
      return disposable();
    }, { from: () => disposable() }),
    EventEmitter: class {
      readonly event = () => disposable();
      fire(): void {}
      dispose(): void {}
    },
  };
  const uri = (fsPath: string) => ({ fsPath, path: fsPath, scheme: 'file', toString: () => `file://${fsPath}` });
  base.Uri = { file: uri, joinPath: (b: { fsPath: string }, ...parts: string[]) => uri([b.fsPath, ...parts].join('/')), parse: (text: string) => uri(text.replace(/^file:\/\//, '')) };
  // Bundles copy the module's own properties at load time, so every name the extension uses must be one.
  for (const name of ['env', 'TreeItem', 'ThemeIcon', 'ThemeColor', 'TreeItemCollapsibleState', 'ProgressLocation', 'ViewColumn', 'MarkdownString', 'LanguageModelTextPart', 'LanguageModelToolCallPart', 'LanguageModelChatMessage', 'LanguageModelChatMessageRole', 'Range', 'Selection', 'ChatRequestTurn', 'ChatResponseTurn', 'ChatResponseMarkdownPart', 'CancellationTokenSource', 'LanguageModelError', 'extensions', 'languages', 'tasks', 'debug', 'tests', 'authentication', 'l10n', 'version']) {
    if (!(name in base)) base[name] = anything();
  }
  return base;
}

/** Makes `require('vscode')` return the fake from now on in this process; returns the fake. */
export function installFakeVscode(options: FakeWindow = {}): Record<string, unknown> {
  const fake = fakeVscode(options);
  const loader = Module as unknown as { _load: (request: string, parent: unknown, isMain: boolean) => unknown };
  const original = loader._load;
  loader._load = function load(request, parent, isMain) {
    return request === 'vscode' ? fake : original.call(this, request, parent, isMain);
  };
  return fake;
}

/** An ExtensionContext for `extensionPath` with in-memory state and secrets. */
export function fakeContext(extensionPath: string, globalStoragePath = path.join(os.tmpdir(), 'spark-fake-vscode-global-storage')): Record<string, unknown> {
  const memento = () => {
    const values = new Map<string, unknown>();
    return { get: (k: string, d?: unknown) => (values.has(k) ? values.get(k) : d), update: async (k: string, v: unknown) => void values.set(k, v), keys: () => [...values.keys()], setKeysForSync: () => undefined };
  };
  const secrets = new Map<string, string>();
  return {
    extensionPath,
    extensionUri: { fsPath: extensionPath, path: extensionPath, scheme: 'file' },
    globalStorageUri: { fsPath: globalStoragePath, path: globalStoragePath, scheme: 'file' },
    subscriptions: [] as { dispose(): unknown }[],
    globalState: memento(),
    workspaceState: memento(),
    secrets: { get: async (k: string) => secrets.get(k), store: async (k: string, v: string) => void secrets.set(k, v), delete: async (k: string) => void secrets.delete(k), onDidChange: () => disposable() },
    asAbsolutePath: (p: string) => `${extensionPath}/${p}`,
  };
}
