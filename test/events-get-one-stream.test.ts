import { beforeAll, describe, expect, it } from 'vitest';
import { batch, newUser } from './helpers';

/**
 * events.get on one stream reads that stream's links in (time, id) order, joined to their events (decision 036).
 * The answers must be those of §6 whatever the path: ties on time, trashed and deleted events, an event whose
 * time changed (its link's time is rewritten), other streams of the same events, skip, both orders, and more
 * events than one page of the reader (1,000), which the method reads after a keyset cursor.
 */
const OTHERS = Array.from({ length: 11 }, (_, i) => `other${i}`);
const EVENTS = 1_500;
/** Three events per second: many ties on time, ordered by id. */
const timeOf = (i: number) => 1_000_000 + Math.floor(i / 3);

interface Stored { id: string; streamIds: string[]; time: number; trashed: boolean; tags: string[] }

describe('events.get on one stream: read from its links in order', () => {
  let user: Awaited<ReturnType<typeof newUser>>;
  let events: Stored[] = [];

  const get = async (params: Record<string, unknown>) => {
    const [res] = await batch(user.username, user.token, [{ method: 'events.get', params }]);
    if (res.error) throw new Error(JSON.stringify(res.error));
    return (res.events as { id: string }[]).map((e) => e.id);
  };
  const expected = (keep: (e: Stored) => boolean, opts: { ascending?: boolean; skip?: number; limit: number }) => {
    const dir = opts.ascending ? 1 : -1;
    const list = events.filter((e) => e.streamIds.includes('leaf') && keep(e));
    list.sort((a, b) => dir * (a.time - b.time || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)));
    const from = opts.skip ?? 0;
    return list.slice(from, from + opts.limit).map((e) => e.id);
  };

  beforeAll(async () => {
    user = await newUser('onestream');
    // A tree of 12 streams: one stream is a small part of it, so events.get starts from its links.
    const streams = ['leaf', ...OTHERS].map((id) => ({ method: 'streams.create', params: { id, name: id } }));
    expect((await batch(user.username, user.token, streams)).every((r) => r.stream)).toBe(true);
    const creates = Array.from({ length: EVENTS }, (_, i) => ({
      method: 'events.create',
      params: {
        // Every other event is also in another stream; every fifth is not in the leaf at all.
        streamIds: i % 5 === 4 ? [OTHERS[i % 11]] : i % 2 === 0 ? ['leaf', OTHERS[i % 11]] : ['leaf'],
        type: 'note/txt', content: `n${i}`, time: timeOf(i), tags: i % 7 === 0 ? ['seven'] : [],
      },
    }));
    for (let i = 0; i < creates.length; i += 1000) {
      const results = await batch(user.username, user.token, creates.slice(i, i + 1000));
      for (const r of results) {
        if (r.error) throw new Error(JSON.stringify(r.error));
        events.push({ id: r.event.id, streamIds: r.event.streamIds, time: r.event.time, trashed: false, tags: r.event.tags });
      }
    }
    const inLeaf = events.filter((e) => e.streamIds.includes('leaf'));
    // Trash some, delete some, and move one of the oldest to the newest time (its link's time follows).
    const trashed = inLeaf.filter((_, i) => i % 13 === 0).map((e) => e.id);
    const deleted = inLeaf.filter((_, i) => i % 17 === 1 && i % 13 !== 0).map((e) => e.id);
    const moved = inLeaf[2];
    const changes = [
      ...trashed.map((id) => ({ method: 'events.delete', params: { id } })),
      ...deleted.flatMap((id) => [{ method: 'events.delete', params: { id } }, { method: 'events.delete', params: { id } }]),
      { method: 'events.update', params: { id: moved.id, update: { time: timeOf(EVENTS) + 10 } } },
    ];
    for (const r of await batch(user.username, user.token, changes)) if (r.error) throw new Error(JSON.stringify(r.error));
    for (const e of events) if (trashed.includes(e.id)) e.trashed = true;
    events = events.filter((e) => !deleted.includes(e.id));
    moved.time = timeOf(EVENTS) + 10;
  });

  it('gives the latest events of the stream, ties on time in id order, the moved event first', async () => {
    const ids = await get({ streams: ['leaf'] });
    expect(ids).toEqual(expected((e) => !e.trashed, { limit: 20 }));
    expect(ids[0]).toBe(events.find((e) => e.time === timeOf(EVENTS) + 10)!.id);
  });

  it('answers skip, ascending order, trashed state and tags as §6 says', async () => {
    expect(await get({ streams: ['leaf'], skip: 7, limit: 5 })).toEqual(expected((e) => !e.trashed, { skip: 7, limit: 5 }));
    expect(await get({ streams: ['leaf'], limit: 30, sortAscending: true })).toEqual(expected((e) => !e.trashed, { ascending: true, limit: 30 }));
    expect(await get({ streams: ['leaf'], state: 'trashed', limit: 50 })).toEqual(expected((e) => e.trashed, { limit: 50 }));
    expect(await get({ streams: ['leaf'], state: 'all', tags: ['seven'], limit: 50 })).toEqual(expected((e) => e.tags.includes('seven'), { limit: 50 }));
  });

  it('reads more than one page of the reader after its cursor, in both orders, with nothing missing or repeated', async () => {
    const window = { fromTime: 0, toTime: timeOf(EVENTS) + 100 };
    const all = expected(() => true, { limit: Infinity });
    expect(all.length).toBeGreaterThan(1000);
    expect(await get({ streams: ['leaf'], state: 'all', ...window })).toEqual(all);
    expect(await get({ streams: ['leaf'], state: 'all', sortAscending: true, ...window })).toEqual(expected(() => true, { ascending: true, limit: Infinity }));
  });
});
