// An app's authorization request, end to end in a real browser: the app calls `Service.startAccessRequest` with
// the `pryv` client, headless Chromium (JavaScript off, a phone-sized window) opens `authUrl`, signs in to an
// account with two-step sign-in (the TOTP code computed here), reads the request in words and accepts; the app's poll resolves to a working Connection whose access has exactly the
// requested permissions, and the browser lands on the app's returnURL (another origin: the page's CSP allows that
// one redirect). A second request is refused: the poll answers REFUSED. Screenshots go to test/artifacts/.
import type { Page } from 'playwright-core';
import pryv from 'pryv';
import { describe, expect, it } from 'vitest';
import { totpAt, TOTP_STEP_SECONDS } from '../../src/auth/totp';
import { apiCall, useDevServerAndBrowser } from './browser-fixture';
import { artifactPath } from './chromium.mjs';

const e2e = useDevServerAndBrowser();

/** A phone: 390 × 844 CSS pixels (the share-link test uses 420 wide). */
const PHONE = { width: 390, height: 844 };
const APP_ID = 'mood-diary-app';

// The service's own origin: a trusted app for the MFA enrolment calls.
const api = (method: string, pathname: string, token: string | null, body?: unknown) =>
  apiCall(e2e.server.url, method, pathname, token, body, { Origin: e2e.server.url });

/** A page that records console errors (CSP violations land there) and dialogs. */
async function phonePage(): Promise<{ page: Page; problems: string[] }> {
  const page = await e2e.browser.newPage({ viewport: PHONE, javaScriptEnabled: false, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  const problems: string[] = [];
  // Failed loads are told apart by URL below; any other console error (a CSP violation) is a problem.
  page.on('console', (m) => m.type() === 'error' && !m.text().startsWith('Failed to load resource') && problems.push(m.text()));
  page.on('response', (r) => {
    const url = new URL(r.url());
    // The app's page (here a JSON document) has no favicon: not the consent page's doing.
    if (r.status() >= 400 && !(url.hostname === 'localhost' && url.pathname === '/favicon.ico')) problems.push(`${r.status()} ${url.pathname}`);
  });
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  return { page, problems };
}

/** Submits a form and waits for the next page's own load (not the current page's, already loaded). */
async function submit(page: Page, act: () => Promise<void>) {
  const loaded = page.waitForEvent('load');
  await act();
  await loaded;
}

async function signIn(page: Page, username: string, password: string) {
  // Keyboard only: the login field has focus, Tab moves to the password, Enter signs in. Autofocus lands a
  // moment after the load event on a busy machine: wait for it, or the first keys go nowhere.
  await page.locator('#username:focus').waitFor();
  await page.keyboard.type(username);
  await page.keyboard.press('Tab');
  await page.keyboard.type(password);
  await submit(page, () => page.keyboard.press('Enter'));
}

const text = async (page: Page) => (await page.locator('body').innerText()).replace(/\s+/g, ' ');

describe('an app authorization request answered in Chromium', () => {
  it('accept: the poll resolves to a Connection with exactly the requested permissions; refuse: the poll answers REFUSED', async () => {
    const username = `consent${Date.now().toString(36)}`;
    const password = 'e2e-password';
    const reg = await api('POST', '/reg/users', null, { appId: 'consent-e2e', username, password, email: `${username}@example.org` });
    const personal = new URL(reg.apiEndpoint).username;
    await api('POST', `/${username}/streams`, personal, { id: 'mood', name: 'Mood' });
    // Two-step sign-in, as an authenticator app would hold it.
    const { secret, mfaToken } = await api('POST', `/${username}/mfa/activate`, personal, {});
    await api('POST', `/${username}/mfa/confirm`, mfaToken, { code: await totpAt(secret, Date.now() / 1000) });

    const service = new pryv.Service(`${e2e.server.url}/reg/service/info`);
    const requestedPermissions = [
      { streamId: 'mood', defaultName: 'Mood', level: 'contribute' },
      { streamId: 'sleep', defaultName: 'Sleep', level: 'read' },
    ];
    // The app's page, on another origin than the service (localhost vs 127.0.0.1).
    const returnURL = `${e2e.server.url.replace('127.0.0.1', 'localhost')}/reg/service/info?`;
    const started = await service.startAccessRequest({
      requestingAppId: APP_ID,
      requestedPermissions,
      languageCode: 'en',
      expireAfter: 30 * 86400,
      returnURL,
      clientData: { 'app-web-auth:description': { type: 'note/txt', content: 'Mood Diary charts how you feel against how you sleep.' } },
    } as any);
    expect(started.pollRateMs).toBe(1000);
    expect((await service.pollAccessRequest(started.poll)).status).toBe('NEED_SIGNIN');

    const { page, problems } = await phonePage();
    const opened = await page.goto(started.authUrl);
    expect(opened?.status()).toBe(200);
    await expect(page.locator('h1').textContent()).resolves.toBe(APP_ID);
    expect(await text(page)).toContain('Sleep See the data');
    await page.screenshot({ path: artifactPath('consent-signin.png'), fullPage: true });
    // Styled by its hash-allowed stylesheet, and nothing wider than the phone.
    await expect(page.locator('body').evaluate((b) => (globalThis as any).getComputedStyle(b).backgroundColor)).resolves.toBe('rgb(244, 246, 249)');
    await expect(page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth)).resolves.toBeLessThanOrEqual(PHONE.width);

    await signIn(page, username, password);
    expect(await text(page)).toContain('Enter the 6-digit code shown by your authenticator app.');
    await page.screenshot({ path: artifactPath('consent-code.png'), fullPage: true });
    // The next step's code (the enrolment used the current one; one step of drift is accepted).
    await page.locator('#code:focus').waitFor();
    await page.keyboard.type(await totpAt(secret, Date.now() / 1000 + TOTP_STEP_SECONDS));
    await submit(page, () => page.keyboard.press('Enter'));
    const consent = await text(page);
    expect(consent).toContain(`Signed in as ${username}`);
    expect(consent).toContain('Mood See, add and change the data');
    expect(consent).toContain('Sleep (new, created if you accept) See the data');
    expect(consent).toContain('The access ends after 30 days.');
    expect(consent).toContain('Mood Diary charts how you feel against how you sleep.');
    await expect(page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth)).resolves.toBeLessThanOrEqual(PHONE.width);
    await page.screenshot({ path: artifactPath('consent-phone.png'), fullPage: true });

    // Nothing on the consent pages broke a rule (CSP, console errors).
    expect(problems).toEqual([]);
    await page.getByRole('button', { name: 'Accept' }).click();
    await page.waitForURL((url) => url.searchParams.get('prYvstatus') === 'ACCEPTED');
    const back = new URL(page.url());
    expect(back.origin).not.toBe(new URL(e2e.server.url).origin);
    expect(back.searchParams.get('prYvpoll')).toBe(started.poll);
    expect(back.searchParams.has('prYvtoken')).toBe(false);

    const accepted = await service.pollAccessRequest(started.key);
    expect(accepted.status).toBe('ACCEPTED');
    const connection = new pryv.Connection(accepted.apiEndpoint, service);
    const info = await connection.accessInfo();
    expect(info.type).toBe('app');
    expect(info.name).toBe(APP_ID);
    expect(info.permissions).toEqual([
      { streamId: 'mood', level: 'contribute' },
      { streamId: 'sleep', level: 'read' },
    ]);
    const [created] = await connection.api([{ method: 'events.create', params: { streamIds: ['mood'], type: 'note/txt', content: 'rested' } }]);
    expect(created.event.content).toBe('rested');
    const [refusedWrite] = await connection.api([{ method: 'events.create', params: { streamIds: ['sleep'], type: 'note/txt', content: 'no' } }]);
    expect(refusedWrite.error?.id).toBe('forbidden');

    // A second request, refused at the code step; no returnURL: the page says the window may close.
    const second = await service.startAccessRequest({ requestingAppId: 'another-app-id', requestedPermissions: [{ streamId: 'mood', defaultName: 'Mood', level: 'manage' }] });
    await page.goto(second.authUrl);
    await signIn(page, username, password);
    expect(await text(page)).toContain('Two-step sign-in');
    await submit(page, () => page.getByRole('button', { name: 'Refuse' }).click());
    expect(await text(page)).toContain('Access refused You can close this window');
    const refused = await service.pollAccessRequest(second.poll);
    expect(refused.status).toBe('REFUSED');
    expect(refused.reasonID).toBe('REFUSED_BY_USER');
    expect(problems).toEqual([]);
    await page.close();
  });
});
