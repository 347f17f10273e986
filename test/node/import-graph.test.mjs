// The layers of src/ point one way, and the import graph has no cycle, type-only imports included
// (docs/decisions/002-method-table-and-layout.md): core ← storage ← auth ← methods ← calls ← web ← api, realtime.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

/** A folder (or top-level file) of src/ and its rank: a module may import only modules of its rank or lower. */
const RANKS = new Map([
  ['env.ts', 0],
  // Settings parse the input limits that core validates with: the same layer.
  ['config.ts', 1],
  ['core', 1],
  ['lib', 2], ['event-types', 2], ['storage', 2],
  ['auth', 3], ['webhooks', 3], ['audit', 3], ['mail', 3],
  ['methods', 4],
  ['calls', 5],
  ['web', 6],
  ['api', 7], ['realtime', 7], ['openapi', 7], ['bench', 7],
  ['index.ts', 8],
]);

function sourceFiles(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.tsx?$/.test(entry.name) ? [full] : [];
  });
}

/** Resolves a relative specifier the way TypeScript does here (extensionless, or a folder's index). */
function resolve(from, specifier) {
  const base = path.resolve(path.dirname(from), specifier);
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, path.join(base, 'index.ts')]) {
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
  }
  throw new Error(`${path.relative(SRC, from)}: cannot resolve "${specifier}"`);
}

/** Every relative import of a file: static, type-only, re-exports, dynamic, and `declare module` augmentations. */
function importsOf(file) {
  const text = fs.readFileSync(file, 'utf8');
  const specifiers = [
    ...text.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+'([^']+)'/gms),
    ...text.matchAll(/^\s*import\s+'([^']+)'/gm),
    ...text.matchAll(/import\(\s*'([^']+)'\s*\)/g),
    ...text.matchAll(/declare\s+module\s+'([^']+)'/g),
  ].map((m) => m[1]);
  return specifiers.filter((s) => s.startsWith('.')).map((s) => resolve(file, s));
}

const layerOf = (file) => path.relative(SRC, file).split(path.sep)[0];
const graph = new Map(sourceFiles(SRC).map((file) => [file, importsOf(file)]));

test('every folder of src/ has a layer', () => {
  const unknown = [...new Set([...graph.keys()].map(layerOf))].filter((layer) => !RANKS.has(layer));
  assert.deepEqual(unknown, []);
});

test('no module imports from a higher layer (storage is SQL only, core depends on nothing above it)', () => {
  const violations = [];
  for (const [file, targets] of graph) {
    for (const target of targets) {
      if (RANKS.get(layerOf(target)) > RANKS.get(layerOf(file))) violations.push(`${path.relative(SRC, file)} → ${path.relative(SRC, target)}`);
    }
  }
  assert.deepEqual(violations, []);
});

test('the import graph has no cycle, type-only imports included', () => {
  const state = new Map();
  const cycles = [];
  const visit = (file, trail) => {
    if (state.get(file) === 'done') return;
    if (state.get(file) === 'open') {
      cycles.push([...trail.slice(trail.indexOf(file)), file].map((f) => path.relative(SRC, f)).join(' → '));
      return;
    }
    state.set(file, 'open');
    for (const target of graph.get(file) ?? []) visit(target, [...trail, file]);
    state.set(file, 'done');
  };
  for (const file of graph.keys()) visit(file, []);
  assert.deepEqual(cycles, []);
});
