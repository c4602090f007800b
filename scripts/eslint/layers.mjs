// The core's floors as an ESLint rule (`layers/layers`) plus the pure analysis behind it and
// behind `npm run layers` (scripts/layers.mjs). No dependency beyond what the repo has: the
// import scanner is TypeScript's own `preProcessFile` (a token scan, no parse), so the rule and
// the folder graph see exactly the same imports.
//
// Units: each top-level folder or loose .ts file of src/core (`src/core/docker/…` → `docker`,
// `src/core/planner.ts` → `planner`), and each wing as one unit (`src/cli/**` → `cli`,
// `src/vscode/**` → `vscode`). Only relative specifiers count; `import`, `import type`,
// `export … from`, `import('…')`, `require('…')`, `import x = require('…')` and `typeof import('…')`
// all do (a type import upward is still a dependency upward). `x` resolves to `x.ts`,
// `x.d.ts` or `x/index.ts`.
//
// The rule fails on
//   - an import from a unit to a unit of a higher layer (and any import of a wing from the core),
//   - a unit that is in no layer of the table,
//   - an import that closes a cycle between two units (not reported on an import that goes
//     strictly down: the upward import of that cycle is the one to move).
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

export const WINGS = new Set(['cli', 'vscode']);

const toPosix = (p) => p.split(path.sep).join('/');

/** The unit of an absolute file path under `root`, or null when it is in none. */
export function unitOf(root, file) {
  const rel = toPosix(path.relative(root, file));
  if (rel.startsWith('src/core/')) {
    const rest = rel.slice('src/core/'.length);
    const slash = rest.indexOf('/');
    return slash >= 0 ? rest.slice(0, slash) : rest.replace(/(\.d)?\.ts$/, '');
  }
  for (const wing of WINGS) if (rel === `src/${wing}` || rel.startsWith(`src/${wing}/`)) return wing;
  return null;
}

/** How a unit is named in messages: `src/core/docker`, `src/cli`. */
export function unitLabel(unit) {
  return WINGS.has(unit) ? `src/${unit}` : `src/core/${unit}`;
}

/** Every module specifier of a TypeScript source text, with the offset of its string literal. */
export function extractImports(text) {
  return ts.preProcessFile(text, true, true).importedFiles.map((f) => ({ specifier: f.fileName, pos: f.pos }));
}

function isFile(p, cache) {
  if (cache?.has(p)) return cache.get(p);
  let ok = false;
  try { ok = fs.statSync(p).isFile(); } catch { ok = false; }
  cache?.set(p, ok);
  return ok;
}

/**
 * The absolute file a relative specifier names (`x` → `x.ts`, `x.d.ts`, `x/index.ts`; `x.js` →
 * `x.ts`), the bare resolved path when no file matches, or null for a package specifier.
 */
export function resolveImport(fromFile, specifier, statCache) {
  if (!(specifier === '.' || specifier === '..' || specifier.startsWith('./') || specifier.startsWith('../'))) return null;
  const base = path.resolve(path.dirname(fromFile), specifier);
  const candidates = [`${base}.ts`, `${base}.d.ts`];
  if (/\.[cm]?js$/.test(base)) candidates.push(base.replace(/\.([cm]?)js$/, '.$1ts'));
  candidates.push(base, path.join(base, 'index.ts'), path.join(base, 'index.d.ts'));
  return candidates.find((c) => isFile(c, statCache)) ?? base;
}

function listTs(dir, out = []) {
  let entries;
  try { entries = fs.readdirSync(dir, { withFileTypes: true }); } catch { return out; }
  for (const e of entries) {
    if (e.name.startsWith('.') || e.name === 'node_modules') continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) listTs(p, out);
    else if (e.isFile() && e.name.endsWith('.ts')) out.push(p);
  }
  return out;
}

function lineAt(text, pos) {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < pos; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/**
 * The folder graph of `root/src`: units (with their file counts) and every import edge between
 * two different units ({ from, to, file (relative to root), line, specifier }).
 */
export function scanSources(root) {
  const statCache = new Map();
  const units = new Map();
  const edges = [];
  for (const file of listTs(path.join(root, 'src')).sort()) {
    const unit = unitOf(root, file);
    if (!unit) continue;
    units.set(unit, (units.get(unit) ?? 0) + 1);
    const text = fs.readFileSync(file, 'utf8');
    for (const { specifier, pos } of extractImports(text)) {
      const target = resolveImport(file, specifier, statCache);
      const to = target && unitOf(root, target);
      if (!to || to === unit) continue;
      edges.push({ from: unit, to, file: toPosix(path.relative(root, file)), line: lineAt(text, pos), specifier });
    }
  }
  const adjacency = new Map();
  for (const e of edges) {
    if (!adjacency.has(e.from)) adjacency.set(e.from, new Set());
    adjacency.get(e.from).add(e.to);
  }
  return { root, units, edges, adjacency };
}

/** The shortest unit path from `start` to `goal` ([start, …, goal]), or null. */
export function shortestPath(adjacency, start, goal) {
  const previous = new Map([[start, null]]);
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    const u = queue[i];
    for (const v of [...(adjacency.get(u) ?? [])].sort()) {
      if (previous.has(v)) continue;
      previous.set(v, u);
      if (v === goal) {
        const out = [goal];
        for (let w = u; w !== null; w = previous.get(w)) out.unshift(w);
        return out;
      }
      queue.push(v);
    }
  }
  return null;
}

/** Strongly connected components with more than one unit (Tarjan), each sorted, in sorted order. */
export function unitCycles(adjacency) {
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const out = [];
  let next = 0;
  const visit = (u) => {
    index.set(u, next); low.set(u, next); next++;
    stack.push(u); onStack.add(u);
    for (const v of adjacency.get(u) ?? []) {
      if (!index.has(v)) { visit(v); low.set(u, Math.min(low.get(u), low.get(v))); }
      else if (onStack.has(v)) low.set(u, Math.min(low.get(u), index.get(v)));
    }
    if (low.get(u) === index.get(u)) {
      const component = [];
      let w;
      do { w = stack.pop(); onStack.delete(w); component.push(w); } while (w !== u);
      if (component.length > 1) out.push(component.sort());
    }
  };
  for (const u of [...adjacency.keys()].sort()) if (!index.has(u)) visit(u);
  return out.sort((a, b) => a[0].localeCompare(b[0]));
}

/** unit → { index, name } of its layer; throws on a malformed table or a unit in two layers. */
export function layerIndex(table) {
  if (!Array.isArray(table) || table.length === 0) throw new Error('layers: the layer table must be a non-empty array of { name, units }');
  const index = new Map();
  table.forEach((layer, i) => {
    for (const unit of layer.units) {
      const seen = index.get(unit);
      if (seen) throw new Error(`layers: unit '${unit}' is in both layer '${seen.name}' and layer '${layer.name}'`);
      index.set(unit, { index: i, name: layer.name });
    }
  });
  return index;
}

/** Whether an import from unit `from` to unit `to` goes up (a core unit importing a wing always does). */
export function isUpward(index, from, to) {
  if (WINGS.has(to) && !WINGS.has(from)) return true;
  const f = index.get(from);
  const t = index.get(to);
  return Boolean(f && t && t.index > f.index);
}

/** Whether it goes strictly down (both units placed, target in a lower layer). */
function isDownward(index, from, to) {
  const f = index.get(from);
  const t = index.get(to);
  return Boolean(f && t && t.index < f.index);
}

/**
 * The whole check for `root/src` against `table`:
 *   units:      [{ unit, label, layer (name or null), files }]
 *   unplaced:   units with files that are in no layer
 *   missing:    units of the table with no files (fine mid-move)
 *   upward:     [{ from, to, fromLayer, toLayer, file, line, specifier }]
 *   cycles:     [[unitA, unitB, …]] — each knot of units that reach each other (sorted)
 *   cycleEdges: [{ from, to, file, line, specifier, path: [from, to, …, from] }] — the imports in them
 */
export function analyseLayers(root, table) {
  const index = layerIndex(table);
  const graph = scanSources(root);
  const layerName = (u) => index.get(u)?.name ?? null;
  const units = [...graph.units].sort(([a], [b]) => a.localeCompare(b))
    .map(([unit, files]) => ({ unit, label: unitLabel(unit), layer: layerName(unit), files }));
  const upward = graph.edges.filter((e) => isUpward(index, e.from, e.to))
    .map((e) => ({ from: e.from, to: e.to, fromLayer: layerName(e.from), toLayer: layerName(e.to), file: e.file, line: e.line, specifier: e.specifier }));
  const cycles = unitCycles(graph.adjacency);
  const knotOf = new Map(cycles.flatMap((knot, i) => knot.map((u) => [u, i])));
  const cycleEdges = graph.edges
    .filter((e) => knotOf.has(e.from) && knotOf.get(e.from) === knotOf.get(e.to))
    .map((e) => ({ ...e, path: [e.from, ...shortestPath(graph.adjacency, e.to, e.from)] }));
  return {
    layers: table.map((l) => ({ name: l.name, units: [...l.units] })),
    units,
    unplaced: units.filter((u) => u.layer === null).map((u) => u.unit),
    missing: table.flatMap((l) => l.units).filter((u) => !graph.units.has(u)),
    upward,
    cycles,
    cycleEdges,
  };
}

// ---------------------------------------------------------------------------------------------
// The ESLint rule

// One folder graph per repo root and process; rebuilt when older than this, so a long-lived
// editor ESLint server sees moves (a build of ~200 files takes ~100 ms).
const GRAPH_MAX_AGE_MS = 10_000;
const graphs = new Map();

function graphFor(root) {
  const now = Date.now();
  let entry = graphs.get(root);
  if (!entry || now - entry.at > GRAPH_MAX_AGE_MS) {
    entry = { at: now, graph: scanSources(root), paths: new Map() };
    graphs.set(root, entry);
  }
  return entry;
}

/** [to, …, from] when `to` reaches `from` in the folder graph on disk, else null (memoised). */
function pathBack(entry, from, to) {
  const key = `${to}\0${from}`;
  if (!entry.paths.has(key)) entry.paths.set(key, shortestPath(entry.graph.adjacency, to, from));
  return entry.paths.get(key);
}

const indexes = new WeakMap();
function cachedIndex(table) {
  let index = indexes.get(table);
  if (!index) { index = layerIndex(table); indexes.set(table, index); }
  return index;
}

function findRoot(filename, cwd) {
  if (cwd && !path.relative(path.join(cwd, 'src'), filename).startsWith('..')) return cwd;
  const marker = `${path.sep}src${path.sep}`;
  const at = filename.lastIndexOf(marker);
  return at >= 0 ? filename.slice(0, at) : null;
}

const IMPORT_NODES = new Set([
  'ImportDeclaration', 'ExportNamedDeclaration', 'ExportAllDeclaration', 'ImportExpression',
  'CallExpression', 'TSImportEqualsDeclaration', 'TSImportType', 'TSModuleDeclaration',
]);

function importNodeAt(sourceCode, pos) {
  let node = sourceCode.getNodeByRangeIndex(pos);
  const literal = node;
  while (node && !IMPORT_NODES.has(node.type)) node = node.parent;
  return node ?? literal;
}

const layerSchema = {
  type: 'array',
  minItems: 1,
  items: {
    type: 'object',
    properties: { name: { type: 'string' }, units: { type: 'array', items: { type: 'string' } } },
    required: ['name', 'units'],
    additionalProperties: false,
  },
};

export const layersRule = {
  meta: {
    type: 'problem',
    docs: { description: 'Imports between the units of src/ only go down the layer table, and no two units import each other in a cycle' },
    schema: [layerSchema, { type: 'object', properties: { root: { type: 'string' } }, additionalProperties: false }],
    messages: {
      upward: '{{from}} ({{fromLayer}}) imports {{to}} ({{toLayer}}): imports only go down ({{order}}). Move the shared piece down to where both can reach it.{{alsoCycle}}',
      unplaced: "{{unit}} is in no layer: add it to the layer table in scripts/eslint/layer-table.mjs (read by eslint.config.mjs) and README's Layout",
      cycle: 'folder cycle: {{path}} ({{from}} imports {{to}}, {{back}}). Move the shared piece down into a unit both can import.',
    },
  },
  create(context) {
    const [table, options = {}] = context.options;
    if (!table) return {};
    const filename = context.physicalFilename ?? context.filename;
    const cwd = context.cwd;
    const root = options.root ? path.resolve(cwd ?? process.cwd(), options.root) : findRoot(filename, cwd);
    if (!root) return {};
    const unit = unitOf(root, filename);
    if (!unit) return {};
    const index = cachedIndex(table);
    const order = table.map((l) => l.name).join(' → ');
    const layerOf = (u) => index.get(u)?.name ?? 'no layer';

    return {
      Program(program) {
        const sourceCode = context.sourceCode ?? context.getSourceCode();
        if (!index.has(unit)) {
          context.report({ node: program, loc: { line: 1, column: 0 }, messageId: 'unplaced', data: { unit: unitLabel(unit) } });
        }
        let entry;
        for (const { specifier, pos } of extractImports(sourceCode.text)) {
          const target = resolveImport(filename, specifier);
          const to = target && unitOf(root, target);
          if (!to || to === unit) continue;
          const upward = isUpward(index, unit, to);
          if (!upward && isDownward(index, unit, to)) continue;
          entry ??= graphFor(root);
          const back = pathBack(entry, unit, to);
          if (!upward && !back) continue;
          const node = importNodeAt(sourceCode, pos);
          const cyclePath = back ? [unit, ...back].join(' → ') : null;
          if (upward) {
            context.report({
              node,
              messageId: 'upward',
              data: {
                from: unitLabel(unit), fromLayer: layerOf(unit), to: unitLabel(to), toLayer: layerOf(to), order,
                alsoCycle: cyclePath ? ` It also closes the folder cycle ${cyclePath}.` : '',
              },
            });
          } else {
            const backText = back.length === 2 ? 'which imports it back' : `which leads back to it through ${back.slice(1, -1).map(unitLabel).join(', ')}`;
            context.report({ node, messageId: 'cycle', data: { path: cyclePath, from: unitLabel(unit), to: unitLabel(to), back: backText } });
          }
        }
      },
    };
  },
};

const plugin = { meta: { name: 'spark-gateway-layers' }, rules: { layers: layersRule } };
export default plugin;
