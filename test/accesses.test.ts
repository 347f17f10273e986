import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { streams } from '../src/storage/schema';
import { call, newUser } from './helpers';
import { accessRow, accountDb, createAccess, deleteAccess, listAccesses, plantStreams, updateAccess, userRow, userWithApp } from './access-fixtures';

const now = () => Date.now() / 1000;

describe('accesses.create', () => {
  it('creates a shared access by default, returning token and apiEndpoint, and stores only a hash and a sealed copy', async () => {
    const { username, token } = await newUser('acc');
    await plantStreams(username, [['a', null]]);
    const res = await createAccess(username, token, { name: 'reader', permissions: [{ streamId: 'a', level: 'read' }] });
    expect(res.status).toBe(201);
    const a = res.body.access;
    expect(a).toMatchObject({ type: 'shared', name: 'reader', deviceName: null, permissions: [{ streamId: 'a', level: 'read' }] });
    expect(a.token).toMatch(/^[a-z][a-z0-9]{23}$/);
    expect(a.apiEndpoint).toContain(`${a.token}@`);
    const row = await accessRow(a.id);
    expect(row.tokenHash).not.toContain(a.token);
    expect(row.tokenSealed).not.toContain(a.token);
    expect(JSON.stringify(row)).not.toContain(a.token);
    const info = await call('GET', `/${username}/access-info`, { token: a.token });
    expect(info.status).toBe(200);
    expect(info.body.id).toBe(a.id);
  });

  it('row 57: refuses personal type, duplicate token, duplicate (type, name, deviceName), reserved token, deviceName on shared; slugifies custom tokens', async () => {
    const { username, token } = await newUser('acc');
    await plantStreams(username, [['a', null]]);
    const perms = [{ streamId: 'a', level: 'read' }];
    expect((await createAccess(username, token, { name: 'p', type: 'personal', permissions: perms })).status).toBe(403);
    const first = await createAccess(username, token, { name: 'x', type: 'app', deviceName: 'phone', token: 'my-token', permissions: perms });
    expect(first.status).toBe(201);
    const dupToken = await createAccess(username, token, { name: 'y', token: 'my-token', permissions: perms });
    expect(dupToken.status).toBe(409);
    expect(dupToken.body.error).toMatchObject({ id: 'item-already-exists', data: { token: 'my-token' } });
    const dupName = await createAccess(username, token, { name: 'x', type: 'app', deviceName: 'phone', permissions: perms });
    expect(dupName.status).toBe(409);
    expect(dupName.body.error.data).toEqual({ type: 'app', name: 'x', deviceName: 'phone' });
    // Same name with another device name, or another type, is fine.
    expect((await createAccess(username, token, { name: 'x', type: 'app', deviceName: 'tablet', permissions: perms })).status).toBe(201);
    expect((await createAccess(username, token, { name: 'x', permissions: perms })).status).toBe(201);
    const reserved = await createAccess(username, token, { name: 'z', token: 'null', permissions: perms });
    expect(reserved.status).toBe(400);
    expect(reserved.body.error.id).toBe('invalid-item-id');
    const device = await createAccess(username, token, { name: 'z', deviceName: 'd', permissions: perms });
    expect(device.status).toBe(400);
    expect(device.body.error.id).toBe('invalid-parameters-format');
    const slug = await createAccess(username, token, { name: 'z', token: 'pas encodé de bleu!', permissions: perms });
    expect(slug.status).toBe(201);
    expect(slug.body.access.token).toBe('pas-encode-de-bleu');
    expect((await call('GET', `/${username}/access-info`, { token: 'pas-encode-de-bleu' })).status).toBe(200);
  });

  it('row 58: a personal caller auto-creates a missing root stream from defaultName, in the same batch as the tree version bump', async () => {
    const { username, token } = await newUser('acc');
    const before = (await userRow(username)).streamsVersion;
    const res = await createAccess(username, token, { name: 'diary', type: 'app', permissions: [{ streamId: 'diary', level: 'manage', defaultName: 'Diary' }] });
    expect(res.status).toBe(201);
    expect(res.body.access.permissions).toEqual([{ streamId: 'diary', level: 'manage' }]);
    const user = await userRow(username);
    const created = await (await accountDb(username)).select().from(streams).where(eq(streams.userId, user.id));
    expect(created).toMatchObject([{ id: 'diary', name: 'Diary', parentId: null }]);
    expect(user.streamsVersion).toBe(before + 1);
    const clash = await createAccess(username, token, { name: 'other', type: 'app', permissions: [{ streamId: 'diary2', level: 'read', defaultName: 'Diary' }] });
    expect(clash.status).toBe(409);
    expect(clash.body.error.id).toBe('item-already-exists');
  });

  it('refuses unknown streams without a name with unknown-referenced-resource {permissions}', async () => {
    const { username, token } = await newUser('acc');
    const res = await createAccess(username, token, { name: 's', permissions: [{ streamId: 'nope', level: 'read' }, { streamId: '*', level: 'read' }] });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ id: 'unknown-referenced-resource', data: { permissions: ['nope'] } });
  });

  it('row 59: expireAfter sets expires; 0 makes an expired access that gets "Access has expired." with Pryv-Access-Id; negative is refused', async () => {
    const { username, token } = await newUser('acc');
    await plantStreams(username, [['a', null]]);
    const perms = [{ streamId: 'a', level: 'read' }];
    const t0 = now();
    const hour = await createAccess(username, token, { name: 'h', expireAfter: 3600, permissions: perms });
    expect(hour.status).toBe(201);
    expect(hour.body.access.expires).toBeGreaterThanOrEqual(t0 + 3599);
    expect(hour.body.access.expires).toBeLessThanOrEqual(now() + 3601);
    const zero = await createAccess(username, token, { name: 'z', expireAfter: 0, permissions: perms });
    expect(zero.status).toBe(201);
    for (const [verb, path] of [['GET', 'access-info'], ['GET', 'accesses'], ['DELETE', `accesses/${zero.body.access.id}`]]) {
      const res = await call(verb, `/${username}/${path}`, { token: zero.body.access.token });
      expect(res.status).toBe(403);
      expect(res.body.error).toMatchObject({ id: 'forbidden', message: 'Access has expired.' });
      expect(res.headers.get('Pryv-Access-Id')).toBe(zero.body.access.id);
    }
    const negative = await createAccess(username, token, { name: 'n', expireAfter: -100, permissions: perms });
    expect(negative.status).toBe(400);
    expect(negative.body.error.id).toBe('invalid-parameters-format');
    expect(negative.body.error.message).toContain('expireAfter cannot be negative.');
    const names = (q: string) => listAccesses(username, token, q).then((r) => r.body.accesses.map((a: any) => a.name));
    expect(await names('')).not.toContain('z');
    expect(await names('?includeExpired=true')).toContain('z');
  });

  it('validates permissions: narrowing on none, fromTime after toTime, legacy tag permissions, duplicates, no stream permission', async () => {
    const { username, token } = await newUser('acc');
    await plantStreams(username, [['a', null]]);
    const bad = [
      [{ streamId: 'a', level: 'none', tags: ['x'] }],
      [{ streamId: 'a', level: 'read', fromTime: 10, toTime: 5 }],
      [{ tag: 'x', level: 'read' }],
      [{ streamId: 'a', level: 'read' }, { streamId: 'a', level: 'manage' }],
      [],
      [{ feature: 'selfRevoke', setting: 'forbidden' }],
      [{ streamId: 'a', level: 'read', tags: [] }],
      [{ streamId: 'a', level: 'admin' }],
    ];
    for (const permissions of bad) {
      const res = await createAccess(username, token, { name: 'v', permissions });
      expect(res.status, JSON.stringify(permissions)).toBe(400);
      expect(res.body.error.id).toBe('invalid-parameters-format');
    }
  });

  it('stores and returns narrowing fields, trimmed tags included', async () => {
    const { username, token } = await newUser('acc');
    await plantStreams(username, [['a', null]]);
    const res = await createAccess(username, token, { name: 'n', permissions: [{ streamId: 'a', level: 'read', tags: [' work '], fromTime: 100, toTime: 200 }] });
    expect(res.status).toBe(201);
    expect(res.body.access.permissions).toEqual([{ streamId: 'a', level: 'read', tags: ['work'], fromTime: 100, toTime: 200 }]);
    const info = await call('GET', `/${username}/access-info`, { token: res.body.access.token });
    expect(info.body.permissions).toEqual(res.body.access.permissions);
  });
});

describe('accesses.create by an app (subset rule and expiry chain)', () => {
  it('row 55: refuses a child above the app level, an app-type child, a widened narrowing; shared tokens cannot list or create', async () => {
    const { username, app } = await userWithApp([{ streamId: 'a', level: 'read', tags: ['work'] }]);
    const above = await createAccess(username, app.token, { name: 's1', permissions: [{ streamId: 'a', level: 'contribute', tags: ['work'] }] });
    expect(above.status).toBe(403);
    expect(above.body.error.id).toBe('forbidden');
    const appType = await createAccess(username, app.token, { name: 's2', type: 'app', permissions: [{ streamId: 'a', level: 'read', tags: ['work'] }] });
    expect(appType.status).toBe(403);
    const wider = await createAccess(username, app.token, { name: 's3', permissions: [{ streamId: 'a', level: 'read' }] });
    expect(wider.status).toBe(403);
    const otherStream = await createAccess(username, app.token, { name: 's4', permissions: [{ streamId: 'b', level: 'read' }] });
    expect(otherStream.status).toBe(403);
    const ok = await createAccess(username, app.token, { name: 's5', permissions: [{ streamId: 'a1', level: 'read', tags: ['work'] }] });
    expect(ok.status).toBe(201);
    for (const res of [
      await listAccesses(username, ok.body.access.token),
      await createAccess(username, ok.body.access.token, { name: 's6', permissions: [{ streamId: 'a1', level: 'read', tags: ['work'] }] }),
    ]) {
      expect(res.status).toBe(403);
      expect(res.body.error.id).toBe('forbidden');
    }
  });

  it('row 56: an app creates a shared subset; defaultName is stripped and never creates a stream', async () => {
    const { username, app } = await userWithApp([{ streamId: 'a', level: 'contribute' }]);
    const res = await createAccess(username, app.token, {
      name: 'child',
      permissions: [{ streamId: 'a1', level: 'contribute', defaultName: 'A1' }, { streamId: 'a2', level: 'create-only', tags: ['t'], fromTime: 5 }],
    });
    expect(res.status).toBe(201);
    expect(res.body.access).toMatchObject({ type: 'shared', permissions: [{ streamId: 'a1', level: 'contribute' }, { streamId: 'a2', level: 'create-only', tags: ['t'], fromTime: 5 }] });
    expect(res.body.access.id).toBeTruthy();
    expect(res.body.access.apiEndpoint).toContain(res.body.access.token);
    const unknown = await createAccess(username, app.token, { name: 'c2', permissions: [{ streamId: 'new-one', level: 'read', defaultName: 'New' }] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatchObject({ id: 'unknown-referenced-resource', data: { permissions: ['new-one'] } });
  });

  it('a child may narrow further: tag subset, later fromTime, earlier toTime; not the reverse', async () => {
    const { username, app } = await userWithApp([{ streamId: 'a', level: 'read', tags: ['x', 'y'], fromTime: 100, toTime: 200 }]);
    const narrower = await createAccess(username, app.token, { name: 'n', permissions: [{ streamId: 'a', level: 'read', tags: ['x'], fromTime: 150, toTime: 180 }] });
    expect(narrower.status).toBe(201);
    for (const [name, p] of [
      ['t', { tags: ['z'], fromTime: 150, toTime: 180 }],
      ['f', { tags: ['x'], fromTime: 50, toTime: 180 }],
      ['to', { tags: ['x'], fromTime: 150, toTime: 250 }],
      ['nof', { tags: ['x'], toTime: 180 }],
    ] as const) {
      const res = await createAccess(username, app.token, { name, permissions: [{ streamId: 'a', level: 'read', ...p }] });
      expect(res.status, name).toBe(403);
    }
  });

  it('copies secretSharing:forbidden to children but not selfRevoke', async () => {
    const { username, app } = await userWithApp([
      { streamId: 'a', level: 'read' },
      { feature: 'secretSharing', setting: 'forbidden' },
      { feature: 'selfRevoke', setting: 'forbidden' },
    ]);
    const res = await createAccess(username, app.token, { name: 'c', permissions: [{ streamId: 'a', level: 'read' }] });
    expect(res.status).toBe(201);
    expect(res.body.access.permissions).toEqual([{ streamId: 'a', level: 'read' }, { feature: 'secretSharing', setting: 'forbidden' }]);
  });

  it('expiry chain: a child of an expiring app must expire no later (400 invalid-operation {parentExpires, requestedExpires})', async () => {
    const { username, token } = await newUser('acc');
    await plantStreams(username, [['a', null]]);
    const app = (await createAccess(username, token, { name: 'app', type: 'app', expireAfter: 1000, permissions: [{ streamId: 'a', level: 'read' }] })).body.access;
    const none = await createAccess(username, app.token, { name: 'c1', permissions: [{ streamId: 'a', level: 'read' }] });
    expect(none.status).toBe(400);
    expect(none.body.error).toMatchObject({ id: 'invalid-operation', data: { parentExpires: app.expires, requestedExpires: null } });
    const later = await createAccess(username, app.token, { name: 'c2', expireAfter: 5000, permissions: [{ streamId: 'a', level: 'read' }] });
    expect(later.status).toBe(400);
    expect(later.body.error.data.parentExpires).toBe(app.expires);
    expect((await createAccess(username, app.token, { name: 'c3', expireAfter: 10, permissions: [{ streamId: 'a', level: 'read' }] })).status).toBe(201);
  });
});

describe('accesses.get', () => {
  it('personal lists every access with token and apiEndpoint ordered by name; an app lists only its children', async () => {
    const { username, token, app } = await userWithApp();
    const child = (await createAccess(username, app.token, { name: 'b-child', permissions: [{ streamId: 'a1', level: 'read' }] })).body.access;
    await createAccess(username, token, { name: 'a-shared', permissions: [{ streamId: 'b', level: 'read' }] });
    const all = await listAccesses(username, token);
    expect(all.status).toBe(200);
    const names = all.body.accesses.map((a: any) => a.name);
    expect(names).toEqual([...names].sort());
    expect(names).toEqual(expect.arrayContaining(['a-shared', 'b-child', 'my-app', 'test-app']));
    for (const a of all.body.accesses) expect(a.apiEndpoint).toContain(`${a.token}@`);
    const byApp = await listAccesses(username, app.token);
    expect(byApp.body.accesses.map((a: any) => a.id)).toEqual([child.id]);
    expect(byApp.body.accesses[0].token).toBe(child.token);
  });

  it('includeDeletions adds accessDeletions as full access objects with deleted', async () => {
    const { username, token } = await newUser('acc');
    await plantStreams(username, [['a', null]]);
    const a = (await createAccess(username, token, { name: 'gone', permissions: [{ streamId: 'a', level: 'read' }] })).body.access;
    await deleteAccess(username, token, a.id);
    const plain = await listAccesses(username, token);
    expect(plain.body.accessDeletions).toBeUndefined();
    const res = await listAccesses(username, token, '?includeDeletions=true');
    expect(res.body.accesses.map((x: any) => x.id)).not.toContain(a.id);
    expect(res.body.accessDeletions).toMatchObject([{ id: a.id, name: 'gone', type: 'shared', deleted: expect.any(Number) }]);
  });
});

describe('accesses.update', () => {
  it('updates: name, permissions replaced, clientData merged, expires removed; token unchanged, id becomes the composite <base>:1', async () => {
    const { username, token } = await newUser('acc');
    await plantStreams(username, [['a', null], ['b', null]]);
    const a = (await createAccess(username, token, { name: 'x', expireAfter: 100, clientData: { k: 1, drop: true }, permissions: [{ streamId: 'a', level: 'read' }] })).body.access;
    const res = await updateAccess(username, token, a.id, {
      name: 'y', permissions: [{ streamId: 'b', level: 'contribute', tags: ['t'] }], clientData: { drop: null, n: 2 }, expires: null,
    });
    expect(res.status).toBe(200);
    expect(res.body.access).toMatchObject({ id: `${a.id}:1`, token: a.token, name: 'y', permissions: [{ streamId: 'b', level: 'contribute', tags: ['t'] }], clientData: { k: 1, n: 2 } });
    expect(res.body.access.expires).toBeUndefined();
    expect(res.body.access.modified).toBeGreaterThanOrEqual(a.modified);
    const info = await call('GET', `/${username}/access-info`, { token: a.token });
    expect(info.body.permissions).toEqual([{ streamId: 'b', level: 'contribute', tags: ['t'] }]);
  });

  it('read-only fields give 403, unknown fields 400, unknown id 404, unknown stream 400, name clash 409', async () => {
    const { username, token } = await newUser('acc');
    await plantStreams(username, [['a', null]]);
    const perms = [{ streamId: 'a', level: 'read' }];
    const a = (await createAccess(username, token, { name: 'x', permissions: perms })).body.access;
    await createAccess(username, token, { name: 'taken', permissions: perms });
    for (const body of [{ token: 'abc' }, { type: 'app' }, { created: 1 }, { expires: 5 }, { id: 'x' }]) {
      const res = await updateAccess(username, token, a.id, body);
      expect(res.status, JSON.stringify(body)).toBe(403);
    }
    expect((await updateAccess(username, token, a.id, { color: 'red' })).status).toBe(400);
    expect((await updateAccess(username, token, a.id, { deviceName: 'd' })).status).toBe(400);
    expect((await updateAccess(username, token, 'nope', { name: 'z' })).status).toBe(404);
    const unknown = await updateAccess(username, token, a.id, { permissions: [{ streamId: 'zz', level: 'read' }] });
    expect(unknown.body.error).toMatchObject({ id: 'unknown-referenced-resource', data: { permissions: ['zz'] } });
    const clash = await updateAccess(username, token, a.id, { name: 'taken' });
    expect(clash.status).toBe(409);
  });

  it('row 61: personal accesses are immutable, nobody updates itself, shared never updates', async () => {
    const { username, token, app } = await userWithApp();
    const personalId = (await call('GET', `/${username}/access-info`, { token })).body.id;
    expect((await updateAccess(username, token, personalId, { name: 'z' })).status).toBe(403);
    expect((await updateAccess(username, app.token, app.id, { name: 'z' })).status).toBe(403);
    const child = (await createAccess(username, app.token, { name: 'c', permissions: [{ streamId: 'a', level: 'read' }] })).body.access;
    expect((await updateAccess(username, child.token, child.id, { name: 'z' })).status).toBe(403);
    const other = (await createAccess(username, token, { name: 'o', permissions: [{ streamId: 'a', level: 'read' }] })).body.access;
    expect((await updateAccess(username, app.token, other.id, { name: 'z' })).status).toBe(403);
  });

  it('an app may update its child only within its own scope (400 invalid-operation otherwise)', async () => {
    const { username, app } = await userWithApp([{ streamId: 'a', level: 'contribute' }]);
    const child = (await createAccess(username, app.token, { name: 'c', permissions: [{ streamId: 'a', level: 'read' }] })).body.access;
    const ok = await updateAccess(username, app.token, child.id, { permissions: [{ streamId: 'a1', level: 'contribute' }] });
    expect(ok.status).toBe(200);
    const wide = await updateAccess(username, app.token, ok.body.access.id, { permissions: [{ streamId: 'a', level: 'manage' }] });
    expect(wide.status).toBe(400);
    expect(wide.body.error.id).toBe('invalid-operation');
  });

  it('row 61: narrowing an app below its children gives 400 invalid-operation {offendingChildren} and changes nothing', async () => {
    const { username, token, app } = await userWithApp([{ streamId: 'a', level: 'manage' }]);
    const fits = (await createAccess(username, app.token, { name: 'fits', permissions: [{ streamId: 'a1', level: 'read' }] })).body.access;
    const wide = (await createAccess(username, app.token, { name: 'wide', permissions: [{ streamId: 'a2', level: 'contribute' }] })).body.access;
    const before = await accessRow(app.id);
    const res = await updateAccess(username, token, app.id, { permissions: [{ streamId: 'a', level: 'read' }] });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ id: 'invalid-operation', data: { offendingChildren: [wide.id] } });
    expect(await accessRow(app.id)).toEqual(before);
    const tags = await updateAccess(username, token, app.id, { permissions: [{ streamId: 'a', level: 'manage', tags: ['t'] }] });
    expect(tags.body.error.data.offendingChildren.sort()).toEqual([fits.id, wide.id].sort());
    const expiring = await updateAccess(username, token, app.id, { expireAfter: 100 });
    expect(expiring.body.error.data.offendingChildren.sort()).toEqual([fits.id, wide.id].sort());
    expect((await updateAccess(username, token, app.id, { permissions: [{ streamId: 'a', level: 'contribute' }] })).status).toBe(200);
  });
});

describe('accesses.delete', () => {
  it('row 60: an app deletes its child, then itself (relatedDeletions), then is refused; other apps\' accesses 403; unknown id 404', async () => {
    const { username, token, app } = await userWithApp();
    const c1 = (await createAccess(username, app.token, { name: 'c1', permissions: [{ streamId: 'a', level: 'read' }] })).body.access;
    const c2 = (await createAccess(username, app.token, { name: 'c2', permissions: [{ streamId: 'a', level: 'read' }] })).body.access;
    const other = (await createAccess(username, token, { name: 'other-app', type: 'app', permissions: [{ streamId: 'a', level: 'read' }] })).body.access;
    const del1 = await deleteAccess(username, app.token, c1.id);
    expect(del1.status).toBe(200);
    expect(del1.body.accessDeletion).toEqual({ id: c1.id, deleted: expect.any(Number) });
    expect((await deleteAccess(username, app.token, other.id)).status).toBe(403);
    expect((await deleteAccess(username, app.token, 'unknown-id')).status).toBe(404);
    const self = await deleteAccess(username, app.token, app.id);
    expect(self.status).toBe(200);
    expect(self.body.accessDeletion.id).toBe(app.id);
    expect(self.body.relatedDeletions).toEqual([{ id: c2.id, deleted: expect.any(Number) }]);
    const again = await deleteAccess(username, app.token, app.id);
    expect(again.status).toBe(403);
    expect(again.body.error.id).toBe('invalid-access-token');
    expect((await call('GET', `/${username}/access-info`, { token: c2.token })).body.error.id).toBe('invalid-access-token');
    expect((await deleteAccess(username, token, app.id)).status).toBe(404);
  });

  it('row 61: self-deletion is refused with selfRevoke forbidden, allowed otherwise (shared included)', async () => {
    const { username, token } = await newUser('acc');
    await plantStreams(username, [['a', null]]);
    const locked = (await createAccess(username, token, { name: 'l', permissions: [{ streamId: 'a', level: 'read' }, { feature: 'selfRevoke', setting: 'forbidden' }] })).body.access;
    const res = await deleteAccess(username, locked.token, locked.id);
    expect(res.status).toBe(403);
    expect(res.body.error.id).toBe('forbidden');
    expect((await deleteAccess(username, token, locked.id)).status).toBe(200);
    const free = (await createAccess(username, token, { name: 'f', permissions: [{ streamId: 'a', level: 'read' }] })).body.access;
    expect((await deleteAccess(username, free.token, free.id)).status).toBe(200);
    expect((await call('GET', `/${username}/access-info`, { token: free.token })).status).toBe(403);
  });

  it('a shared access cannot delete another access; a personal access may delete itself, which ends its session', async () => {
    const { username, token } = await newUser('acc');
    await plantStreams(username, [['a', null]]);
    const s1 = (await createAccess(username, token, { name: 's1', permissions: [{ streamId: 'a', level: 'read' }] })).body.access;
    const s2 = (await createAccess(username, token, { name: 's2', permissions: [{ streamId: 'a', level: 'read' }] })).body.access;
    expect((await deleteAccess(username, s1.token, s2.id)).status).toBe(403);
    const me = (await call('GET', `/${username}/access-info`, { token })).body.id;
    expect((await deleteAccess(username, token, me)).status).toBe(200);
    expect((await call('GET', `/${username}/access-info`, { token })).body.error.id).toBe('invalid-access-token');
  });

  it('deleting a personal access does not cascade to the accesses it created', async () => {
    const { username, token } = await newUser('acc');
    await plantStreams(username, [['a', null]]);
    const s = (await createAccess(username, token, { name: 's', permissions: [{ streamId: 'a', level: 'read' }] })).body.access;
    const me = (await call('GET', `/${username}/access-info`, { token })).body.id;
    const res = await deleteAccess(username, token, me);
    expect(res.body.relatedDeletions).toBeUndefined();
    expect((await call('GET', `/${username}/access-info`, { token: s.token })).status).toBe(200);
  });
});

