import { describe, expect, it } from 'vitest';
import { accountD1, userRow } from './db-fixtures';
import { batch, newUser } from './helpers';

/**
 * An event's stream links are exactly its row's stream ids, at its time, and a deleted event has none: events.get
 * reads through the links (decisions 023, 036), and an event's links are found by the stream ids its row holds
 * (decision 038). Checked on the stored rows after every kind of write that moves streams or time.
 */
async function linksMatchRows(username: string): Promise<void> {
  const d1 = await accountD1(username);
  const { id: userId } = await userRow(username);
  const links = await d1.prepare('SELECT stream_id, event_id, time FROM event_streams WHERE user_id = ? ORDER BY event_id, stream_id').bind(userId).all<{ stream_id: string; event_id: string; time: number }>();
  const rows = await d1.prepare('SELECT id, stream_ids, time, deleted FROM events WHERE user_id = ?').bind(userId).all<{ id: string; stream_ids: string; time: number; deleted: number | null }>();
  const expected = rows.results
    .filter((r) => r.deleted === null)
    .flatMap((r) => (JSON.parse(r.stream_ids) as string[]).map((s) => ({ stream_id: s, event_id: r.id, time: r.time })))
    .sort((a, b) => (a.event_id === b.event_id ? (a.stream_id < b.stream_id ? -1 : 1) : a.event_id < b.event_id ? -1 : 1));
  expect(links.results).toEqual(expected);
}

const ok = (results: any[]) => {
  for (const r of results) if (r.error) throw new Error(JSON.stringify(r.error));
  return results;
};

describe('stream links follow the events rows', () => {
  it('after creates, updates of streams and time, trashing and deletions', async () => {
    const user = await newUser('links');
    const run = (calls: { method: string; params: unknown }[]) => batch(user.username, user.token, calls).then(ok);
    await run(['a', 'b', 'c'].map((id) => ({ method: 'streams.create', params: { id, name: id } })));
    const created = await run([
      { method: 'events.create', params: { streamIds: ['a'], type: 'note/txt', content: '1', time: 100 } },
      { method: 'events.create', params: { streamIds: ['a', 'b'], type: 'note/txt', content: '2', time: 200 } },
      { method: 'events.create', params: { streamIds: ['b', 'c'], type: 'note/txt', content: '3', time: 300 } },
      { method: 'events.create', params: { streamIds: ['c'], type: 'note/txt', content: '4', time: 400 } },
    ]);
    const [e1, e2, e3, e4] = created.map((r) => r.event.id as string);
    await linksMatchRows(user.username);
    await run([
      { method: 'events.update', params: { id: e1, update: { streamIds: ['b', 'c'] } } },
      { method: 'events.update', params: { id: e2, update: { time: 250 } } },
      { method: 'events.update', params: { id: e3, update: { streamIds: ['a'], time: 50 } } },
    ]);
    await linksMatchRows(user.username);
    // Twice the same update: the second runs from the isolate's copy (decision 034).
    await run([{ method: 'events.update', params: { id: e1, update: { streamIds: ['a'] } } }]);
    await run([{ method: 'events.update', params: { id: e1, update: { streamIds: ['a', 'c'], time: 120 } } }]);
    await linksMatchRows(user.username);
    await run([{ method: 'events.delete', params: { id: e4 } }, { method: 'events.delete', params: { id: e4 } }]);
    await run([{ method: 'events.delete', params: { id: e2 } }]);
    await linksMatchRows(user.username);
    const d1 = await accountD1(user.username);
    const e4links = await d1.prepare('SELECT count(*) AS n FROM event_streams WHERE event_id = ?').bind(e4).first<{ n: number }>();
    expect(e4links?.n).toBe(0);
  });

  it('after stream deletions that merge events into the parent, or delete them, or keep them in other streams', async () => {
    const user = await newUser('links');
    const run = (calls: { method: string; params: unknown }[]) => batch(user.username, user.token, calls).then(ok);
    await run([
      { method: 'streams.create', params: { id: 'p', name: 'p' } },
      { method: 'streams.create', params: { id: 'm', name: 'm', parentId: 'p' } },
      { method: 'streams.create', params: { id: 'm1', name: 'm1', parentId: 'm' } },
      { method: 'streams.create', params: { id: 'x', name: 'x' } },
      { method: 'streams.create', params: { id: 'y', name: 'y' } },
    ]);
    await run([
      { method: 'events.create', params: { streamIds: ['m1'], type: 'note/txt', content: 'merged', time: 10 } },
      { method: 'events.create', params: { streamIds: ['m', 'p'], type: 'note/txt', content: 'merged into a link it has', time: 20 } },
      { method: 'events.create', params: { streamIds: ['x'], type: 'note/txt', content: 'deleted with x', time: 30 } },
      { method: 'events.create', params: { streamIds: ['x', 'y'], type: 'note/txt', content: 'kept in y', time: 40 } },
    ]);
    await linksMatchRows(user.username);
    // A stream is trashed first, then deleted (§5.3).
    for (const [id, merge] of [['m', true], ['x', false]] as const) {
      await run([{ method: 'streams.delete', params: { id } }]);
      await run([{ method: 'streams.delete', params: { id, mergeEventsWithParent: merge } }]);
      await linksMatchRows(user.username);
    }
  });
});
