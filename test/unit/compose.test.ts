import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { CancelledError } from '../../src/core/process/cancellation';
import { COMPOSE_V1, COMPOSE_V2, composeCommand, downAction, memoryEnvFor, modelUp } from '../../src/core/compose/commands';
import { detectCompose } from '../../src/core/compose/detect';
import { ProcessFailedError, runProcess } from '../../src/core/process/run';
import { parseScenarioFile } from '../../src/core/scenarios/file';
import { scenariosYaml } from '../support/fixtures';

const file = parseScenarioFile(scenariosYaml(), 'scenarios.yaml');

describe('compose commands as data', () => {
  it("passes the scenario's fractions in each model's memoryEnv", () => {
    const both = file.scenarios.find((s) => s.name === 'both');
    assert.ok(both);
    const env = memoryEnvFor(file, both);
    for (const [name, fraction] of both.models) {
      const model = file.models.find((m) => m.name === name);
      assert.equal(env[model?.memoryEnv ?? ''], String(fraction));
    }
  });

  it('uses docker-compose-gpu.yml with -f for multi-gpu and the default file for spark', () => {
    const model = file.models[0];
    assert.ok(model);
    const spark = modelUp(COMPOSE_V2, '/stack', model, 'spark', { X: '1' });
    assert.deepEqual([spark.command, ...spark.args], ['docker', 'compose', 'up', '-d']);
    assert.equal(spark.cwd, `/stack/${model.folder}`);
    assert.deepEqual(spark.env, { X: '1' });
    const gpu = modelUp(COMPOSE_V1, '/stack', model, 'multi-gpu', {});
    assert.deepEqual([gpu.command, ...gpu.args], ['docker-compose', '-f', 'docker-compose-gpu.yml', 'up', '-d']);
  });

  it('stops gracefully with a timeout and keeps volumes', () => {
    const down = composeCommand(COMPOSE_V2, '/stack', 'docker-compose.yml', downAction(30));
    assert.deepEqual(down.args, ['compose', 'down', '--timeout', '30']);
    assert.ok(!down.args.includes('--volumes'));
  });

  it('detects compose v2 first and falls back to v1 only when v2 fails', async () => {
    const tried: string[] = [];
    const v1Only = await detectCompose(async (cmd) => {
      tried.push(cmd.command);
      if (cmd.command === 'docker') throw new Error("docker: 'compose' is not a docker command");
      return { code: 0, stdout: 'docker-compose version 1.29.2', stderr: '' };
    });
    assert.equal(v1Only, COMPOSE_V1);
    assert.deepEqual(tried, ['docker', 'docker-compose']);
    assert.equal(await detectCompose(async () => ({ code: 0, stdout: '', stderr: '' })), COMPOSE_V2);
  });
});

describe('process runner', () => {
  it('passes arguments as an array: nothing is interpreted by a shell', async () => {
    const result = await runProcess({ command: 'printf', args: ['%s|', '$(echo no)', 'a b', ';ls'] });
    assert.equal(result.stdout, '$(echo no)|a b|;ls|');
  });

  it('streams lines to the sink and puts stderr in the error', async () => {
    const lines: string[] = [];
    await assert.rejects(
      runProcess({ command: 'sh', args: ['-c', 'echo one; echo two; echo broken >&2; exit 3'] }, { sink: (l) => lines.push(l) }),
      (error: unknown) => {
        assert.ok(error instanceof ProcessFailedError);
        assert.equal(error.code, 3);
        assert.match(error.stderr, /broken/);
        assert.match(error.message, /exit 3.*broken/);
        return true;
      },
    );
    assert.deepEqual(lines, ['one', 'two', 'broken']);
  });

  it('kills the whole process tree on cancel', async () => {
    const controller = new AbortController();
    let grandchild = 0;
    const running = runProcess(
      { command: 'sh', args: ['-c', 'sleep 30 & echo $!; wait'] },
      { cancellation: controller.signal, sink: (line) => {
        grandchild = Number(line);
        controller.abort();
      } },
    );
    await assert.rejects(running, CancelledError);
    assert.ok(grandchild > 0);
    await new Promise((r) => setTimeout(r, 200));
    // Gone, or a zombie waiting for a PID 1 that does not reap (containers): either way not running.
    const state = existsSync(`/proc/${grandchild}/stat`) ? readFileSync(`/proc/${grandchild}/stat`, 'utf8').split(') ')[1]?.[0] : 'gone';
    assert.ok(state === 'gone' || state === 'Z', `the grandchild is still running (state ${state})`);
  });

  it('accepts a VS Code-shaped cancellation token', async () => {
    let listener: (() => unknown) | undefined;
    const token = { isCancellationRequested: false, onCancellationRequested: (l: () => unknown) => ((listener = l), { dispose: () => undefined }) };
    const running = runProcess({ command: 'sleep', args: ['30'] }, { cancellation: token });
    setTimeout(() => listener?.(), 100);
    await assert.rejects(running, CancelledError);
  });

  it('names a program that is not installed', async () => {
    await assert.rejects(runProcess({ command: 'no-such-program-xyz', args: [] }), /no-such-program-xyz is not installed/);
  });
});
