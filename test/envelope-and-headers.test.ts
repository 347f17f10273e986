import { describe, expect, it } from 'vitest';
import { insertAccessRow } from './db-fixtures';
import { call, newUser } from './helpers';

const ORIGIN = 'https://app.example.org';

describe('response envelope (§2.9)', () => {
  it('ends every JSON body, success or error, with meta {apiVersion, serverTime, serial}, compactly', async () => {
    const { username, token } = await newUser('env');
    for (const res of [
      await call('GET', `/${username}/access-info`, { token }),
      await call('GET', `/${username}/access-info`),
      await call('GET', `/${username}/no-such-route`),
    ]) {
      expect(Object.keys(res.body).at(-1)).toBe('meta');
      expect(res.body.meta).toEqual({ apiVersion: '2.0.0', serverTime: expect.any(Number), serial: expect.any(String) });
      expect(res.text).toBe(JSON.stringify(res.body));
      expect(res.headers.get('Content-Type')).toBe('application/json; charset=utf-8');
    }
  });

  it('gives serverTime in float seconds with at most millisecond precision', async () => {
    const before = Date.now() / 1000;
    const { body } = await call('GET', '/reg/service/info');
    expect(body.meta.serverTime).toBeGreaterThanOrEqual(before - 1);
    expect(body.meta.serverTime).toBeLessThan(before + 60);
    expect(Math.round(body.meta.serverTime * 1000) / 1000).toBe(body.meta.serverTime);
  });

  it('shapes errors as {error: {id, message}, meta}', async () => {
    const res = await call('GET', '/nobody1/access-info');
    expect(res.status).toBe(404);
    expect(Object.keys(res.body)).toEqual(['error', 'meta']);
    expect(res.body.error).toEqual({ id: 'unknown-resource', message: 'Unknown user "nobody1"' });
  });
});

describe('headers and CORS (§2.10)', () => {
  it('sends API-Version on successes, errors and preflights, and never X-Powered-By', async () => {
    const ok = await call('GET', '/reg/service/info');
    const error = await call('GET', '/nobody1/events');
    const preflight = await call('OPTIONS', '/nobody1/events');
    for (const res of [ok, error, preflight]) {
      expect(res.headers.get('API-Version')).toBe('2.0.0');
      expect(res.headers.get('X-Powered-By')).toBeNull();
      expect(res.headers.get('Server-Time')).toBeNull();
    }
  });

  it('echoes the Origin with credentials, exposes API-Version, Pryv-Access-Id and Pryv-Bookmark, and varies on Origin', async () => {
    const res = await call('GET', '/reg/service/info', { headers: { Origin: ORIGIN } });
    expect(res.headers.get('Access-Control-Allow-Origin')).toBe(ORIGIN);
    expect(res.headers.get('Access-Control-Allow-Credentials')).toBe('true');
    expect(res.headers.get('Access-Control-Expose-Headers')).toBe('API-Version, Pryv-Access-Id, Pryv-Bookmark');
    expect(res.headers.get('Access-Control-Allow-Methods')).toBe('POST, GET, PUT, DELETE, OPTIONS');
    expect(res.headers.get('Access-Control-Allow-Headers')).toBe('Authorization, Content-Type, Pryv-Bookmark');
    expect(res.headers.get('Access-Control-Max-Age')).toBe('31536000');
    expect(res.headers.get('Vary')).toBe('Origin');
  });

  it('allows any origin with * when no Origin is sent, without Vary', async () => {
    const res = await call('GET', '/reg/service/info');
    expect(res.headers.get('Access-Control-Allow-Origin')).toBe('*');
    expect(res.headers.get('Vary')).toBeNull();
  });

  it('answers a preflight on any path with 200, an empty body, the requested method and headers, and no token check', async () => {
    const { username } = await newUser('env');
    const res = await call('OPTIONS', `/${username}/events`, {
      headers: { Origin: ORIGIN, 'Access-Control-Request-Method': 'PUT', 'Access-Control-Request-Headers': 'authorization, x-custom' },
    });
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    expect(res.headers.get('Access-Control-Allow-Origin')).toBe(ORIGIN);
    expect(res.headers.get('Access-Control-Allow-Methods')).toBe('PUT');
    expect(res.headers.get('Access-Control-Allow-Headers')).toBe('authorization, x-custom');
  });

  it('sets CORS headers on error answers too', async () => {
    const res = await call('GET', '/nobody1/events', { headers: { Origin: ORIGIN } });
    expect(res.status).toBe(404);
    expect(res.headers.get('Access-Control-Allow-Origin')).toBe(ORIGIN);
  });

  it('sets Pryv-Access-Id when the token resolves, and only then', async () => {
    const { username, token } = await newUser('env');
    const ok = await call('GET', `/${username}/access-info`, { token });
    expect(ok.headers.get('Pryv-Access-Id')).toBe(ok.body.id);
    const unknown = await call('GET', `/${username}/access-info`, { token: 'unknown-token' });
    expect(unknown.headers.get('Pryv-Access-Id')).toBeNull();
  });

  it('sets Pryv-Access-Id for an expired access, on its 403', async () => {
    const { username } = await newUser('env');
    const expired = await insertAccessRow(username, { expires: Date.now() / 1000 - 60 });
    const res = await call('GET', `/${username}/access-info`, { token: expired.token });
    expect(res.status).toBe(403);
    expect(res.body.error).toEqual({ id: 'forbidden', message: 'Access has expired.' });
    expect(res.headers.get('Pryv-Access-Id')).toBe(expired.id);
  });
});
