import { describe, expect, it } from 'vitest';
import { createAccess } from './fixtures/accesses';
import { batch, call, newUser } from './helpers';

async function setup() {
  const u = await newUser('streams');
  const api = (method: string, path: string, body?: unknown, token = u.token) => call(method, `/${u.username}${path}`, { token, body });
  return { ...u, api };
}

async function mkStream(api: Awaited<ReturnType<typeof setup>>['api'], body: Record<string, unknown>) {
  const res = await api('POST', '/streams', body);
  expect(res.status, res.text).toBe(201);
  return res.body.stream;
}

describe('streams.create', () => {
  it('creates a root stream with a generated id, tracking fields and parentId null, without children', async () => {
    const { api, token } = await setup();
    const res = await api('POST', '/streams', { name: 'Diary' });
    expect(res.status).toBe(201);
    expect(res.body.stream.id).toMatch(/^[a-z][a-z0-9]{23}$/);
    expect(res.body.stream).toMatchObject({ name: 'Diary', parentId: null, createdBy: expect.any(String), modifiedBy: expect.any(String) });
    expect(res.body.stream.children).toBeUndefined();
    expect(res.body.stream.trashed).toBeUndefined();
    expect(token).toBeTruthy();
  });

  it('slugifies given ids and refuses reserved ones (row 63)', async () => {
    const { api } = await setup();
    const slug = await api('POST', '/streams', { id: 'pas encodé de bleu!', name: 'x' });
    expect(slug.status).toBe(201);
    expect(slug.body.stream.id).toBe('pas-encode-de-bleu');
    for (const id of ['null', '*', ':_audit', '!!!', null]) {
      const res = await api('POST', '/streams', { id, name: `n-${String(id)}` });
      expect(res.status, String(id)).toBe(400);
      expect(res.body.error.id).toBe('invalid-item-id');
    }
  });

  it('answers 409 with the conflicting key for a duplicate id or a sibling name clash (row 63)', async () => {
    const { api } = await setup();
    await mkStream(api, { id: 'a', name: 'A' });
    const dupId = await api('POST', '/streams', { id: 'a', name: 'Other' });
    expect(dupId.status).toBe(409);
    expect(dupId.body.error).toMatchObject({ id: 'item-already-exists', data: { id: 'a' } });
    const dupName = await api('POST', '/streams', { name: 'A' });
    expect(dupName.status).toBe(409);
    expect(dupName.body.error.data).toEqual({ name: 'A' });
    // Same name under another parent is fine.
    await mkStream(api, { name: 'A', parentId: 'a' });
  });

  it('refuses parentId "", an unknown parent, a trashed parent and unknown fields', async () => {
    const { api } = await setup();
    await mkStream(api, { id: 't', name: 'T', trashed: true });
    expect((await api('POST', '/streams', { name: 'x', parentId: '' })).body.error.id).toBe('invalid-parameters-format');
    const unknown = await api('POST', '/streams', { name: 'x', parentId: 'nope' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatchObject({ id: 'unknown-referenced-resource', data: { parentId: 'nope' } });
    expect((await api('POST', '/streams', { name: 'x', parentId: 't' })).body.error.id).toBe('invalid-operation');
    expect((await api('POST', '/streams', { name: 'x', color: 'red' })).body.error.id).toBe('invalid-parameters-format');
    expect((await api('POST', '/streams', { name: 'x', created: 1 })).body.error.id).toBe('invalid-parameters-format');
    expect((await api('POST', '/streams', { name: '' })).body.error.id).toBe('invalid-parameters-format');
  });
});

describe('streams.get', () => {
  it('returns the forest with children sorted by name, hiding trashed subtrees unless state=all (row 62)', async () => {
    const { api } = await setup();
    await mkStream(api, { id: 'b', name: 'b' });
    await mkStream(api, { id: 'a', name: 'a' });
    await mkStream(api, { id: 'a2', name: 'Z', parentId: 'a' });
    await mkStream(api, { id: 'a1', name: 'B', parentId: 'a' });
    await mkStream(api, { id: 'tr', name: 'c', trashed: true });
    await mkStream(api, { id: 'tr-child', name: 'child', parentId: 'a' });
    const res = await api('GET', '/streams');
    expect(res.status).toBe(200);
    const names = (list: any[]): any => list.map((s) => [s.id, names(s.children)]);
    expect(names(res.body.streams)).toEqual([['a', [['a1', []], ['a2', []], ['tr-child', []]]], ['b', []]]);
    const all = await api('GET', '/streams?state=all');
    expect(all.body.streams.map((s: any) => s.id)).toEqual(['a', 'b', 'tr']);
    expect(all.body.streams[2].trashed).toBe(true);
  });

  it('returns the sub-forest below parentId; unknown parentId is 400', async () => {
    const { api } = await setup();
    await mkStream(api, { id: 'p', name: 'p' });
    await mkStream(api, { id: 'c', name: 'c', parentId: 'p' });
    const res = await api('GET', '/streams?parentId=p');
    expect(res.body.streams.map((s: any) => s.id)).toEqual(['c']);
    expect((await api('GET', '/streams?parentId=zz')).body.error.id).toBe('unknown-referenced-resource');
    expect((await api('GET', '/streams?foo=1')).body.error.id).toBe('invalid-parameters-format');
  });

  it('lists deletions with includeDeletionsSince', async () => {
    const { api } = await setup();
    await mkStream(api, { id: 'gone', name: 'gone' });
    await api('DELETE', '/streams/gone');
    await api('DELETE', '/streams/gone');
    const res = await api('GET', '/streams?includeDeletionsSince=0');
    expect(res.body.streamDeletions).toEqual([{ id: 'gone', deleted: expect.any(Number) }]);
    expect((await api('GET', '/streams')).body.streamDeletions).toBeUndefined();
  });

  it('shows a scoped access its topmost listable streams, cutting out "none" subtrees (§5.6)', async () => {
    const { api, username } = await setup();
    await mkStream(api, { id: 'root', name: 'root' });
    await mkStream(api, { id: 'mid', name: 'mid', parentId: 'root' });
    await mkStream(api, { id: 'deep', name: 'deep', parentId: 'mid' });
    await mkStream(api, { id: 'other', name: 'other' });
    const { token } = await createAccess(username, [
      { streamId: 'root', level: 'read' },
      { streamId: 'mid', level: 'none' },
      { streamId: 'deep', level: 'contribute' },
    ]);
    const res = await api('GET', '/streams', undefined, token);
    expect(res.status).toBe(200);
    const ids = res.body.streams.map((s: any) => [s.id, s.parentId, s.children.map((c: any) => c.id)]);
    expect(ids).toEqual([['deep', 'mid', []], ['root', null, []]]);
    expect((await api('GET', '/streams?parentId=mid', undefined, token)).status).toBe(403);
  });
});

describe('streams.update', () => {
  it('renames, merges clientData (null deletes a key) and moves; refuses cycles (row 64)', async () => {
    const { api } = await setup();
    await mkStream(api, { id: 'a', name: 'a', clientData: { x: 1, y: 2 } });
    await mkStream(api, { id: 'b', name: 'b', parentId: 'a' });
    await mkStream(api, { id: 'c', name: 'c' });
    const up = await api('PUT', '/streams/a', { name: 'A2', clientData: { y: null, z: 3 } });
    expect(up.status).toBe(200);
    expect(up.body.stream).toMatchObject({ name: 'A2', clientData: { x: 1, z: 3 } });
    expect((await api('PUT', '/streams/a', { parentId: 'a' })).body.error.id).toBe('invalid-operation');
    expect((await api('PUT', '/streams/a', { parentId: 'b' })).body.error.id).toBe('invalid-operation');
    const move = await api('PUT', '/streams/b', { parentId: 'c' });
    expect(move.status).toBe(200);
    expect(move.body.stream.parentId).toBe('c');
    const tree = await api('GET', '/streams');
    expect(tree.body.streams.find((s: any) => s.id === 'c').children[0].id).toBe('b');
    const root = await api('PUT', '/streams/b', { parentId: null });
    expect(root.body.stream.parentId).toBeNull();
  });

  it('answers 403 for read-only fields, 404 for unknown streams, 409 for a clash, 400 for bad values', async () => {
    const { api } = await setup();
    await mkStream(api, { id: 'a', name: 'a' });
    await mkStream(api, { id: 'b', name: 'b' });
    expect((await api('PUT', '/streams/a', { created: 1 })).status).toBe(403);
    expect((await api('PUT', '/streams/a', { id: 'x' })).body.error.id).toBe('forbidden');
    expect((await api('PUT', '/streams/zz', { name: 'q' })).status).toBe(404);
    const clash = await api('PUT', '/streams/a', { name: 'b' });
    expect(clash.status).toBe(409);
    expect(clash.body.error.data).toEqual({ name: 'b' });
    expect((await api('PUT', '/streams/a', { parentId: 'nope' })).body.error.id).toBe('unknown-referenced-resource');
    expect((await api('PUT', '/streams/a', { color: 1 })).body.error.id).toBe('invalid-parameters-format');
  });
});

describe('streams.delete', () => {
  it('trashes first, then needs mergeEventsWithParent when events are linked (row 65)', async () => {
    const { api } = await setup();
    await mkStream(api, { id: 'p', name: 'p' });
    await mkStream(api, { id: 'c', name: 'c', parentId: 'p' });
    await api('POST', '/events', { streamIds: ['c'], type: 'note/txt', content: 'x' });
    const first = await api('DELETE', '/streams/c');
    expect(first.status).toBe(200);
    expect(first.body.stream.trashed).toBe(true);
    const second = await api('DELETE', '/streams/c');
    expect(second.status).toBe(400);
    expect(second.body.error.id).toBe('invalid-parameters-format');
  });

  it('refuses merge on a root stream even without events (row 65)', async () => {
    const { api } = await setup();
    await mkStream(api, { id: 'r', name: 'r' });
    await api('DELETE', '/streams/r');
    const res = await api('DELETE', '/streams/r?mergeEventsWithParent=true');
    expect(res.status).toBe(400);
    expect(res.body.error.id).toBe('invalid-operation');
  });

  it('re-homes events to the parent with mergeEventsWithParent=true (row 65)', async () => {
    const { api } = await setup();
    await mkStream(api, { id: 'p', name: 'p' });
    await mkStream(api, { id: 'c', name: 'c', parentId: 'p' });
    await mkStream(api, { id: 'g', name: 'g', parentId: 'c' });
    const e1 = (await api('POST', '/events', { streamIds: ['g', 'p'], type: 'note/txt', content: 'x' })).body.event;
    const e2 = (await api('POST', '/events', { streamIds: ['c'], type: 'note/txt', content: 'y' })).body.event;
    await api('DELETE', '/streams/c');
    const res = await api('DELETE', '/streams/c?mergeEventsWithParent=true');
    expect(res.status, res.text).toBe(200);
    expect(res.body.streamDeletion).toEqual({ id: 'c', deleted: expect.any(Number) });
    expect(res.body.updatedEvents).toEqual(expect.arrayContaining([{ id: e1.id, action: 'mergedToParent' }, { id: e2.id, action: 'mergedToParent' }]));
    expect((await api('GET', `/events/${e1.id}`)).body.event.streamIds).toEqual(['p']);
    expect((await api('GET', `/events/${e2.id}`)).body.event.streamIds).toEqual(['p']);
    const inP = await api('GET', '/events?streams=p');
    expect(inP.body.events.map((e: any) => e.id).sort()).toEqual([e1.id, e2.id].sort());
    expect((await api('GET', '/streams?state=all')).body.streams[0].children).toEqual([]);
  });

  it('strips or deletes events with mergeEventsWithParent=false; the id can be created again (rows 65, §8 #28)', async () => {
    const { api } = await setup();
    await mkStream(api, { id: 'a', name: 'a' });
    await mkStream(api, { id: 'b', name: 'b' });
    const only = (await api('POST', '/events', { streamIds: ['a'], type: 'note/txt', content: 'x' })).body.event;
    const both = (await api('POST', '/events', { streamIds: ['a', 'b'], type: 'note/txt', content: 'y' })).body.event;
    await api('DELETE', '/streams/a');
    const res = await api('DELETE', '/streams/a?mergeEventsWithParent=false');
    expect(res.status).toBe(200);
    expect(res.body.updatedEvents).toEqual(expect.arrayContaining([{ id: only.id, action: 'deleted' }, { id: both.id, action: 'updatedStreamIds' }]));
    expect((await api('GET', `/events/${only.id}`)).status).toBe(404);
    expect((await api('GET', `/events/${both.id}`)).body.event.streamIds).toEqual(['b']);
    const again = await api('POST', '/streams', { id: 'a', name: 'a' });
    expect(again.status).toBe(201);
    expect((await api('GET', '/events?streams=a')).body.events).toEqual([]);
  });
});

describe('stream permissions (§7.5, row 49)', () => {
  it('read and contribute cannot create children, update, move or delete; manage can create a child', async () => {
    const { api, username } = await setup();
    await mkStream(api, { id: 'r', name: 'r' });
    await mkStream(api, { id: 'c', name: 'c' });
    await mkStream(api, { id: 'm', name: 'm' });
    const { token } = await createAccess(username, [
      { streamId: 'r', level: 'read' }, { streamId: 'c', level: 'contribute' }, { streamId: 'm', level: 'manage' },
    ]);
    for (const s of ['r', 'c']) {
      expect((await api('POST', '/streams', { name: 'x', parentId: s }, token)).status).toBe(403);
      expect((await api('PUT', `/streams/${s}`, { name: 'y' }, token)).status).toBe(403);
      expect((await api('PUT', `/streams/${s}`, { parentId: 'm' }, token)).status).toBe(403);
      expect((await api('DELETE', `/streams/${s}`, undefined, token)).status).toBe(403);
    }
    expect((await api('POST', '/streams', { name: 'root' }, token)).status).toBe(403);
    expect((await api('POST', '/streams', { name: 'x', parentId: 'm' }, token)).status).toBe(201);
    await api('DELETE', '/streams/m', undefined, token);
    const trashedChild = await api('POST', '/streams', { name: 'z', parentId: 'm' }, token);
    expect(trashedChild.status).toBe(400);
    expect(trashedChild.body.error.id).toBe('invalid-operation');
  });

  it('narrowed manage may create children and rename, but not move, trash or delete', async () => {
    const { api, username } = await setup();
    await mkStream(api, { id: 'n', name: 'n' });
    await mkStream(api, { id: 'o', name: 'o' });
    const { token } = await createAccess(username, [
      { streamId: 'n', level: 'manage', tags: ['x'] }, { streamId: 'o', level: 'manage' },
    ]);
    expect((await api('POST', '/streams', { id: 'k', name: 'k', parentId: 'n' }, token)).status).toBe(201);
    expect((await api('PUT', '/streams/n', { name: 'renamed' }, token)).status).toBe(200);
    expect((await api('PUT', '/streams/n', { parentId: 'o' }, token)).status).toBe(403);
    expect((await api('PUT', '/streams/n', { trashed: true }, token)).status).toBe(403);
    expect((await api('DELETE', '/streams/n', undefined, token)).status).toBe(403);
  });
});

describe('streams in a batch', () => {
  it('creates a stream then an event in it, in order (row 20)', async () => {
    const { username, token } = await setup();
    const results = await batch(username, token, [
      { method: 'streams.create', params: { id: 'bs', name: 'bs' } },
      { method: 'events.create', params: { streamIds: ['bs'], type: 'note/txt', content: 'hi' } },
    ]);
    expect(results[0].stream.id).toBe('bs');
    expect(results[1].event.streamIds).toEqual(['bs']);
  });
});
