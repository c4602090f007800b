/**
 * Hostile names from scenarios.yaml, hosts, flags and the user's compose files: each is refused
 * where it enters (file:line and the fix; through the real CLI, dist/cli.js, a non-zero exit and no
 * stack trace), nothing is written or deleted, and what reaches `docker`, `ssh` or compose YAML
 * cannot be read as an option or add a key. The docker cases ask the real engine when one answers.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse } from 'yaml';
import { dockerCliEngine } from '../../src/core/compose/engine';
import type { DockerEndpoint } from '../../src/core/docker/endpoint';
import { FileFormatError, SparkError } from '../../src/core/errors';
import { hostTerminalLine } from '../../src/core/docker/terminal-line';
import { RESERVED_NAMES } from '../../src/core/inputs';
import type { VllmImages } from '../../src/core/stack/vllm-images';
import { containerCommand, renderModelCompose } from '../../src/core/stack/model-template';
import { progressFile } from '../../src/core/progress/progress-file';
import type { ModelSpec } from '../../src/core/scenarios/file';
import { loadScenarioFile, parseScenarioFile } from '../../src/core/scenarios/file';
import { GATEWAY_SERVICES } from '../../src/core/stack/discovery';
import { dockerCliContainers } from '../../src/core/stack-edit/remove-model';
import { nameTaken, uniqueModelName } from '../../src/core/stack-edit/names';
import { MODEL_A, hostsYaml, scenarioFileError, scenariosYaml } from '../support/fixtures';
import { copyGuide, treeDigest } from '../support/guide-copy';
import { REPO_ROOT, STACK_DIR } from '../support/processes';
import type { StackCopy } from '../support/stack-copy';
import { copyStack } from '../support/stack-copy';
import { snapshotTree } from '../support/tree-snapshot';

const CLI = path.join(REPO_ROOT, 'dist', 'cli.js');
const FILE = '/stack/scenarios.yaml';
const dockerAnswers = spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], { encoding: 'utf8' }).status === 0;
const needsDocker = dockerAnswers ? false : 'no Docker engine answers here';

/** Runs the built CLI with `args` in `cwd`; no stack from the environment. */
function cli(cwd: string, ...args: string[]): { code: number | null; out: string; err: string } {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd, env: { ...process.env, SPARK_GATEWAY_STACK: '' }, encoding: 'utf8' });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

/** The CLI's refusal: exit 1, one `spark-gateway:` line with the fix after ` — `, never a stack trace. */
function assertRefusal(result: { code: number | null; err: string }, problem: RegExp, fix: RegExp): void {
  assert.equal(result.code, 1, result.err);
  assert.doesNotMatch(result.err, /^\s+at /m, `no stack trace:\n${result.err}`);
  assert.match(result.err, problem);
  assert.match(result.err, new RegExp(` — .*${fix.source}`), result.err);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The line of `needle` (1-based) in `text`. */
function lineOf(text: string, needle: string): number {
  const index = text.indexOf(needle);
  assert.ok(index >= 0, needle);
  return text.slice(0, index).split('\n').length;
}

describe('hostile names in scenarios.yaml', () => {
  for (const folder of ['litellm', 'ssl', 'nginx', 'backup-2026', '../x', '--help', 'a b', '.hidden']) {
    test(`hostile: folder ${JSON.stringify(folder)} → refused on its line with the fix`, () => {
      const text = scenariosYaml().replace('folder: model-a', `folder: ${JSON.stringify(folder)}`);
      const error = scenarioFileError(text, FILE);
      assert.equal(error.line, lineOf(text, 'folder: '), error.message);
      assert.match(error.message, /folder/);
      assert.match(error.fix ?? '', /folder: model-a/);
    });
  }

  test('hostile: container "--help" → refused (it would be read as docker\'s option and look "not running")', () => {
    const text = scenariosYaml().replace('container: vllm-model-a', 'container: "--help"');
    const error = scenarioFileError(text, FILE);
    assert.equal(error.line, lineOf(text, 'container: "--help"'));
    assert.match(error.fix ?? '', /container: vllm-model-a/);
  });

  test('hostile: container vllm-litellm-proxy (the gateway\'s) → refused', () => {
    const error = scenarioFileError(scenariosYaml().replace('container: vllm-model-a', 'container: vllm-litellm-proxy'), FILE);
    assert.match(error.message, /stack's own/);
  });

  test('hostile: two models with one folder → refused (removing one would delete the other\'s files)', () => {
    const error = scenarioFileError(scenariosYaml().replace('folder: model-b', 'folder: model-a'), FILE);
    assert.match(error.message, /same folder "model-a"/);
  });

  for (const name of ['../x', 'Model-A', 'a\nb', '-x']) {
    test(`hostile: model name ${JSON.stringify(name)} → refused on its line`, () => {
      const text = scenariosYaml().replace('  - name: model-a\n    folder', `  - name: ${JSON.stringify(name)}\n    folder`);
      const error = scenarioFileError(text, FILE);
      assert.equal(error.line, lineOf(text, `name: ${JSON.stringify(name)}`));
      assert.match(error.fix ?? '', /lower-case/);
    });
  }

  for (const [field, from, value] of [
    ['hfModel', 'hfModel: org/model-a', 'a/../../x'],
    ['hfModel', 'hfModel: org/model-a', '-o/x'],
    ['hfModel', 'hfModel: org/model-a', 'org/.hidden'],
    ['memoryEnv', 'memoryEnv: MODEL_A_GPU_MEMORY_UTILIZATION', 'X}\nevil: 1'],
    ['memoryEnv', 'memoryEnv: MODEL_A_GPU_MEMORY_UTILIZATION', 'lower'],
    ['kvCacheDtype', 'kvCacheDtype: auto', '--trust-remote-code'],
  ] as const) {
    test(`hostile: ${field} ${JSON.stringify(value)} → refused on its line`, () => {
      const text = scenariosYaml().replace(from, `${field}: ${JSON.stringify(value)}`);
      const error = scenarioFileError(text, FILE);
      assert.equal(error.line, lineOf(text, `${field}: ${JSON.stringify(value)}`), error.message);
      assert.ok(error.fix, 'a fix');
    });
  }

  test('hostile: an extraArgs item with a newline → refused; ordinary flags pass', () => {
    const withArgs = (arg: string) => scenariosYaml().replace('    gpus: { multi-gpu: ["0", "1"] }\n', `    gpus: { multi-gpu: ["0", "1"] }\n    extraArgs: ["--max-num-seqs", ${JSON.stringify(arg)}]\n`);
    assert.deepEqual(parseScenarioFile(withArgs('64'), FILE).models[0]?.extraArgs, ['--max-num-seqs', '64']);
    assert.match(scenarioFileError(withArgs('64\n    evil: 1'), FILE).message, /control character/);
  });

  test('hostile: a GPU id "0\\"], evil: [\\"" → refused', () => {
    const error = scenarioFileError(scenariosYaml().replace('gpus: { multi-gpu: ["0", "1"] }', 'gpus: { multi-gpu: ["0\\"], evil: [\\"", "1"] }'), FILE);
    assert.match(error.message, /GPU id/);
  });

  test('hostile: scenario name "../all" → refused on its line', () => {
    const text = scenariosYaml().replace('  - name: both', '  - name: ../all');
    assert.equal(scenarioFileError(text, FILE).line, lineOf(text, 'name: ../all'));
  });

  for (const docker of ['ssh://-oProxyCommand=x@h', 'ssh://root@-oProxyCommand=x', 'ssh://ro%20ot@h', '-context']) {
    test(`hostile: host docker: ${docker} → refused on its line`, () => {
      const text = hostsYaml('      model-a: 0.2').replace('docker: ssh://root@10.231.7.2', `docker: "${docker}"`);
      const error = scenarioFileError(text, FILE);
      assert.equal(error.line, lineOf(text, `docker: "${docker}"`), error.message);
      assert.match(error.fix ?? '', /ssh:\/\/user@/);
    });
  }

  test('hostile: host name "-x" → refused', () => {
    assert.match(scenarioFileError(hostsYaml('      model-a: 0.2').replace('name: spark-2', 'name: "-x"'), FILE).message, /host name "-x"/);
  });

  test('the bundled stack and the test fixtures still load', async () => {
    assert.equal((await loadScenarioFile(path.join(STACK_DIR, 'scenarios.yaml'))).models.length, 3);
    assert.equal(parseScenarioFile(scenariosYaml(), FILE).models.length, 2);
    assert.equal(parseScenarioFile(hostsYaml('      model-a: { fraction: 0.2, hosts: [spark-2, spark-3] }'), FILE).hosts.length, 3);
  });
});

describe('hostile names through the real CLI', () => {
  let stack: StackCopy;
  before(() => {
    assert.ok(readFileSync(CLI).length > 0, 'npm run build first');
    stack = copyStack({ syncEnv: false, hfCache: false });
  });
  after(() => stack.remove());

  test('hostile: remove-model on a model with folder: litellm → refused with file:line and the fix, litellm/ and the whole tree byte-identical', () => {
    const file = path.join(stack.dir, 'scenarios.yaml');
    const original = readFileSync(file, 'utf8');
    const text = original.replace('    folder: gpt-oss-20b\n', '    folder: litellm\n');
    writeFileSync(file, text);
    try {
      const parent = path.dirname(stack.dir);
      const before = snapshotTree(parent);
      assert.ok(Object.keys(before).some((f) => f.startsWith('stack/litellm/')), 'the copy has litellm/');
      const result = cli(stack.dir, '--stack', stack.dir, 'remove-model', 'gpt-oss-20b');
      assertRefusal(result, new RegExp(`${escapeRegExp(file)}:${lineOf(text, 'folder: litellm')}: folder "litellm" is one of the stack's own folders`), /folder: gpt-oss-20b/);
      assert.deepEqual(snapshotTree(parent), before, 'no byte changed');
    } finally {
      writeFileSync(file, original);
    }
  });

  test('hostile: logs ../../etc → refused in one line with the fix, no stack trace', () => {
    assertRefusal(cli(stack.dir, '--stack', stack.dir, 'logs', '../../etc'), /logs: name "\.\.\/\.\.\/etc" must be lower-case/, /spark-gateway status/);
  });

  test('hostile: logs no-such-thing → one line naming the known models and services', () => {
    const result = cli(stack.dir, '--stack', stack.dir, 'logs', 'no-such-thing');
    assert.equal(result.code, 1);
    assert.doesNotMatch(result.err, /^\s+at /m);
    assert.match(result.err, /unknown model, service or container "no-such-thing" \(known: postgres, redis, litellm, nginx, gpt-oss-20b/);
  });

  test('hostile: adopt of a guide folder whose container_name is "--help" → refused naming the compose file and line, nothing changed', () => {
    const guide = copyGuide();
    try {
      const compose = path.join(guide.stack, 'gpt-oss-20b', 'docker-compose.yml');
      const text = readFileSync(compose, 'utf8').replace('container_name: vllm-gpt-oss-20b', 'container_name: "--help"');
      writeFileSync(compose, text);
      const before = treeDigest(guide.home);
      const result = cli(guide.stack, 'adopt');
      assertRefusal(result, new RegExp(`gpt-oss-20b/docker-compose\\.yml:${lineOf(text, 'container_name: "--help"')}: container "--help" must be`), /container_name: vllm-gpt-oss-20b, then adopt again/);
      assert.deepEqual(treeDigest(guide.home), before, 'nothing changed');
    } finally {
      guide.remove();
    }
  });
});

describe('names handed to docker and ssh', () => {
  test('hostile: container "--help" to the real docker CLI → "no such container", never docker\'s usage', { skip: needsDocker }, async () => {
    assert.equal(await dockerCliContainers().inspect('--help'), undefined);
    assert.equal(await dockerCliEngine().container('--help'), undefined);
    assert.match(await dockerCliEngine().logTail('--help', 1), /no such container/i);
    assert.equal(await dockerCliEngine().networkExists('--help'), false);
  });

  test('hostile: every name the engine hands to docker follows "--"', async () => {
    const seen: string[][] = [];
    const engine = dockerCliEngine(async (cmd) => {
      seen.push([...cmd.args]);
      return { code: 1, stdout: '', stderr: '' };
    });
    await engine.container('-x');
    await engine.logTail('-x', 5);
    await engine.networkExists('-x');
    await engine.imageExists('-x');
    await engine.imagePullable('-x');
    await engine.createNetwork('-x');
    for (const args of seen) assert.deepEqual(args.slice(-2), ['--', '-x'], args.join(' '));
    assert.equal(seen.length, 6);
  });

  test('hostile: an ssh endpoint user "-oProxyCommand=x" → no terminal line offered; a plain one is typed with "--"', () => {
    const ssh = (url: string, username: string | undefined, host: string, port?: number): DockerEndpoint => ({
      source: 'DOCKER_HOST',
      url,
      modemOptions: { protocol: 'ssh', host, username, ...(port !== undefined ? { port } : {}) },
    });
    assert.equal(hostTerminalLine(ssh('ssh://-oProxyCommand=x@h', '-oProxyCommand=x', 'h')), undefined);
    assert.equal(hostTerminalLine(ssh('ssh://me@-oX', 'me', '-oX')), undefined);
    assert.equal(hostTerminalLine(ssh('ssh://me@spark-2:2222', 'me', 'spark-2', 2222)), 'ssh -p 2222 -- me@spark-2');
    assert.equal(hostTerminalLine({ source: 'context "-x"', url: 'tcp://h:2375', modemOptions: { host: 'h' } }), undefined);
    assert.equal(hostTerminalLine({ source: 'context "spark"', url: 'tcp://h:2375', modemOptions: { host: 'h' } }), 'docker --context spark info');
    assert.equal(hostTerminalLine({ source: 'DOCKER_HOST', url: 'unix:///tmp/$(reboot).sock', modemOptions: { host: undefined, socketPath: '/tmp/$(reboot).sock' } }), undefined);
  });
});

describe('names that become files, folders and YAML', () => {
  test('hostile: progress file for model "../../x" → refused, never a path outside the temp folder', () => {
    assert.throws(() => progressFile('/stack', '../../x'), SparkError);
    assert.match(progressFile('/stack', 'qwen3-4b'), /\/qwen3-4b\.json$/);
  });

  test('hostile: add-model named "backup-x" or one whose container would be the gateway\'s → refused or renamed', () => {
    const file = parseScenarioFile(scenariosYaml(), FILE);
    assert.throws(() => uniqueModelName(file, 'backup-x'), /stack's own/);
    assert.equal(nameTaken(file, 'litellm-proxy'), true, 'its container would be vllm-litellm-proxy');
    assert.equal(uniqueModelName(file, 'litellm'), 'litellm-2');
    for (const s of GATEWAY_SERVICES) assert.ok(RESERVED_NAMES.has(s.name) && RESERVED_NAMES.has(s.container), `${s.name} and ${s.container} are reserved`);
  });

  test('hostile: template values with a newline, ": ", "#", quotes and U+2028 → the compose YAML parses back to the same strings, no key added', () => {
    const base = parseScenarioFile(scenariosYaml(), FILE).models[0] as ModelSpec;
    const evil = 'x\nevil: 1 # "q" \'s\u2028y: 2';
    const model: ModelSpec = {
      ...base,
      name: `n${evil}`,
      container: `c${evil}`,
      hfModel: `o/${evil}`,
      memoryEnv: `E}${evil}`,
      toolCallParser: `p${evil}`,
      reasoningParser: `r${evil}`,
      quantization: `q${evil}`,
      extraArgs: [`--a${evil}`, '#x', ': y'],
      gpus: { 'multi-gpu': [`0${evil}`] },
    };
    const images = { spark: { image: 'nvcr.io/nvidia/vllm:1' }, 'multi-gpu': { image: 'vllm/vllm-openai:2' } } as unknown as VllmImages;
    for (const variant of ['spark', 'multi-gpu'] as const) {
      const text = renderModelCompose(model, variant, images);
      for (const version of ['1.2', '1.1'] as const) {
        const doc = parse(text, { version }) as { services: Record<string, Record<string, unknown>>; networks: unknown };
        assert.deepEqual(Object.keys(doc), ['services', 'networks'], `${variant} ${version}`);
        assert.deepEqual(Object.keys(doc.services), [model.name]);
        const service = doc.services[model.name] as { container_name: string; command: string[]; deploy: { resources: { reservations: { devices: { device_ids?: string[] }[] } } } };
        assert.deepEqual(Object.keys(service), ['image', 'container_name', 'command', 'env_file', 'environment', 'ports', 'volumes', 'ipc', 'deploy', 'healthcheck', 'restart', 'networks']);
        assert.equal(service.container_name, model.container);
        assert.deepEqual(service.command, containerCommand(model, variant));
        if (variant === 'multi-gpu') assert.deepEqual(service.deploy.resources.reservations.devices[0]?.device_ids, model.gpus['multi-gpu']);
      }
    }
  });

  test('the same hostile values are refused where scenarios.yaml is read', () => {
    const text = scenariosYaml().replace('name: model-a\n    folder', `name: ${JSON.stringify('n x\nevil: 1 # "q"')}\n    folder`);
    assert.ok(scenarioFileError(text, FILE) instanceof FileFormatError);
    assert.ok(MODEL_A.includes('name: model-a'));
  });
});
