import { env } from 'cloudflare:test';
import type { SQL } from 'drizzle-orm';
import { SQLiteSyncDialect } from 'drizzle-orm/sqlite-core';
import { describe, expect, it } from 'vitest';
import { eventDeletionsSql, eventsPageSql, type EventsFilter } from '../src/storage/events-query';
import { modifiedRanksSql, streamCountsSql, typeCountsSql } from '../src/storage/stream-counts';
import { getDb } from '../src/storage/db';
import { eventsLinksDeleteSql, replaceEvent } from '../src/storage/events';
import { fixedQuery } from '../src/storage/fixed-statements';
import { anyShard } from './db-fixtures';

const dialect = new SQLiteSyncDialect();

async function plan(query: SQL): Promise<string[]> {
  const { sql, params } = dialect.sqlToQuery(query);
  const res = await anyShard().prepare(`EXPLAIN QUERY PLAN ${sql}`).bind(...params).all<{ detail: string }>();
  return res.results.map((r) => r.detail);
}

/** A full scan of a table (not of a json_each virtual table) shows as "SCAN <alias>" without a search key. */
const fullScans = (lines: string[]) => lines.filter((l) => /^SCAN (e|es|events|event_streams)\b/.test(l));

const base: EventsFilter = {
  userId: 'u', now: 1000, streams: null, running: false, state: 'default', visibility: null, ascending: false,
};
const visibility = { hidden: ['h'], grants: [{ s: ['a', 'b'] }, { s: ['n'], t: ['x'], f: 10 }] };

describe('query plans of the main queries (no full table scan)', () => {
  it('the latest 20 events come off the (user, time, id) index with no sort step', async () => {
    const lines = await plan(eventsPageSql(base, 20, 0));
    expect(fullScans(lines)).toEqual([]);
    expect(lines.join('\n')).toMatch(/SEARCH e USING INDEX events_time/);
    expect(lines.join('\n')).not.toMatch(/TEMP B-TREE FOR ORDER BY/);
  });

  it('time windows, filters, streams queries and visibility keep an indexed search', async () => {
    const filters: EventsFilter[] = [
      { ...base, from: 0, to: 100, types: { exact: ['a/b'], classes: ['c'] }, tags: ['x'], running: true, modifiedSince: 5 },
      { ...base, streams: [{ any: ['a', 'b'], all: [['c']], not: ['d'] }], visibility },
      { ...base, streams: Array(6).fill({ any: ['a'], all: [], not: [] }), linkedTo: ['a'], state: 'all' },
      { ...base, ascending: true, visibility },
    ];
    for (const f of filters) {
      const lines = await plan(eventsPageSql(f, 1000, 0, { time: 5, id: 'x' }));
      expect(fullScans(lines), lines.join('\n')).toEqual([]);
    }
  });

  it('deletion records use the deleted index', async () => {
    const lines = await plan(eventDeletionsSql('u', 10, 1000, visibility));
    expect(fullScans(lines)).toEqual([]);
    expect(lines.join('\n')).toMatch(/events_deleted/);
  });

  it('stream links of a subtree and single events are found by key', async () => {
    const statements: [string, unknown[]][] = [
      [`SELECT e.id FROM events e WHERE e.user_id = ? AND e.deleted IS NULL AND e.id IN (SELECT es.event_id FROM event_streams es WHERE es.user_id = ? AND es.stream_id IN (SELECT value FROM json_each(?)))`, ['u', 'u', '[]']],
      [`SELECT * FROM events WHERE user_id = ? AND id = ?`, ['u', 'x']],
      [`SELECT * FROM streams WHERE user_id = ?`, ['u']],
    ];
    for (const [text, params] of statements) {
      const res = await anyShard().prepare(`EXPLAIN QUERY PLAN ${text}`).bind(...params).all<{ detail: string }>();
      const lines = res.results.map((r) => r.detail);
      expect(lines.filter((l) => /^SCAN (e|es|events|event_streams|streams)\b/.test(l)), text).toEqual([]);
    }
  });

  // The two paths decision 023 chooses between, for the bench's shapes (a root with limit 5, a leaf).
  it('a broad stream set with a small limit walks the time index with no sort step', async () => {
    const root = Array.from({ length: 25 }, (_, i) => `r0-${i}`);
    const lines = await plan(eventsPageSql({ ...base, streams: [{ any: root, all: [], not: [] }] }, 5, 0));
    expect(fullScans(lines)).toEqual([]);
    expect(lines.join('\n')).toMatch(/SEARCH e USING INDEX events_time/);
    expect(lines.join('\n')).not.toMatch(/TEMP B-TREE FOR ORDER BY/);
  });

  it('a narrow stream set starts from its links by key', async () => {
    const lines = await plan(eventsPageSql({ ...base, streams: [{ any: ['leaf', 'leaf2'], all: [], not: [] }], linkedTo: ['leaf', 'leaf2'] }, 20, 0));
    expect(fullScans(lines)).toEqual([]);
    expect(lines.join('\n')).toMatch(/SEARCH es USING (COVERING )?INDEX (event_streams_time|sqlite_autoindex_event_streams_1)/);
  });

  // Decision 036: one stream's page comes off its links in order, each event found by key, no sort of the matches.
  it('one linked stream reads its links in (time, event) order and each event by key, in both orders and after a cursor', async () => {
    for (const ascending of [false, true]) {
      for (const after of [undefined, { time: 5, id: 'x' }]) {
        const lines = await plan(eventsPageSql({ ...base, ascending, streams: [{ any: ['leaf'], all: [], not: [] }], linkedTo: ['leaf'] }, 20, 0, after));
        const text = lines.join('\n');
        expect(fullScans(lines)).toEqual([]);
        expect(lines[0]).toMatch(/^SEARCH es USING INDEX event_streams_time \(user_id=\? AND stream_id=\?/);
        expect(text).toMatch(/SEARCH e USING INDEX sqlite_autoindex_events_1 \(user_id=\? AND id=\?\)/);
        // Only ties on time are put in id order (a sort of a few rows at a time, not of every match).
        expect(text).not.toMatch(/USE TEMP B-TREE FOR ORDER BY/);
      }
    }
  });

  // Decision 038: no index by event alone; an event's links are deleted by primary key from its row's stream ids.
  it("an event's links are deleted by primary key, one event or many", async () => {
    const e = { id: 'x', streamIds: ['a'], time: 1, type: 'note/txt', tags: [], trashed: false, created: 0, createdBy: 'a', modified: 0, modifiedBy: 'a', rev: 0 };
    const [, relinkDelete] = replaceEvent(getDb(anyShard()), 'u', e, true);
    const one = fixedQuery(relinkDelete)!;
    expect(one.sql).toMatch(/^DELETE FROM event_streams/);
    const statements: [string, unknown[]][] = [[one.sql, one.params], [dialect.sqlToQuery(eventsLinksDeleteSql('u', '["x","y"]')).sql, ['u', 'u', '["x","y"]']]];
    for (const [text, params] of statements) {
      const res = await anyShard().prepare(`EXPLAIN QUERY PLAN ${text}`).bind(...params).all<{ detail: string }>();
      const lines = res.results.map((r) => r.detail);
      expect(fullScans(lines), lines.join('\n')).toEqual([]);
      expect(lines.join('\n')).toMatch(/SEARCH event_streams USING (PRIMARY KEY|(COVERING )?INDEX sqlite_autoindex_event_streams_1) \(user_id=\? AND stream_id=\? AND event_id=\?\)/);
    }
  });

  it('the per-stream counts are an index-only scan of the stream links', async () => {
    const lines = await plan(streamCountsSql('u'));
    expect(lines.join('\n')).toMatch(/SEARCH event_streams USING COVERING INDEX/);
    expect(lines.join('\n')).not.toMatch(/TEMP B-TREE/);
  });

  // Decision 029: the shapes of issue 18 whose plan is not the time walk.
  it('one exact type reads events_type in (time, id) order, with no sort step', async () => {
    for (const ascending of [false, true]) {
      const lines = await plan(eventsPageSql({ ...base, ascending, types: { exact: ['temperature/c'], classes: [] }, index: 'type' }, 20, 0));
      expect(fullScans(lines)).toEqual([]);
      expect(lines.join('\n')).toMatch(/SEARCH e USING INDEX events_type/);
      expect(lines.join('\n')).not.toMatch(/TEMP B-TREE FOR ORDER BY/);
    }
  });

  it('several rare types read their ranges of events_type, merged by a sort', async () => {
    const lines = await plan(eventsPageSql({ ...base, types: { exact: ['temperature/c', 'temperature/f'], classes: [] }, index: 'type', visibility }, 20, 0, { time: 5, id: 'x' }));
    expect(fullScans(lines)).toEqual([]);
    expect(lines.join('\n')).toMatch(/SEARCH e USING INDEX events_type/);
  });

  it('common types and a recent modifiedSince walk the time index when the plan says so, not their own index', async () => {
    const filters: EventsFilter[] = [
      { ...base, types: { exact: ['mass/kg', 'note/txt'], classes: [] }, tags: ['t1'] },
      { ...base, modifiedSince: 5 },
      { ...base, modifiedSince: 5, visibility },
    ];
    for (const f of filters) {
      const lines = await plan(eventsPageSql(f, 20, 0));
      expect(fullScans(lines), lines.join('\n')).toEqual([]);
      expect(lines.join('\n')).toMatch(/SEARCH e USING INDEX events_time/);
      expect(lines.join('\n')).not.toMatch(/TEMP B-TREE FOR ORDER BY/);
    }
  });

  // Decision 035: a filter tested while walking events_time reads only the index entry; the row is read for a match.
  it('the filters of a time walk (visibility with tags and time, streams, types, tags, running) are tested on the index alone', async () => {
    const filters: EventsFilter[] = [
      { ...base, visibility },
      { ...base, streams: [{ any: ['a', 'b'], all: [['c']], not: ['d'] }], types: { exact: ['mass/kg', 'note/txt'], classes: ['count'] }, tags: ['t1', 't2'] },
      { ...base, from: 0, to: 100, running: true, state: 'trashed' },
    ];
    for (const f of filters) {
      // The same query selecting only the id: "COVERING" says no column of its WHERE needs the row.
      const { sql: text, params } = dialect.sqlToQuery(eventsPageSql(f, 20, 0));
      expect(text.startsWith('SELECT e.* FROM events e ')).toBe(true);
      const res = await anyShard().prepare(`EXPLAIN QUERY PLAN ${text.replace('SELECT e.*', 'SELECT e.id')}`).bind(...params).all<{ detail: string }>();
      const lines = res.results.map((r) => r.detail).join('\n');
      expect(lines).toMatch(/SEARCH e USING COVERING INDEX events_time/);
    }
  });

  it('a modifiedSince matching few events reads events_modified', async () => {
    const lines = await plan(eventsPageSql({ ...base, modifiedSince: 5, index: 'modified' }, 20, 0));
    expect(fullScans(lines)).toEqual([]);
    expect(lines.join('\n')).toMatch(/SEARCH e USING INDEX events_modified/);
  });

  it('the per-type counts and the modified ranks are index-only scans', async () => {
    expect((await plan(typeCountsSql('u'))).join('\n')).toMatch(/SEARCH events USING COVERING INDEX events_type/);
    const ranks = (await plan(modifiedRanksSql('u'))).join('\n');
    expect(ranks).toMatch(/SEARCH events USING COVERING INDEX events_modified/);
    expect(ranks).not.toMatch(/TEMP B-TREE|SCAN events/);
  });
});
