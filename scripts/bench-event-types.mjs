#!/usr/bin/env node
// Measures the event-type registry (issue 5 speed targets, docs/decisions/006-event-type-validation.md):
//  - per-event validation, median, for three strategies:
//      closures  the shipped validator: each definition compiled once per isolate into closures (eval-free)
//      walker    a plain interpreter that walks the definition on every call
//      codegen   validators generated as JS source at build time (here turned into functions with new Function,
//                which Node allows, to get the speed a generated module would have)
//  - isolate start: parsing the generated module's directory, and compiling every type eagerly (upper bound)
//  - bundle bytes: the runtime module bundled and minified with esbuild, and what codegen would add
// Usage: npm run bench:types   (Node 22; numbers vary with the machine, compare them relative to each other)
import { build } from 'esbuild';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-types-'));

async function bundle(entry, minify) {
  const outfile = path.join(tmp, `${path.basename(entry, '.ts')}-${minify ? 'min' : 'dev'}.mjs`);
  await build({ entryPoints: [path.join(ROOT, entry)], bundle: true, format: 'esm', platform: 'neutral', minify, outfile, logLevel: 'silent' });
  return outfile;
}

// ---- isolate start (measured first, in a cold process) ----
const runtimeFile = await bundle('src/event-types/index.ts', true);
let t0 = performance.now();
const runtime = await import(pathToFileURL(runtimeFile).href);
const importMs = performance.now() - t0;
t0 = performance.now();
runtime.checkEventContent('mass/kg', 1); // first use parses the directory
const firstUseMs = performance.now() - t0;
const flat = JSON.parse(runtime.flatDirectory());
const typeNames = Object.keys(flat.types);
t0 = performance.now();
for (const type of typeNames) runtime.checkEventContent(type, null); // compiles every validator once
const compileAllMs = performance.now() - t0;

// ---- the three strategies ----
const { compile } = await import(pathToFileURL(path.join(ROOT, 'src/event-types/validator.ts')).href);

function typeOk(t, v) {
  switch (t) {
    case 'number': return typeof v === 'number' && Number.isFinite(v);
    case 'integer': return Number.isInteger(v);
    case 'string': return typeof v === 'string';
    case 'boolean': return typeof v === 'boolean';
    case 'null': return v === null;
    case 'array': return Array.isArray(v);
    case 'object': return typeof v === 'object' && v !== null && !Array.isArray(v);
  }
  return false;
}

/** Interpreter walking the definition on each call (regexps built on the fly, as a naive one would). */
function walk(def, v, path, issues) {
  if (def.type !== undefined) {
    const types = Array.isArray(def.type) ? def.type : [def.type];
    if (!types.some((t) => typeOk(t, v))) return issues.push({ path, rule: 'type', message: `must be of type ${types.join(' or ')}` });
  }
  if (def.enum && !def.enum.includes(v)) issues.push({ path, rule: 'enum', message: 'not allowed' });
  if (typeof v === 'number') {
    if (def.minimum !== undefined && v < def.minimum) issues.push({ path, rule: 'minimum', message: '' });
    if (def.maximum !== undefined && v > def.maximum) issues.push({ path, rule: 'maximum', message: '' });
  }
  if (typeof v === 'string') {
    if (def.minLength !== undefined && v.length < def.minLength) issues.push({ path, rule: 'minLength', message: '' });
    if (def.maxLength !== undefined && v.length > def.maxLength) issues.push({ path, rule: 'maxLength', message: '' });
    if (def.pattern !== undefined && !new RegExp(def.pattern).test(v)) issues.push({ path, rule: 'pattern', message: '' });
  }
  if (Array.isArray(v) && def.items) v.forEach((x, i) => walk(def.items, x, `${path}[${i}]`, issues));
  if (typeOk('object', v)) {
    for (const key of def.required ?? []) if (!(key in v)) issues.push({ path: `${path}.${key}`, rule: 'required', message: '' });
    for (const key of Object.keys(v)) {
      if (def.properties?.[key]) walk(def.properties[key], v[key], `${path}.${key}`, issues);
      else if (def.additionalProperties === false) issues.push({ path: `${path}.${key}`, rule: 'additionalProperties', message: '' });
    }
  }
  return undefined;
}

/** Build-time code generation: JS source per definition (what a generated module would contain). */
function generate(def) {
  let n = 0;
  const lines = [];
  const v = (expr, d, p) => {
    const id = `v${n++}`;
    lines.push(`const ${id} = ${expr};`);
    const types = d.type === undefined ? [] : Array.isArray(d.type) ? d.type : [d.type];
    const conds = types.map((t) => ({
      number: `(typeof ${id} === 'number' && Number.isFinite(${id}))`, integer: `Number.isInteger(${id})`, string: `typeof ${id} === 'string'`,
      boolean: `typeof ${id} === 'boolean'`, null: `${id} === null`, array: `Array.isArray(${id})`,
      object: `(typeof ${id} === 'object' && ${id} !== null && !Array.isArray(${id}))`,
    })[t]);
    if (conds.length) lines.push(`if (!(${conds.join(' || ')})) issues.push({path: ${p}, rule: 'type', message: ${JSON.stringify(`must be of type ${types.join(' or ')}`)}}); else {`);
    if (d.minimum !== undefined) lines.push(`if (${id} < ${d.minimum}) issues.push({path: ${p}, rule: 'minimum', message: ''});`);
    if (d.maximum !== undefined) lines.push(`if (${id} > ${d.maximum}) issues.push({path: ${p}, rule: 'maximum', message: ''});`);
    if (d.enum) lines.push(`if (!${JSON.stringify(d.enum)}.includes(${id})) issues.push({path: ${p}, rule: 'enum', message: ''});`);
    if (d.pattern) lines.push(`if (typeof ${id} === 'string' && !/${d.pattern.replace(/\//g, '\\/')}/.test(${id})) issues.push({path: ${p}, rule: 'pattern', message: ''});`);
    if (d.minLength !== undefined) lines.push(`if (typeof ${id} === 'string' && ${id}.length < ${d.minLength}) issues.push({path: ${p}, rule: 'minLength', message: ''});`);
    if (d.maxLength !== undefined) lines.push(`if (typeof ${id} === 'string' && ${id}.length > ${d.maxLength}) issues.push({path: ${p}, rule: 'maxLength', message: ''});`);
    if (d.items) {
      const i = `i${n++}`;
      lines.push(`if (Array.isArray(${id})) for (let ${i} = 0; ${i} < ${id}.length; ${i}++) {`);
      v(`${id}[${i}]`, d.items, `${p} + '[' + ${i} + ']'`);
      lines.push('}');
    }
    if (d.properties || d.required) {
      lines.push(`if (typeof ${id} === 'object' && ${id} !== null && !Array.isArray(${id})) {`);
      for (const key of d.required ?? []) lines.push(`if (!Object.hasOwn(${id}, ${JSON.stringify(key)})) issues.push({path: ${p} + ${JSON.stringify(`.${key}`)}, rule: 'required', message: 'is required'});`);
      for (const [key, sub] of Object.entries(d.properties ?? {})) {
        lines.push(`if (${id}[${JSON.stringify(key)}] !== undefined) {`);
        v(`${id}[${JSON.stringify(key)}]`, sub, `${p} + ${JSON.stringify(`.${key}`)}`);
        lines.push('}');
      }
      if (d.additionalProperties === false) {
        const known = JSON.stringify(Object.keys(d.properties ?? {}));
        lines.push(`for (const k in ${id}) if (!${known}.includes(k)) issues.push({path: ${p} + '.' + k, rule: 'additionalProperties', message: ''});`);
      }
      lines.push('}');
    }
    if (conds.length) lines.push('}');
  };
  v('value', def, "'content'");
  return `(value, issues) => {\n${lines.join('\n')}\n}`;
}

const cases = [
  ['mass/kg (number)', 'mass/kg', 72.4],
  ['position/wgs84', 'position/wgs84', { latitude: 46.5197, longitude: 6.6323, altitude: 495, horizontalAccuracy: 12, speed: 1.4, bearing: 270 }],
  ['wellbeing/who-5', 'wellbeing/who-5', { cheerful: 4, calm: 3, active: 3, rested: 2, interested: 4 }],
  ['position/wgs84, invalid', 'position/wgs84', { latitude: '46.5', altitude: 495 }],
];

function median(fn) {
  const batch = 20_000;
  const samples = [];
  for (let s = 0; s < 60; s++) {
    const start = performance.now();
    for (let i = 0; i < batch; i++) fn();
    samples.push(((performance.now() - start) * 1000) / batch);
  }
  samples.sort((a, b) => a - b);
  return samples[samples.length >> 1];
}

const rows = [];
for (const [label, type, content] of cases) {
  const def = flat.types[type];
  const closure = compile(def);
  // eslint-disable-next-line no-new-func -- benchmark only: stands in for a build-time generated module
  const generated = new Function(`return ${generate(def)}`)();
  rows.push({
    case: label,
    'shipped checkEventContent µs': median(() => runtime.checkEventContent(type, content)),
    'closures µs': median(() => closure(content, 'content', [])),
    'walker µs': median(() => walk(def, content, 'content', [])),
    'codegen µs': median(() => generated(content, [])),
  });
}

// ---- bundle bytes ----
const directoryTs = fs.readFileSync(path.join(ROOT, 'src/event-types/generated/directory.ts'));
const minified = fs.readFileSync(runtimeFile);
const unminified = fs.readFileSync(await bundle('src/event-types/index.ts', false));
const generatedSource = typeNames.map((t) => `${JSON.stringify(t)}: ${generate(flat.types[t])}`).join(',\n');

const fmt = (x) => (typeof x === 'number' ? Number(x.toFixed(3)) : x);
console.log(`Node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'}; ${typeNames.length} types`);
console.table(rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, x]) => [k, fmt(x)]))));
console.table({
  'import runtime module (ms)': fmt(importMs),
  'first use: parse directory + compile 1 type (ms)': fmt(firstUseMs),
  'compile all types eagerly (ms)': fmt(compileAllMs),
  'generated directory.ts (bytes)': directoryTs.length,
  'runtime bundle, as wrangler ships it (bytes)': unminified.length,
  'runtime bundle, minified (bytes)': minified.length,
  'runtime bundle, minified+gzip (bytes)': gzipSync(minified).length,
  'codegen: extra validator source (bytes)': generatedSource.length,
});
fs.rmSync(tmp, { recursive: true, force: true });
