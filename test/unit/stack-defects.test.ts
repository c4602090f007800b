/**
 * The public version of this stack has ten known defects (SPEC §3). Each test here reads the
 * stack's real files and fails if its defect comes back.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { GIB, findScenario, planScenario } from '../../src/core/planner';
import { parseScenarioFile } from '../../src/core/scenarios/file';
import type { ModelSpec } from '../../src/core/scenarios/file';
import { STACK_DIR } from '../support/processes';

const read = (...parts: string[]) => readFileSync(path.join(STACK_DIR, ...parts), 'utf8');
const scenarios = parseScenarioFile(read('scenarios.yaml'), 'scenarios.yaml');

interface ComposeService {
  image?: string;
  container_name?: string;
  command?: string[] | string;
  ports?: string[];
  healthcheck?: { test?: string[] };
  deploy?: { resources?: { reservations?: { devices?: { device_ids?: string[]; count?: string | number }[] } } };
}
interface ComposeFile {
  services: Record<string, ComposeService>;
}

const compose = (...parts: string[]) => parse(read(...parts)) as ComposeFile;
const onlyService = (file: ComposeFile): ComposeService => {
  const services = Object.values(file.services);
  assert.equal(services.length, 1);
  return services[0] as ComposeService;
};

/** Every text file of the stack (the generated `ssl/` and `.env` files aside). */
function stackFiles(dir = STACK_DIR): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return name === 'ssl' ? [] : stackFiles(full);
    return name === '.env' ? [] : [full];
  });
}

/** The value after `flag` in a command list. */
function flag(command: readonly string[], name: string): string | undefined {
  const i = command.indexOf(name);
  return i < 0 ? undefined : command[i + 1];
}

const modelCompose = (m: ModelSpec, variant: 'spark' | 'multi-gpu') => onlyService(compose(m.folder, variant === 'spark' ? 'docker-compose.yml' : 'docker-compose-gpu.yml'));
const commandOf = (service: ComposeService): string[] => {
  assert.ok(Array.isArray(service.command), 'model server commands are YAML lists');
  return service.command;
};

describe('the stack has none of the seed\'s defects', () => {
  it('1. one env template name, `.env.example`, used by every script and doc', () => {
    assert.ok(statSync(path.join(STACK_DIR, '.env.example')).isFile());
    const offenders = stackFiles().filter((f) => /(^|[^.\w])env\.example/.test(readFileSync(f, 'utf8')));
    assert.deepEqual(offenders, []);
  });

  it('2. one served name per model: scenarios, vLLM --served-model-name, LiteLLM model_name, container', () => {
    const litellm = parse(read('litellm', 'config.yaml')) as { model_list: { model_name: string; litellm_params: { model: string; api_base: string } }[] };
    assert.deepEqual(scenarios.models.map((m) => m.name).sort(), ['gpt-oss-120b', 'gpt-oss-20b', 'qwen-30b']);
    for (const m of scenarios.models) {
      for (const variant of ['spark', 'multi-gpu'] as const) {
        const service = modelCompose(m, variant);
        assert.equal(flag(commandOf(service), '--served-model-name'), m.name, `${m.folder} ${variant}`);
        assert.equal(service.container_name, m.container);
      }
      const entry = litellm.model_list.find((e) => e.model_name === m.name);
      assert.ok(entry, `${m.name} is missing from litellm/config.yaml`);
      assert.match(entry.litellm_params.model, new RegExp(`/${m.name}$`));
      assert.equal(entry.litellm_params.api_base, `http://${m.container}:8000/v1`);
    }
    assert.equal(litellm.model_list.length, scenarios.models.length);
  });

  it('3. the Qwen tool parser is vLLM\'s `qwen3_coder`', () => {
    const qwen = scenarios.models.find((m) => m.name === 'qwen-30b');
    assert.ok(qwen);
    assert.equal(qwen.toolCallParser, 'qwen3_coder');
    for (const variant of ['spark', 'multi-gpu'] as const) assert.equal(flag(commandOf(modelCompose(qwen, variant)), '--tool-call-parser'), 'qwen3_coder');
    assert.deepEqual(stackFiles().filter((f) => /qwen3_code\b/.test(readFileSync(f, 'utf8'))), []);
  });

  it('4. health checks that can pass: unauthenticated LiteLLM probes, no curl in LiteLLM, NGINX on IPv4 and IPv6', () => {
    const nginx = read('nginx', 'multi-model.conf');
    assert.match(nginx, /location = \/health \{[^}]*proxy_pass http:\/\/litellm\/health\/liveliness;/);
    assert.match(nginx, /listen \[::\]:443 ssl;/);
    assert.match(nginx, /listen \[::\]:80;/);
    const litellm = compose('litellm', 'docker-compose.yml').services.litellm;
    const check = litellm?.healthcheck?.test?.join(' ') ?? '';
    assert.doesNotMatch(check, /curl/);
    assert.match(check, /\/health\/(liveliness|liveness|readiness)/);
    const nginxCheck = compose('docker-compose.yml').services.nginx?.healthcheck?.test?.join(' ') ?? '';
    assert.doesNotMatch(nginxCheck, /localhost/, 'localhost may resolve to ::1');
  });

  it('5. LiteLLM is published on 127.0.0.1:4000 only', () => {
    assert.deepEqual(compose('litellm', 'docker-compose.yml').services.litellm?.ports, ['127.0.0.1:4000:4000']);
  });

  it('6. no default master key and no hard-coded database password', () => {
    assert.deepEqual(stackFiles().filter((f) => readFileSync(f, 'utf8').includes('sk-1234')), []);
    const litellm = read('litellm', 'docker-compose.yml');
    assert.match(litellm, /POSTGRES_PASSWORD: \$\{POSTGRES_PASSWORD/);
    assert.match(read('.env.example'), /^LITELLM_MASTER_KEY=$/m);
  });

  it('7. LiteLLM\'s config takes the environment with `os.environ/VAR`, never `${VAR}`', () => {
    // Comments may explain the old form; the settings themselves must not use it.
    const config = read('litellm', 'config.yaml').replace(/#.*$/gm, '');
    assert.doesNotMatch(config, /\$\{/);
    assert.match(config, /master_key: os\.environ\/LITELLM_MASTER_KEY/);
  });

  it('8. every model server gets --gpu-memory-utilization from its variable, defaulting to scenarios.yaml', () => {
    for (const m of scenarios.models) {
      for (const variant of ['spark', 'multi-gpu'] as const) {
        const value = flag(commandOf(modelCompose(m, variant)), '--gpu-memory-utilization') ?? '';
        const match = /^\$\{(\w+):-([\d.]+)\}$/.exec(value);
        assert.ok(match, `${m.folder} ${variant}: ${value} is not \${VAR:-default}`);
        assert.equal(match[1], m.memoryEnv);
        assert.equal(Number(match[2]), m.defaultFraction, `${m.folder} ${variant}`);
      }
    }
  });

  it('9. GPU variants: tensor-parallel size = number of GPUs, only 1, 2 or 4, as scenarios.yaml says', () => {
    for (const m of scenarios.models) {
      const gpu = modelCompose(m, 'multi-gpu');
      const devices = gpu.deploy?.resources?.reservations?.devices?.[0]?.device_ids ?? [];
      const tp = Number(flag(commandOf(gpu), '--tensor-parallel-size'));
      assert.ok([1, 2, 4].includes(tp), `${m.name}: tensor-parallel ${tp}`);
      assert.equal(devices.length, tp, `${m.name}: ${devices.length} GPUs for tensor-parallel ${tp}`);
      assert.deepEqual(devices, m.gpus['multi-gpu']);
      assert.equal(tp, m.tensorParallel['multi-gpu']);
      assert.equal(Number(flag(commandOf(modelCompose(m, 'spark')), '--tensor-parallel-size')), 1, 'a Spark has one GPU');
    }
  });

  it('10. test-endpoints.sh tests the gateway as it is: key, /v1/models, completions, streaming', () => {
    const script = read('test-endpoints.sh');
    assert.match(script, /Authorization: Bearer/);
    assert.match(script, /\/v1\/models/);
    assert.match(script, /\/v1\/chat\/completions/);
    assert.match(script, /"stream": *true/);
    assert.doesNotMatch(script, /\/(gpt-oss-20b|gpt-oss-120b|qwen-30b)\/v1/, 'no per-model path routes');
    assert.doesNotMatch(script, /curl[^\n]*\s-k\b|--insecure/, 'trusts the stack certificate instead of -k');
  });

  it('pins every image by tag, never latest, and LiteLLM to LITELLM_VERSION', () => {
    const files = stackFiles().filter((f) => /docker-compose.*\.yml$/.test(f));
    const example = read('.env.example');
    assert.ok(files.length >= 8);
    for (const file of files) {
      for (const [name, service] of Object.entries((parse(readFileSync(file, 'utf8')) as ComposeFile).services)) {
        // `${VARIABLE:-pinned}`: overridable from .env, and pinned when it is not set.
        const [, variable = '', pinned = ''] = /^\$\{([A-Z_]+_IMAGE):-([^}]*)\}$/.exec(service.image ?? '') ?? [];
        assert.ok(variable, `${file} ${name}: the image comes from a variable with a pinned default`);
        assert.ok(example.includes(`# ${variable}=${pinned}\n`), `${variable} is listed in .env.example with its default`);
        assert.match(pinned, /^[\w./-]+:[\w.-]+$/, `${file} ${name}`);
        assert.doesNotMatch(pinned, /:latest$|:main$/, `${file} ${name}`);
      }
    }
    const version = read('litellm', 'LITELLM_VERSION').trim();
    assert.ok(!['1.82.7', '1.82.8'].includes(version), 'compromised LiteLLM release');
    assert.equal(compose('litellm', 'docker-compose.yml').services.litellm?.image, `\${LITELLM_IMAGE:-ghcr.io/berriai/litellm:v${version}-stable}`);
  });
});

describe('the stack\'s scenarios', () => {
  it('has the seed\'s Scenario 1, Scenario 2, all, and each model alone', () => {
    const names = scenarios.scenarios.map((s) => s.name);
    for (const name of ['scenario-1', 'scenario-2', 'all', 'gpt-oss-20b', 'gpt-oss-120b', 'qwen-30b']) assert.ok(names.includes(name), name);
    assert.deepEqual([...findScenario(scenarios, 'scenario-1').models.keys()], ['gpt-oss-120b']);
    assert.deepEqual([...findScenario(scenarios, 'scenario-2').models.keys()].sort(), ['gpt-oss-20b', 'qwen-30b']);
    assert.equal(findScenario(scenarios, 'all').models.size, 3);
  });

  it('fits every single model, Scenario 1 and Scenario 2 on a 128 GiB Spark, and refuses all on 64 GiB', () => {
    for (const name of ['gpt-oss-20b', 'gpt-oss-120b', 'qwen-30b', 'scenario-1', 'scenario-2']) {
      const plan = planScenario(scenarios, findScenario(scenarios, name), 128 * GIB);
      assert.equal(plan.fits, true, `${name}: ${plan.reasons.join('; ')}`);
    }
    assert.equal(planScenario(scenarios, findScenario(scenarios, 'all'), 64 * GIB).fits, false);
  });

  it('keeps each model\'s default fraction enough to load it alone', () => {
    for (const m of scenarios.models) {
      const alone = { name: 'x', title: 'x', variant: 'spark' as const, models: new Map([[m.name, m.defaultFraction]]) };
      assert.equal(planScenario(scenarios, alone, 128 * GIB).fits, true, m.name);
    }
  });
});
