import { describe, expect, it } from 'vitest';
import type { Permission } from '../src/core/permissions';
import { createAccess } from './fixtures/accesses';
import { call, newUser } from './helpers';

/** Tree: a > (c, d), b, x. Events: one per stream, plus one in [a, b] and one in [c, a]. */
async function setup() {
  const u = await newUser('perms');
  const api = (method: string, path: string, body?: unknown, token = u.token) => call(method, `/${u.username}${path}`, { token, body });
  for (const [id, parentId] of [['a', null], ['c', 'a'], ['d', 'a'], ['b', null], ['x', null]] as const) {
    await api('POST', '/streams', { id, name: id, parentId });
  }
  const ev: Record<string, string> = {};
  const mk = async (key: string, body: Record<string, unknown>) => {
    const res = await api('POST', '/events', { type: 'my-class/thing', ...body });
    if (res.status !== 201) throw new Error(res.text);
    ev[key] = res.body.event.id;
    return res.body.event.id as string;
  };
  let t = 100;
  for (const s of ['a', 'b', 'c', 'd', 'x']) await mk(s, { streamIds: [s], time: t++ });
  await mk('ab', { streamIds: ['a', 'b'], time: t++ });
  await mk('ca', { streamIds: ['c', 'a'], time: t++ });
  const as = async (permissions: Permission[]) => {
    const { token } = await createAccess(u.username, permissions);
    return (method: string, path: string, body?: unknown) => api(method, path, body, token);
  };
  return { ...u, api, ev, as, mk };
}

const ids = (res: { body: any }) => (res.body.events ?? []).map((e: any) => e.id).sort();
const sorted = (...list: string[]) => list.slice().sort();

describe('visibility (§7.4)', () => {
  it('shared read on A sees only A\'s subtree; shared * read sees everything (row 47)', async () => {
    const { ev, as } = await setup();
    const onA = await as([{ streamId: 'a', level: 'read' }]);
    expect(ids(await onA('GET', '/events'))).toEqual(sorted(ev.a, ev.c, ev.d, ev.ab, ev.ca));
    const star = await as([{ streamId: '*', level: 'read' }]);
    expect(ids(await star('GET', '/events'))).toEqual(sorted(...Object.values(ev)));
    // A visible event's streamIds come back in full.
    const ab = (await onA('GET', `/events/${ev.ab}`)).body.event;
    expect(ab.streamIds).toEqual(['a', 'b']);
  });

  it('none on a child hides its events, even those also in a readable stream (row 52)', async () => {
    const { ev, as } = await setup();
    const api = await as([{ streamId: 'a', level: 'read' }, { streamId: 'c', level: 'none' }]);
    expect(ids(await api('GET', '/events'))).toEqual(sorted(ev.a, ev.d, ev.ab));
    expect((await api('GET', `/events/${ev.ca}`)).status).toBe(403);
    // Not naming c: querying a never returns c's events.
    expect(ids(await api('GET', '/events?streams=a'))).toEqual(sorted(ev.a, ev.d, ev.ab));
  });

  it('the deepest entry wins, even when lower than an ancestor\'s (§7.3)', async () => {
    const { ev, as } = await setup();
    const api = await as([{ streamId: 'a', level: 'manage' }, { streamId: 'd', level: 'read' }]);
    expect((await api('PUT', `/events/${ev.d}`, { description: 'x' })).status).toBe(403);
    expect((await api('PUT', `/events/${ev.c}`, { description: 'x' })).status).toBe(200);
  });

  it('applies visibility before paging: no holes (§6.6)', async () => {
    const { as, mk } = await setup();
    for (let i = 0; i < 5; i++) {
      await mk(`hidden${i}`, { streamIds: ['b'], time: 1000 + 2 * i });
      await mk(`shown${i}`, { streamIds: ['x'], time: 1001 + 2 * i });
    }
    const api = await as([{ streamId: 'x', level: 'read' }]);
    const res = await api('GET', '/events?limit=3');
    expect(res.body.events.map((e: any) => e.time)).toEqual([1009, 1007, 1005]);
  });

  it('lists deletion records only for events the access could see', async () => {
    const { api: personal, ev, as } = await setup();
    for (const id of [ev.b, ev.x]) {
      await personal('DELETE', `/events/${id}`);
      await personal('DELETE', `/events/${id}`);
    }
    const api = await as([{ streamId: 'x', level: 'read' }]);
    const res = await api('GET', '/events?includeDeletions=true&limit=0');
    expect(res.body.eventDeletions.map((d: any) => d.id)).toEqual([ev.x]);
  });
});

describe('write rules (§7.5)', () => {
  it('read level cannot create, update or delete, also through an inherited grant; contribute can create (row 48)', async () => {
    const { ev, as } = await setup();
    const read = await as([{ streamId: 'a', level: 'read' }, { streamId: 'b', level: 'contribute' }]);
    expect((await read('POST', '/events', { streamIds: ['a'], type: 'my-class/thing' })).status).toBe(403);
    expect((await read('POST', '/events', { streamIds: ['c'], type: 'my-class/thing' })).status).toBe(403);
    expect((await read('PUT', `/events/${ev.c}`, { description: 'x' })).status).toBe(403);
    expect((await read('DELETE', `/events/${ev.a}`)).status).toBe(403);
    expect((await read('POST', '/events', { streamIds: ['b'], type: 'my-class/thing' })).status).toBe(201);
  });

  it('create-only: events.get naming the stream, getOne, update and delete are 403; create is 201 (row 50)', async () => {
    const { ev, as } = await setup();
    const api = await as([{ streamId: 'x', level: 'create-only' }]);
    expect((await api('GET', '/events?streams=x')).status).toBe(403);
    expect((await api('GET', `/events/${ev.x}`)).status).toBe(403);
    expect((await api('POST', '/events', { streamIds: ['x'], type: 'my-class/thing' })).status).toBe(201);
    expect((await api('PUT', `/events/${ev.x}`, { description: 'y' })).status).toBe(403);
    expect((await api('DELETE', `/events/${ev.x}`)).status).toBe(403);
    expect((await api('GET', '/events')).body.events).toEqual([]);
    expect((await api('GET', '/streams')).body.streams.map((s: any) => s.id)).toEqual(['x']);
  });

  it('multi-stream rules: create needs every stream; update through one; adding a stream needs contribute (row 51)', async () => {
    const { ev, as } = await setup();
    const api = await as([{ streamId: 'a', level: 'contribute' }, { streamId: 'b', level: 'read' }]);
    expect((await api('POST', '/events', { streamIds: ['a', 'b'], type: 'my-class/thing' })).status).toBe(403);
    expect((await api('PUT', `/events/${ev.ab}`, { description: 'ok' })).status).toBe(200);
    expect((await api('PUT', `/events/${ev.a}`, { streamIds: ['a', 'b'] })).status).toBe(403);
    expect((await api('PUT', `/events/${ev.ab}`, { streamIds: ['a'] })).status).toBe(403);
    expect((await api('PUT', `/events/${ev.a}`, { streamIds: ['a', 'd'] })).status).toBe(200);
  });
});

describe('narrowed permissions (§7.6)', () => {
  it('tags: only x-tagged events; create without x and update removing x are 403 (row 53)', async () => {
    const { as, mk } = await setup();
    const tagged = await mk('tagged', { streamIds: ['x'], tags: ['x'], time: 500 });
    const api = await as([{ streamId: 'x', level: 'contribute', tags: ['x'] }]);
    expect(ids(await api('GET', '/events'))).toEqual([tagged]);
    expect(ids(await api('GET', '/events?streams=x'))).toEqual([tagged]);
    expect((await api('POST', '/events', { streamIds: ['x'], type: 'my-class/thing' })).status).toBe(403);
    expect((await api('POST', '/events', { streamIds: ['x'], type: 'my-class/thing', tags: ['x'] })).status).toBe(201);
    expect((await api('PUT', `/events/${tagged}`, { tags: ['y'] })).status).toBe(403);
    expect((await api('PUT', `/events/${tagged}`, { tags: ['x', 'y'] })).status).toBe(200);
  });

  it('time frame: getOne outside is 403, create outside is 403, a running event started inside is visible (row 54)', async () => {
    const { as, mk, ev } = await setup();
    const now = Date.now() / 1000;
    const running = await mk('running', { streamIds: ['x'], time: now - 100, duration: null });
    const api = await as([{ streamId: 'x', level: 'contribute', fromTime: now - 1000 }]);
    expect((await api('GET', `/events/${ev.x}`)).status).toBe(403);
    expect((await api('POST', '/events', { streamIds: ['x'], type: 'my-class/thing', time: 10 })).status).toBe(403);
    expect((await api('POST', '/events', { streamIds: ['x'], type: 'my-class/thing' })).status).toBe(201);
    expect((await api('GET', `/events/${running}`)).status).toBe(200);
    const list = await api('GET', '/events');
    expect(list.body.events.map((e: any) => e.id)).toContain(running);
    expect(list.body.events.map((e: any) => e.id)).not.toContain(ev.x);
    const bounded = await as([{ streamId: 'x', level: 'read', fromTime: 0, toTime: 200 }]);
    expect(ids(await bounded('GET', '/events'))).toEqual([ev.x]);
  });
});
