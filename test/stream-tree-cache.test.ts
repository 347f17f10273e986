import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { call, newUser } from './helpers';
import { accountD1 } from './db-fixtures';

/** Another isolate changing streams: simulated by writing to D1 directly, bumping the version as every stream write does. */
async function foreignStreamChange(username: string, statement: string, ...params: unknown[]) {
  const d1 = await accountD1(username);
  const user = await d1.prepare('SELECT id FROM users WHERE username = ?').bind(username).first<{ id: string }>();
  await d1.batch([
    d1.prepare(statement).bind(user!.id, ...params),
    d1.prepare('UPDATE users SET streams_version = streams_version + 1 WHERE id = ?').bind(user!.id),
  ]);
}

describe('stream-tree cache (validated by users.streams_version)', () => {
  it('notices a stream created elsewhere: a write planned on the stale tree is re-planned', async () => {
    const u = await newUser('cache');
    const api = (method: string, path: string, body?: unknown) => call(method, `/${u.username}${path}`, { token: u.token, body });
    await api('POST', '/streams', { id: 'a', name: 'a' });
    await api('GET', '/events'); // warms the cache
    await foreignStreamChange(u.username,
      "INSERT INTO streams (user_id, id, name, parent_id, trashed, created, created_by, modified, modified_by) VALUES (?, 'elsewhere', 'e', NULL, 0, 1, 'x', 1, 'x')");
    const res = await api('POST', '/events', { streamIds: ['elsewhere'], type: 'my-class/thing' });
    expect(res.status, res.text).toBe(201);
  });

  it('notices a stream trashed elsewhere: a read planned on the stale tree is re-run', async () => {
    const u = await newUser('cache');
    const api = (method: string, path: string, body?: unknown) => call(method, `/${u.username}${path}`, { token: u.token, body });
    await api('POST', '/streams', { id: 'a', name: 'a' });
    await api('POST', '/events', { streamIds: ['a'], type: 'my-class/thing' });
    expect((await api('GET', '/events')).body.events).toHaveLength(1);
    await foreignStreamChange(u.username, "UPDATE streams SET trashed = 1 WHERE user_id = ? AND id = 'a'");
    expect((await api('GET', '/events')).body.events).toHaveLength(0);
    expect((await api('POST', '/events', { streamIds: ['a'], type: 'my-class/thing' })).body.error.id).toBe('invalid-operation');
  });
});
