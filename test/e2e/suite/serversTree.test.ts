/**
 * The servers tree: the stack the extension loaded, rendered by the extension's tree provider, shows
 * the groups Gateway and Model servers with one row per model. (The UI suite checks the drawn tree.)
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { serviceRows } from '../../../src/core/services';
import { ServersTree } from '../../../src/vscode/serversTree';
import { activatedApi, EXTENSION_ID } from './helpers';

function label(item: vscode.TreeItem): string {
  const l = item.label;
  return typeof l === 'string' ? l : (l?.label ?? '');
}

suite('servers tree', () => {
  test('the view is contributed to the Spark Gateway activity bar container', () => {
    const contributes = vscode.extensions.getExtension(EXTENSION_ID)?.packageJSON.contributes;
    assert.ok(contributes.viewsContainers.activitybar.some((c: { id: string }) => c.id === 'sparkGateway'));
    assert.ok(contributes.views.sparkGateway.some((v: { id: string }) => v.id === 'sparkGateway.servers'));
  });

  test('groups Gateway and Model servers, with the models of the workspace stack', async () => {
    const api = await activatedApi();
    const stack = api.stack();
    assert.ok(stack, 'the extension has no stack loaded');
    const tree = new ServersTree();
    try {
      tree.show(serviceRows(stack));
      const groups = tree.getChildren();
      assert.deepEqual(groups.map((g) => label(tree.getTreeItem(g))), ['Gateway', 'Model servers']);
      const [gateway, models] = groups.map((g) => tree.getChildren(g).map((n) => label(tree.getTreeItem(n))));
      assert.deepEqual(gateway, ['PostgreSQL', 'Redis', 'LiteLLM', 'NGINX']);
      assert.deepEqual(models, stack.scenarios.models.map((m) => m.name));
      for (const name of ['gpt-oss-20b', 'gpt-oss-120b', 'qwen-30b']) assert.ok(models?.includes(name), `${name} missing from Model servers`);
    } finally {
      tree.dispose();
    }
  });

  test('the view can be focused', async () => {
    await vscode.commands.executeCommand('sparkGateway.servers.focus');
  });
});
