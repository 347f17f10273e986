// Node-side checks of the memory soak's pure parts (run by `npm test` before vitest): the plateau verdict and
// the request mix of issue 20 (70 % events.get, 20 % events.create, 10 % streams and accesses).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { plateau } from '../../bench/plateau.mjs';
import { autocannonRequests, CYCLE, soakMix } from '../../bench/soak-mix.mjs';

/** Samples every 30 s over `seconds`, the value given by `f(t)`. */
const series = (seconds, f) => Array.from({ length: seconds / 30 + 1 }, (_, i) => ({ t: i * 30, mb: f(i * 30) }));
const mb = (s) => s.mb;

test('plateau judges the last 300 s of a 600 s soak: 4.9 % growth passes', () => {
  const v = plateau(series(600, (t) => (t < 300 ? 500 + t : 800 + ((t - 300) / 300) * 800 * 0.049)), mb);
  assert.equal(v.fromT, 300);
  assert.equal(v.toT, 600);
  assert.ok(Math.abs(v.growth - 0.049) < 1e-9);
  assert.equal(v.pass, true);
});

test('plateau fails a soak still growing by 5 % or more over its last 300 s', () => {
  const exactly5 = plateau(series(600, (t) => (t <= 300 ? 1000 : 1000 + ((t - 300) / 300) * 50)), mb);
  assert.equal(exactly5.from, 1000);
  assert.equal(exactly5.to, 1050);
  assert.equal(exactly5.pass, false);
  assert.equal(plateau(series(600, (t) => 500 + t), mb).pass, false);
});

test('plateau judges the second half of a soak shorter than 600 s', () => {
  const v = plateau(series(120, (t) => 100 + t), mb);
  assert.equal(v.windowS, 60);
  assert.equal(v.fromT, 60);
  assert.equal(v.from, 160);
  assert.equal(v.to, 220);
});

test('plateau starts the window at the first sample at or after its start when samples are uneven', () => {
  const samples = [0, 31, 290, 301, 455, 601].map((t) => ({ t, mb: 100 + t }));
  const v = plateau(samples, mb);
  assert.equal(v.fromT, 301);
  assert.equal(v.toT, 601);
});

test('plateau has no verdict with fewer than two samples', () => {
  assert.equal(plateau([{ t: 0, mb: 100 }], mb), null);
});

const ctx = { user: { username: 'bench-x', token: 'personal' }, shared: 'shared', narrowed: 'narrowed' };

test('the mixed cycle is 70 % events.get, 20 % events.create, 10 % streams and accesses', () => {
  const mix = soakMix(ctx, 'mixed');
  assert.equal(mix.length, CYCLE);
  const kind = (r) => `${r.method} ${r.path.split('?')[0].split('/')[2]}`;
  const count = (k) => mix.filter((r) => kind(r) === k).length;
  assert.equal(count('GET events') / CYCLE, 0.7);
  assert.equal(count('POST events') / CYCLE, 0.2);
  assert.equal((count('GET streams') + count('GET accesses')) / CYCLE, 0.1);
  assert.ok(count('GET streams') > 0 && count('GET accesses') > 0);
  // Reads with the shared and the narrowed tokens are part of the events.get variants.
  assert.ok(mix.some((r) => r.token === 'shared') && mix.some((r) => r.token === 'narrowed'));
});

test('the floor mixes send only their floor route, without a token', () => {
  assert.deepEqual([...new Set(soakMix(ctx, 'floorA').map((r) => `${r.method} ${r.path} ${r.token}`))], ['GET /reg/service/info undefined']);
  assert.deepEqual([...new Set(soakMix(ctx, 'floorB').map((r) => `${r.method} ${r.path} ${r.token}`))], ['GET /bench/d1 undefined']);
  assert.throws(() => soakMix(ctx, 'nothing'), /unknown soak mix/);
});

test('autocannon requests carry the token, and a JSON body with its content type', () => {
  const [get, post] = autocannonRequests([
    { method: 'GET', path: '/u/events', token: 't' },
    { method: 'POST', path: '/u/events', token: 't', body: { type: 'note/txt' } },
  ]);
  assert.deepEqual(get, { method: 'GET', path: '/u/events', headers: { authorization: 't' }, body: undefined });
  assert.deepEqual(post.headers, { authorization: 't', 'content-type': 'application/json' });
  assert.equal(post.body, '{"type":"note/txt"}');
});
