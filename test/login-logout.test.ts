import { describe, expect, it } from 'vitest';
import { insertAccessRow, personalAccessOf, updateAccessRow } from './db-fixtures';
import { call, newUser, type CallOptions } from './helpers';

const LOCAL = 'http://127.0.0.1:8787';
const BAD_PAIR = 'The given username/password pair is invalid.';
const UNTRUSTED = 'The app id ("appId") is either missing or not trusted.';

function login(username: string, body: Record<string, unknown>, opts: CallOptions = {}) {
  return call('POST', `/${username}/auth/login`, { headers: { Origin: LOCAL }, ...opts, body });
}

describe('auth.login (§5.2)', () => {
  it('answers a trusted app with {token, apiEndpoint containing the token, preferredLanguage}', async () => {
    const { username, password } = await newUser('login');
    const res = await login(username, { username, password, appId: 'my-app' });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body)).toEqual(['token', 'apiEndpoint', 'preferredLanguage', 'meta']);
    expect(res.body.token).toMatch(/^[a-z][a-z0-9]{23}$/);
    expect(res.body.apiEndpoint).toBe(`http://${res.body.token}@127.0.0.1:8787/${username}/`);
    expect(res.body.preferredLanguage).toBe('en');
    expect((await call('GET', `/${username}/access-info`, { token: res.body.token })).body).toMatchObject({ type: 'personal', name: 'my-app' });
  });

  it('returns the same token on a second login with the same appId, and another one for another appId', async () => {
    const { username, password } = await newUser('login');
    const first = await login(username, { username, password, appId: 'my-app' });
    const second = await login(username, { username, password, appId: 'my-app' });
    expect(second.body.token).toBe(first.body.token);
    const other = await login(username, { username, password, appId: 'other-app' });
    expect(other.body.token).not.toBe(first.body.token);
  });

  it('reuses the personal access of the app created at registration (same access id)', async () => {
    const { username, password, token } = await newUser('login');
    const res = await login(username, { username, password, appId: 'test-app' });
    expect(res.body.token).toBe(token);
  });

  it('refuses a wrong password or a username differing from the URL with 401 and the exact message', async () => {
    const { username, password } = await newUser('login');
    const other = await newUser('login');
    for (const body of [
      { username, password: 'wrong-password', appId: 'my-app' },
      { username: other.username, password: other.password, appId: 'my-app' },
      { username: other.username, password, appId: 'my-app' },
    ]) {
      const res = await login(username, body);
      expect(res.status).toBe(401);
      expect(res.body.error).toEqual({ id: 'invalid-credentials', message: BAD_PAIR });
    }
  });

  it('refuses bad params with 400 and an unknown user with 404', async () => {
    const { username, password } = await newUser('login');
    const missing = await login(username, { username, password });
    expect(missing.status).toBe(400);
    expect(missing.body.error.data).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'appId' })]));
    expect((await login(username, { username, password, appId: 'x'.repeat(100) })).status).toBe(400);
    const unknown = await login('nobody1', { username: 'nobody1', password, appId: 'my-app' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.message).toContain('Unknown user');
  });
});

describe('trusted apps (§2.5)', () => {
  it('trusts local origins by default and refuses others with the exact message', async () => {
    const { username, password } = await newUser('trust');
    const body = { username, password, appId: 'my-app' };
    expect((await login(username, body, { headers: { Origin: 'http://localhost:5173' } })).status).toBe(200);
    expect((await login(username, body, { headers: { Origin: 'https://pryv.github.io' } })).status).toBe(200);
    const res = await login(username, body, { headers: { Origin: 'https://evil.example' } });
    expect(res.status).toBe(401);
    expect(res.body.error).toEqual({ id: 'invalid-credentials', message: UNTRUSTED });
    expect((await login(username, body, { headers: {} })).status).toBe(401);
  });

  it('matches the operator patterns on appId and on the origin as sent (a full URL with a path)', async () => {
    const { username, password } = await newUser('trust');
    const vars = { TRUSTED_APPS: 'good-*@https://app.example.org*' };
    const body = { username, password, appId: 'good-app' };
    expect((await login(username, body, { vars, headers: { Origin: 'https://app.example.org/reg/' } })).status).toBe(200);
    expect((await login(username, { ...body, appId: 'bad-app' }, { vars, headers: { Origin: 'https://app.example.org' } })).status).toBe(401);
    expect((await login(username, body, { vars, headers: { Origin: 'http://localhost' } })).status).toBe(401);
    // Matched as sent: no normalization of case.
    expect((await login(username, body, { vars, headers: { Origin: 'HTTPS://APP.EXAMPLE.ORG' } })).status).toBe(401);
  });

  it('falls back to Referer when no Origin is sent', async () => {
    const { username, password } = await newUser('trust');
    const vars = { TRUSTED_APPS: '*@https://app.example.org*' };
    const body = { username, password, appId: 'my-app' };
    expect((await login(username, body, { vars, headers: { Referer: 'https://app.example.org/page?x=1' } })).status).toBe(200);
    expect((await login(username, body, { vars, headers: { Referer: 'https://other.example/' } })).status).toBe(401);
  });

  it('lets an origin pattern of * accept a missing Origin and Referer', async () => {
    const { username, password } = await newUser('trust');
    const res = await login(username, { username, password, appId: 'my-app' }, { vars: { TRUSTED_APPS: 'my-*@*' }, headers: {} });
    expect(res.status).toBe(200);
  });
});

describe('sessions (§5.2, §2.4)', () => {
  it('slides the session to 14 days after an accepted request once the last write is 5 minutes old', async () => {
    const { username, token } = await newUser('sess');
    const access = await personalAccessOf(username);
    const now = Date.now() / 1000;
    await updateAccessRow(access.id, { sessionExpires: now + 60, lastUsed: now - 600 });
    const res = await call('GET', `/${username}/access-info`, { token, vars: {} });
    expect(res.status).toBe(200);
    const after = await personalAccessOf(username);
    expect(after.sessionExpires!).toBeGreaterThan(now + 14 * 24 * 3600 - 60);
    expect(after.lastUsed!).toBeGreaterThanOrEqual(now - 1);
  });

  it('issues a new token on login once the session has ended, keeping the access id', async () => {
    const { username, password, token } = await newUser('sess');
    const access = await personalAccessOf(username);
    await updateAccessRow(access.id, { sessionExpires: Date.now() / 1000 - 1 });
    const res = await login(username, { username, password, appId: 'test-app' });
    expect(res.status).toBe(200);
    expect(res.body.token).not.toBe(token);
    expect((await personalAccessOf(username)).id).toBe(access.id);
    expect((await call('GET', `/${username}/access-info`, { token })).status).toBe(403);
    expect((await call('GET', `/${username}/access-info`, { token: res.body.token })).body.id).toBe(access.id);
  });
});

describe('auth.logout (§5.2)', () => {
  it('answers 200 {} and ends the session at once; a second logout gets 403 invalid-access-token', async () => {
    const { username, token } = await newUser('out');
    const first = await call('POST', `/${username}/auth/logout`, { token, body: { ignored: true } });
    expect(first.status).toBe(200);
    expect(Object.keys(first.body)).toEqual(['meta']);
    expect((await call('GET', `/${username}/access-info`, { token })).status).toBe(403);
    const second = await call('POST', `/${username}/auth/logout`, { token });
    expect(second.status).toBe(403);
    expect(second.body.error).toEqual({ id: 'invalid-access-token', message: 'Cannot find access from token.' });
  });

  it('keeps the personal access: logging in again gives a new token for the same access', async () => {
    const { username, password, token } = await newUser('out');
    const before = await personalAccessOf(username);
    await call('POST', `/${username}/auth/logout`, { token });
    const res = await login(username, { username, password, appId: 'test-app' });
    expect(res.body.token).not.toBe(token);
    expect((await personalAccessOf(username)).id).toBe(before.id);
  });

  it('refuses a non-personal token with 403 forbidden', async () => {
    const { username } = await newUser('out');
    const app = await insertAccessRow(username);
    const res = await call('POST', `/${username}/auth/logout`, { token: app.token });
    expect(res.status).toBe(403);
    expect(res.body.error.id).toBe('forbidden');
  });

  it('needs a token (401 without one)', async () => {
    const { username } = await newUser('out');
    expect((await call('POST', `/${username}/auth/logout`)).status).toBe(401);
  });
});
