/**
 * The servers tree: the stack the extension loaded, rendered by the extension's tree provider, shows
 * the groups Gateway and Model servers with one row per model. (The UI suite checks the drawn tree.)
 */
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { hostServiceRows } from '../../../src/core/stack/services';
import { classifyDockerError } from '../../../src/core/docker/errors';
import { SshDialError } from '../../../src/core/docker/ssh-dial';
import { parseScenarioFile } from '../../../src/core/scenarios/file';
import type { HostState } from '../../../src/core/state/hosts-state';
import { ServersTree } from '../../../src/vscode/serversTree';
import { activatedApi, EXTENSION_ID } from './helpers';

function label(item: vscode.TreeItem): string {
  const l = item.label;
  return typeof l === 'string' ? l : (l?.label ?? '');
}

/** A scenario placing gpt-oss-20b on the main host and spark-2 (appended to the workspace stack's scenarios). */
const SPREAD = `
  - name: spread
    variant: spark
    models:
      gpt-oss-20b: { fraction: 0.25, hosts: [local, spark-2] }
`;

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
      tree.show(hostServiceRows(stack));
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

  test('with other hosts, one row per host (how reached, memory) over its services; an unreachable host shows its reason and fix', async () => {
    const api = await activatedApi();
    const stack = api.stack();
    assert.ok(stack, 'the extension has no stack loaded');
    const text = `hosts:\n  - name: spark-2\n    docker: ssh://root@10.231.7.2\n    address: 10.231.7.2\n  - name: spark-3\n    docker: sg-spark3\n    address: 10.231.8.2\n`;
    const withHosts = parseScenarioFile(readFileSync(stack.scenarios.file, 'utf8').replace(/^models:/m, `${text}models:`) + SPREAD, stack.scenarios.file);
    const layout = hostServiceRows({ ...stack, scenarios: withHosts });
    const endpoint = { source: 'test', url: 'ssh://root@10.231.7.2', modemOptions: { host: undefined } };
    const info = { name: 'spark-2', memTotalBytes: 128 * 2 ** 30, cpus: 20, serverVersion: '28.0.0' };
    const hosts: HostState[] = [
      { name: 'local', main: true, endpoint, reach: 'this machine', connection: { status: 'connected' }, synced: true, info, services: [] },
      { name: 'spark-2', main: false, endpoint, address: '10.231.7.2', reach: 'ssh://root@10.231.7.2', connection: { status: 'connected' }, synced: true, info, services: [] },
      { name: 'spark-3', main: false, endpoint, address: '10.231.8.2', reach: 'Docker context "sg-spark3"', connection: { status: 'unreachable', error: classifyDockerError(new SshDialError('ssh: connect to host 10.231.8.2 port 22: Connection refused\n', 255), { source: 'context "sg-spark3"', url: 'ssh://root@10.231.8.2', modemOptions: { host: '10.231.8.2', protocol: 'ssh', username: 'root' } }) as Error, retryInMs: 1000 }, synced: false, services: [] },
    ];
    const tree = new ServersTree();
    try {
      tree.show(layout);
      tree.update([{ kind: 'model', name: 'gpt-oss-20b', host: 'spark-2', container: 'vllm-gpt-oss-20b', state: 'healthy', health: 'healthy', ports: [] }], false, hosts);
      const top = tree.getChildren();
      assert.deepEqual(top.map((n) => label(tree.getTreeItem(n))), ['local', 'spark-2', 'spark-3']);
      const [local, spark2, spark3] = top.map((n) => tree.getChildren(n));
      assert.deepEqual(local?.map((n) => label(tree.getTreeItem(n))), ['Gateway', 'Model servers']);
      assert.deepEqual(spark2?.map((n) => label(tree.getTreeItem(n))), ['gpt-oss-20b']);
      assert.match(String(tree.getTreeItem(spark2?.[0] ?? assert.fail()).description), /^healthy/);
      assert.equal(tree.getTreeItem(top[1] ?? assert.fail()).description, '128.0 GiB · ssh://root@10.231.7.2');
      assert.match(String(tree.getTreeItem(top[2] ?? assert.fail()).description), /^unreachable/);
      const problem = tree.getTreeItem(spark3?.[0] ?? assert.fail());
      assert.equal(label(problem), 'the SSH server of ssh://root@10.231.8.2 (context "sg-spark3") refused the connection');
      assert.match(String(problem.description), /^Start the SSH server on 10\.231\.8\.2/);
      assert.equal(problem.command?.command, 'sparkGateway.fixHost');
    } finally {
      tree.dispose();
    }
  });

  test('the view can be focused', async () => {
    await vscode.commands.executeCommand('sparkGateway.servers.focus');
  });
});
