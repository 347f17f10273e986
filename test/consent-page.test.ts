// The consent page served by the Worker (GET/POST /reg/auth): the request in words, sign-in through auth.login,
// accept (checkApp, then create or update the app access) or refuse, the answer the app polls, and the page's
// protections (CSP, framing, single-use forms, cross-site posts), in workerd with real D1, KV and Durable Objects.
import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { totpAt, TOTP_STEP_SECONDS } from '../src/auth/totp';
import type { Env } from '../src/env';
import worker from '../src/index';
import { BASE, call, newUser } from './helpers';

const APP = 'diary-app-test';

interface Page {
  status: number;
  headers: Headers;
  html: string;
  text: string;
  form: string | null;
}

/** The page as a person reads it: tags dropped, spaces collapsed, entities decoded. */
function readable(html: string): string {
  return html
    .replace(/<style[\s\S]*?<\/style>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/\s+/g, ' ');
}

/** Runs the Worker (with `vars` over its variables) and waits for its after-response work (the consent session's logout). */
async function fetchWorker(request: Request, vars: Partial<Env> = {}): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await worker.fetch(request, { ...env, ...vars }, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

async function page(res: Response): Promise<Page> {
  const html = await res.text();
  return { status: res.status, headers: res.headers, html, text: readable(html), form: /name="form" value="([^"]+)"/.exec(html)?.[1] ?? null };
}

async function open(body: Record<string, unknown>) {
  const res = await call('POST', '/reg/access', { body: { requestingAppId: APP, ...body } });
  expect(res.status).toBe(201);
  return res.body as { key: string; authUrl: string; poll: string };
}

const getPage = async (authUrl: string) => page(await fetchWorker(new Request(authUrl, { headers: { Accept: 'text/html' } })));

async function post(key: string, form: string | null, fields: Record<string, string>, headers: Record<string, string> = { 'Sec-Fetch-Site': 'same-origin' }, vars: Partial<Env> = {}) {
  const body = new FormData();
  body.set('key', key);
  body.set('form', form ?? '');
  for (const [k, v] of Object.entries(fields)) body.set(k, v);
  const res = await fetchWorker(new Request(`${BASE}/reg/auth`, { method: 'POST', body, headers, redirect: 'manual' }), vars);
  return page(res);
}

const poll = (key: string) => call('GET', `/reg/access/${key}`);

async function signedIn(user: { username: string; password: string }, created: { key: string; authUrl: string }) {
  const first = await getPage(created.authUrl);
  const consent = await post(created.key, first.form, { action: 'signin', username: user.username, password: user.password });
  expect(consent.status, consent.text).toBe(200);
  return consent;
}

describe('the consent page', () => {
  it('shows the app, what it asks in words, and the sign-in form, under a strict CSP that forbids framing', async () => {
    const created = await open({
      requestedPermissions: [
        { streamId: 'diary', defaultName: 'Diary', level: 'contribute' },
        { streamId: 'health', defaultName: 'Health', level: 'read', tags: ['work'], fromTime: 1790000000 },
        { feature: 'selfRevoke', setting: 'forbidden' },
      ],
      expireAfter: 7 * 86400,
      deviceName: 'Alice\'s phone',
      clientData: { 'app-web-auth:description': { type: 'note/txt', content: '<b>We chart your mood.</b>' } },
      returnURL: 'https://app.example.org/back?',
    });
    const p = await getPage(created.authUrl);
    expect(p.status).toBe(200);
    expect(/<h1[^>]*>([^<]*)<\/h1>/.exec(p.html)?.[1]).toBe(APP);
    for (const words of [
      'asks for access to your data',
      // Before sign-in nothing is known of the account: streams are named as asked, none called new.
      'Diary See, add and change the data',
      'Health See the data only entries tagged “work” only from September 21, 2026',
      'The app cannot revoke this access itself.',
      "Device: Alice's phone",
      'The access ends after 7 days.',
      '<b>We chart your mood.</b>',
      'Username or e-mail',
    ]) {
      expect(p.text).toContain(words);
    }
    expect(p.html).not.toMatch(/<script/i);
    expect(p.html).toContain('enctype="multipart/form-data"');
    const csp = p.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("form-action 'self' https://app.example.org;");
    expect(csp).not.toContain('unsafe-inline');
    expect(p.headers.get('x-frame-options')).toBe('DENY');
    expect(p.headers.get('cache-control')).toBe('no-store');
    expect(p.form).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('speaks the request\'s language: French and German', async () => {
    const perms = [{ streamId: 'diary', defaultName: 'Journal', level: 'read' }];
    const fr = await getPage((await open({ requestedPermissions: perms, languageCode: 'fr' })).authUrl);
    expect(fr.html).toContain('<html lang="fr">');
    expect(fr.text).toContain('demande l’accès à vos données');
    expect(fr.text).toContain('Voir les données');
    expect(fr.text).toContain('Se connecter');
    const de = await getPage((await open({ requestedPermissions: perms, languageCode: 'de-CH' })).authUrl);
    expect(de.html).toContain('<html lang="de">');
    expect(de.text).toContain('bittet um Zugriff auf Ihre Daten');
    expect(de.text).toContain('Die Daten ansehen');
    expect(de.text).toContain('Anmelden');
  });

  it('answers an unknown or malformed key with a "no longer valid" page', async () => {
    for (const key of ['C'.repeat(32), 'nope']) {
      const p = await getPage(`${BASE}/reg/auth?key=${key}`);
      expect(p.status).toBe(404);
      expect(p.text).toContain('This request is no longer valid');
      expect(p.form).toBeNull();
    }
  });

  it('signs in, shows existing streams by their name, and on accept creates exactly the requested app access and sends the person back', async () => {
    const user = await newUser('consent');
    await call('POST', `/${user.username}/streams`, { token: user.token, body: { id: 'diary', name: 'My diary' } });
    await call('POST', `/${user.username}/streams`, { token: user.token, body: { id: 'other', name: 'Health' } });
    const requested = [
      { streamId: 'diary', defaultName: 'Diary', level: 'contribute' },
      { streamId: 'health', defaultName: 'Health', level: 'read', tags: ['work'] },
    ];
    const created = await open({ requestedPermissions: requested, returnURL: 'https://app.example.org/back?x=1', expireAfter: 3600, clientData: { from: 'test' } });
    const consent = await signedIn(user, created);
    expect(consent.text).toContain(`Signed in as ${user.username}`);
    expect(consent.text).toContain('My diary See, add and change the data');
    // "Health" is taken by another root stream: the new one gets a free name.
    expect(consent.text).toContain('Health (1) (new; “Health” is taken, so it will be named this way) See the data only entries tagged “work”');
    expect(consent.text).toContain('Accept');

    const done = await post(created.key, consent.form, { action: 'accept' });
    expect(done.status).toBe(303);
    const location = new URL(done.headers.get('location')!);
    expect(`${location.origin}${location.pathname}`).toBe('https://app.example.org/back');
    expect(Object.fromEntries(location.searchParams)).toEqual({ x: '1', prYvkey: created.key, prYvstatus: 'ACCEPTED', prYvpoll: created.poll });

    const answer = await poll(created.key);
    expect(answer.status).toBe(200);
    expect(answer.body.status).toBe('ACCEPTED');
    expect(answer.body.username).toBe(user.username);
    const info = await call('GET', `/${user.username}/access-info`, { token: answer.body.token });
    expect(info.body.type).toBe('app');
    expect(info.body.name).toBe(APP);
    expect(info.body.permissions).toEqual([
      { streamId: 'diary', level: 'contribute' },
      { streamId: 'health', level: 'read', tags: ['work'] },
    ]);
    expect(info.body.expires).toBeGreaterThan(Date.now() / 1000 + 3500);
    const streams = await call('GET', `/${user.username}/streams`, { token: user.token });
    expect(streams.body.streams.find((s: any) => s.id === 'health')?.name).toBe('Health (1)');
    // The page's own session ended with the flow: its personal access has no live token left.
    const accesses = await call('GET', `/${user.username}/accesses`, { token: user.token });
    const pageSession = accesses.body.accesses.find((a: any) => a.name === 'pryv-edge-consent');
    expect(pageSession).toBeDefined();
    expect(pageSession.token ?? null).toBeNull();
  });

  it('refuses from the sign-in form: the poll answers REFUSED and the page says the window may close', async () => {
    const created = await open({ requestedPermissions: [{ streamId: 'diary', defaultName: 'Diary', level: 'read' }] });
    const first = await getPage(created.authUrl);
    const done = await post(created.key, first.form, { action: 'refuse' });
    expect(done.status).toBe(200);
    expect(done.text).toContain('Access refused');
    expect(done.text).toContain('You can close this window');
    const answer = await poll(created.key);
    expect(answer.status).toBe(403);
    expect(answer.body).toMatchObject({ status: 'REFUSED', reasonID: 'REFUSED_BY_USER' });
    // The page of an answered request offers nothing more.
    expect((await getPage(created.authUrl)).status).toBe(410);
  });

  it('refuses after sign-in and redirects with prYvstatus=REFUSED; no access is created', async () => {
    const user = await newUser('consent');
    const created = await open({ requestedPermissions: [{ streamId: 'diary', defaultName: 'Diary', level: 'read' }], returnURL: 'myapp://done#' });
    const consent = await signedIn(user, created);
    expect(consent.headers.get('content-security-policy')).toContain("form-action 'self' myapp:;");
    const done = await post(created.key, consent.form, { action: 'refuse' });
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe(`myapp://done#prYvkey=${created.key}&prYvstatus=REFUSED&prYvpoll=${encodeURIComponent(created.poll)}`);
    expect((await poll(created.key)).body.status).toBe('REFUSED');
    const accesses = await call('GET', `/${user.username}/accesses`, { token: user.token });
    expect(accesses.body.accesses.filter((a: any) => a.name === APP)).toEqual([]);
  });

  it('says a wrong password (or unknown user) in the same words, keeps the login, and takes each form once', async () => {
    const user = await newUser('consent');
    const created = await open({ requestedPermissions: [{ streamId: 'diary', defaultName: 'Diary', level: 'read' }] });
    const first = await getPage(created.authUrl);
    const wrong = await post(created.key, first.form, { action: 'signin', username: user.username, password: 'not-the-password' });
    expect(wrong.status).toBe(401);
    expect(wrong.text).toContain('The username or the password is not right.');
    expect(wrong.html).toContain(`value="${user.username}"`);
    expect(wrong.html).toContain('role="alert"');
    const unknown = await post(created.key, wrong.form, { action: 'signin', username: 'nobody-at-all', password: 'whatever1' });
    expect(unknown.status).toBe(401);
    expect(unknown.text).toContain('The username or the password is not right.');
    // The first form was used: sending it again asks to start over, and signs nobody in.
    const replay = await post(created.key, first.form, { action: 'signin', username: user.username, password: user.password });
    expect(replay.status).toBe(400);
    expect(replay.text).toContain('This form has expired');
    expect(replay.text).not.toContain('Signed in as');
  });

  it('signs in with the account\'s e-mail address', async () => {
    const user = await newUser('consent');
    const created = await open({ requestedPermissions: [{ streamId: 'diary', defaultName: 'Diary', level: 'read' }] });
    const first = await getPage(created.authUrl);
    const consent = await post(created.key, first.form, { action: 'signin', username: `${user.username}@example.org`, password: user.password });
    expect(consent.status).toBe(200);
    expect(consent.text).toContain(`Signed in as ${user.username}`);
  });

  it('refuses a form sent from another site, without using it up', async () => {
    const user = await newUser('consent');
    const created = await open({ requestedPermissions: [{ streamId: 'diary', defaultName: 'Diary', level: 'read' }] });
    const first = await getPage(created.authUrl);
    const fields = { action: 'signin', username: user.username, password: user.password };
    const forgeries: Record<string, string>[] = [{ 'Sec-Fetch-Site': 'cross-site' }, { 'Sec-Fetch-Site': 'same-site' }, { Origin: 'https://evil.example' }];
    for (const headers of forgeries) {
      const forged = await post(created.key, first.form, fields, headers);
      expect(forged.status).toBe(403);
      expect(forged.text).toContain('Form refused');
    }
    expect((await post(created.key, first.form, fields)).status).toBe(200);
  });

  it('a consent form cannot be answered without signing in: a sign-in form\'s token does not accept', async () => {
    const created = await open({ requestedPermissions: [{ streamId: 'diary', defaultName: 'Diary', level: 'read' }] });
    const first = await getPage(created.authUrl);
    const attempt = await post(created.key, first.form, { action: 'accept' });
    expect(attempt.status).toBe(401);
    expect((await poll(created.key)).status).toBe(201);
  });

  it('with a matching app access says so and grants that same access; with a different one, updates it to the request', async () => {
    const user = await newUser('consent');
    const perms = [{ streamId: 'diary', defaultName: 'Diary', level: 'read' }];
    const existing = await call('POST', `/${user.username}/accesses`, { token: user.token, body: { name: APP, type: 'app', permissions: perms } });
    const matching = await open({ requestedPermissions: perms });
    const consent = await signedIn(user, matching);
    expect(consent.text).toContain('You already gave this app exactly this access.');
    await post(matching.key, consent.form, { action: 'accept' });
    expect((await poll(matching.key)).body.token).toBe(existing.body.access.token);

    const wider = [
      { streamId: 'diary', defaultName: 'Diary', level: 'manage' },
      { streamId: 'sleep', defaultName: 'Sleep', level: 'contribute' },
    ];
    const mismatching = await open({ requestedPermissions: wider });
    const again = await signedIn(user, mismatching);
    expect(again.text).toContain('accepting replaces it with this one');
    await post(mismatching.key, again.form, { action: 'accept' });
    const answer = await poll(mismatching.key);
    expect(answer.body.token).toBe(existing.body.access.token);
    const info = await call('GET', `/${user.username}/access-info`, { token: answer.body.token });
    expect(info.body.permissions).toEqual([
      { streamId: 'diary', level: 'manage' },
      { streamId: 'sleep', level: 'contribute' },
    ]);
  });

  it('a request naming a stream that does not exist, without a defaultName, ends in ERROR for the app', async () => {
    const user = await newUser('consent');
    const created = await open({ requestedPermissions: [{ streamId: 'nowhere', level: 'read' }] });
    const first = await getPage(created.authUrl);
    const failed = await post(created.key, first.form, { action: 'signin', username: user.username, password: user.password });
    expect(failed.text).toContain('Something went wrong');
    const answer = await poll(created.key);
    expect(answer.status).toBe(403);
    expect(answer.body).toMatchObject({ status: 'ERROR', reasonID: 'invalid-parameters-format' });
  });

  it('a request answered meanwhile (by the app, another tab) is not answered twice', async () => {
    const user = await newUser('consent');
    const created = await open({ requestedPermissions: [{ streamId: 'diary', defaultName: 'Diary', level: 'read' }] });
    const consent = await signedIn(user, created);
    await call('POST', `/reg/access/${created.key}`, { body: { status: 'REFUSED', reasonID: 'CANCELLED' } });
    const late = await post(created.key, consent.form, { action: 'accept' });
    expect(late.status).toBe(410);
    expect((await poll(created.key)).body.reasonID).toBe('CANCELLED');
  });

  it('asks an account with two-step sign-in for its code: a wrong code is said and asked again, the right one leads to consent', async () => {
    const user = await newUser('consent');
    const origin = { Origin: BASE };
    const activated = await call('POST', `/${user.username}/mfa/activate`, { token: user.token, headers: origin, body: {} });
    const { secret, mfaToken } = activated.body;
    const now = () => Date.now() / 1000;
    expect((await call('POST', `/${user.username}/mfa/confirm`, { token: mfaToken, headers: origin, body: { code: await totpAt(secret, now()) } })).status).toBe(200);

    const created = await open({ requestedPermissions: [{ streamId: 'diary', defaultName: 'Diary', level: 'read' }] });
    const first = await getPage(created.authUrl);
    const codePage = await post(created.key, first.form, { action: 'signin', username: user.username, password: user.password });
    expect(codePage.status).toBe(200);
    expect(codePage.text).toContain('Two-step sign-in');
    expect(codePage.html).toContain('autocomplete="one-time-code"');
    expect(codePage.text).not.toContain('Signed in as');
    // The pending step's token stays on the server: the page carries only its own form token.
    expect(codePage.html).not.toContain(mfaToken);

    const good = await totpAt(secret, now() + TOTP_STEP_SECONDS);
    const wrong = good === '000000' ? '111111' : '000000';
    const refused = await post(created.key, codePage.form, { action: 'verify', code: wrong });
    expect(refused.status).toBe(401);
    expect(refused.text).toContain('This code is not valid');
    expect(refused.text).toContain('Two-step sign-in');

    const consent = await post(created.key, refused.form, { action: 'verify', code: good });
    expect(consent.status, consent.text).toBe(200);
    expect(consent.text).toContain(`Signed in as ${user.username}`);
    await post(created.key, consent.form, { action: 'accept' });
    const answer = await poll(created.key);
    expect(answer.body.status).toBe('ACCEPTED');
    expect((await call('GET', `/${user.username}/access-info`, { token: answer.body.token })).body.permissions).toEqual([{ streamId: 'diary', level: 'read' }]);
  });

  it('counts its failed sign-ins with the API\'s: past the account\'s limit it answers 429 with Retry-After, even for the right password', async () => {
    const user = await newUser('consent');
    const vars = { SIGN_IN_FAILURES_PER_ACCOUNT: '2' };
    const created = await open({ requestedPermissions: [{ streamId: 'diary', defaultName: 'Diary', level: 'read' }] });
    let form = (await getPage(created.authUrl)).form;
    for (let i = 0; i < 2; i++) {
      const wrong = await post(created.key, form, { action: 'signin', username: user.username, password: 'not-the-password' }, undefined, vars);
      expect(wrong.status).toBe(401);
      form = wrong.form;
    }
    const locked = await post(created.key, form, { action: 'signin', username: user.username, password: user.password }, undefined, vars);
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(locked.text).toContain('Too many failed attempts. Try again in');
    expect(locked.text).not.toContain('Signed in as');
    // The API sees the same lock.
    const api = await call('POST', `/${user.username}/auth/login`, { headers: { Origin: BASE }, body: { username: user.username, password: user.password, appId: 'other-app' }, vars });
    expect(api.status).toBe(429);
  });
});
