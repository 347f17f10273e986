import { describe, expect, it } from 'vitest';
import { batch, call, newUser } from './helpers';

async function setup(streams: Record<string, string | null> = { a: null, b: null }) {
  const u = await newUser('events');
  const api = (method: string, path: string, body?: unknown, token = u.token) => call(method, `/${u.username}${path}`, { token, body });
  for (const [id, parentId] of Object.entries(streams)) {
    const res = await api('POST', '/streams', { id, name: id, parentId });
    if (res.status !== 201) throw new Error(res.text);
  }
  return { ...u, api };
}

describe('events.create', () => {
  it('creates an event with generated id, tracking fields, tags [] and time ≈ now (rows 36, 37)', async () => {
    const { api } = await setup();
    const before = Date.now() / 1000;
    const res = await api('POST', '/events', { streamIds: ['a'], type: 'temperature/c', content: 36.7 });
    expect(res.status).toBe(201);
    const e = res.body.event;
    expect(e.id).toMatch(/^[a-z][a-z0-9]{23}$/);
    expect(e).toMatchObject({ streamIds: ['a'], type: 'temperature/c', content: 36.7, tags: [] });
    expect(e.time).toBeGreaterThanOrEqual(before - 1);
    expect(e.time).toBeLessThanOrEqual(Date.now() / 1000 + 1);
    for (const k of ['created', 'createdBy', 'modified', 'modifiedBy']) expect(e[k]).toBeDefined();
    expect(e.streamId).toBeUndefined();
    expect(e.trashed).toBeUndefined();
    expect(e.duration).toBeUndefined();
  });

  it('accepts explicit nulls; duration null makes a running event (row 37)', async () => {
    const { api } = await setup();
    const res = await api('POST', '/events', {
      streamIds: ['a'], type: 'activity/plain', duration: null, content: null, description: null, clientData: null, trashed: null,
    });
    expect(res.status).toBe(201);
    expect(res.body.event.duration).toBeNull();
    expect(res.text).toContain('"duration":null');
    expect(res.body.event.content).toBeUndefined();
  });

  it('refuses missing or empty streamIds, an array body, unknown and read-only properties (row 38)', async () => {
    const { api } = await setup();
    for (const body of [
      { type: 'my-class/thing' }, { streamIds: [], type: 'my-class/thing' }, [{ streamIds: ['a'], type: 'my-class/thing' }],
      { streamIds: ['a'], type: 'note/txt', foo: 1 }, { streamIds: ['a'], type: 'note/txt', created: 1 },
      { streamIds: ['a'], type: 'note/txt', modifiedBy: 'x' }, { streamIds: ['a'] },
      { streamIds: ['a'], type: 'Note/Txt' }, { streamIds: ['a'], type: 'note/txt', duration: -1 },
      { streamIds: ['a'], type: 'note/txt', streamId: 'b' }, { streamIds: ['a'], type: 'note/txt', tags: ['  '] },
      { streamIds: ['a'], type: 'note/txt', tags: ['x'.repeat(501)] },
    ]) {
      const res = await api('POST', '/events', body);
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(res.body.error.id).toBe('invalid-parameters-format');
    }
  });

  it('accepts client ids in both formats, refuses bad ones and any id used before, even deleted (row 39)', async () => {
    const { api } = await setup();
    const id = `c${'a1-'.repeat(8)}`;
    expect((await api('POST', '/events', { id, streamIds: ['a'], type: 'note/txt', content: 'x' })).status).toBe(201);
    const dup = await api('POST', '/events', { id, streamIds: ['a'], type: 'note/txt', content: 'x' });
    expect(dup.status).toBe(409);
    expect(dup.body.error).toMatchObject({ id: 'item-already-exists', data: { id } });
    const cuid = 'k'.repeat(24);
    expect((await api('POST', '/events', { id: cuid, streamIds: ['a'], type: 'my-class/thing' })).status).toBe(201);
    await api('DELETE', `/events/${cuid}`);
    expect((await api('DELETE', `/events/${cuid}`)).body.eventDeletion.id).toBe(cuid);
    const reuse = await api('POST', '/events', { id: cuid, streamIds: ['a'], type: 'my-class/thing' });
    expect(reuse.status).toBe(409);
    for (const bad of ['bad id', "x' OR 1=1 --", 'A'.repeat(24), 'c'.repeat(10_000)]) {
      const res = await api('POST', '/events', { id: bad, streamIds: ['a'], type: 'my-class/thing' });
      expect(res.status).toBe(400);
      expect(res.body.error.id).toBe('invalid-parameters-format');
    }
  });

  it('validates content of known types without coercion, accepts unknown types, refuses series (rows 40, 41)', async () => {
    const { api } = await setup();
    for (const body of [
      { type: 'mass/kg', content: '75' },
      { type: 'position/wgs84', content: { latitude: '46.5', longitude: 6.6 } },
      { type: 'note/webclip', content: { url: 42 } },
    ]) {
      const res = await api('POST', '/events', { streamIds: ['a'], ...body });
      expect(res.status, body.type).toBe(400);
      expect(res.body.error).toMatchObject({ id: 'invalid-parameters-format', message: "The event content's format is invalid." });
      expect(res.body.error.data.length).toBeGreaterThan(0);
    }
    expect((await api('POST', '/events', { streamIds: ['a'], type: 'mass/kg', content: 75 })).status).toBe(201);
    expect((await api('POST', '/events', { streamIds: ['a'], type: 'my-class/thing', content: { any: ['thing'] } })).status).toBe(201);
    const series = await api('POST', '/events', { streamIds: ['a'], type: 'series:mass/kg' });
    expect(series.status).toBe(400);
    expect(series.body.error).toMatchObject({ id: 'invalid-event-type', data: { type: 'series:mass/kg' } });
  });

  it('refuses unknown and trashed streams; deduplicates streamIds; accepts streamId alone (row 42)', async () => {
    const { api } = await setup({ a: null, b: null, t: null, tc: 't' });
    await api('DELETE', '/streams/t');
    const unknown = await api('POST', '/events', { streamIds: ['a', 'nope'], type: 'my-class/thing' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatchObject({ id: 'unknown-referenced-resource', data: { streamIds: ['nope'] } });
    expect((await api('POST', '/events', { streamIds: ['t'], type: 'my-class/thing' })).body.error.id).toBe('invalid-operation');
    expect((await api('POST', '/events', { streamIds: ['tc'], type: 'my-class/thing' })).body.error.id).toBe('invalid-operation');
    const dedup = await api('POST', '/events', { streamIds: ['b', 'a', 'b'], type: 'my-class/thing' });
    expect(dedup.body.event.streamIds).toEqual(['b', 'a']);
    const alias = await api('POST', '/events', { streamId: 'a', type: 'my-class/thing' });
    expect(alias.body.event.streamIds).toEqual(['a']);
    expect(alias.body.event.streamId).toBeUndefined();
  });

  it('trims and deduplicates tags', async () => {
    const { api } = await setup();
    const res = await api('POST', '/events', { streamIds: ['a'], type: 'my-class/thing', tags: [' x ', 'x', 'y'] });
    expect(res.body.event.tags).toEqual(['x', 'y']);
  });

  it('refuses an event over 1 MiB with 413', async () => {
    const { api } = await setup();
    const res = await api('POST', '/events', { streamIds: ['a'], type: 'my-class/big', content: 'x'.repeat(1024 * 1024 + 10) });
    expect(res.status).toBe(413);
    expect(res.body.error.id).toBe('payload-too-large');
  });

  it('in a batch of 3, the 3rd on an unknown stream fails inline only (row 17)', async () => {
    const { username, token } = await setup();
    const results = await batch(username, token, [
      { method: 'events.create', params: { streamIds: ['a'], type: 'note/txt', content: '1' } },
      { method: 'events.create', params: { streamIds: ['a'], type: 'note/txt', content: '2' } },
      { method: 'events.create', params: { streamIds: ['zz'], type: 'note/txt', content: '3' } },
    ]);
    expect(results[0].event).toBeDefined();
    expect(results[1].event).toBeDefined();
    expect(results[2].error.id).toBe('unknown-referenced-resource');
  });
});

describe('events.getOne / update / delete', () => {
  it('gets an event, with history [] when asked', async () => {
    const { api } = await setup();
    const e = (await api('POST', '/events', { streamIds: ['a'], type: 'note/txt', content: 'x' })).body.event;
    const res = await api('GET', `/events/${e.id}`);
    expect(res.body.event).toEqual(e);
    expect((await api('GET', `/events/${e.id}?includeHistory=true`)).body.history).toEqual([]);
  });

  it('merges clientData (null removes a key) and refuses read-only fields with 403 (row 43)', async () => {
    const { api } = await setup();
    const e = (await api('POST', '/events', { streamIds: ['a'], type: 'note/txt', content: 'x', clientData: { a: 1, c: 2 } })).body.event;
    const up = await api('PUT', `/events/${e.id}`, { clientData: { a: true, c: null } });
    expect(up.status).toBe(200);
    expect(up.body.event.clientData).toEqual({ a: true });
    expect(up.body.event.modified).toBeGreaterThanOrEqual(e.modified);
    for (const field of ['created', 'id', 'modifiedBy', 'attachments']) {
      const res = await api('PUT', `/events/${e.id}`, { [field]: 1 });
      expect(res.status, field).toBe(403);
      expect(res.body.error.id).toBe('forbidden');
    }
    expect((await api('PUT', `/events/${e.id}`, { color: 1 })).body.error.id).toBe('invalid-parameters-format');
  });

  it('updates fields, replaces tags and content, moves streams and keeps the stream filter in sync', async () => {
    const { api } = await setup();
    const e = (await api('POST', '/events', { streamIds: ['a'], type: 'note/txt', content: 'x', tags: ['t1'], time: 100 })).body.event;
    const up = await api('PUT', `/events/${e.id}`, { streamIds: ['b'], tags: ['t2'], content: 'y', time: 200, duration: 5, description: 'd' });
    expect(up.status, up.text).toBe(200);
    expect(up.body.event).toMatchObject({ streamIds: ['b'], tags: ['t2'], content: 'y', time: 200, duration: 5, description: 'd' });
    expect((await api('GET', '/events?streams=a&fromTime=0&toTime=1000')).body.events).toEqual([]);
    expect((await api('GET', '/events?streams=b&fromTime=0&toTime=1000')).body.events.map((x: any) => x.id)).toEqual([e.id]);
    expect((await api('PUT', `/events/${e.id}`, { type: 'mass/kg', content: 'no' })).body.error.id).toBe('invalid-parameters-format');
    expect((await api('PUT', `/events/${e.id}`, { streamIds: ['zz'] })).body.error.id).toBe('unknown-referenced-resource');
    const cleared = await api('PUT', `/events/${e.id}`, { description: null, content: null, type: 'my-class/thing' });
    expect(cleared.body.event.description).toBeUndefined();
    expect(cleared.body.event.content).toBeUndefined();
  });

  it('answers 404 for unknown ids on get, update and delete (row 44)', async () => {
    const { api } = await setup();
    const id = 'n'.repeat(24);
    expect((await api('GET', `/events/${id}`)).status).toBe(404);
    expect((await api('PUT', `/events/${id}`, { content: 1 })).body.error.id).toBe('unknown-resource');
    expect((await api('DELETE', `/events/${id}`)).status).toBe(404);
    expect((await api('GET', `/events/${encodeURIComponent("x' OR '1'='1")}`)).status).toBe(404);
  });

  it('deletes in two phases, then answers 404 (row 45)', async () => {
    const { api } = await setup();
    const e = (await api('POST', '/events', { streamIds: ['a'], type: 'note/txt', content: 'x' })).body.event;
    const first = await api('DELETE', `/events/${e.id}`);
    expect(first.body.event.trashed).toBe(true);
    expect((await api('GET', `/events/${e.id}`)).body.event.trashed).toBe(true);
    const second = await api('DELETE', `/events/${e.id}`);
    expect(second.body.eventDeletion).toEqual({ id: e.id, deleted: expect.any(Number) });
    expect((await api('GET', `/events/${e.id}`)).status).toBe(404);
    expect((await api('DELETE', `/events/${e.id}`)).status).toBe(404);
  });

  it('restores a trashed event with trashed: false', async () => {
    const { api } = await setup();
    const e = (await api('POST', '/events', { streamIds: ['a'], type: 'my-class/thing', trashed: true })).body.event;
    expect(e.trashed).toBe(true);
    const up = await api('PUT', `/events/${e.id}`, { trashed: false });
    expect(up.body.event.trashed).toBeUndefined();
  });

  it('answers POST events/start with 410 removed-method (row 46)', async () => {
    const { api } = await setup();
    const res = await api('POST', '/events/start', { streamIds: ['a'], type: 'my-class/thing' });
    expect(res.status).toBe(410);
    expect(res.body.error.id).toBe('removed-method');
  });
});
