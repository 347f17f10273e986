import { describe, expect, it } from 'vitest';
import { BASE, batch, call, newUser } from './helpers';
import { SELF } from 'cloudflare:test';
import { seedEvents } from './fixtures/seed-events';

/** Tree: A > (B > C), A > D > E; F (trashed); G. */
async function setup() {
  const u = await newUser('evget');
  const api = (method: string, path: string, body?: unknown, token = u.token) => call(method, `/${u.username}${path}`, { token, body });
  for (const [id, parentId] of [['A', null], ['B', 'A'], ['C', 'B'], ['D', 'A'], ['E', 'D'], ['F', null], ['G', null]] as const) {
    await api('POST', '/streams', { id: id.toLowerCase(), name: id, parentId: parentId?.toLowerCase() ?? null });
  }
  const mk = async (body: Record<string, unknown>) => {
    const res = await api('POST', '/events', { type: 'my-class/thing', ...body });
    if (res.status !== 201) throw new Error(res.text);
    return res.body.event.id as string;
  };
  return { ...u, api, mk };
}

const ids = (res: { body: any }) => res.body.events.map((e: any) => e.id);

describe('events.get defaults and time window (§6.1)', () => {
  it('returns the 20 most recent non-trashed events outside trashed streams, time descending (row 21)', async () => {
    const { api, mk } = await setup();
    const made: string[] = [];
    for (let i = 0; i < 23; i++) made.push(await mk({ streamIds: ['g'], time: 1000 + i }));
    await mk({ streamIds: ['g'], time: 5000, trashed: true });
    await mk({ streamIds: ['f'], time: 6000 });
    await api('DELETE', '/streams/f');
    const res = await api('GET', '/events');
    expect(res.status).toBe(200);
    expect(ids(res)).toEqual(made.slice(3).reverse());
  });

  it('applies the overlap rule with periods and running events, ascending (row 25)', async () => {
    const { api, mk } = await setup();
    const point = await mk({ streamIds: ['g'], time: 150 });
    await mk({ streamIds: ['g'], time: 50, duration: 40 }); // ended before 100
    const period = await mk({ streamIds: ['g'], time: 80, duration: 30 }); // lasts into the window
    const running = await mk({ streamIds: ['g'], time: 10, duration: null });
    await mk({ streamIds: ['g'], time: 250 });
    const res = await api('GET', '/events?fromTime=100&toTime=200&sortAscending=true');
    expect(ids(res)).toEqual([running, period, point]);
    expect((await api('GET', '/events?fromTime=100&toTime=200&running=true')).body.events.map((e: any) => e.id)).toEqual([running]);
  });

  it('honours fromTime=0&toTime=0, only-toTime means 24 h before it, only-fromTime stops at now (row 26)', async () => {
    const { api, mk } = await setup();
    const zero = await mk({ streamIds: ['g'], time: 0 });
    const t = 1_000_000;
    const inDay = await mk({ streamIds: ['g'], time: t - 3600 });
    await mk({ streamIds: ['g'], time: t - 90_000 });
    const future = await mk({ streamIds: ['g'], time: Date.now() / 1000 + 10_000 });
    expect(ids(await api('GET', '/events?fromTime=0&toTime=0'))).toEqual([zero]);
    expect(ids(await api('GET', `/events?toTime=${t}`))).toEqual([inDay]);
    expect(ids(await api('GET', `/events?fromTime=${t - 10}`))).not.toContain(future);
    expect(ids(await api('GET', '/events?fromTime=-1.7976931348623157e%2B308&toTime=1.7976931348623157e%2B308&limit=1'))).toEqual([future]);
    expect(ids(await api('GET', '/events?fromTime=10&toTime=5'))).toEqual([]);
  });

  it('pages with skip and limit after sorting; limit=0 returns nothing (row 27)', async () => {
    const { api, mk } = await setup();
    const made: string[] = [];
    for (let i = 0; i < 6; i++) made.push(await mk({ streamIds: ['g'], time: 100 + i }));
    expect(ids(await api('GET', '/events?skip=1&limit=3'))).toEqual(made.slice().reverse().slice(1, 4));
    expect(ids(await api('GET', '/events?limit=0'))).toEqual([]);
  });

  it('breaks time ties by id in the sort direction', async () => {
    const { api, mk } = await setup();
    const made = [await mk({ streamIds: ['g'], time: 7 }), await mk({ streamIds: ['g'], time: 7 }), await mk({ streamIds: ['g'], time: 7 })];
    expect(ids(await api('GET', '/events?sortAscending=true&fromTime=0&toTime=10'))).toEqual(made.slice().sort());
    expect(ids(await api('GET', '/events?fromTime=0&toTime=10'))).toEqual(made.slice().sort().reverse());
  });
});

describe('events.get filters', () => {
  it('filters by streams with descendants (row 22) and refuses unknown streams (row 23)', async () => {
    const { api, mk } = await setup();
    const inC = await mk({ streamIds: ['c'], time: 1 });
    const inD = await mk({ streamIds: ['d'], time: 2 });
    await mk({ streamIds: ['g'], time: 3 });
    expect(ids(await api('GET', '/events?streams[]=b&streams[]=d')).sort()).toEqual([inC, inD].sort());
    expect(ids(await api('GET', '/events?streams=a')).sort()).toEqual([inC, inD].sort());
    const unknown = await api('GET', '/events?streams[]=nope');
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatchObject({ id: 'unknown-referenced-resource', data: { streams: ['nope'] } });
  });

  it('filters by exact type, class wildcard, and refuses bad type patterns (row 24)', async () => {
    const { api, mk } = await setup();
    const kg = await mk({ streamIds: ['g'], type: 'mass/kg', content: 70 });
    const act = await mk({ streamIds: ['g'], type: 'activity/plain' });
    const act2 = await mk({ streamIds: ['g'], type: 'activity/other' });
    await mk({ streamIds: ['g'], type: 'activityx/plain' });
    expect(ids(await api('GET', '/events?types[]=mass/kg'))).toEqual([kg]);
    expect(ids(await api('GET', '/events?types[]=activity/*')).sort()).toEqual([act, act2].sort());
    expect(ids(await api('GET', '/events?types[]=series:mass/kg'))).toEqual([]);
    expect((await api('GET', '/events?types[]=activity/asd%20asd')).body.error.id).toBe('invalid-parameters-format');
  });

  it('filters by tags (any of)', async () => {
    const { api, mk } = await setup();
    const x = await mk({ streamIds: ['g'], tags: ['x'] });
    const y = await mk({ streamIds: ['g'], tags: ['y', 'z'] });
    await mk({ streamIds: ['g'], tags: ['X'] });
    expect(ids(await api('GET', '/events?tags[]=x&tags[]=z')).sort()).toEqual([x, y].sort());
  });

  it('state=trashed returns only trashed events, state=all both (row 28)', async () => {
    const { api, mk } = await setup();
    const live = await mk({ streamIds: ['g'], time: 1 });
    const trashed = await mk({ streamIds: ['g'], time: 2, trashed: true });
    expect(ids(await api('GET', '/events?state=trashed'))).toEqual([trashed]);
    expect(ids(await api('GET', '/events?state=all'))).toEqual([trashed, live]);
  });

  it('modifiedSince is strict and includeDeletions lists visible deletions (row 29)', async () => {
    const { api, mk } = await setup();
    const old = await mk({ streamIds: ['g'] });
    const t = (await api('GET', `/events/${old}`)).body.event.modified;
    const gone = await mk({ streamIds: ['g'] });
    await api('DELETE', `/events/${gone}`);
    await api('DELETE', `/events/${gone}`);
    const res = await api('GET', `/events?modifiedSince=${t}&includeDeletions=true`);
    expect(ids(res)).not.toContain(old);
    expect(res.body.eventDeletions).toEqual([{ id: gone, deleted: expect.any(Number) }]);
    expect((await api('GET', '/events?includeDeletions=true')).body.eventDeletions.map((d: any) => d.id)).toEqual([gone]);
    expect((await api('GET', '/events')).body.eventDeletions).toBeUndefined();
  });

  it('refuses unknown parameters, including streamIds and content queries (rows 31, §8 #38)', async () => {
    const { api } = await setup();
    for (const q of ['withDeletions=true', 'streamIds=a', 'returnOnlyAttachments=true']) {
      const res = await api('GET', `/events?${q}`);
      expect(res.status, q).toBe(400);
      expect(res.body.error.id).toBe('invalid-parameters-format');
    }
    expect((await api('GET', '/events?content=%5B%5D')).status).toBe(451);
  });
});

describe('events.get streams queries (§6.2)', () => {
  it('supports all, not, OR of queries and the ! suffix (row 32)', async () => {
    const { api, mk } = await setup();
    const ae = await mk({ streamIds: ['b', 'e'], time: 1 });
    const onlyB = await mk({ streamIds: ['b'], time: 2 });
    const onlyD = await mk({ streamIds: ['d'], time: 3 });
    const onlyE = await mk({ streamIds: ['e'], time: 4 });
    const q = (v: unknown) => api('GET', `/events?streams=${encodeURIComponent(JSON.stringify(v))}`);
    expect(ids(await q({ any: ['a'], all: ['e'] })).sort()).toEqual([ae, onlyE].sort());
    expect(ids(await q({ any: ['a'], not: ['b'] })).sort()).toEqual([onlyD, onlyE].sort());
    expect(ids(await q([{ any: ['b'] }, { any: ['d'], not: ['e'] }])).sort()).toEqual([ae, onlyB, onlyD].sort());
    expect(ids(await q({ any: ['a'], not: ['d!'] })).sort()).toEqual([ae, onlyB, onlyE].sort());
    expect(ids(await q({ any: ['d!'] }))).toEqual([onlyD]);
  });

  it('refuses malformed queries with invalid-request-structure (row 33)', async () => {
    const { api } = await setup();
    for (const q of [
      `streams=${encodeURIComponent('{"all":["a"]}')}`, `streams=${encodeURIComponent('{"any":[true]}')}`, 'streams[any]=a',
      `streams=${encodeURIComponent('{"any":[]}')}`, `streams=${encodeURIComponent('{"any":["a"],"not":["*"]}')}`,
      `streams=${encodeURIComponent('["a",{"any":["b"]}]')}`, `streams=${encodeURIComponent('{"any":')}`,
    ]) {
      const res = await api('GET', `/events?${q}`);
      expect(res.status, q).toBe(400);
      expect(res.body.error.id, q).toBe('invalid-request-structure');
    }
  });

  it('naming a trashed stream gives an empty list (row 34)', async () => {
    const { api, mk } = await setup();
    await mk({ streamIds: ['f'] });
    await api('DELETE', '/streams/f');
    const res = await api('GET', '/events?streams[]=f');
    expect(res.status).toBe(200);
    expect(res.body.events).toEqual([]);
    expect(ids(await api('GET', '/events?streams[]=f&state=all'))).toHaveLength(1);
  });

  it('accepts streams as an object and as a JSON string in a batch (row 19)', async () => {
    const { username, token, mk } = await setup();
    const e = await mk({ streamIds: ['c'] });
    const results = await batch(username, token, [
      { method: 'events.get', params: { streams: { any: ['a'] } } },
      { method: 'events.get', params: { streams: '{"any":["b"]}' } },
      { method: 'events.get', params: { streams: 'c' } },
      { method: 'events.get', params: { streams: 5 } },
    ]);
    for (const r of results.slice(0, 3)) expect(r.events.map((x: any) => x.id)).toEqual([e]);
    expect(results[3].error.id).toMatch(/invalid-/);
  });

  it('handles 10,000-entry streams arrays without a 5xx', async () => {
    const { api, username, token } = await setup();
    const many = Array.from({ length: 10_000 }, (_, i) => `s${i}`);
    const results = await batch(username, token, [{ method: 'events.get', params: { streams: many } }]);
    expect(results[0].error.id).toBe('unknown-referenced-resource');
    const known = await batch(username, token, [{ method: 'events.get', params: { streams: Array(10_000).fill('a') } }]);
    expect(known[0].events).toEqual([]);
    expect((await api('GET', `/events?streams=${encodeURIComponent(JSON.stringify(Array(2000).fill({ any: ['a'] })))}`)).status).toBe(200);
  });
});

describe('events.get wire format (§2.13)', () => {
  it('streams {"events":[ then "eventDeletions":[ then meta, compactly (row 35)', async () => {
    const { username, token, mk, api } = await setup();
    await mk({ streamIds: ['g'] });
    const gone = await mk({ streamIds: ['g'] });
    await api('DELETE', `/events/${gone}`);
    await api('DELETE', `/events/${gone}`);
    const res = await SELF.fetch(`${BASE}/${username}/events?includeDeletions=true`, { headers: { Authorization: token } });
    const text = await res.text();
    expect(text.startsWith('{"events":[{')).toBe(true);
    expect(text).toMatch(/\],"eventDeletions":\[\{"id":"[a-z0-9]+","deleted":[0-9.]+\}\],"meta":\{/);
    expect(text).not.toMatch(/\n|": /);
  });

  it('streams more than one page of events', async () => {
    const { username, token } = await setup();
    await seedEvents(username, 'g', 1001);
    const res = await call('GET', `/${username}/events?fromTime=0&toTime=2000`, { token });
    expect(res.body.events).toHaveLength(1001);
    expect(res.body.events[0].time).toBe(1000);
    expect(res.body.events[1000].time).toBe(0);
    const asc = await call('GET', `/${username}/events?fromTime=0&toTime=2000&sortAscending=true&skip=5&limit=1000`, { token });
    expect(asc.body.events.map((e: any) => e.time)).toEqual(Array.from({ length: 996 }, (_, i) => i + 5));
    const batched = await batch(username, token, [{ method: 'events.get', params: { fromTime: 0, toTime: 2000, limit: 1001 } }]);
    expect(batched[0].events).toHaveLength(1001);
  });
});
