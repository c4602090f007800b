#!/usr/bin/env node
// `npm run layers [-- --json]`: the core's floors on the current tree — the layers with their
// units, every upward import and every folder cycle (the same analysis as the ESLint rule
// `layers/layers`, from the one table in scripts/eslint/layer-table.mjs). Exit 1 when there is
// an upward import or a folder cycle.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyseLayers, unitLabel } from './eslint/layers.mjs';
import { layerTable } from './eslint/layer-table.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const json = process.argv.includes('--json');
const started = performance.now();
const result = analyseLayers(root, layerTable);
const ms = performance.now() - started;

if (json) {
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
} else {
  const files = new Map(result.units.map((u) => [u.unit, u.files]));
  const width = Math.max(...result.layers.map((l) => l.name.length));
  console.log('Layers, lowest first (imports only go down):');
  for (const layer of result.layers) {
    const units = layer.units.map((u) => (files.has(u) ? u : `${u}?`)).join(', ');
    console.log(`  ${layer.name.padEnd(width)}  ${units}`);
  }
  if (result.missing.length) console.log(`  (? = no files yet: ${result.missing.join(', ')})`);
  if (result.unplaced.length) {
    console.log(`\nIn no layer: ${result.unplaced.length}`);
    for (const u of result.unplaced) console.log(`  ${unitLabel(u)} (${files.get(u)} file${files.get(u) === 1 ? '' : 's'})`);
  }
  console.log(`\nUpward imports: ${result.upward.length}`);
  for (const e of result.upward) {
    console.log(`  ${e.file}:${e.line}  ${e.from} (${e.fromLayer ?? 'no layer'}) → ${e.to} (${e.toLayer ?? 'no layer'})  '${e.specifier}'`);
  }
  console.log(`\nFolder cycles: ${result.cycles.length}`);
  for (const knot of result.cycles) {
    console.log(`  ${knot.join(' ⇄ ')}`);
    // One line per pair of units: the shortest cycle that import closes, and where it is.
    const pairs = new Map();
    for (const e of result.cycleEdges.filter((c) => knot.includes(c.from))) {
      const key = `${e.from} → ${e.to}`;
      if (!pairs.has(key)) pairs.set(key, { path: e.path, at: new Map() });
      const at = pairs.get(key).at;
      at.set(e.file, [...(at.get(e.file) ?? []), e.line]);
    }
    for (const { path: cycle, at } of pairs.values()) {
      const where = [...at].map(([file, lines]) => `${file}:${[...new Set(lines)].join(',')}`).join(' ');
      console.log(`    ${cycle.join(' → ')}   ${where}`);
    }
  }
  console.log(`\n(${result.units.length} units, ${ms.toFixed(0)} ms)`);
}
process.exitCode = result.upward.length || result.cycles.length ? 1 : 0;
