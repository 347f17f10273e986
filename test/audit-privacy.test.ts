import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { waitForAuditRows } from './audit-fixtures';
import { userRow } from './db-fixtures';
import { call, newUser } from './helpers';
import { sharedAccessWithLink } from './share-fixtures';
import { accountD1ById } from './db-fixtures';

/** Every stored audit row of the account (records, head, checkpoints) as one text, every column included. */
async function storedAuditText(userId: string): Promise<string> {
  const parts = [];
  for (const table of ['audit_records', 'audit_heads', 'audit_checkpoints']) {
    const { results } = await (await accountD1ById(userId)).prepare(`SELECT * FROM ${table} WHERE user_id = ?`).bind(userId).all();
    parts.push(JSON.stringify(results));
  }
  return parts.join('\n');
}

describe('audit records keep no request body, token or password (§5.13)', () => {
  it('stores none of them whatever the route, the token form or the batch carried', async () => {
    const { username, token, password } = await newUser('aprivacy');
    const body = 'body-text-that-must-not-be-stored';
    const customToken = 'chosen-token-that-must-not-be-stored';
    const login = await call('POST', `/${username}/auth/login`, {
      body: { username, password, appId: 'privacy-app' }, headers: { Origin: 'http://127.0.0.1:8787' },
    });
    expect(login.status).toBe(200);
    const sessionToken = login.body.token as string;
    await call('POST', `/${username}/streams`, { token, body: { id: 'diary', name: `Diary ${body}` } });
    const created = await call('POST', `/${username}/events`, { token, body: { streamIds: ['diary'], type: 'note/txt', content: body } });
    await call('PUT', `/${username}/events/${created.body.event.id}`, { token, body: { content: `${body}-updated`, description: body } });
    const shared = await call('POST', `/${username}/accesses`, {
      token: sessionToken, body: { name: `shared ${body}`, token: customToken, permissions: [{ streamId: 'diary', level: 'read' }] },
    });
    expect(shared.status).toBe(201);
    // Every token form: header, Bearer, Basic, and `?auth=` in the URL.
    await call('GET', `/${username}/events?auth=${token}&limit=5`);
    await call('GET', `/${username}/streams`, { headers: { Authorization: `Bearer ${sessionToken}` } });
    await call('GET', `/${username}/access-info`, { headers: { Authorization: `Basic ${btoa(`${customToken}:`)}` } });
    await call('POST', `/${username}/`, {
      token,
      body: [
        { method: 'events.create', params: { streamIds: ['diary'], type: 'note/txt', content: body } },
        { method: 'accesses.create', params: { name: `batch ${body}`, permissions: [{ streamId: 'diary', level: 'read' }] } },
      ],
    });
    const link = await sharedAccessWithLink(username, { permissions: JSON.stringify([{ streamId: '*', level: 'read' }]) });
    expect((await call('GET', link.path)).status).toBe(200);
    // 11 calls made under an access (login has none): all stored before the text is searched.
    const CALLS_UNDER_AN_ACCESS = 11;
    await waitForAuditRows(username, CALLS_UNDER_AN_ACCESS);
    const { id: userId } = await userRow(username);
    const text = await storedAuditText(userId);
    expect(text).toContain('events.create'); // the search reads real rows
    for (const secret of [token, sessionToken, customToken, shared.body.access.token, link.token, link.code, password, body]) {
      expect(text).not.toContain(secret);
    }
  });
});
