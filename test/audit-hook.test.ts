import { describe, expect, it } from 'vitest';
import { onAuditRecord } from '../src/calls/hooks';
import type { AuditRecord } from '../src/core/audit';
import { call, newUser } from './helpers';
import { recordHook } from './hook-recorder';
import { sharedAccessWithLink } from './share-fixtures';

/** The audit hook: one record per call that reached the call path, with its outcome; never a body or a token. */
describe('audit hook', () => {
  const audit = recordHook<AuditRecord>(onAuditRecord);
  const of = (username: string) => audit.items.filter((r) => r.username === username);

  it('records a successful call with its access, method, query and path params, and no token', async () => {
    const { username, token } = await newUser('audit');
    const info = await call('GET', `/${username}/access-info`, { token });
    audit.items = [];
    const res = await call('GET', `/${username}/events?limit=3&auth=${token}`);
    expect(res.status).toBe(200);
    expect(of(username)).toEqual([
      expect.objectContaining({ methodId: 'events.get', accessId: info.body.id, query: { limit: '3' }, source: { name: 'http', ip: '' } }),
    ]);
    expect(of(username)[0].error).toBeUndefined();
    expect(JSON.stringify(audit.items)).not.toContain(token);
  });

  it('records failures: refused params, an unknown token, a removed route, and never the request body', async () => {
    const { username, token, password } = await newUser('audit');
    audit.items = [];
    await call('POST', `/${username}/events`, { token, body: { streamIds: ['nowhere'], type: 'note/txt', content: 'secret-body-text' } });
    await call('GET', `/${username}/events`, { token: 'not-a-valid-token' });
    await call('POST', `/${username}/events/start`, { token, body: {} });
    await call('POST', `/${username}/auth/login`, { body: { username, password, appId: 'x-app-id' }, headers: { Origin: 'http://127.0.0.1:8787' } });
    const got = of(username).map((r) => [r.methodId, r.error?.id ?? 'ok']);
    expect(got).toEqual([
      ['events.create', 'unknown-referenced-resource'],
      ['events.get', 'invalid-access-token'],
      [null, 'removed-method'],
      ['auth.login', 'ok'],
    ]);
    const text = JSON.stringify(audit.items);
    expect(text).not.toContain('secret-body-text');
    expect(text).not.toContain(password);
    expect(text).not.toContain(token);
  });

  it('records each call inside a batch, not callBatch itself, refusals included', async () => {
    const { username, token } = await newUser('audit');
    audit.items = [];
    await call('POST', `/${username}/`, {
      token,
      body: [
        { method: 'streams.get', params: {} },
        { method: 'no.such', params: {} },
        { method: 'events.create', params: { streamIds: ['x'], type: 'note/txt', content: 'x' } },
      ],
    });
    expect(of(username).map((r) => [r.methodId, r.error?.id ?? 'ok', r.query])).toEqual([
      ['streams.get', 'ok', {}],
      ['no.such', 'invalid-method', {}],
      ['events.create', 'unknown-referenced-resource', {}],
    ]);
  });

  it('records the reads a share page makes, under the shared access', async () => {
    const { username } = await newUser('audit');
    const link = await sharedAccessWithLink(username, { permissions: JSON.stringify([{ streamId: '*', level: 'read' }]) });
    audit.items = [];
    expect((await call('GET', link.path)).status).toBe(200);
    expect(of(username).map((r) => [r.methodId, r.accessId])).toEqual(
      expect.arrayContaining([
        ['streams.get', link.id],
        ['events.get', link.id],
      ]),
    );
  });
});
