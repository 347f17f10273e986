import { describe, expect, it } from 'vitest';
import { call, newUser } from './helpers';

describe('path mode (§2.1)', () => {
  it('answers an unknown or impossible username with 404 "Unknown user", before any token check', async () => {
    for (const path of ['/unknown_user/events', '/nobody1/access-info', '/nobody1/service/info', '/nobody1/no/such/route']) {
      const res = await call('GET', path);
      expect(res.status).toBe(404);
      expect(res.body.error.id).toBe('unknown-resource');
      expect(res.body.error.message).toContain('Unknown user');
    }
  });

  it('answers U/service/info for an existing user', async () => {
    const { username } = await newUser('route');
    const res = await call('GET', `/${username}/service/info`);
    expect(res.status).toBe(200);
    expect(res.body.api).toBe('http://127.0.0.1:8787/{username}/');
  });

  it('answers an unmatched route under an existing user with 404 "Unknown route", without a token check', async () => {
    const { username } = await newUser('route');
    for (const [verb, path] of [['GET', '/no-such'], ['DELETE', '/access-info'], ['GET', '/auth/login'], ['PUT', '/']]) {
      const res = await call(verb, `/${username}${path}`);
      expect(res.status).toBe(404);
      expect(res.body.error).toEqual({ id: 'unknown-resource', message: 'Unknown route' });
    }
  });

  it('answers unknown top-level and register paths with 404', async () => {
    for (const [verb, path] of [['GET', '/'], ['GET', '/reg/nothing/here'], ['GET', '/users'], ['GET', '/service/other']]) {
      const res = await call(verb, path);
      expect(res.status).toBe(404);
      expect(res.body.error.id).toBe('unknown-resource');
    }
  });

  it('makes trailing slashes optional', async () => {
    const { username, token } = await newUser('route');
    expect((await call('GET', `/${username}/access-info/`, { token })).status).toBe(200);
    expect((await call('GET', '/reg/service/info/')).status).toBe(200);
    expect((await call('GET', '/service/info')).status).toBe(200);
    expect((await call('GET', '/reg/hostings/')).status).toBe(200);
  });
});

describe('subdomain mode (§2.1), with DOMAIN set', () => {
  const vars = { DOMAIN: 'example.test' };

  it('routes {username}.{domain} to the user root, with or without the repeated /{username} prefix', async () => {
    const { username, token } = await newUser('sub');
    const direct = await call('GET', `http://${username}.example.test/access-info`, { token, vars });
    expect(direct.status).toBe(200);
    expect(direct.body.apiEndpoint).toBe(`http://${token}@${username}.example.test/`);
    const prefixed = await call('GET', `http://${username}.example.test/${username}/access-info`, { token, vars });
    expect(prefixed.status).toBe(200);
    const batch = await call('POST', `http://${username}.example.test/`, { token, vars, body: [{ method: 'getAccessInfo', params: {} }] });
    expect(batch.body.results[0].user.username).toBe(username);
  });

  it('answers an unknown subdomain user with 404 "Unknown user"', async () => {
    const res = await call('GET', 'http://nobody1.example.test/access-info', { vars });
    expect(res.status).toBe(404);
    expect(res.body.error.message).toBe('Unknown user "nobody1"');
  });

  it('maps reg.{domain} to /reg and publishes subdomain URLs in service info', async () => {
    const res = await call('GET', 'http://reg.example.test/service/info', { vars });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ api: 'http://{username}.example.test/', register: 'http://reg.example.test/', access: 'http://reg.example.test/access/' });
    expect((await call('GET', 'http://reg.example.test/hostings', { vars })).status).toBe(200);
  });

  it('registers through reg.{domain} and returns a subdomain apiEndpoint', async () => {
    const username = `sub${Date.now().toString(36)}x`;
    const res = await call('POST', 'http://reg.example.test/users', {
      vars,
      body: { appId: 'my-test-app', username, password: 'a-password', email: `${username}@example.org` },
    });
    expect(res.status).toBe(201);
    expect(res.body.apiEndpoint).toMatch(new RegExp(`^http://[a-z0-9]{24}@${username}\\.example\\.test/$`));
    const server = await call('POST', `http://reg.example.test/${username}/server`, { vars });
    expect(server.body.alias).toBe(`${username}.example.test`);
  });

  it('still accepts the path form on any other host', async () => {
    const { username, token } = await newUser('sub');
    const res = await call('GET', `http://api.example.test/${username}/access-info`, { token, vars });
    expect(res.status).toBe(200);
  });
});
