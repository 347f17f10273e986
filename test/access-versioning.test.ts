import { env } from 'cloudflare:test';
import { describe, expect, it, vi } from 'vitest';
import { accessCacheKey } from '../src/auth/access-cache';
import { shareCacheKey, shareCodeHash } from '../src/auth/share-codes';
import { createAccess, deleteAccess, plantStreams, updateAccess, userWithApp } from './access-fixtures';
import { batch, call, newUser } from './helpers';

/** Access versioning (§5.7.6): serials, snapshots, composite ids, stale ids, accesses.getOne (§5.7.2). */
const getOne = (username: string, token: string, id: string, query = '') => call('GET', `/${username}/accesses/${id}${query}`, { token });

async function sharedAccess() {
  const u = await newUser('ver');
  await plantStreams(u.username, [['a', null], ['b', null]]);
  const access = (await createAccess(u.username, u.token, { name: 'v0', clientData: { k: 0 }, permissions: [{ streamId: 'a', level: 'read' }] })).body.access;
  return { ...u, access };
}

describe('access versioning', () => {
  it('each update bumps the serial: ids become <base>:1, <base>:2; the token stays', async () => {
    const { username, token, access } = await sharedAccess();
    expect(access.id).not.toContain(':');
    const v1 = (await updateAccess(username, token, access.id, { name: 'v1' })).body.access;
    expect(v1).toMatchObject({ id: `${access.id}:1`, token: access.token, name: 'v1' });
    const v2 = (await updateAccess(username, token, v1.id, { name: 'v2' })).body.access;
    expect(v2).toMatchObject({ id: `${access.id}:2`, token: access.token, name: 'v2' });
    const listed = (await call('GET', `/${username}/accesses`, { token })).body.accesses;
    expect(listed.find((a: { name: string }) => a.name === 'v2').id).toBe(`${access.id}:2`);
    const info = await call('GET', `/${username}/access-info`, { token: access.token });
    expect(info.body.id).toBe(`${access.id}:2`);
    expect(info.headers.get('Pryv-Access-Id')).toBe(`${access.id}:2`);
  });

  it('a stale composite id, or the bare id once updated, answers 409 stale-resource {provided, currentSerial} and changes nothing', async () => {
    const { username, token, access } = await sharedAccess();
    const v1 = (await updateAccess(username, token, access.id, { name: 'v1' })).body.access;
    await updateAccess(username, token, v1.id, { name: 'v2' });
    for (const stale of [access.id, v1.id]) {
      const update = await updateAccess(username, token, stale, { name: 'lost' });
      expect(update.status).toBe(409);
      expect(update.body.error).toMatchObject({ id: 'stale-resource', data: { provided: stale, currentSerial: 2 } });
      const del = await deleteAccess(username, token, stale);
      expect(del.status).toBe(409);
      expect(del.body.error).toMatchObject({ id: 'stale-resource', data: { provided: stale, currentSerial: 2 } });
    }
    // A serial on a never-updated access is stale too: it is not the current version.
    const fresh = (await createAccess(username, token, { name: 'fresh', permissions: [{ streamId: 'a', level: 'read' }] })).body.access;
    expect((await updateAccess(username, token, `${fresh.id}:1`, { name: 'x' })).body.error).toMatchObject({ id: 'stale-resource', data: { currentSerial: null } });
    const current = await getOne(username, token, access.id);
    expect(current.body.access).toMatchObject({ id: `${access.id}:2`, name: 'v2' });
    const deleted = await deleteAccess(username, token, `${access.id}:2`);
    expect(deleted.status).toBe(200);
    expect(deleted.body.accessDeletion.id).toBe(`${access.id}:2`);
    expect((await call('GET', `/${username}/access-info`, { token: access.token })).status).toBe(403);
  });

  it('an update and a delete racing on one version: one applies, the other finds its id stale (or the access gone)', async () => {
    const { username, token, access } = await sharedAccess();
    const [update, del] = await Promise.all([updateAccess(username, token, access.id, { name: 'racer' }), deleteAccess(username, token, access.id)]);
    const outcomes = [update.status, del.status].sort();
    // Either order leaves one success: update then delete(stale) = [200, 409]; delete then update(gone) = [200, 404].
    expect([[200, 404], [200, 409]]).toContainEqual(outcomes);
  });

  it('accesses.getOne: the current version, or an old serial with a pointer to the current one; includeHistory lists earlier versions oldest first', async () => {
    const { username, token, access } = await sharedAccess();
    const v1 = (await updateAccess(username, token, access.id, { name: 'v1', clientData: { k: 1 } })).body.access;
    const v2 = (await updateAccess(username, token, v1.id, { name: 'v2', permissions: [{ streamId: 'b', level: 'read' }] })).body.access;
    const current = await getOne(username, token, v2.id);
    expect(current.status).toBe(200);
    expect(current.body.access).toMatchObject({ id: v2.id, name: 'v2', token: access.token, permissions: [{ streamId: 'b', level: 'read' }] });
    expect(current.body.current).toBeUndefined();
    expect(current.body.history).toBeUndefined();
    const old = await getOne(username, token, v1.id);
    expect(old.body.access).toMatchObject({ id: v1.id, name: 'v1', clientData: { k: 1 }, permissions: [{ streamId: 'a', level: 'read' }] });
    expect(old.body.current).toBe(v2.id);
    const original = await getOne(username, token, `${access.id}:1`, '?includeHistory=true');
    expect(original.body.history.map((h: { id: string; name: string }) => [h.id, h.name])).toEqual([
      [access.id, 'v0'],
      [v1.id, 'v1'],
    ]);
    expect(original.body.history[0]).toMatchObject({ clientData: { k: 0 }, modified: access.modified, modifiedBy: access.modifiedBy });
    const viaBatch = await batch(username, token, [{ method: 'accesses.getOne', params: { id: v2.id, includeHistory: true } }]);
    expect(viaBatch[0].history).toHaveLength(2);
    const never = (await createAccess(username, token, { name: 'never', permissions: [{ streamId: 'a', level: 'read' }] })).body.access;
    expect((await getOne(username, token, never.id, '?includeHistory=true')).body.history).toEqual([]);
  });

  it('accesses.getOne: an unknown, future, malformed or deleted id is 404; an app sees itself and its children only; shared gets 403', async () => {
    const { username, token, app } = await userWithApp();
    const child = (await createAccess(username, app.token, { name: 'child', permissions: [{ streamId: 'a1', level: 'read' }] })).body.access;
    const other = (await createAccess(username, token, { name: 'other', permissions: [{ streamId: 'b', level: 'read' }] })).body.access;
    for (const id of ['nope', `${other.id}:1`, `${other.id}:0`, `${other.id}:x`, ':1']) expect((await getOne(username, token, id)).status, id).toBe(404);
    expect((await getOne(username, app.token, app.id)).status).toBe(200);
    expect((await getOne(username, app.token, child.id)).body.access.id).toBe(child.id);
    const hidden = await getOne(username, app.token, other.id);
    expect(hidden.status).toBe(404);
    expect(hidden.body.error.id).toBe('unknown-resource');
    expect((await getOne(username, other.token, other.id)).status).toBe(403);
    await deleteAccess(username, token, other.id);
    expect((await getOne(username, token, other.id)).status).toBe(404);
  });

  it('items written by an updated access name its composite id in createdBy / modifiedBy', async () => {
    const { username, token, app } = await userWithApp([{ streamId: 'a', level: 'manage' }]);
    const narrowed = (await updateAccess(username, token, app.id, { permissions: [{ streamId: 'a', level: 'contribute' }] })).body.access;
    const [created] = await batch(username, app.token, [{ method: 'events.create', params: { streamIds: ['a1'], type: 'note/txt', content: 'x' } }]);
    expect(created.event).toMatchObject({ createdBy: narrowed.id, modifiedBy: narrowed.id });
    const child = (await createAccess(username, app.token, { name: 'c', permissions: [{ streamId: 'a1', level: 'read' }] })).body.access;
    expect(child.createdBy).toBe(narrowed.id);
    // Its children still belong to it: the app lists and manages them whatever its version.
    const listed = (await call('GET', `/${username}/accesses`, { token: app.token })).body.accesses.map((a: { id: string }) => a.id);
    expect(listed).toEqual([child.id]);
  });

  it('a shared access narrowed twice: its token and its share page show each narrowed view at once, KV and isolate caches notwithstanding', async () => {
    const { username, token } = await newUser('ver');
    const now = Math.floor(Date.now() / 1000);
    await batch(username, token, [
      { method: 'streams.create', params: { id: 'health', name: 'Health' } },
      { method: 'events.create', params: { streamIds: ['health'], type: 'mass/kg', content: 71.1, time: now - 30 * 86400 } },
      { method: 'events.create', params: { streamIds: ['health'], type: 'mass/kg', content: 72.2, time: now - 3 * 86400 } },
      { method: 'events.create', params: { streamIds: ['health'], type: 'mass/kg', content: 73.3, time: now - 3600, tags: ['doctor'] } },
    ]);
    const shared = (await createAccess(username, token, { name: 'coach', permissions: [{ streamId: 'health', level: 'read' }] })).body.access;
    const page = () => call('GET', new URL(shared.shareUrl).pathname, { headers: { Accept: 'text/html' } });
    const values = async () => (await call('GET', `/${username}/events`, { token: shared.token })).body.events.map((e: { content: number }) => e.content).sort();
    expect(await values()).toEqual([71.1, 72.2, 73.3]);
    expect((await page()).status).toBe(200);
    // Both caches hold the wide access before each narrowing.
    const tokenKey = await accessCacheKey(username, shared.token);
    const pageKey = shareCacheKey(await shareCodeHash(shared.shareUrl.split('/s/')[1]));
    await vi.waitFor(async () => {
      expect(await env.ACCESSES.get(tokenKey)).not.toBeNull();
      expect(await env.ACCESSES.get(pageKey)).not.toBeNull();
    });
    const once = await updateAccess(username, token, shared.id, { permissions: [{ streamId: 'health', level: 'read', fromTime: now - 7 * 86400 }] });
    expect(once.status).toBe(200);
    expect(await values()).toEqual([72.2, 73.3]);
    let html = (await page()).text;
    expect(html).toMatch(/>72.2<\/data>/);
    expect(html).not.toMatch(/>71.1<\/data>/);
    const twice = await updateAccess(username, token, once.body.access.id, { permissions: [{ streamId: 'health', level: 'read', fromTime: now - 7 * 86400, tags: ['doctor'] }] });
    expect(twice.body.access.id).toBe(`${shared.id}:2`);
    expect(await values()).toEqual([73.3]);
    html = (await page()).text;
    expect(html).toMatch(/>73.3<\/data>/);
    expect(html).not.toMatch(/>72.2<\/data>/);
  });
});
