/**
 * Spark Gateway's settings, read with workspace trust in mind. A folder's `.vscode/settings.json`
 * comes with the folder: in Restricted Mode it must not choose where the gateway key goes or which
 * folder is read as the stack, so settings that carry a URL or a path are read from the user's
 * (and the machine's) settings only until the folder is trusted. package.json declares the same:
 * each such setting is in `capabilities.untrustedWorkspaces.restrictedConfigurations`, and
 * `gatewayUrl` has `scope: machine` (a workspace never sets it; a test checks the two agree).
 */
import * as vscode from 'vscode';

export type SettingName = 'stackPath' | 'gatewayUrl' | 'chatModel';

/**
 * Each setting's kind: `restricted` ones (a URL, a path, where the key is sent) ignore workspace
 * values in Restricted Mode; `machine` is package.json's scope (VS Code ignores workspace values
 * for it always).
 */
export const SETTINGS: Readonly<Record<SettingName, { readonly restricted: boolean; readonly scope?: 'machine' | 'resource' | 'window' }>> = {
  // A folder path: which stack the window reads (its .env, its key and certificate).
  stackPath: { restricted: true, scope: 'resource' },
  // Where the chat and the model picker send the key: the user's choice, never a folder's.
  gatewayUrl: { restricted: true, scope: 'machine' },
  // A model name the gateway already knows: no destination, any folder may choose it.
  chatModel: { restricted: false },
};

/**
 * A setting's value, trimmed (undefined when empty). In a trusted workspace it is the value VS
 * Code resolves; in Restricted Mode a restricted setting's workspace and folder values are
 * ignored: the user's value, else the default.
 */
export function readSetting(name: SettingName): string | undefined {
  const config = vscode.workspace.getConfiguration('sparkGateway');
  if (SETTINGS[name].restricted && !vscode.workspace.isTrusted) {
    const inspected = config.inspect<string>(name);
    return clean(inspected?.globalValue ?? inspected?.defaultValue);
  }
  return clean(config.get<string>(name));
}

function clean(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}
