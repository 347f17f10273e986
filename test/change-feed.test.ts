import { describe, expect, it } from 'vitest';
import { onChangeNotice } from '../src/calls/hooks';
import type { ChangeNotice } from '../src/core/notices';
import { batch, call, newUser } from './helpers';
import { recordHook } from './hook-recorder';
import { download, formData, postMultipart } from './attachment-fixtures';

/** The change feed: one merged notice per account and request, after a successful write; none otherwise. */
describe('change notices', () => {
  const feed = recordHook<ChangeNotice>(onChangeNotice);
  const of = (username: string) => feed.items.filter((n) => n.username === username).map((n) => n.changes);

  async function account() {
    const user = await newUser('feed');
    const results = await batch(user.username, user.token, [
      { method: 'streams.create', params: { id: 'diary', name: 'Diary' } },
      { method: 'events.create', params: { streamIds: ['diary'], type: 'note/txt', content: 'first' } },
    ]);
    feed.items = [];
    return { ...user, eventId: results[1].event.id as string };
  }

  it('every writing method emits exactly one notice naming what it changed', async () => {
    const { username, token, eventId, password } = await account();
    const steps: [string, string, unknown, string[]][] = [
      ['POST', 'events', { streamIds: ['diary'], type: 'note/txt', content: 'x' }, ['events']],
      ['PUT', `events/${eventId}`, { content: 'changed' }, ['events']],
      ['DELETE', `events/${eventId}`, undefined, ['events']],
      ['POST', 'streams', { id: 'work', name: 'Work' }, ['streams']],
      ['PUT', 'streams/work', { name: 'Job' }, ['streams']],
      ['DELETE', 'streams/work', undefined, ['events', 'streams']],
      ['POST', 'accesses', { name: 'coach', permissions: [{ streamId: 'diary', level: 'read' }] }, ['accesses']],
      ['POST', 'accesses', { name: 'new', permissions: [{ streamId: 'fresh', level: 'read', defaultName: 'Fresh' }] }, ['streams', 'accesses']],
    ];
    for (const [verb, path, body, expected] of steps) {
      feed.items = [];
      const res = await call(verb, `/${username}/${path}`, { token, body });
      expect(res.status, `${verb} ${path}`).toBeLessThan(300);
      expect(of(username), `${verb} ${path}`).toEqual([expected]);
      if (path === 'accesses' && (body as { name: string }).name === 'coach') {
        feed.items = [];
        const id = res.body.access.id;
        const updated = await call('PUT', `/${username}/accesses/${id}`, { token, body: { name: 'trainer' } });
        expect(updated.status).toBe(200);
        expect(of(username)).toEqual([['accesses']]);
        feed.items = [];
        expect((await call('DELETE', `/${username}/accesses/${updated.body.access.id}`, { token })).status).toBe(200);
        expect(of(username)).toEqual([['accesses']]);
      }
    }
    feed.items = [];
    const login = await call('POST', `/${username}/auth/login`, {
      body: { username, password, appId: 'other-app' },
      headers: { Origin: 'http://127.0.0.1:8787' },
    });
    expect(login.status).toBe(200);
    expect(of(username)).toEqual([['accesses']]);
    feed.items = [];
    expect((await call('POST', `/${username}/auth/logout`, { token: login.body.token })).status).toBe(200);
    expect(of(username)).toEqual([['accesses']]);
  });

  it('adding and deleting attachments are events changes; a download and a refused upload are none', async () => {
    const { username, token, eventId } = await account();
    const created = await postMultipart(`/${username}/events`, token, formData({ streamIds: ['diary'], type: 'file/attached' }, [{ fileName: 'a', bytes: 'a' }]));
    expect(of(username)).toEqual([['events']]);
    feed.items = [];
    const added = await postMultipart(`/${username}/events/${eventId}`, token, formData(undefined, [{ fileName: 'b', bytes: 'b' }]));
    expect(added.status).toBe(200);
    expect(of(username)).toEqual([['events']]);
    feed.items = [];
    const file = created.body.event.attachments[0];
    expect((await download(`/${username}/events/${created.body.event.id}/${file.id}`, { Authorization: token })).status).toBe(200);
    expect((await postMultipart(`/${username}/events/${eventId}`, token, formData({ not: 'a file' }, []))).status).toBe(400);
    expect(of(username)).toEqual([]);
    expect((await call('DELETE', `/${username}/events/${created.body.event.id}/${file.id}`, { token })).status).toBe(200);
    expect(of(username)).toEqual([['events']]);
  });

  it('ending other sessions with a password change changes accesses; account and profile updates change none of the kinds', async () => {
    const { username, token } = await account();
    const password = 'secret-password';
    expect((await call('PUT', `/${username}/account`, { token, body: { language: 'fr' } })).status).toBe(200);
    expect((await call('PUT', `/${username}/profile/private`, { token, body: { a: 1 } })).status).toBe(200);
    expect((await call('POST', `/${username}/account/change-password`, { token, body: { oldPassword: password, newPassword: 'second-password' } })).status).toBe(200);
    expect(of(username)).toEqual([]);
    const other = await call('POST', `/${username}/auth/login`, {
      body: { username, password: 'second-password', appId: 'other-app' },
      headers: { Origin: 'http://127.0.0.1:8787' },
    });
    expect(other.status).toBe(200);
    feed.items = [];
    const ending = await call('POST', `/${username}/account/change-password`, {
      token,
      body: { oldPassword: 'second-password', newPassword: 'third-password', logoutOtherSessions: true },
    });
    expect(ending.status).toBe(200);
    expect(of(username)).toEqual([['accesses']]);
  });

  it('a batch of mixed writes emits one merged notice, carrying the user id and name', async () => {
    const { username, token } = await account();
    await batch(username, token, [
      { method: 'events.create', params: { streamIds: ['diary'], type: 'note/txt', content: 'a' } },
      { method: 'streams.create', params: { id: 'b', name: 'B' } },
      { method: 'events.create', params: { streamIds: ['diary'], type: 'note/txt', content: 'c' } },
      { method: 'accesses.create', params: { name: 'x', permissions: [{ streamId: 'b', level: 'read' }] } },
      { method: 'events.get', params: {} },
    ]);
    expect(of(username)).toEqual([['events', 'streams', 'accesses']]);
    const notice = feed.items.find((n) => n.username === username)!;
    expect(notice.userId).toMatch(/\S/);
  });

  it('a failed write, a read, and a batch whose writes all fail emit nothing', async () => {
    const { username, token } = await account();
    expect((await call('POST', `/${username}/events`, { token, body: { streamIds: ['nowhere'], type: 'note/txt', content: 'x' } })).status).toBe(400);
    expect((await call('POST', `/${username}/streams`, { token, body: { id: 'diary', name: 'Again' } })).status).toBe(409);
    expect((await call('GET', `/${username}/events`, { token })).status).toBe(200);
    await batch(username, token, [
      { method: 'events.create', params: { streamIds: ['nowhere'], type: 'note/txt' } },
      { method: 'streams.get', params: {} },
    ]);
    expect((await call('POST', `/${username}/events`, { token: 'not-a-token', body: { streamIds: ['diary'], type: 'note/txt' } })).status).toBe(403);
    expect(of(username)).toEqual([]);
  });
});
