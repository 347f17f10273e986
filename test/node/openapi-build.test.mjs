// scripts/build-openapi.mjs: `npm test` runs it with --check, which must fail on a stale docs/openapi.json.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('../../scripts/build-openapi.mjs', import.meta.url));
const COMMITTED = fileURLToPath(new URL('../../docs/openapi.json', import.meta.url));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openapi-build-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

function run(...args) {
  const res = spawnSync(process.execPath, [SCRIPT, ...args], { encoding: 'utf8' });
  return { status: res.status, output: res.stdout + res.stderr };
}

test('the build writes exactly the committed docs/openapi.json', () => {
  const out = path.join(dir, 'fresh.json');
  const res = run('--out', out);
  assert.equal(res.status, 0, res.output);
  assert.equal(fs.readFileSync(out, 'utf8'), fs.readFileSync(COMMITTED, 'utf8'));
});

test('--check fails on a copy that differs from the method table, and says how to fix it', () => {
  const stale = path.join(dir, 'stale.json');
  const doc = JSON.parse(fs.readFileSync(COMMITTED, 'utf8'));
  delete doc.paths['/{username}/events'];
  fs.writeFileSync(stale, `${JSON.stringify(doc, null, 2)}\n`);
  const res = run('--check', '--out', stale);
  assert.equal(res.status, 1);
  assert.match(res.output, /out of date with the method table: run `npm run build:openapi`/);
});

test('--check fails when the file is missing', () => {
  const res = run('--check', '--out', path.join(dir, 'missing.json'));
  assert.equal(res.status, 1);
  assert.match(res.output, /out of date/);
});
