// What both e2e runners (run-e2e.mjs on code-server, run-desktop.mjs on VS Code desktop) give the
// VS Code they start: seeded user settings and a workspace holding a copy of the repo's stack.
import * as fs from 'node:fs';
import * as path from 'node:path';

/** User settings of a throw-away profile: quiet, offline, trusted, chat usable without sign-in. */
export const USER_SETTINGS = {
  'update.mode': 'none',
  'update.showReleaseNotes': false,
  'telemetry.telemetryLevel': 'off',
  'telemetry.feedback.enabled': false,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'workbench.enableExperiments': false,
  'workbench.settings.enableNaturalLanguageSearch': false,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'security.workspace.trust.enabled': false,
  'chat.allowAnonymousAccess': true,
  'git.enabled': false,
  'git.openRepositoryInParentFolders': 'never',
  'npm.fetchOnlinePackageInfo': false,
  'typescript.disableAutomaticTypeAcquisition': true,
  'window.restoreWindows': 'none',
  // Servers the tests start on 127.0.0.1 would otherwise be auto-forwarded, each with a toast
  // ("Your application running on port … is available") that covers the chat input.
  'remote.autoForwardPorts': false,
};

/** Writes USER_SETTINGS as `<userDataDir>/User/settings.json`. */
export function seedUserSettings(/** @type {string} */ userDataDir) {
  fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  fs.writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify(USER_SETTINGS, null, 2));
}

/**
 * Copies `<repo>/stack` to `<workspace>/stack` (without secrets, certificates, node_modules).
 * The copy's .env.example sets HF_CACHE_DIR to `hfCache`, so the model containers the suites start
 * mount that folder, never the machine's ~/.cache/huggingface: the simulator writes its emulated
 * download there, and a model left in the machine's cache makes later runs skip the download.
 */
export function copyStack(/** @type {string} */ repo, /** @type {string} */ workspace, /** @type {string} */ hfCache) {
  const source = path.join(repo, 'stack');
  if (!fs.existsSync(path.join(source, 'scenarios.yaml'))) throw new Error(`${source}/scenarios.yaml is missing: the workspace needs the repo's stack`);
  fs.cpSync(source, path.join(workspace, 'stack'), {
    recursive: true,
    filter: (src) => !/(^|\/)(\.env|ssl|node_modules|\.spark-gateway-template)$/.test(src),
  });
  fs.mkdirSync(hfCache, { recursive: true });
  fs.appendFileSync(path.join(workspace, 'stack', '.env.example'), `\n# The e2e run's own Hugging Face cache, never the machine's\nHF_CACHE_DIR=${hfCache}\n`);
}
