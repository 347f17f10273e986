// Node-side checks of the bench's budget lines (bench/report.mjs, run by `npm test` before vitest): the shares
// of floor B issue 18 asks (reads 60 %, writes 80 %) and the round trips of events.update.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { budget } from '../../bench/report.mjs';

/** A scenario result as bench/load.mjs reports it. */
const ran = (id, rps, d1 = 1) => ({ id, title: id, status: 'ran', rps, p50: 10, p99: 20, d1PerRequest: d1, kvReadsPerRequest: 0, non2xx: 0, errors: 0 });
const lineOf = (lines, start) => lines.find((l) => l.text.startsWith(start));

test('events.get shapes pass at 60 % of floor B, writes need 80 %', () => {
  const lines = budget([ran('floorB', 100), ran('eventsGetLarge', 60), ran('eventsCreate', 70), ran('eventsUpdate', 80, 2)]);
  assert.equal(lineOf(lines, 'eventsGetLarge: 60 %').ok, true);
  assert.equal(lineOf(lines, 'eventsCreate: 70 %').ok, false);
  assert.match(lineOf(lines, 'eventsCreate: 70 %').text, /budget ≥ 80 %/);
  assert.equal(lineOf(lines, 'eventsUpdate: 80 %').ok, true);
});

test('events.update may take two D1 round trips (the read, then the write), not three', () => {
  const two = budget([ran('floorB', 100), ran('eventsUpdate', 90, 2)]);
  assert.equal(lineOf(two, 'eventsUpdate: 2 D1').ok, true);
  const three = budget([ran('floorB', 100), ran('eventsUpdate', 90, 3)]);
  assert.equal(lineOf(three, 'eventsUpdate: 3 D1').ok, false);
});

test('ratios use the mean of floor B measured at the start and again after the large scenarios', () => {
  const lines = budget([ran('floorB', 120), ran('eventsGetLarge', 60), ran('floorBEnd', 80)]);
  assert.equal(lineOf(lines, 'eventsGetLarge: 60 %').ok, true);
  assert.match(lineOf(lines, 'eventsGetLarge: 60 %').text, /vs 100, the mean of 120 and 80/);
  // A run that measured floor B once (an `--only` selection) keeps that one.
  assert.equal(lineOf(budget([ran('floorB', 120), ran('eventsGetLarge', 60)]), 'eventsGetLarge: 50 %').ok, false);
});
