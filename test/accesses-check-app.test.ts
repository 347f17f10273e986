import { describe, expect, it } from 'vitest';
import { createAccess, plantStreams, updateAccess } from './access-fixtures';
import { batch, call, newUser } from './helpers';

/** accesses.checkApp (§5.7.7): its three result shapes, checked permissions and name-clash proposals. */
const checkApp = (username: string, token: string, body: unknown) => call('POST', `/${username}/accesses/check-app`, { token, body });

async function account() {
  const u = await newUser('chk');
  // Root streams "Diary" (with a child) and "Health"; "Health (1)" is taken too, trashed.
  await batch(u.username, u.token, [
    { method: 'streams.create', params: { id: 'diary', name: 'Diary' } },
    { method: 'streams.create', params: { id: 'entries', name: 'Entries', parentId: 'diary' } },
    { method: 'streams.create', params: { id: 'health', name: 'Health' } },
    { method: 'streams.create', params: { id: 'old-health', name: 'Health (1)', trashed: true } },
  ]);
  return u;
}

describe('accesses.checkApp', () => {
  it('no access of that app: {checkedPermissions}; existing streams carry their name instead of defaultName', async () => {
    const { username, token } = await account();
    const res = await checkApp(username, token, {
      requestingAppId: 'my-diary-app',
      requestedPermissions: [
        { streamId: 'diary', level: 'manage', defaultName: 'My diary' },
        { streamId: 'entries', level: 'read', defaultName: 'Whatever', tags: ['x'] },
        { streamId: 'new-one', level: 'contribute', defaultName: 'Brand new' },
        { streamId: '*', level: 'read', defaultName: 'ignored' },
        { feature: 'selfRevoke', setting: 'forbidden' },
      ],
    });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).filter((k) => k !== 'meta')).toEqual(['checkedPermissions']);
    expect(res.body.checkedPermissions).toEqual([
      { streamId: 'diary', level: 'manage', name: 'Diary' },
      { streamId: 'entries', level: 'read', tags: ['x'], name: 'Entries' },
      { streamId: 'new-one', level: 'contribute', defaultName: 'Brand new' },
      { streamId: '*', level: 'read' },
      { feature: 'selfRevoke', setting: 'forbidden' },
    ]);
  });

  it('a defaultName clashing with root streams becomes "name (n)", the first free one, with an item-already-exists error', async () => {
    const { username, token } = await account();
    const res = await checkApp(username, token, {
      requestingAppId: 'my-health-app',
      requestedPermissions: [
        { streamId: 'vitals', level: 'manage', defaultName: 'Health' },
        { streamId: 'vitals-2', level: 'read', defaultName: 'Health' },
        { streamId: 'notes', level: 'read', defaultName: 'Diary' },
        // A child's name does not clash: new streams are created at the root.
        { streamId: 'other', level: 'read', defaultName: 'Entries' },
      ],
    });
    expect(res.body.checkedPermissions.map((p: { defaultName: string }) => p.defaultName)).toEqual(['Health (2)', 'Health (3)', 'Diary (1)', 'Entries']);
    expect(res.body.error).toMatchObject({ id: 'item-already-exists', data: { streamIds: ['vitals', 'vitals-2', 'notes'] } });
    expect(res.body.error.message).toEqual(expect.any(String));
    // The proposals are accepted by accesses.create as they are.
    const created = await createAccess(username, token, { name: 'my-health-app', type: 'app', permissions: res.body.checkedPermissions });
    expect(created.status).toBe(201);
  });

  it('an app access with equal permissions (order, tag order and defaultName ignored): {matchingAccess} with its token', async () => {
    const { username, token } = await account();
    const permissions = [
      { streamId: 'diary', level: 'read', tags: ['a', 'b'] },
      { streamId: 'health', level: 'contribute', fromTime: 100 },
    ];
    const app = (await createAccess(username, token, { name: 'my-app-id', type: 'app', deviceName: 'phone', permissions })).body.access;
    const res = await checkApp(username, token, {
      requestingAppId: 'my-app-id',
      deviceName: 'phone',
      clientData: { not: 'compared' },
      requestedPermissions: [
        { streamId: 'health', level: 'contribute', fromTime: 100, defaultName: 'Health' },
        { streamId: 'diary', level: 'read', tags: ['b', 'a'], defaultName: 'Diary' },
      ],
    });
    expect(Object.keys(res.body).filter((k) => k !== 'meta')).toEqual(['matchingAccess']);
    expect(res.body.matchingAccess).toMatchObject({ id: app.id, token: app.token, apiEndpoint: app.apiEndpoint, type: 'app' });
    // Another device name is another access: none matches.
    const otherDevice = await checkApp(username, token, { requestingAppId: 'my-app-id', requestedPermissions: permissions });
    expect(otherDevice.body.matchingAccess).toBeUndefined();
    expect(otherDevice.body.mismatchingAccess).toBeUndefined();
  });

  it('an app access with other permissions, or expired: {mismatchingAccess, checkedPermissions}', async () => {
    const { username, token } = await account();
    const app = (await createAccess(username, token, { name: 'my-app-id', type: 'app', permissions: [{ streamId: 'diary', level: 'read' }] })).body.access;
    const requestedPermissions = [{ streamId: 'diary', level: 'manage', defaultName: 'Diary' }];
    const res = await checkApp(username, token, { requestingAppId: 'my-app-id', requestedPermissions });
    expect(Object.keys(res.body).filter((k) => k !== 'meta')).toEqual(['mismatchingAccess', 'checkedPermissions']);
    expect(res.body.mismatchingAccess).toMatchObject({ id: app.id, permissions: [{ streamId: 'diary', level: 'read' }] });
    expect(res.body.checkedPermissions).toEqual([{ streamId: 'diary', level: 'manage', name: 'Diary' }]);
    // Once updated to the requested permissions it matches, under its new composite id; expired, it no longer does.
    const updated = await updateAccess(username, token, app.id, { permissions: [{ streamId: 'diary', level: 'manage' }] });
    const matching = await checkApp(username, token, { requestingAppId: 'my-app-id', requestedPermissions });
    expect(matching.body.matchingAccess.id).toBe(`${app.id}:1`);
    await updateAccess(username, token, updated.body.access.id, { expireAfter: 0 });
    const expired = await checkApp(username, token, { requestingAppId: 'my-app-id', requestedPermissions });
    expect(expired.body.mismatchingAccess.id).toBe(`${app.id}:2`);
  });

  it('personal only; bad input is 400: a missing stream without defaultName, a legacy tag permission, no stream permission', async () => {
    const { username, token } = await account();
    await plantStreams(username, [['s', null]]);
    const app = (await createAccess(username, token, { name: 'an-app', type: 'app', permissions: [{ streamId: 's', level: 'manage' }] })).body.access;
    const body = { requestingAppId: 'x-app', requestedPermissions: [{ streamId: 's', level: 'read' }] };
    expect((await checkApp(username, app.token, body)).status).toBe(403);
    for (const requestedPermissions of [[{ streamId: 'missing', level: 'read' }], [{ tag: 't', level: 'read' }], [{ feature: 'selfRevoke', setting: 'forbidden' }]]) {
      const res = await checkApp(username, token, { requestingAppId: 'x-app', requestedPermissions });
      expect(res.status, JSON.stringify(requestedPermissions)).toBe(400);
      expect(res.body.error.id).toBe('invalid-parameters-format');
    }
    expect((await checkApp(username, token, { requestedPermissions: [] })).status).toBe(400);
    const [inBatch] = await batch(username, token, [{ method: 'accesses.checkApp', params: body }]);
    expect(inBatch.checkedPermissions).toEqual([{ streamId: 's', level: 'read', name: 's' }]);
  });
});
