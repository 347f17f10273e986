import { describe, expect, it } from 'vitest';
import { batch, call, newUser } from './helpers';

/**
 * Free-form objects (`clientData`, an update body, batch `params`) are taken exactly as sent or refused:
 * an array is never turned into `{"0": …}`, and `constructor` / `prototype` keys are never dropped.
 */
async function account() {
  const u = await newUser('free');
  const api = (method: string, path: string, body?: unknown) => call(method, `/${u.username}${path}`, { token: u.token, body });
  await api('POST', '/streams', { id: 's', name: 's', clientData: { keep: 1 } });
  const event = (await api('POST', '/events', { streamIds: ['s'], type: 'note/txt', content: 'c', clientData: { keep: 1 } })).body.event;
  const access = (await api('POST', '/accesses', { name: 'a', permissions: [{ streamId: 's', level: 'read' }], clientData: { keep: 1 } })).body.access;
  const slice = (await api('POST', '/followed-slices', { name: 'f', url: 'https://x.example/u/', accessToken: 't' })).body.followedSlice;
  return { ...u, api, event, access, slice };
}

describe('clientData sent as an array', () => {
  it('is refused with 400 naming clientData on every create and update, and nothing changes', async () => {
    const { api, event, access } = await account();
    const cases: [string, string, unknown, string][] = [
      ['POST', '/streams', { name: 'x', clientData: [1, 2] }, 'clientData'],
      ['POST', '/events', { streamIds: ['s'], type: 'note/txt', content: 'c', clientData: ['a'] }, 'clientData'],
      ['POST', '/accesses', { name: 'x', permissions: [{ streamId: 's', level: 'read' }], clientData: [] }, 'clientData'],
      ['PUT', '/streams/s', { clientData: [1] }, 'update.clientData'],
      ['PUT', `/events/${event.id}`, { clientData: [1] }, 'update.clientData'],
      ['PUT', `/accesses/${access.id}`, { clientData: [1] }, 'update.clientData'],
    ];
    for (const [verb, path, body, where] of cases) {
      const res = await api(verb, path, body);
      expect(res.status, `${verb} ${path}`).toBe(400);
      expect(res.body.error).toMatchObject({ id: 'invalid-parameters-format', data: [{ path: where }] });
    }
    expect((await api('GET', '/streams')).body.streams.map((s: { clientData: unknown }) => s.clientData)).toEqual([{ keep: 1 }]);
    expect((await api('GET', `/events/${event.id}`)).body.event.clientData).toEqual({ keep: 1 });
    expect((await api('GET', '/accesses')).body.accesses.find((a: { id: string }) => a.id === access.id).clientData).toEqual({ keep: 1 });
  });
});

describe('a JSON array as a PUT body', () => {
  it('is refused with 400 naming update on every update route, not taken as an empty update', async () => {
    const { api, event, access, slice } = await account();
    for (const path of ['/streams/s', `/events/${event.id}`, `/accesses/${access.id}`, `/followed-slices/${slice.id}`]) {
      for (const body of [[], [{ name: 'renamed' }]]) {
        const res = await api('PUT', path, body);
        expect(res.status, path).toBe(400);
        expect(res.body.error).toMatchObject({ id: 'invalid-parameters-format', data: [{ path: 'update' }] });
      }
    }
    expect((await api('GET', `/events/${event.id}`)).body.event.modified).toBe(event.modified);
  });

  it('is refused the same way as batch params of an update', async () => {
    const { username, token, event } = await account();
    const [res] = await batch(username, token, [{ method: 'events.update', params: { id: event.id, update: [] } }]);
    expect(res.error).toMatchObject({ id: 'invalid-parameters-format', data: [{ path: 'update' }] });
  });
});

describe('constructor and prototype keys', () => {
  const odd = { constructor: { name: 'x' }, prototype: [1], toString: 'text' };

  it('are stored and returned exactly as sent in clientData and content', async () => {
    const { api } = await account();
    const stream = await api('POST', '/streams', { id: 'odd', name: 'odd', clientData: odd });
    expect(stream.body.stream.clientData).toEqual(odd);
    const event = await api('POST', '/events', { streamIds: ['odd'], type: 'my-class/any', content: odd, clientData: odd });
    expect(event.body.event).toMatchObject({ content: odd, clientData: odd });
    const access = await api('POST', '/accesses', { name: 'odd', permissions: [{ streamId: 'odd', level: 'read' }], clientData: odd });
    expect(access.body.access.clientData).toEqual(odd);
    expect((await api('GET', `/events/${event.body.event.id}`)).body.event).toMatchObject({ content: odd, clientData: odd });
  });

  it('merge like any other key on update: set, replaced, removed with null', async () => {
    const { api, event } = await account();
    const set = await api('PUT', `/events/${event.id}`, { clientData: { constructor: 1, prototype: 2 } });
    expect(set.body.event.clientData).toEqual({ keep: 1, constructor: 1, prototype: 2 });
    const removed = await api('PUT', `/events/${event.id}`, { clientData: { constructor: null } });
    expect(removed.body.event.clientData).toEqual({ keep: 1, prototype: 2 });
    const stream = await api('PUT', '/streams/s', { clientData: { prototype: 'p' } });
    expect(stream.body.stream.clientData).toEqual({ keep: 1, prototype: 'p' });
  });

  it('are unknown parameters where the schema is closed, in a batch too (not dropped)', async () => {
    const { username, token, api } = await account();
    const [created] = await batch(username, token, [{ method: 'streams.create', params: { name: 'x', constructor: 1 } }]);
    expect(created.error).toMatchObject({ id: 'invalid-parameters-format', data: [{ path: 'constructor' }] });
    const put = await api('PUT', '/streams/s', { prototype: 1 });
    expect(put.body.error).toMatchObject({ id: 'invalid-parameters-format', data: [{ path: 'update.prototype' }] });
    const query = await api('GET', `/events?streams=${encodeURIComponent('{"any":["s"],"constructor":["s"]}')}`);
    expect(query.status).toBe(400);
    expect(query.body.error.id).toBe('invalid-request-structure');
    expect((await api('GET', '/streams')).body.streams).toHaveLength(1);
  });
});
