import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { getDb } from '../src/storage/db';
import { eventRevisionGuard, insertEvent, replaceEvent, selectEvent, type StoredEvent } from '../src/storage/events';
import { fixedQuery } from '../src/storage/fixed-statements';
import { treeVersionCheck } from '../src/storage/stream-tree';

/** What Drizzle itself would send for a statement (its own query building). */
const drizzleQuery = (statement: object) => {
  const { sql, params } = (statement as unknown as { _prepare(): { getQuery(): { sql: string; params: unknown[] } } })._prepare().getQuery();
  return { sql, params };
};

const event = (extra: Partial<StoredEvent> = {}): StoredEvent => ({
  id: 'ev1', streamIds: ['a', 'b'], time: 1_700_000_000.5, type: 'note/txt', tags: ['x'], trashed: false,
  created: 1_700_000_001, createdBy: 'acc', modified: 1_700_000_002, modifiedBy: 'acc', ...extra,
});

describe('fixed statements of the write path', () => {
  const db = getDb(env.DB);
  const cases: [string, object][] = [
    ['event row', insertEvent(db, 'u1', event({ content: 'hello', duration: null }))[0]],
    ['event row with every field', insertEvent(db, 'u1', event({ content: { a: 1 }, description: 'd', clientData: { k: 'v' }, duration: 60, trashed: true }))[0]],
    ['stream links', insertEvent(db, 'u1', event())[1]],
    ...replaceEvent(db, 'u1', event({ rev: 3, content: 72.5 }), true).map((s, i): [string, object] => [`rewrite statement ${i}`, s]),
    ['event read', selectEvent(db, 'u1', 'ev1')],
    ['revision guard', eventRevisionGuard(db, 'u1', 'ev1', 7)],
    ['tree-version check', treeVersionCheck(db, 'u1', 12)],
  ];

  for (const [name, statement] of cases) {
    it(`binds the ${name} exactly as Drizzle would build it`, () => {
      expect(fixedQuery(statement)).toEqual(drizzleQuery(statement));
    });
  }

  it('refuses a parameter count that does not match the placeholders', async () => {
    const { fixedSql, runFixed } = await import('../src/storage/fixed-statements');
    expect(() => runFixed(db, fixedSql('SELECT ? + ?'), [1])).toThrow(/1 parameters for 2 placeholders/);
  });
});
