import { describe, expect, it } from 'vitest';
import { call, newUser } from './helpers';

let n = 0;
const fresh = () => `reg${Date.now().toString(36)}${++n}`;
const valid = (username = fresh()) => ({ appId: 'my-test-app', username, password: 'a-password', email: `${username}@example.org` });

const expectParamError = (res: { status: number; body: any }, path: string) => {
  expect(res.status).toBe(400);
  expect(res.body.error.id).toBe('invalid-parameters-format');
  expect(res.body.error.data).toEqual(expect.arrayContaining([expect.objectContaining({ path, code: expect.any(String), message: expect.any(String) })]));
};

describe('registration (§5.3)', () => {
  it('creates an account at POST /reg/users: 201 {username, apiEndpoint} with a working personal token', async () => {
    const params = valid();
    const res = await call('POST', '/reg/users', { body: params });
    expect(res.status).toBe(201);
    expect(Object.keys(res.body)).toEqual(['username', 'apiEndpoint', 'meta']);
    expect(res.body.username).toBe(params.username);
    expect(res.body.apiEndpoint).toMatch(new RegExp(`^http://[a-z][a-z0-9]{23}@127\\.0\\.0\\.1:8787/${params.username}/$`));
    const token = new URL(res.body.apiEndpoint).username;
    const info = await call('GET', `/${params.username}/access-info`, { token });
    expect(info.body).toMatchObject({ type: 'personal', name: 'my-test-app', deviceName: null });
  });

  it('creates an account at POST /users as well, and accepts hosting, language, referer, invitationToken', async () => {
    const res = await call('POST', '/users', {
      body: { ...valid(), hosting: 'default', language: 'fr', referer: 'somewhere', invitationToken: 'enjoy' },
    });
    expect(res.status).toBe(201);
  });

  it('does not check trusted apps (any Origin, any appId)', async () => {
    const res = await call('POST', '/reg/users', { body: valid(), headers: { Origin: 'https://evil.example' } });
    expect(res.status).toBe(201);
  });

  it('refuses a taken username with 409 item-already-exists and data {username}', async () => {
    const { username } = await newUser('dup');
    const res = await call('POST', '/reg/users', { body: { ...valid(), username } });
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ id: 'item-already-exists', data: { username } });
  });

  it('refuses a taken e-mail with 409 item-already-exists and data {email}', async () => {
    const { username } = await newUser('dup');
    const email = `${username}@example.org`;
    const res = await call('POST', '/reg/users', { body: { ...valid(), email } });
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ id: 'item-already-exists', data: { email } });
  });

  it('refuses usernames outside the pattern or reserved, naming the field', async () => {
    for (const username of ['abcd', 'UpperCase', 'ends-with-dash-', '-starts', 'under_score', 'a'.repeat(61), 'admin', 'users', 'event-types']) {
      expectParamError(await call('POST', '/reg/users', { body: { ...valid(), username } }), 'username');
    }
    expect((await call('POST', '/reg/users', { body: valid(`a${'b'.repeat(58)}c`) })).status).toBe(201);
  });

  it('enforces password 6–100, appId 6–99, email ≤ 300 with e-mail syntax, language 1–5', async () => {
    expectParamError(await call('POST', '/reg/users', { body: { ...valid(), password: '12345' } }), 'password');
    expectParamError(await call('POST', '/reg/users', { body: { ...valid(), password: 'x'.repeat(101) } }), 'password');
    expectParamError(await call('POST', '/reg/users', { body: { ...valid(), appId: 'short' } }), 'appId');
    expectParamError(await call('POST', '/reg/users', { body: { ...valid(), appId: 'x'.repeat(100) } }), 'appId');
    expectParamError(await call('POST', '/reg/users', { body: { ...valid(), email: 'not-an-email' } }), 'email');
    expectParamError(await call('POST', '/reg/users', { body: { ...valid(), email: `${'x'.repeat(290)}@example.org` } }), 'email');
    expectParamError(await call('POST', '/reg/users', { body: { ...valid(), language: 'toolong' } }), 'language');
    expectParamError(await call('POST', '/reg/users', { body: { ...valid(), language: '' } }), 'language');
    expect((await call('POST', '/reg/users', { body: { ...valid(), password: '123456', appId: 'x'.repeat(99) } })).status).toBe(201);
  });

  it('refuses missing required fields and unknown fields, naming them', async () => {
    const { email: _omit, ...noEmail } = valid();
    expectParamError(await call('POST', '/reg/users', { body: noEmail }), 'email');
    expectParamError(await call('POST', '/reg/users', { body: { ...valid(), nickname: 'x' } }), 'nickname');
  });

  it('defaults the language to en (the login answer reports it)', async () => {
    const { username, password } = await newUser('lang');
    const res = await call('POST', `/${username}/auth/login`, {
      body: { username, password, appId: 'test-app' },
      headers: { Origin: 'http://127.0.0.1:8787' },
    });
    expect(res.body.preferredLanguage).toBe('en');
  });

  it('checks invitation tokens only when the operator lists some', async () => {
    const vars = { INVITATION_TOKENS: 'alpha, beta' };
    for (const invitationToken of [undefined, 'enjoy', '']) {
      const res = await call('POST', '/reg/users', { body: { ...valid(), invitationToken }, vars });
      expect(res.status).toBe(400);
      expect(res.body.error.id).toBe('invitationToken-invalid');
    }
    expect((await call('POST', '/reg/users', { body: { ...valid(), invitationToken: 'beta' }, vars })).status).toBe(201);
  });

  it('answers 451 unavailable-method when registration is closed', async () => {
    const res = await call('POST', '/reg/users', { body: valid(), vars: { REGISTRATION: 'closed' } });
    expect(res.status).toBe(451);
    expect(res.body.error.id).toBe('unavailable-method');
  });
});

describe('register endpoints (§5.3)', () => {
  it('check_username: free → reserved false; taken → reserved true without reason', async () => {
    const { username } = await newUser('chk');
    const free = await call('GET', `/reg/${fresh()}/check_username`);
    expect(free.status).toBe(200);
    expect(free.body.reserved).toBe(false);
    expect(free.body.reason).toBeUndefined();
    const taken = await call('GET', `/reg/${username}/check_username`);
    expect(taken.body.reserved).toBe(true);
    expect(taken.body.reason).toBeUndefined();
  });

  it('check_username: reserved word → reserved true, reason RESERVED_USER_NAME; bad pattern → 400', async () => {
    const reserved = await call('GET', '/reg/admin/check_username');
    expect(reserved.body).toMatchObject({ reserved: true, reason: 'RESERVED_USER_NAME' });
    const bad = await call('GET', '/reg/Bad_Name/check_username');
    expect(bad.status).toBe(400);
    expect(bad.body.error.id).toBe('invalid-parameters-format');
  });

  it('POST /reg/{username}/server: 200 {server, alias} for an account, 404 otherwise; the body is ignored', async () => {
    const { username } = await newUser('srv');
    const res = await call('POST', `/reg/${username}/server`, { body: { whatever: true } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ server: 'http://127.0.0.1:8787/', alias: username });
    const unknown = await call('POST', `/reg/${fresh()}/server`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.id).toBe('unknown-resource');
  });

  it('GET /reg/hostings: one available hosting whose availableCore is the public URL', async () => {
    const res = await call('GET', '/reg/hostings');
    expect(res.status).toBe(200);
    const hosting = res.body.regions.default.zones.default.hostings.default;
    expect(hosting).toMatchObject({ name: expect.any(String), description: expect.any(String), available: true, availableCore: 'http://127.0.0.1:8787/' });
  });
});
