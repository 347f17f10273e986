import { describe, expect, it } from 'vitest';
import { call, newUser } from './helpers';

const LIMIT = 10 * 1024 * 1024;

describe('request bodies (§2.6)', () => {
  it('answers malformed JSON with 400 invalid-request-structure', async () => {
    const { username, token } = await newUser('body');
    for (const [path, opts] of [
      [`/${username}/`, { token }],
      [`/${username}/auth/login`, {}],
      ['/reg/users', {}],
    ] as const) {
      const res = await call('POST', path, { ...opts, body: '{"method": ' });
      expect(res.status).toBe(400);
      expect(res.body.error.id).toBe('invalid-request-structure');
    }
  });

  it('answers a JSON body over 10 MB with 413 payload-too-large', async () => {
    const res = await call('POST', '/reg/users', { body: `"${'x'.repeat(LIMIT)}"` });
    expect(res.status).toBe(413);
    expect(res.body.error).toMatchObject({ id: 'payload-too-large', data: { limit: LIMIT } });
  });

  it('answers another content type on a non-empty body with 415, and reads an empty body as {}', async () => {
    const { username, token } = await newUser('body');
    const res = await call('POST', '/reg/users', { body: 'username=x', headers: { 'Content-Type': 'text/plain' } });
    expect(res.status).toBe(415);
    expect(res.body.error.id).toBe('unsupported-content-type');
    const empty = await call('POST', `/${username}/auth/logout`, { token, headers: { 'Content-Type': 'text/plain' } });
    expect(empty.status).toBe(200);
  });

  it('ignores the charset parameter of application/json', async () => {
    const { username, token } = await newUser('body');
    const res = await call('POST', `/${username}/`, {
      token,
      body: [{ method: 'getAccessInfo', params: {} }],
      headers: { 'Content-Type': 'application/json; charset=ISO-8859-1' },
    });
    expect(res.status).toBe(200);
  });
});

describe('parameter errors (§2.8, §3)', () => {
  it('answers invalid params with 400 invalid-parameters-format whose data names each field and why', async () => {
    const res = await call('POST', '/reg/users', { body: { appId: 42, username: 'ok-name', password: 'x', email: 'a@b.cd', extra: true } });
    expect(res.status).toBe(400);
    expect(res.body.error.id).toBe('invalid-parameters-format');
    const paths = res.body.error.data.map((d: any) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['appId', 'password', 'extra']));
    for (const d of res.body.error.data) expect(d).toEqual({ code: expect.any(String), message: expect.any(String), path: expect.any(String) });
    expect(res.body.error.message).toMatch(/appId|password|extra/);
  });

  it('refuses an unknown query parameter (closed schemas)', async () => {
    const { username, token } = await newUser('body');
    const res = await call('GET', `/${username}/access-info?withDeletions=true`, { token });
    expect(res.status).toBe(400);
    expect(res.body.error.data).toEqual([expect.objectContaining({ path: 'withDeletions' })]);
  });

  it('refuses nested-key query syntax with 400 invalid-request-structure', async () => {
    const { username, token } = await newUser('body');
    const res = await call('GET', `/${username}/access-info?streams[any]=a`, { token });
    expect(res.status).toBe(400);
    expect(res.body.error.id).toBe('invalid-request-structure');
  });
});

async function expectEach(routes: string[][], status: number, id: string) {
  for (const [verb, path] of routes) {
    const res = await call(verb, path);
    expect([path, res.status, res.body.error.id]).toEqual([path, status, id]);
  }
}

describe('removed and not-yet-shipped routes (§2.14)', () => {
  it('answers removed routes with 410 removed-method, without a token check', async () => {
    const { username } = await newUser('gone');
    await expectEach([
      ['POST', `/${username}/events/start`],
      ['POST', `/${username}/events/stop`],
      ['GET', `/${username}/audit/logs`],
    ], 410, 'removed-method');
  });

  it('answers routes of later tiers with 451 unavailable-method', async () => {
    const { username } = await newUser('later');
    await expectEach([
      ['POST', `/${username}/events/abc/series`],
      ['POST', `/${username}/series/batch`],
      ['GET', `/${username}/shared-secrets`],
    ], 451, 'unavailable-method');
  });

  it('checks the user before answering a removed or later route', async () => {
    expect((await call('POST', '/nobody1/events/start')).status).toBe(404);
    expect((await call('GET', '/nobody1/shared-secrets')).status).toBe(404);
  });
});

describe('server faults', () => {
  it('answers 503 api-unavailable without leaking configuration when TOKEN_KEY is missing', async () => {
    const res = await call('POST', '/reg/users', {
      vars: { TOKEN_KEY: undefined },
      body: { appId: 'my-test-app', username: `nokey${Date.now().toString(36)}`, password: 'a-password', email: `nokey${Date.now()}@example.org` },
    });
    expect(res.status).toBe(503);
    expect(res.body.error.id).toBe('api-unavailable');
    expect(res.text).not.toMatch(/at .*\.ts|stack/i);
  });
});
