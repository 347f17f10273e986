import { describe, expect, it } from 'vitest';
import { call, newUser } from './helpers';

const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' };
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

describe('method override (§2.7)', () => {
  it('_auth replaces the Authorization header and _json replaces the body', async () => {
    const { username, token } = await newUser('ovr');
    const res = await call('POST', `/${username}/`, {
      headers: FORM,
      body: form({ _auth: token, _json: JSON.stringify([{ method: 'getAccessInfo', params: {} }]) }),
    });
    expect(res.status).toBe(200);
    expect(res.body.results[0]).toMatchObject({ token, user: { username } });
  });

  it('_auth wins over an Authorization header', async () => {
    const { username, token } = await newUser('ovr');
    const res = await call('POST', `/${username}/auth/logout`, { token: 'wrong', headers: FORM, body: form({ _auth: token }) });
    expect(res.status).toBe(200);
    expect((await call('GET', `/${username}/access-info`, { token })).status).toBe(403);
  });

  it('_method changes the verb the route is matched with', async () => {
    const { username, token } = await newUser('ovr');
    // Only POST exists on auth/logout: as a PUT it is an unknown route, and the token is left alone.
    const put = await call('POST', `/${username}/auth/logout`, { headers: FORM, body: form({ _method: 'PUT', _auth: token }) });
    expect(put.status).toBe(404);
    expect(put.body.error.message).toBe('Unknown route');
    expect((await call('GET', `/${username}/access-info`, { token })).status).toBe(200);
    const post = await call('POST', `/${username}/auth/logout`, { headers: FORM, body: form({ _method: 'post', _auth: token }) });
    expect(post.status).toBe(200);
  });

  it('ignores other form fields, and treats a form without _json as an empty body', async () => {
    const { username, password } = await newUser('ovr');
    const res = await call('POST', `/${username}/auth/login`, {
      headers: { ...FORM, Origin: 'http://localhost' },
      body: form({ username, password, appId: 'test-app' }),
    });
    expect(res.status).toBe(400);
    expect(res.body.error.id).toBe('invalid-parameters-format');
  });

  it('answers malformed _json with 400 invalid-request-structure', async () => {
    const { username, token } = await newUser('ovr');
    const res = await call('POST', `/${username}/`, { headers: FORM, body: form({ _auth: token, _json: '[{' }) });
    expect(res.status).toBe(400);
    expect(res.body.error.id).toBe('invalid-request-structure');
  });

  it('refuses a _method that is empty or not POST, PUT or DELETE with 400 naming _method, whatever the route', async () => {
    const { username, token } = await newUser('ovr');
    for (const path of ['events', 'streams/some-stream', 'accesses', 'no/such/route']) {
      for (const method of ['', 'BOGUS', 'GET', 'PATCH', ' PUT']) {
        const res = await call('POST', `/${username}/${path}`, { headers: FORM, body: form({ _method: method, _json: '', _auth: token }) });
        expect(res.status, `${method} ${path}`).toBe(400);
        expect(res.body.error).toMatchObject({ id: 'invalid-parameters-format', data: [{ path: '_method' }] });
        expect(res.body.meta.apiVersion).toBe('2.0.0');
      }
    }
  });

  it('has no X-HTTP-Method-Override header', async () => {
    const { username, token } = await newUser('ovr');
    const res = await call('POST', `/${username}/auth/logout`, { token, headers: { 'X-HTTP-Method-Override': 'PUT' } });
    expect(res.status).toBe(200);
  });

  it('refuses a form over 10 MB with 413, with the envelope and CORS headers', async () => {
    const { username } = await newUser('ovr');
    const res = await call('POST', `/${username}/`, { headers: { ...FORM, Origin: 'https://a.example' }, body: `_json=${'x'.repeat(10 * 1024 * 1024)}` });
    expect(res.status).toBe(413);
    expect(res.body.error).toMatchObject({ id: 'payload-too-large', data: { limit: 10 * 1024 * 1024 } });
    expect(res.body.meta.apiVersion).toBe('2.0.0');
    expect(res.headers.get('Access-Control-Allow-Origin')).toBe('https://a.example');
    expect(res.headers.get('API-Version')).toBe('2.0.0');
  });
});
