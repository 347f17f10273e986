// The app authorization request flow (§5.8): create, poll and update, every state and error, over HTTP to the
// Worker in workerd with the request's real Durable Object.
import { env, runDurableObjectAlarm } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { BENCH_HEADERS } from '../src/bench/instrument';
import { BASE, call, newUser } from './helpers';

const APP = 'diary-app-test';
const ASK = { requestingAppId: APP, requestedPermissions: [{ streamId: 'diary', defaultName: 'Diary', level: 'contribute' }] };

async function open(body: Record<string, unknown> = ASK) {
  const res = await call('POST', '/reg/access', { body });
  expect(res.status).toBe(201);
  return res.body;
}

/** An app access named `name` for `username`, made with the personal token; returns its token. */
async function appAccess(username: string, personal: string, name = APP): Promise<string> {
  const res = await call('POST', `/${username}/accesses`, { token: personal, body: { name, type: 'app', permissions: [{ streamId: 'diary', defaultName: 'Diary', level: 'contribute' }] } });
  expect(res.status).toBe(201);
  return res.body.access.token;
}

describe('authRequest.create', () => {
  it('answers NEED_SIGNIN with a key, the poll URL and an authUrl on the Worker\'s consent page carrying what the page needs', async () => {
    const body = await open({ ...ASK, languageCode: 'fr', returnURL: 'https://app.example.org/back?' });
    expect(Object.keys(body).sort()).toEqual(['authUrl', 'key', 'meta', 'poll', 'poll_rate_ms', 'status', 'url']);
    expect(body.status).toBe('NEED_SIGNIN');
    expect(body.key).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(body.poll).toBe(`${BASE}/reg/access/${body.key}`);
    expect(body.poll_rate_ms).toBe(1000);
    expect(body.url).toBe(body.authUrl);
    const url = new URL(body.authUrl);
    expect(`${url.origin}${url.pathname}`).toBe(`${BASE}/reg/auth`);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      lang: 'fr',
      key: body.key,
      requestingAppId: APP,
      poll: body.poll,
      poll_rate_ms: '1000',
      serviceInfo: `${BASE}/reg/service/info`,
      returnURL: 'https://app.example.org/back?',
    });
  });

  it('gives every request its own key', async () => {
    const [a, b] = await Promise.all([open(), open()]);
    expect(a.key).not.toBe(b.key);
  });

  it('refuses a short app id, no permissions, level none, a script returnURL and unknown fields with 400', async () => {
    const bad = [
      { ...ASK, requestingAppId: 'short' },
      { ...ASK, requestedPermissions: [] },
      { ...ASK, requestedPermissions: [{ streamId: 'diary', level: 'none' }] },
      { ...ASK, requestedPermissions: [{ streamId: 'a', level: 'read' }, { streamId: 'a', level: 'manage' }] },
      { ...ASK, returnURL: 'javascript:alert(1)' },
      { ...ASK, returnURL: 'not a url' },
      { ...ASK, expireAfter: -1 },
      { ...ASK, surprise: true },
    ];
    for (const body of bad) {
      const res = await call('POST', '/reg/access', { body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.id).toBe('invalid-parameters-format');
    }
  });

  it('takes returnURL false (the browser client\'s popup mode) as no returnURL', async () => {
    const body = await open({ ...ASK, returnURL: false });
    expect(new URL(body.authUrl).searchParams.has('returnURL')).toBe(false);
  });

  it('accepts an authUrl under a trusted consent page and refuses others, userinfo included', async () => {
    const vars = { TRUSTED_AUTH_URLS: 'https://consent.example.org/pages' };
    const ok = ['https://consent.example.org/pages', 'https://consent.example.org/pages/', 'https://consent.example.org/pages/v2/auth'];
    for (const authUrl of ok) {
      const res = await call('POST', '/reg/access', { body: { ...ASK, authUrl }, vars });
      expect(res.status, authUrl).toBe(201);
      expect(res.body.authUrl.startsWith(`${authUrl}?lang=en&key=`)).toBe(true);
    }
    const refused = [
      'https://consent.example.org/pagesX',
      'https://consent.example.org/',
      'http://consent.example.org/pages',
      'https://consent.example.org:8443/pages',
      'https://evil.example/pages',
      'https://user@consent.example.org/pages',
    ];
    for (const authUrl of refused) {
      const res = await call('POST', '/reg/access', { body: { ...ASK, authUrl }, vars });
      expect(res.status, authUrl).toBe(400);
    }
  });

  it('uses the operator\'s DEFAULT_AUTH_URL as the consent page', async () => {
    const res = await call('POST', '/reg/access', { body: ASK, vars: { DEFAULT_AUTH_URL: 'https://auth.example.org/access.html' } });
    expect(res.body.authUrl.startsWith('https://auth.example.org/access.html?lang=en&key=')).toBe(true);
  });
});

describe('authRequest.poll', () => {
  it('answers a waiting request with 201 and the request as asked, and costs no D1 round trip', async () => {
    const created = await open({ ...ASK, deviceName: 'Phone', expireAfter: 86400, clientData: { note: 'hi' }, returnURL: 'https://app.example.org/?' });
    const res = await call('GET', new URL(created.poll).pathname, { vars: { BENCH: '1' } });
    expect(res.status).toBe(201);
    expect(res.headers.get(BENCH_HEADERS.d1)).toBe('0');
    const { meta, serviceInfo, ...state } = res.body;
    expect(meta.apiVersion).toBeTypeOf('string');
    expect(serviceInfo.access).toBe(`${BASE}/reg/access/`);
    expect(state).toEqual({
      status: 'NEED_SIGNIN',
      key: created.key,
      requestingAppId: APP,
      requestedPermissions: ASK.requestedPermissions,
      poll: created.poll,
      authUrl: created.authUrl,
      url: created.authUrl,
      poll_rate_ms: 1000,
      lang: 'en',
      returnURL: 'https://app.example.org/?',
      clientData: { note: 'hi' },
      deviceName: 'Phone',
      expireAfter: 86400,
    });
  });

  it('answers 404 for an unknown key and for a malformed one', async () => {
    for (const key of ['A'.repeat(32), 'short', '../../etc']) {
      const res = await call('GET', `/reg/access/${encodeURIComponent(key)}`);
      expect(res.status, key).toBe(404);
      expect(res.body.error.id).toBe('unknown-resource');
    }
  });

  it('forgets a request after one hour: past its expiry it is unknown, and its alarm deletes it', async () => {
    const { key } = await open();
    const stub = env.AUTH_REQUESTS.get(env.AUTH_REQUESTS.idFromName(key)) as any;
    const record = await stub.read(Date.now() / 1000);
    expect(record.expires - record.created).toBe(3600);
    expect(await stub.read(record.expires - 1)).not.toBeNull();
    expect(await stub.read(record.expires)).toBeNull();
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect((await call('GET', `/reg/access/${key}`)).status).toBe(404);
  });
});

describe('authRequest.update', () => {
  it('REFUSED: answers 403 with the reason, and so does every later poll', async () => {
    const { key } = await open();
    const res = await call('POST', `/reg/access/${key}`, { body: { status: 'REFUSED' } });
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ status: 'REFUSED', reasonID: 'REFUSED_BY_USER' });
    const poll = await call('GET', `/reg/access/${key}`);
    expect(poll.status).toBe(403);
    expect(poll.body).toMatchObject({ status: 'REFUSED', reasonID: 'REFUSED_BY_USER', message: res.body.message });
  });

  it('ACCEPTED with a live app access named as the app: 200 with the endpoint, visible to the very next poll', async () => {
    const user = await newUser('authreq');
    const token = await appAccess(user.username, user.token);
    const { key } = await open();
    const endpoint = `http://${token}@127.0.0.1:8787/${user.username}/`;
    const res = await call('POST', `/reg/access/${key}`, { body: { status: 'ACCEPTED', username: user.username, token, apiEndpoint: endpoint } });
    expect(res.status).toBe(200);
    const poll = await call('GET', `/reg/access/${key}`);
    expect(poll.status).toBe(200);
    const { meta, ...state } = poll.body;
    expect(state).toEqual({ status: 'ACCEPTED', apiEndpoint: endpoint, username: user.username, token });
    // The token works.
    expect((await call('GET', `/${user.username}/access-info`, { token })).body.name).toBe(APP);
  });

  it('stores the accepted token sealed, never raw', async () => {
    const user = await newUser('authreq');
    const token = await appAccess(user.username, user.token);
    const { key } = await open();
    await call('POST', `/reg/access/${key}`, { body: { status: 'ACCEPTED', username: user.username, token } });
    const stub = env.AUTH_REQUESTS.get(env.AUTH_REQUESTS.idFromName(key)) as any;
    const record = await stub.read(Date.now() / 1000);
    expect(JSON.stringify(record)).not.toContain(token);
  });

  it('ACCEPTED is refused with 400 without username or token, for another app\'s access, a personal token or a mismatching apiEndpoint', async () => {
    const user = await newUser('authreq');
    const other = await appAccess(user.username, user.token, 'another-app');
    const token = await appAccess(user.username, user.token);
    const { key } = await open();
    const bad = [
      { status: 'ACCEPTED', username: user.username },
      { status: 'ACCEPTED', token },
      { status: 'ACCEPTED', username: user.username, token: other },
      { status: 'ACCEPTED', username: user.username, token: user.token },
      { status: 'ACCEPTED', username: user.username, token: 'no-such-token' },
      { status: 'ACCEPTED', username: 'nobody-here', token },
      { status: 'ACCEPTED', username: user.username, token, apiEndpoint: `http://${token}@127.0.0.1:8787/someone-else/` },
      { status: 'MAYBE' },
    ];
    for (const body of bad) {
      const res = await call('POST', `/reg/access/${key}`, { body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.id).toBe('invalid-parameters-format');
    }
    // Still waiting.
    expect((await call('GET', `/reg/access/${key}`)).status).toBe(201);
  });

  it('answers once: racing answers leave exactly one, the other gets 400 invalid-operation', async () => {
    const user = await newUser('authreq');
    const token = await appAccess(user.username, user.token);
    const { key } = await open();
    const [a, b] = await Promise.all([
      call('POST', `/reg/access/${key}`, { body: { status: 'ACCEPTED', username: user.username, token } }),
      call('POST', `/reg/access/${key}`, { body: { status: 'REFUSED' } }),
    ]);
    const statuses = [a.status, b.status].sort();
    expect(statuses.filter((s) => s === 400)).toHaveLength(1);
    const loser = a.status === 400 ? a : b;
    expect(loser.body.error.id).toBe('invalid-operation');
    const winner = a.status === 400 ? b : a;
    expect((await call('GET', `/reg/access/${key}`)).status).toBe(winner.status);
  });

  it('ERROR keeps the page\'s reason and message; an unknown key is 404', async () => {
    const { key } = await open();
    const res = await call('POST', `/reg/access/${key}`, { body: { status: 'ERROR', reasonID: 'PAGE_FAILED', message: 'Something broke.' } });
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ status: 'ERROR', reasonID: 'PAGE_FAILED', message: 'Something broke.' });
    expect((await call('POST', `/reg/access/${'B'.repeat(32)}`, { body: { status: 'REFUSED' } })).status).toBe(404);
  });
});
