import { describe, expect, it } from 'vitest';
import { createAccess, plantStreams } from './access-fixtures';
import { batch, call, newUser } from './helpers';

/** Profile sets (§4.9, §5.10): public, private, and one per app, merged key by key. */
const get = (username: string, token: string, set: string) => call('GET', `/${username}/profile/${set}`, { token });
const put = (username: string, token: string, set: string, body: unknown, vars?: Record<string, string>) =>
  call('PUT', `/${username}/profile/${set}`, { token, body, vars });

async function accountWithAccesses() {
  const u = await newUser('prof');
  await plantStreams(u.username, [['s', null]]);
  const appA = (await createAccess(u.username, u.token, { name: 'app-a', type: 'app', permissions: [{ streamId: 's', level: 'read' }] })).body.access;
  const appB = (await createAccess(u.username, u.token, { name: 'app-b', type: 'app', permissions: [{ streamId: 's', level: 'read' }] })).body.access;
  const shared = (await createAccess(u.username, u.token, { name: 'a-share', permissions: [{ streamId: 's', level: 'read' }] })).body.access;
  return { ...u, appA, appB, shared };
}

describe('profile sets', () => {
  it('start empty; updates merge key by key: null removes a key, other keys are replaced whole, unmentioned keys stay', async () => {
    const { username, token } = await newUser('prof');
    for (const set of ['public', 'private', 'app']) expect((await get(username, token, set)).body.profile).toEqual({});
    const first = await put(username, token, 'private', { theme: 'dark', nested: { a: 1, b: 2 }, drop: true });
    expect(first.status).toBe(200);
    expect(first.body.profile).toEqual({ theme: 'dark', nested: { a: 1, b: 2 }, drop: true });
    const second = await put(username, token, 'private', { drop: null, nested: { c: 3 }, added: [1, 2] });
    expect(second.body.profile).toEqual({ theme: 'dark', nested: { c: 3 }, added: [1, 2] });
    expect((await get(username, token, 'private')).body.profile).toEqual(second.body.profile);
    // Each set is its own document.
    expect((await get(username, token, 'public')).body.profile).toEqual({});
    const [viaBatch] = await batch(username, token, [{ method: 'profile.updatePublic', params: { update: { name: 'Alice' } } }]);
    expect(viaBatch.profile).toEqual({ name: 'Alice' });
  });

  it('who: public is readable by any access and written by personal; private is personal only; app sets are keyed by the access name', async () => {
    const { username, token, appA, appB, shared } = await accountWithAccesses();
    await put(username, token, 'public', { displayName: 'Alice' });
    for (const t of [token, appA.token, shared.token]) expect((await get(username, t, 'public')).body.profile).toEqual({ displayName: 'Alice' });
    for (const t of [appA.token, shared.token]) {
      expect((await put(username, t, 'public', { x: 1 })).status).toBe(403);
      expect((await get(username, t, 'private')).status).toBe(403);
      expect((await put(username, t, 'private', { x: 1 })).status).toBe(403);
    }
    expect((await get(username, shared.token, 'app')).status).toBe(403);
    expect((await put(username, shared.token, 'app', { x: 1 })).status).toBe(403);
    await put(username, appA.token, 'app', { lastScreen: 'home' });
    await put(username, appB.token, 'app', { volume: 3 });
    expect((await get(username, appA.token, 'app')).body.profile).toEqual({ lastScreen: 'home' });
    expect((await get(username, appB.token, 'app')).body.profile).toEqual({ volume: 3 });
    // The personal access's own app set is keyed by its own name (the app id it logged in with).
    expect((await get(username, token, 'app')).body.profile).toEqual({});
  });

  it('a set over the size limit (operator setting) answers 413 payload-too-large {limit} and keeps the set as it was', async () => {
    const { username, token } = await newUser('prof');
    const LIMIT = '200';
    expect((await put(username, token, 'public', { a: 'x'.repeat(50) }, { PROFILE_MAX_BYTES: LIMIT })).status).toBe(200);
    const tooBig = await put(username, token, 'public', { b: 'y'.repeat(200) }, { PROFILE_MAX_BYTES: LIMIT });
    expect(tooBig.status).toBe(413);
    expect(tooBig.body.error).toMatchObject({ id: 'payload-too-large', data: { limit: 200 } });
    expect((await get(username, token, 'public')).body.profile).toEqual({ a: 'x'.repeat(50) });
    // The default limit is 64 kB.
    expect((await put(username, token, 'private', { big: 'z'.repeat(60_000) })).status).toBe(200);
    expect((await put(username, token, 'private', { more: 'z'.repeat(6_000) })).status).toBe(413);
  });

  it('rejects a body that is not an object (400)', async () => {
    const { username, token } = await newUser('prof');
    for (const body of [[1, 2], '"text"', 5]) expect((await put(username, token, 'public', body)).status, JSON.stringify(body)).toBe(400);
  });

  it('stores keys such as constructor and prototype as sent; a __proto__ key is refused (400), as everywhere', async () => {
    const { username, token } = await newUser('prof');
    const res = await put(username, token, 'private', '{"constructor":1,"prototype":{"a":2},"a":1}');
    expect(res.status).toBe(200);
    expect((await get(username, token, 'private')).text).toContain('"profile":{"constructor":1,"prototype":{"a":2},"a":1}');
    const proto = await put(username, token, 'private', '{"__proto__":{"polluted":true}}');
    expect(proto.status).toBe(400);
    expect(proto.body.error.id).toBe('invalid-parameters-format');
  });

  it('20 parallel updates of one set, each adding its own key, keep every key', async () => {
    const { username, token } = await newUser('prof');
    const replies = await Promise.all(Array.from({ length: 20 }, (_, i) => put(username, token, 'private', { [`k${i}`]: i })));
    const accepted = replies.filter((r) => r.status === 200).length;
    for (const r of replies.filter((x) => x.status !== 200)) expect(r.body.error.id).toBe('stale-resource');
    expect(accepted).toBeGreaterThan(0);
    expect(Object.keys((await get(username, token, 'private')).body.profile)).toHaveLength(accepted);
  });
});
