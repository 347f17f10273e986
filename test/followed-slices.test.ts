import { describe, expect, it } from 'vitest';
import { call, newUser } from './helpers';
import { createAccess, plantStreams } from './access-fixtures';

const slice = (name: string) => ({ name, url: 'https://other.example.org/alice/', accessToken: 'tok-123' });

describe('followedSlices (sharing bookmarks, personal only)', () => {
  it('creates, lists by name, renames and deletes a slice', async () => {
    const { username, token } = await newUser('fs');
    const created = await call('POST', `/${username}/followed-slices`, { token, body: slice('zeta') });
    expect(created.status).toBe(201);
    expect(created.body.followedSlice).toEqual({ id: expect.stringMatching(/^[a-z][a-z0-9]{23}$/), ...slice('zeta') });
    await call('POST', `/${username}/followed-slices`, { token, body: slice('alpha') });
    const list = await call('GET', `/${username}/followed-slices`, { token });
    expect(list.status).toBe(200);
    expect(list.body.followedSlices.map((s: any) => s.name)).toEqual(['alpha', 'zeta']);
    const id = created.body.followedSlice.id;
    const renamed = await call('PUT', `/${username}/followed-slices/${id}`, { token, body: { name: 'omega' } });
    expect(renamed.status).toBe(200);
    expect(renamed.body.followedSlice).toEqual({ id, ...slice('omega') });
    const deleted = await call('DELETE', `/${username}/followed-slices/${id}`, { token });
    expect(deleted.status).toBe(200);
    expect(deleted.body.followedSliceDeletion).toEqual({ id, deleted: expect.any(Number) });
    expect((await call('DELETE', `/${username}/followed-slices/${id}`, { token })).status).toBe(404);
    expect((await call('GET', `/${username}/followed-slices`, { token })).body.followedSlices.map((s: any) => s.name)).toEqual(['alpha']);
  });

  it('names are unique per account (409 {name}), on create and on rename; other accounts may reuse them', async () => {
    const { username, token } = await newUser('fs');
    await call('POST', `/${username}/followed-slices`, { token, body: slice('a') });
    const b = (await call('POST', `/${username}/followed-slices`, { token, body: slice('b') })).body.followedSlice;
    const dup = await call('POST', `/${username}/followed-slices`, { token, body: slice('a') });
    expect(dup.status).toBe(409);
    expect(dup.body.error).toMatchObject({ id: 'item-already-exists', data: { name: 'a' } });
    const rename = await call('PUT', `/${username}/followed-slices/${b.id}`, { token, body: { name: 'a' } });
    expect(rename.status).toBe(409);
    const other = await newUser('fs');
    expect((await call('POST', `/${other.username}/followed-slices`, { token: other.token, body: slice('a') })).status).toBe(201);
  });

  it('url and accessToken are read-only (403); unknown fields and missing ones are 400; unknown id 404', async () => {
    const { username, token } = await newUser('fs');
    const s = (await call('POST', `/${username}/followed-slices`, { token, body: slice('a') })).body.followedSlice;
    for (const body of [{ url: 'https://x/' }, { accessToken: 'x' }]) {
      const res = await call('PUT', `/${username}/followed-slices/${s.id}`, { token, body });
      expect(res.status).toBe(403);
      expect(res.body.error.id).toBe('forbidden');
    }
    expect((await call('PUT', `/${username}/followed-slices/${s.id}`, { token, body: { color: 1 } })).status).toBe(400);
    expect((await call('POST', `/${username}/followed-slices`, { token, body: { name: 'n', url: 'u' } })).status).toBe(400);
    expect((await call('POST', `/${username}/followed-slices`, { token, body: { ...slice('n'), extra: 1 } })).status).toBe(400);
    expect((await call('PUT', `/${username}/followed-slices/nope`, { token, body: { name: 'z' } })).status).toBe(404);
  });

  it('app and shared accesses get 403 forbidden on every followedSlices method', async () => {
    const { username, token } = await newUser('fs');
    await plantStreams(username, [['a', null]]);
    const s = (await call('POST', `/${username}/followed-slices`, { token, body: slice('a') })).body.followedSlice;
    const app = (await createAccess(username, token, { name: 'app', type: 'app', permissions: [{ streamId: '*', level: 'manage' }] })).body.access;
    const shared = (await createAccess(username, token, { name: 'sh', permissions: [{ streamId: '*', level: 'manage' }] })).body.access;
    for (const t of [app.token, shared.token]) {
      for (const [verb, path, body] of [
        ['GET', 'followed-slices', undefined],
        ['POST', 'followed-slices', slice('b')],
        ['PUT', `followed-slices/${s.id}`, { name: 'c' }],
        ['DELETE', `followed-slices/${s.id}`, undefined],
      ] as const) {
        const res = await call(verb, `/${username}/${path}`, { token: t, body });
        expect(res.status, `${verb} ${path}`).toBe(403);
        expect(res.body.error.id).toBe('forbidden');
      }
    }
    expect((await call('GET', `/${username}/followed-slices`, { token })).body.followedSlices).toHaveLength(1);
  });
});
