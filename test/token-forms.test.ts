import { describe, expect, it } from 'vitest';
import { personalAccessOf, updateAccessRow } from './db-fixtures';
import { call, newUser } from './helpers';

const MISSING = 'The access token is missing: expected an "Authorization" header or an "auth" query string parameter.';
const UNKNOWN = 'Cannot find access from token.';
const basic = (text: string) => `Basic ${btoa(text)}`;

describe('passing the access token (§2.2, §2.3)', () => {
  it('refuses a request without token with 401 and the exact message', async () => {
    const { username } = await newUser('tok');
    const res = await call('GET', `/${username}/access-info`);
    expect(res.status).toBe(401);
    expect(res.body.error).toEqual({ id: 'invalid-access-token', message: MISSING });
  });

  it('refuses an unknown token with 403 and the exact message', async () => {
    const { username } = await newUser('tok');
    const res = await call('GET', `/${username}/access-info`, { token: 'not-a-token' });
    expect(res.status).toBe(403);
    expect(res.body.error).toEqual({ id: 'invalid-access-token', message: UNKNOWN });
  });

  it('accepts the plain Authorization header and ignores what follows a space (caller id)', async () => {
    const { username, token } = await newUser('tok');
    expect((await call('GET', `/${username}/access-info`, { token })).status).toBe(200);
    expect((await call('GET', `/${username}/access-info`, { token: `${token} some-caller` })).status).toBe(200);
  });

  it('accepts Bearer, whatever the case of the scheme', async () => {
    const { username, token } = await newUser('tok');
    expect((await call('GET', `/${username}/access-info`, { token: `Bearer ${token}` })).status).toBe(200);
    expect((await call('GET', `/${username}/access-info`, { token: `bEaReR ${token}` })).status).toBe(200);
  });

  it('decodes Basic as the text before the first colon: token:, token:x and token all work', async () => {
    const { username, token } = await newUser('tok');
    for (const text of [`${token}:`, `${token}:anything`, token]) {
      const res = await call('GET', `/${username}/access-info`, { token: basic(text) });
      expect(res.status).toBe(200);
      expect(res.body.token).toBe(token);
    }
  });

  it('treats a Basic value decoding to nothing as no token (401), and one starting with ":" as unknown (403)', async () => {
    const { username, token } = await newUser('tok');
    const empty = await call('GET', `/${username}/access-info`, { token: 'Basic ' });
    expect(empty.status).toBe(401);
    expect(empty.body.error.message).toBe(MISSING);
    const colon = await call('GET', `/${username}/access-info`, { token: basic(`:${token}`) });
    expect(colon.status).toBe(403);
    expect(colon.body.error).toEqual({ id: 'invalid-access-token', message: UNKNOWN });
  });

  it('accepts ?auth= when no Authorization header is present, and removes it before validation', async () => {
    const { username, token } = await newUser('tok');
    const res = await call('GET', `/${username}/access-info?auth=${token}`);
    expect(res.status).toBe(200);
    expect(res.body.token).toBe(token);
  });

  it('ignores ?auth= when an Authorization header is present', async () => {
    const { username, token } = await newUser('tok');
    const res = await call('GET', `/${username}/access-info?auth=${token}`, { token: 'wrong-token' });
    expect(res.status).toBe(403);
  });

  it('refuses the token of an ended personal session as unknown (403)', async () => {
    const { username, token } = await newUser('tok');
    const access = await personalAccessOf(username);
    await updateAccessRow(access.id, { sessionExpires: Date.now() / 1000 - 1 });
    const res = await call('GET', `/${username}/access-info`, { token });
    expect(res.status).toBe(403);
    expect(res.body.error).toEqual({ id: 'invalid-access-token', message: UNKNOWN });
  });

  it('ignores any token sent to routes that take none', async () => {
    const { username, password } = await newUser('tok');
    expect((await call('GET', '/reg/service/info', { token: 'garbage' })).status).toBe(200);
    expect((await call('GET', `/${username}/service/info`, { token: 'garbage' })).status).toBe(200);
    const login = await call('POST', `/${username}/auth/login`, {
      token: 'garbage',
      headers: { Origin: 'http://localhost:3000' },
      body: { username, password, appId: 'test-app' },
    });
    expect(login.status).toBe(200);
  });

  it('never accepts a token from another account', async () => {
    const alice = await newUser('tok');
    const bob = await newUser('tok');
    const res = await call('GET', `/${bob.username}/access-info`, { token: alice.token });
    expect(res.status).toBe(403);
    expect(res.body.error.id).toBe('invalid-access-token');
  });
});
