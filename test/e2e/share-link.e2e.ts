// A new user's path through sharing, in a real browser: register, create a stream with weight events and a
// shared access, open its `shareUrl` in headless Chromium (Debian's package, else the one inside the
// `@sparticuz/chromium` devDependency), see the events and the chart,
// revoke the access, reload: the link is dead at once. Screenshots go to test/artifacts/ (git-ignored).
import { describe, expect, it } from 'vitest';
import { apiCall, useDevServerAndBrowser } from './browser-fixture';
import { artifactPath } from './chromium.mjs';

const run = useDevServerAndBrowser();
const api = (method: string, pathname: string, token: string | null, body?: unknown) => apiCall(run.server.url, method, pathname, token, body);

describe('a share link opened in Chromium', () => {
  it('shows the shared weights and their chart, then dies as soon as the access is revoked', async () => {
    const username = `share${Date.now().toString(36)}`;
    const reg = await api('POST', '/reg/users', null, { appId: 'share-e2e', username, password: 'e2e-password', email: `${username}@example.org` });
    const token = new URL(reg.apiEndpoint).username;
    const u = `/${username}`;
    await api('POST', `${u}/streams`, token, { id: 'health', name: 'Health' });
    await api('POST', `${u}/streams`, token, { id: 'weight', name: 'Weight', parentId: 'health' });
    await api('POST', `${u}/streams`, token, { id: 'diary', name: 'Private diary' });
    const day = 86400;
    const now = Math.floor(Date.now() / 1000);
    const weights = [74.2, 73.6, 73.9, 72.8, 72.1];
    for (const [i, kg] of weights.entries()) {
      await api('POST', `${u}/events`, token, { streamIds: ['weight'], type: 'mass/kg', content: kg, time: now - (weights.length - i) * 7 * day });
    }
    await api('POST', `${u}/events`, token, { streamIds: ['weight'], type: 'note/txt', content: '<script>alert(1)</script> after the run', time: now - 3600 });
    await api('POST', `${u}/events`, token, { streamIds: ['diary'], type: 'note/txt', content: 'not for the doctor', time: now - 60 });
    const { access } = await api('POST', `${u}/accesses`, token, {
      name: 'Weight for Dr. Martin',
      type: 'shared',
      permissions: [{ streamId: 'health', level: 'read' }],
    });
    expect(access.shareUrl).toMatch(new RegExp(`^${run.server.url}/s/[A-Za-z0-9_-]{22,}$`));

    const page = await run.browser.newPage({ viewport: { width: 420, height: 900 }, javaScriptEnabled: false });
    const problems: string[] = [];
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text())); // CSP violations land here
    page.on('dialog', (d) => {
      problems.push(`dialog: ${d.message()}`);
      void d.dismiss();
    });

    const first = await page.goto(access.shareUrl);
    expect(first?.status()).toBe(200);
    await expect(page.locator('h1').textContent()).resolves.toBe('Weight for Dr. Martin');
    const body = (await page.locator('body').innerText()).replace(/\s+/g, ' ');
    expect(body).toContain(username);
    expect(body).toContain('72.1 Kg');
    expect(body).toContain('<script>alert(1)</script> after the run');
    expect(body).not.toContain('not for the doctor');
    expect(body).not.toContain('Private diary');
    await expect(page.locator('.chart svg circle').count()).resolves.toBe(weights.length);
    await expect(page.locator('.chart svg polyline').count()).resolves.toBe(1);
    // The inline stylesheet is allowed by its CSP hash: the page is styled.
    await expect(page.locator('body').evaluate((b) => (globalThis as any).getComputedStyle(b).backgroundColor)).resolves.toBe('rgb(244, 246, 249)');
    await page.screenshot({ path: artifactPath('share-page.png'), fullPage: true });
    expect(problems).toEqual([]);

    await api('DELETE', `${u}/accesses/${access.id}`, token);
    const after = await page.reload();
    expect(after?.status()).toBe(404);
    await expect(page.locator('h1').textContent()).resolves.toBe('Link not available');
    expect(await page.locator('body').innerText()).not.toContain('72.1');
    await page.screenshot({ path: artifactPath('share-revoked.png'), fullPage: true });
    // The only complaint allowed now is the page's own 404.
    expect(problems.filter((p) => !/status of 404/.test(p))).toEqual([]);
    await page.close();
  });
});
