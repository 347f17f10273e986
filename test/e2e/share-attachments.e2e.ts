// A shared event's files on the share page, in a real browser: the photo shows inline, the PDF is a download
// link; once the access is deleted, the page, the photo and the link are dead at once. Screenshots go to
// test/artifacts/ (git-ignored).
import { describe, expect, it } from 'vitest';
import { apiCall, useDevServerAndBrowser } from './browser-fixture';
import { artifactPath } from './chromium.mjs';

/** A 16 × 16 red PNG. */
const PNG = Uint8Array.from(atob('iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAYAAAAf8/9hAAAAGUlEQVR4nGM4IWfznxLMMGrAqAGjBgwXAwDrXiEfvwCI0AAAAABJRU5ErkJggg=='), (c) => c.charCodeAt(0));

const run = useDevServerAndBrowser();
const api = (method: string, pathname: string, token: string | null, body?: unknown) => apiCall(run.server.url, method, pathname, token, body);

describe('attachments on a share page opened in Chromium', () => {
  it('shows the photo inline and links the PDF, then both die with the access', async () => {
    const username = `shfiles${Date.now().toString(36)}`;
    const reg = await api('POST', '/reg/users', null, { appId: 'share-e2e', username, password: 'e2e-password', email: `${username}@example.org` });
    const token = new URL(reg.apiEndpoint).username;
    const u = `/${username}`;
    await api('POST', `${u}/streams`, token, { id: 'skin', name: 'Skin check' });
    const form = new FormData();
    form.append('event', JSON.stringify({ streamIds: ['skin'], type: 'picture/attached', description: 'Left arm, week 3' }));
    form.append('photo', new Blob([PNG], { type: 'image/png' }), 'left-arm.png');
    form.append('report', new Blob(['%PDF-1.4 dermatology report'], { type: 'application/pdf' }), 'report.pdf');
    await api('POST', `${u}/events`, token, form);
    const { access } = await api('POST', `${u}/accesses`, token, { name: 'For Dr. Keller', type: 'shared', permissions: [{ streamId: 'skin', level: 'read' }] });

    const page = await run.browser.newPage({ viewport: { width: 420, height: 900 }, javaScriptEnabled: false });
    const problems: string[] = [];
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));

    expect((await page.goto(access.shareUrl))?.status()).toBe(200);
    const img = page.locator('.files img');
    await expect(img.count()).resolves.toBe(1);
    await expect(img.getAttribute('alt')).resolves.toBe('left-arm.png');
    // Loaded and decoded: the browser fetched it with the page's read token, under the page's CSP.
    await expect(img.evaluate((el) => (el as unknown as { complete: boolean; naturalWidth: number }).complete && (el as unknown as { naturalWidth: number }).naturalWidth)).resolves.toBe(16);
    const link = page.locator('.files a[download]');
    await expect(link.textContent()).resolves.toBe('report.pdf');
    const imgSrc = new URL((await img.getAttribute('src'))!, run.server.url).href;
    const pdfHref = new URL((await link.getAttribute('href'))!, run.server.url).href;
    const pdf = await page.request.get(pdfHref);
    expect(pdf.status()).toBe(200);
    expect(await pdf.text()).toBe('%PDF-1.4 dermatology report');
    await page.screenshot({ path: artifactPath('share-attachments.png'), fullPage: true });
    expect(problems).toEqual([]);

    await api('DELETE', `${u}/accesses/${access.id}`, token);
    expect((await page.reload())?.status()).toBe(404);
    await expect(page.locator('.files img').count()).resolves.toBe(0);
    // The URLs the page had handed out are dead too, at once.
    expect((await page.request.get(imgSrc)).status()).toBe(403);
    expect((await page.request.get(pdfHref)).status()).toBe(403);
    const direct = await page.goto(imgSrc);
    expect(direct?.status()).toBe(403);
    await page.close();
  });
});
