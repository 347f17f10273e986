import { describe, expect, it } from 'vitest';
import { createAccess, plantStreams } from './access-fixtures';
import { batch, call, newUser, type Reply } from './helpers';

/** account.get / update / changePassword (§4.10, §5.11): personal accesses only. */
const LOCAL = 'http://127.0.0.1:8787';
const login = (username: string, password: string, appId = 'other-app') =>
  call('POST', `/${username}/auth/login`, { headers: { Origin: LOCAL }, body: { username, password, appId } });
const account = async (username: string, token: string) => (await call('GET', `/${username}/account`, { token })).body.account;
const storage = async (username: string, token: string) => (await account(username, token)).storageUsed as { dbDocuments: number; attachedFiles: number };
const statuses = (replies: Reply[]) => replies.map((r) => r.status).sort();

describe('account.get', () => {
  it('answers {username, email, language, storageUsed {dbDocuments, attachedFiles}}; app and shared accesses get 403', async () => {
    const { username, token } = await newUser('acct');
    const res = await call('GET', `/${username}/account`, { token });
    expect(res.status).toBe(200);
    expect(res.body.account).toEqual({ username, email: `${username}@example.org`, language: 'en', storageUsed: { dbDocuments: 0, attachedFiles: 0 } });
    await plantStreams(username, [['s', null]]);
    const app = (await createAccess(username, token, { name: 'an-app', type: 'app', permissions: [{ streamId: 's', level: 'manage' }] })).body.access;
    const shared = (await createAccess(username, token, { name: 'a-share', permissions: [{ streamId: 's', level: 'read' }] })).body.access;
    for (const other of [app.token, shared.token]) {
      expect((await call('GET', `/${username}/account`, { token: other })).status).toBe(403);
      expect((await call('PUT', `/${username}/account`, { token: other, body: { language: 'fr' } })).status).toBe(403);
      expect((await call('POST', `/${username}/account/change-password`, { token: other, body: { oldPassword: 'x', newPassword: 'yyyyyy' } })).status).toBe(403);
    }
  });

  it('storageUsed follows events as they come, change and go (counters, not a scan), streams.delete included', async () => {
    const { username, token } = await newUser('acct');
    const BIG = 'x'.repeat(10_000);
    const [, created] = await batch(username, token, [
      { method: 'streams.create', params: { id: 's', name: 'S' } },
      { method: 'events.create', params: { streamIds: ['s'], type: 'note/txt', content: BIG } },
    ]);
    const afterCreate = (await storage(username, token)).dbDocuments;
    expect(afterCreate).toBeGreaterThan(BIG.length);
    expect(afterCreate).toBeLessThan(BIG.length + 1_000);
    const id = created.event.id;
    await call('PUT', `/${username}/events/${id}`, { token, body: { content: 'short' } });
    const afterUpdate = (await storage(username, token)).dbDocuments;
    expect(afterCreate - afterUpdate).toBe(BIG.length - 'short'.length);
    await call('DELETE', `/${username}/events/${id}`, { token }); // trashed
    await call('DELETE', `/${username}/events/${id}`, { token }); // deleted for good: a small tombstone stays
    const afterDelete = (await storage(username, token)).dbDocuments;
    expect(afterDelete).toBeLessThan(afterUpdate);
    await batch(username, token, [{ method: 'events.create', params: { streamIds: ['s'], type: 'note/txt', content: BIG } }]);
    expect((await storage(username, token)).dbDocuments).toBeGreaterThan(afterDelete + BIG.length);
    await call('DELETE', `/${username}/streams/s`, { token });
    await call('DELETE', `/${username}/streams/s?mergeEventsWithParent=false`, { token });
    expect((await storage(username, token)).dbDocuments).toBeLessThan(afterDelete + 1_000);
    expect((await storage(username, token)).attachedFiles).toBe(0);
  });
});

describe('account.update', () => {
  it('changes e-mail and language; username is 403, unknown fields and bad values 400, a taken e-mail 409 {email}', async () => {
    const { username, token } = await newUser('acct');
    const other = await newUser('acct');
    const res = await call('PUT', `/${username}/account`, { token, body: { email: `new-${username}@example.org`, language: 'fr' } });
    expect(res.status).toBe(200);
    expect(res.body.account).toMatchObject({ username, email: `new-${username}@example.org`, language: 'fr' });
    expect(await account(username, token)).toMatchObject({ email: `new-${username}@example.org`, language: 'fr' });
    expect((await login(username, other.password)).body.preferredLanguage).toBe('fr');
    expect((await call('PUT', `/${username}/account`, { token, body: { username: 'renamed' } })).status).toBe(403);
    for (const body of [{ email: 'not-an-email' }, { language: 'toolong' }, { language: '' }, { color: 'red' }]) {
      const bad = await call('PUT', `/${username}/account`, { token, body });
      expect(bad.status, JSON.stringify(body)).toBe(400);
      expect(bad.body.error.id).toBe('invalid-parameters-format');
    }
    const taken = await call('PUT', `/${username}/account`, { token, body: { email: `${other.username}@example.org` } });
    expect(taken.status).toBe(409);
    expect(taken.body.error).toMatchObject({ id: 'item-already-exists', data: { email: `${other.username}@example.org` } });
    // The freed address can be taken by another account.
    expect((await call('PUT', `/${other.username}/account`, { token: other.token, body: { email: `${username}@example.org` } })).status).toBe(200);
  });

  it('10 accounts racing for one new e-mail: exactly one gets it, the others 409', async () => {
    const users = await Promise.all(Array.from({ length: 10 }, () => newUser('race')));
    const email = `contested-${users[0].username}@example.org`;
    const replies = await Promise.all(users.map((u) => call('PUT', `/${u.username}/account`, { token: u.token, body: { email } })));
    expect(statuses(replies)).toEqual([200, ...Array(9).fill(409)]);
    const owners = await Promise.all(users.map(async (u) => (await account(u.username, u.token)).email));
    expect(owners.filter((e) => e === email)).toHaveLength(1);
  });
});

describe('account.changePassword', () => {
  it('checks the old password (400 invalid-operation), validates the new one (400), and keeps existing sessions', async () => {
    const { username, token, password } = await newUser('acct');
    const other = (await login(username, password)).body.token;
    const wrong = await call('POST', `/${username}/account/change-password`, { token, body: { oldPassword: 'wrong-password', newPassword: 'new-password' } });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.id).toBe('invalid-operation');
    const short = await call('POST', `/${username}/account/change-password`, { token, body: { oldPassword: password, newPassword: '12345' } });
    expect(short.body.error.id).toBe('invalid-parameters-format');
    const res = await call('POST', `/${username}/account/change-password`, { token, body: { oldPassword: password, newPassword: 'new-password' } });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body)).toEqual(['meta']);
    expect((await login(username, password, 'third-app')).status).toBe(401);
    expect((await login(username, 'new-password', 'third-app')).status).toBe(200);
    for (const t of [token, other]) expect((await call('GET', `/${username}/access-info`, { token: t })).status).toBe(200);
  });

  it('logoutOtherSessions: true ends every other personal session, not the caller\'s, nor app accesses', async () => {
    const { username, token, password } = await newUser('acct');
    const other = (await login(username, password)).body.token;
    await plantStreams(username, [['s', null]]);
    const app = (await createAccess(username, token, { name: 'an-app', type: 'app', permissions: [{ streamId: 's', level: 'read' }] })).body.access;
    // Warm the caches of the session about to end: D1 must still refuse it at once.
    expect((await call('GET', `/${username}/access-info`, { token: other })).status).toBe(200);
    const res = await call('POST', `/${username}/account/change-password`, {
      token,
      body: { oldPassword: password, newPassword: 'new-password', logoutOtherSessions: true },
    });
    expect(res.status).toBe(200);
    expect((await call('GET', `/${username}/access-info`, { token: other })).status).toBe(403);
    expect((await call('GET', `/${username}/access-info`, { token })).status).toBe(200);
    expect((await call('GET', `/${username}/access-info`, { token: app.token })).status).toBe(200);
    // The ended session's app logs in again and gets a new token.
    const again = await login(username, 'new-password');
    expect(again.status).toBe(200);
    expect(again.body.token).not.toBe(other);
  });

  it('racing changes from the same old password: one applies, the others find the old password no longer valid', async () => {
    const { username, token, password } = await newUser('acct');
    const replies = await Promise.all(
      Array.from({ length: 5 }, (_, i) => call('POST', `/${username}/account/change-password`, { token, body: { oldPassword: password, newPassword: `new-password-${i}` } })),
    );
    expect(statuses(replies)).toEqual([200, 400, 400, 400, 400]);
    const winner = replies.findIndex((r) => r.status === 200);
    expect((await login(username, `new-password-${winner}`)).status).toBe(200);
  });
});
