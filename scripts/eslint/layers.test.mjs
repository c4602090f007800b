// node --test scripts/eslint/layers.test.mjs — the layer analysis and the ESLint rule on tiny
// fixture trees in a temporary folder.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import layers, { analyseLayers, resolveImport, unitOf } from './layers.mjs';
import { layerTable } from './layer-table.mjs';

const roots = [];
after(() => { for (const r of roots) fs.rmSync(r, { recursive: true, force: true }); });

function tree(files) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'layers-'));
  roots.push(root);
  for (const [rel, text] of Object.entries(files)) {
    const file = path.join(root, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  }
  return root;
}

const table = [
  { name: 'ground', units: ['base', 'low'] },
  { name: 'clients', units: ['mid', 'ghost'] },
  { name: 'features', units: ['high', 'peer'] },
  { name: 'wings', units: ['cli', 'vscode'] },
];

const fixture = {
  'src/core/base.ts': "import fs from 'node:fs';\n// import { high } from './high';\nconst s = \"require('./high')\";\nexport const base = fs && s;\n",
  'src/core/low/index.ts': "import { base } from '../base';\nexport const low = base;\n",
  'src/core/low/uses-high.ts': "import { low } from '.';\nimport type { High } from '../high/types';\nexport type L = High | typeof low;\n",
  'src/core/low/lazy.ts': "export const load = () => import('../high');\n",
  'src/core/mid/index.ts': "import { base } from '../base';\nimport '../../vscode/ext';\nexport const mid = base;\n",
  'src/core/high/index.ts': "import { base } from '../base';\nexport const high = base;\nexport { peer } from '../peer';\n",
  'src/core/high/types.ts': 'export interface High { x: number }\n',
  'src/core/peer.ts': "export const peer = (): unknown => require('./high');\n",
  'src/core/stray.ts': 'export const stray = 0;\n',
  'src/cli/main.ts': "import { high } from '../core/high';\nexport const main = high;\n",
  'src/vscode/ext.ts': "import { main } from '../cli/main';\nexport const ext = main;\n",
};

test('units: a folder or loose file of src/core, and each wing', () => {
  const root = '/r';
  assert.equal(unitOf(root, '/r/src/core/docker/client.ts'), 'docker');
  assert.equal(unitOf(root, '/r/src/core/planner.ts'), 'planner');
  assert.equal(unitOf(root, '/r/src/cli/commands/chat.ts'), 'cli');
  assert.equal(unitOf(root, '/r/src/vscode/extension.ts'), 'vscode');
  assert.equal(unitOf(root, '/r/test/unit/x.ts'), null);
});

test('resolver: x → x.ts or x/index.ts; packages are not resolved', () => {
  const root = tree(fixture);
  const from = path.join(root, 'src/core/low/lazy.ts');
  assert.equal(resolveImport(from, '../high'), path.join(root, 'src/core/high/index.ts'));
  assert.equal(resolveImport(from, '../peer'), path.join(root, 'src/core/peer.ts'));
  assert.equal(resolveImport(from, '.'), path.join(root, 'src/core/low/index.ts'));
  assert.equal(resolveImport(from, 'node:fs'), null);
});

test('analysis finds exactly the upward imports (type and dynamic ones too), the cycle and the unit in no layer', () => {
  const root = tree(fixture);
  const result = analyseLayers(root, table);
  assert.deepEqual(result.upward, [
    { from: 'low', to: 'high', fromLayer: 'ground', toLayer: 'features', file: 'src/core/low/lazy.ts', line: 1, specifier: '../high' },
    { from: 'low', to: 'high', fromLayer: 'ground', toLayer: 'features', file: 'src/core/low/uses-high.ts', line: 2, specifier: '../high/types' },
    { from: 'mid', to: 'vscode', fromLayer: 'clients', toLayer: 'wings', file: 'src/core/mid/index.ts', line: 2, specifier: '../../vscode/ext' },
  ]);
  assert.deepEqual(result.cycles, [['high', 'peer']]);
  assert.deepEqual(result.cycleEdges.map((e) => [e.file, e.line, e.path.join(' → ')]), [
    ['src/core/high/index.ts', 3, 'high → peer → high'],
    ['src/core/peer.ts', 1, 'peer → high → peer'],
  ]);
  assert.deepEqual(result.unplaced, ['stray']);
  assert.deepEqual(result.missing, ['ghost']);
  assert.deepEqual(result.units.map((u) => [u.unit, u.layer, u.files]), [
    ['base', 'ground', 1], ['cli', 'wings', 1], ['high', 'features', 2], ['low', 'ground', 3],
    ['mid', 'clients', 1], ['peer', 'features', 1], ['stray', null, 1], ['vscode', 'wings', 1],
  ]);
});

test('a clean tree has no findings; a cycle between the wings is one', () => {
  const clean = { ...fixture };
  delete clean['src/core/low/uses-high.ts'];
  delete clean['src/core/low/lazy.ts'];
  delete clean['src/core/mid/index.ts'];
  delete clean['src/core/stray.ts'];
  clean['src/core/peer.ts'] = 'export const peer = 1;\n';
  const root = tree(clean);
  const result = analyseLayers(root, table);
  assert.deepEqual([result.upward, result.cycles, result.unplaced], [[], [], []]);

  fs.writeFileSync(path.join(root, 'src/cli/back.ts'), "export type E = typeof import('../vscode/ext');\n");
  assert.deepEqual(analyseLayers(root, table).cycles, [['cli', 'vscode']]);

  // A core unit in no layer still may not import a wing.
  fs.writeFileSync(path.join(root, 'src/core/stray.ts'), "import { main } from '../cli/main';\nexport const stray = main;\n");
  assert.deepEqual(analyseLayers(root, table).upward.map((e) => [e.from, e.fromLayer, e.to, e.toLayer]), [['stray', null, 'cli', 'wings']]);
});

test('a unit in two layers is a configuration error', () => {
  const root = tree(fixture);
  assert.throws(() => analyseLayers(root, [{ name: 'a', units: ['x'] }, { name: 'b', units: ['x'] }]), /unit 'x' is in both layer 'a' and layer 'b'/);
});

function lint(root, rel, layerTableOption = table) {
  const linter = new Linter({ cwd: root });
  const config = [{
    files: ['**/*.ts'],
    languageOptions: { parser: tseslint.parser },
    plugins: { layers },
    rules: { 'layers/layers': ['error', layerTableOption] },
  }];
  const file = path.join(root, rel);
  return linter.verify(fs.readFileSync(file, 'utf8'), config, { filename: file })
    .map((m) => ({ line: m.line, message: m.message, ruleId: m.ruleId }));
}

test('ESLint rule: the message on a planted upward import, with the real table', () => {
  const root = tree({
    'src/core/lifecycle/up.ts': 'export const up = 1;\n',
    'src/core/compose/engine.ts': "import fs from 'node:fs';\nimport { up } from '../lifecycle/up';\nexport const engine = fs && up;\n",
  });
  assert.deepEqual(lint(root, 'src/core/compose/engine.ts', layerTable), [{
    line: 2,
    ruleId: 'layers/layers',
    message: 'src/core/compose (clients) imports src/core/lifecycle (features): imports only go down (ground → clients → features → wings). Move the shared piece down to where both can reach it.',
  }]);
  assert.deepEqual(lint(root, 'src/core/lifecycle/up.ts', layerTable), []);
});

test('ESLint rule: type and dynamic imports upward, core importing a wing, a cycle, a unit in no layer', () => {
  const root = tree(fixture);
  const upward = (from, fl, to, tl) => `${from} (${fl}) imports ${to} (${tl}): imports only go down (ground → clients → features → wings). Move the shared piece down to where both can reach it.`;
  assert.deepEqual(lint(root, 'src/core/low/uses-high.ts').map((m) => [m.line, m.message]), [
    [2, upward('src/core/low', 'ground', 'src/core/high', 'features')],
  ]);
  assert.deepEqual(lint(root, 'src/core/low/lazy.ts').map((m) => [m.line, m.message]), [
    [1, upward('src/core/low', 'ground', 'src/core/high', 'features')],
  ]);
  assert.deepEqual(lint(root, 'src/core/mid/index.ts').map((m) => [m.line, m.message]), [
    [2, upward('src/core/mid', 'clients', 'src/vscode', 'wings')],
  ]);
  assert.deepEqual(lint(root, 'src/core/high/index.ts').map((m) => [m.line, m.message]), [
    [3, 'folder cycle: high → peer → high (src/core/high imports src/core/peer, which imports it back). Move the shared piece down into a unit both can import.'],
  ]);
  assert.deepEqual(lint(root, 'src/core/peer.ts').map((m) => [m.line, m.message]), [
    [1, 'folder cycle: peer → high → peer (src/core/peer imports src/core/high, which imports it back). Move the shared piece down into a unit both can import.'],
  ]);
  assert.deepEqual(lint(root, 'src/core/stray.ts').map((m) => [m.line, m.message]), [
    [1, "src/core/stray is in no layer: add it to the layer table in scripts/eslint/layer-table.mjs (read by eslint.config.mjs) and README's Layout"],
  ]);
  for (const clean of ['src/core/base.ts', 'src/core/low/index.ts', 'src/cli/main.ts', 'src/vscode/ext.ts']) {
    assert.deepEqual(lint(root, clean), [], clean);
  }
});

test('ESLint rule: an upward import that also closes a cycle says so, once; the downward half is not blamed', () => {
  const root = tree({
    ...fixture,
    'src/core/high/index.ts': "import { low } from '../low';\nexport const high = low;\n",
  });
  assert.deepEqual(lint(root, 'src/core/low/lazy.ts').map((m) => m.message), [
    'src/core/low (ground) imports src/core/high (features): imports only go down (ground → clients → features → wings). Move the shared piece down to where both can reach it. It also closes the folder cycle low → high → low.',
  ]);
  assert.deepEqual(lint(root, 'src/core/high/index.ts'), []);
});
