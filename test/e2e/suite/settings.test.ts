/** `sparkGateway.stackPath` is honoured: pointing it at another stack loads that one; clearing it goes back. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import YAML from 'yaml';
import { activatedApi, modelNames, waitFor, workspaceFolder } from './helpers';

const RENAMED_FROM = 'gpt-oss-20b';
const RENAMED_TO = 'e2e-renamed-20b';

/** Copies the workspace stack to `dest`, renaming one model (and the scenarios that use it). */
function copyStackWithRenamedModel(dest: string): void {
  const source = path.join(workspaceFolder().uri.fsPath, 'stack');
  fs.cpSync(source, dest, { recursive: true });
  const file = path.join(dest, 'scenarios.yaml');
  const doc = YAML.parse(fs.readFileSync(file, 'utf8')) as {
    models: { name: string }[];
    scenarios: { name: string; models: Record<string, number> }[];
  };
  const model = doc.models.find((m) => m.name === RENAMED_FROM);
  assert.ok(model, `the workspace stack has no model ${RENAMED_FROM}`);
  model.name = RENAMED_TO;
  for (const scenario of doc.scenarios) {
    scenario.models = Object.fromEntries(Object.entries(scenario.models).map(([name, fraction]) => [name === RENAMED_FROM ? RENAMED_TO : name, fraction]));
    if (scenario.name === RENAMED_FROM) scenario.name = RENAMED_TO;
  }
  fs.writeFileSync(file, YAML.stringify(doc));
}

suite('setting sparkGateway.stackPath', () => {
  let tmp = '';
  const config = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration('sparkGateway', workspaceFolder().uri);

  suiteSetup(async () => {
    await activatedApi();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spark-e2e-stack-'));
  });

  suiteTeardown(async () => {
    await config().update('stackPath', undefined, vscode.ConfigurationTarget.Workspace);
    const api = await activatedApi();
    await api.reload();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    fs.rmSync(path.join(workspaceFolder().uri.fsPath, 'e2e-alt-stack'), { recursive: true, force: true });
  });

  test('an absolute path to another stack is loaded', async () => {
    const api = await activatedApi();
    const alt = path.join(tmp, 'stack');
    copyStackWithRenamedModel(alt);
    await config().update('stackPath', alt, vscode.ConfigurationTarget.Workspace);
    await api.reload();
    await waitFor(`model ${RENAMED_TO} from ${alt}`, () => modelNames(api).includes(RENAMED_TO));
    assert.equal(api.stack()?.root, alt);
    assert.ok(!modelNames(api).includes(RENAMED_FROM));
  });

  test('a relative path is resolved against the first workspace folder', async () => {
    const api = await activatedApi();
    const alt = path.join(workspaceFolder().uri.fsPath, 'e2e-alt-stack');
    copyStackWithRenamedModel(alt);
    await config().update('stackPath', 'e2e-alt-stack', vscode.ConfigurationTarget.Workspace);
    await api.reload();
    await waitFor(`stack root ${alt}`, () => api.stack()?.root === alt);
    assert.ok(modelNames(api).includes(RENAMED_TO));
  });

  test('a path without scenarios.yaml leaves no stack loaded (the view shows why)', async () => {
    const api = await activatedApi();
    await config().update('stackPath', tmp, vscode.ConfigurationTarget.Workspace); // tmp holds stack/, not scenarios.yaml
    await api.reload();
    await waitFor('the stack to be unloaded', () => api.stack() === undefined);
  });

  test('clearing the setting goes back to the workspace stack', async () => {
    const api = await activatedApi();
    await config().update('stackPath', undefined, vscode.ConfigurationTarget.Workspace);
    await api.reload();
    const expected = path.join(workspaceFolder().uri.fsPath, 'stack');
    await waitFor(`stack root ${expected}`, () => api.stack()?.root === expected);
    assert.ok(modelNames(api).includes(RENAMED_FROM));
  });
});
