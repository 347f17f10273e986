// Node-side checks of scripts/build-event-types.mjs on throw-away pack folders (run by `npm test` before vitest):
// the build must refuse bad packs with a message naming the file and the type or JSON path at fault.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('../../scripts/build-event-types.mjs', import.meta.url));

const manifest = (name, extra = {}) => ({ name, version: '1.0.0', description: `${name} pack`, license: 'BSD-3-Clause', maintainers: ['tests'], ...extra });
const massClass = (formats) => ({ mass: { description: 'The heaviness of an object.', formats } });
const KG = { description: 'Kilograms', type: 'number', examples: [72.4], counterExamples: ['72.4'] };

const dirs = [];
after(() => dirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

/** Writes `{packName: {manifest, classes: {file: json}}}` into a fresh folder. */
function fixture(packs) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'event-types-'));
  dirs.push(dir);
  for (const [name, pack] of Object.entries(packs)) {
    fs.mkdirSync(path.join(dir, 'packs', name, 'classes'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'packs', name, 'pack.json'), JSON.stringify(pack.manifest));
    for (const [file, json] of Object.entries(pack.classes)) fs.writeFileSync(path.join(dir, 'packs', name, 'classes', file), JSON.stringify(json));
  }
  return dir;
}

function build(dir, ...extra) {
  const res = spawnSync(process.execPath, [SCRIPT, '--packs', path.join(dir, 'packs'), '--out', path.join(dir, 'out'), ...extra], { encoding: 'utf8' });
  return { status: res.status, output: res.stdout + res.stderr };
}

test('a valid pack builds the module and the catalogue, and --check then passes', () => {
  const dir = fixture({ base: { manifest: manifest('base', { base: true }), classes: { 'mass.json': massClass({ kg: KG }) } } });
  const first = build(dir);
  assert.equal(first.status, 0, first.output);
  const moduleText = fs.readFileSync(path.join(dir, 'out/src/event-types/generated/directory.ts'), 'utf8');
  assert.match(moduleText, /mass\/kg/);
  assert.match(fs.readFileSync(path.join(dir, 'out/docs/event-types.md'), 'utf8'), /\| `mass\/kg` \| Kilograms \| `72.4` \|/);
  assert.equal(build(dir, '--check').status, 0);
});

test('--check fails when the generated module is stale', () => {
  const dir = fixture({ base: { manifest: manifest('base', { base: true }), classes: { 'mass.json': massClass({ kg: KG }) } } });
  build(dir);
  fs.writeFileSync(path.join(dir, 'packs/base/classes/mass.json'), JSON.stringify(massClass({ kg: KG, g: { description: 'Grams', type: 'number', examples: [250] } })));
  const res = build(dir, '--check');
  assert.equal(res.status, 1);
  assert.match(res.output, /directory\.ts and .*event-types\.md out of date/);
});

test('a type defined by two packs fails, naming both files and the type', () => {
  const dir = fixture({
    base: { manifest: manifest('base', { base: true }), classes: { 'mass.json': massClass({ kg: KG }) } },
    extra: { manifest: manifest('extra'), classes: { 'mass.json': { mass: { formats: { kg: KG } } } } },
  });
  const res = build(dir);
  assert.equal(res.status, 1);
  assert.match(res.output, /type mass\/kg is defined twice: in \S*packs\/base\/classes\/mass\.json and in \S*packs\/extra\/classes\/mass\.json/);
});

test('a bad example fails, naming the file, the type and the failed rule', () => {
  const dir = fixture({ base: { manifest: manifest('base', { base: true }), classes: { 'mass.json': massClass({ kg: { ...KG, examples: [72.4, '80'] } }) } } });
  const res = build(dir);
  assert.equal(res.status, 1);
  assert.match(res.output, /packs\/base\/classes\/mass\.json: type mass\/kg: examples\[1\] is invalid: content must be of type number \(got string\) \[type\]/);
});

test('a counter-example that passes fails the build', () => {
  const dir = fixture({ base: { manifest: manifest('base', { base: true }), classes: { 'mass.json': massClass({ kg: { ...KG, counterExamples: [80] } }) } } });
  const res = build(dir);
  assert.equal(res.status, 1);
  assert.match(res.output, /mass\.json: type mass\/kg: counterExamples\[0\] is valid but must fail/);
});

test('a type without examples fails the build', () => {
  const dir = fixture({ base: { manifest: manifest('base', { base: true }), classes: { 'mass.json': massClass({ kg: { description: 'Kilograms', type: 'number' } }) } } });
  const res = build(dir);
  assert.equal(res.status, 1);
  assert.match(res.output, /mass\.json: type mass\/kg: needs "examples"/);
});

test('an unsupported keyword fails, naming the file and its JSON path', () => {
  const position = { description: 'Where', type: 'object', properties: { latitude: { type: 'number', exclusiveMinimum: -90 } }, examples: [{ latitude: 1 }] };
  const dir = fixture({ base: { manifest: manifest('base', { base: true }), classes: { 'position.json': { position: { description: 'Places.', formats: { wgs84: position } } } } } });
  const res = build(dir);
  assert.equal(res.status, 1);
  assert.match(res.output, /packs\/base\/classes\/position\.json: \$\.position\.formats\.wgs84\.properties\.latitude\.exclusiveMinimum: unsupported keyword "exclusiveMinimum"/);
});

test('string booleans such as "additionalProperties": "false" are refused', () => {
  const dir = fixture({ base: { manifest: manifest('base', { base: true }), classes: { 'mass.json': massClass({ kg: { ...KG, additionalProperties: 'false' } }) } } });
  const res = build(dir);
  assert.equal(res.status, 1);
  assert.match(res.output, /mass\.json: \$\.mass\.formats\.kg\.additionalProperties: must be a boolean or a definition object/);
});
