import { env } from 'cloudflare:test';
import { describe, expect, it, vi } from 'vitest';
import { shareCacheKey, shareCodeHash } from '../src/auth/share-codes';
import { updateAccessRow } from './db-fixtures';
import { batch, call, newUser } from './helpers';
import type { AccessRow, UserRow } from '../src/storage/schema';
import { PREVIEW_MAX_BYTES, SharePage } from '../src/web/share-page';
import { bytesOf, download, formData, patternBytes, postMultipart } from './attachment-fixtures';
import type { EventItem, ShareView } from '../src/web/share-view';

const DAY = 86400;
const T = 1_795_000_000;

function view(events: EventItem[], extra: Partial<ShareView> = {}): ShareView {
  return {
    user: { username: 'alice-share' } as UserRow,
    access: { name: 'For <b>my</b> doctor', expires: T + 30 * DAY } as AccessRow,
    streams: [{ id: 'health', name: 'Health', children: [{ id: 'weight', name: 'Weight & BMI', children: [] }] }],
    events,
    page: 0,
    hasMore: false,
    ...extra,
  };
}

const ev = (id: string, type: string, content: unknown, time = T, more: Partial<EventItem> = {}): EventItem => ({
  id, type, content, time, streamIds: ['weight'], ...more,
});

async function render(v: ShareView, page = (n: number) => `?page=${n}`): Promise<string> {
  return String(await SharePage({ view: v, links: { page } }));
}

describe('share page rendering', () => {
  it('shows the access name, who shared it, the expiry and the stream tree', async () => {
    const html = await render(view([]));
    expect(html).toContain('<h1>For &lt;b&gt;my&lt;/b&gt; doctor</h1>');
    expect(html).toContain('alice-share');
    expect(html).toMatch(/<time datetime="2026-[^"]+">2026-\d\d-\d\d \d\d:\d\d UTC<\/time>/);
    expect(html).toMatch(/<ul class="tree"><li>Health<ul><li>Weight &amp; BMI<\/li><\/ul><\/li><\/ul>/);
    expect(html).toContain('No events.');
  });

  it('renders content by type: note as text, number with its unit symbol, position as a map link', async () => {
    const html = await render(
      view([
        ev('e1', 'note/txt', 'Feeling fine\nafter the run'),
        ev('e2', 'mass/kg', 72.4, T - DAY),
        ev('e3', 'position/wgs84', { latitude: 46.5191, longitude: 6.6323 }, T - 2 * DAY),
        ev('e4', 'custom/thing', { a: 1 }, T - 3 * DAY),
      ]),
    );
    expect(html).toContain('<p class="content note">Feeling fine\nafter the run</p>');
    expect(html).toMatch(/<data class="value" value="72.4">72.4<\/data><span class="unit">Kg<\/span>/);
    expect(html).toContain('href="https://www.openstreetmap.org/?mlat=46.5191&amp;mlon=6.6323#map=15/46.5191/6.6323"');
    expect(html).toContain('&quot;a&quot;: 1');
    expect(html).toContain('in Weight &amp; BMI');
  });

  it('escapes user data: a script in content, tags or description renders as text', async () => {
    const html = await render(
      view([ev('x', 'note/txt', '<script>alert(1)</script>', T, { tags: ['<img src=x onerror=alert(2)>'], description: '"><svg onload=alert(3)>' })]),
    );
    expect(html).not.toMatch(/<script>alert/);
    expect(html).not.toMatch(/<img|<svg onload/);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&lt;img src=x onerror=alert(2)&gt;');
  });

  it('draws an inline SVG chart per numeric type, one point per value, with a text summary', async () => {
    const html = await render(view([ev('a', 'mass/kg', 72, T), ev('b', 'mass/kg', 73.5, T - 7 * DAY), ev('c', 'mass/kg', 71, T - 14 * DAY), ev('n', 'note/txt', 'x')]));
    const svgs: string[] = html.match(/<svg[\s\S]*?<\/svg>/g) ?? [];
    expect(svgs).toHaveLength(1);
    expect(svgs[0].match(/<circle/g) ?? []).toHaveLength(3);
    expect(svgs[0]).toContain('<polyline');
    expect(svgs[0]).toMatch(/role="img"/);
    expect(html).toContain('3 values from');
    expect(html).toContain('lowest 71 Kg, highest 73.5 Kg, latest 72 Kg.');
  });

  it('links newer and older pages with the given link form only', async () => {
    const html = await render(view([ev('a', 'note/txt', 'x')], { page: 2, hasMore: true }), (n) => `?auth=tok%2Fen&page=${n}`);
    expect(html).toContain('href="?auth=tok%2Fen&amp;page=1"');
    expect(html).toContain('href="?auth=tok%2Fen&amp;page=3"');
    const links = html.match(/<a [^>]*>/g) ?? [];
    expect(links).toHaveLength(2);
    expect(links.every((a) => a.includes('href="?auth='))).toBe(true);
  });
});

describe('share page over HTTP (data through the method table)', () => {
  const DAY_S = 86400;

  /** An account with health/weight (shared) and diary (private) streams and some events. */
  async function sharedAccount() {
    const { username, token } = await newUser('sharepg');
    const now = Math.floor(Date.now() / 1000);
    await batch(username, token, [
      { method: 'streams.create', params: { id: 'health', name: 'Health' } },
      { method: 'streams.create', params: { id: 'weight', name: 'Weight', parentId: 'health' } },
      { method: 'streams.create', params: { id: 'diary', name: 'Private diary' } },
      { method: 'events.create', params: { streamIds: ['weight'], type: 'mass/kg', content: 74.5, time: now - 20 * DAY_S } },
      { method: 'events.create', params: { streamIds: ['weight'], type: 'mass/kg', content: 72.4, time: now - 2 * DAY_S, tags: ['doctor'] } },
      { method: 'events.create', params: { streamIds: ['weight'], type: 'note/txt', content: '<script>alert(1)</script>', time: now - DAY_S } },
      { method: 'events.create', params: { streamIds: ['diary'], type: 'note/txt', content: 'secret diary entry', time: now - 60 } },
    ]);
    const share = async (permissions: unknown[], extra: Record<string, unknown> = {}) => {
      const res = await call('POST', `/${username}/accesses`, { token, body: { name: `share ${Math.random()}`, permissions, ...extra } });
      expect(res.status).toBe(201);
      return res.body.access as { id: string; token: string; shareUrl: string };
    };
    return { username, token, now, share };
  }

  const open = (shareUrl: string, query = '') => call('GET', `${new URL(shareUrl).pathname}${query}`, { headers: { Accept: 'text/html' } });

  it('shows the permitted streams and events, values with units and a chart, and nothing else', async () => {
    const { username, share } = await sharedAccount();
    const access = await share([{ streamId: 'health', level: 'read' }]);
    const res = await open(access.shareUrl);
    expect(res.status).toBe(200);
    expect(res.text).toContain('Health');
    expect(res.text).toContain('Weight');
    expect(res.text).toContain(username);
    expect(res.text).toMatch(/>72.4<\/data><span class="unit">Kg</);
    expect(res.text).toMatch(/>74.5<\/data>/);
    expect(res.text).toMatch(/<svg[^>]*role="img"/);
    expect(res.text).not.toContain('secret diary entry');
    expect(res.text).not.toContain('Private diary');
    expect(res.text).not.toContain(access.token);
  });

  it('renders a script in event content as text', async () => {
    const { share } = await sharedAccount();
    const res = await open((await share([{ streamId: 'weight', level: 'read' }])).shareUrl);
    expect(res.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(res.text).not.toMatch(/<script/i);
  });

  it('shows only the events a tag-narrowed or time-narrowed access admits', async () => {
    const { now, share } = await sharedAccount();
    const byTag = await open((await share([{ streamId: 'health', level: 'read', tags: ['doctor'] }])).shareUrl);
    expect(byTag.text).toMatch(/>72.4<\/data>/);
    expect(byTag.text).not.toMatch(/>74.5<\/data>/);
    expect(byTag.text).not.toContain('alert(1)');
    const byTime = await open((await share([{ streamId: 'health', level: 'read', fromTime: now - 10 * DAY_S }])).shareUrl);
    expect(byTime.text).toMatch(/>72.4<\/data>/);
    expect(byTime.text).toContain('alert(1)');
    expect(byTime.text).not.toMatch(/>74.5<\/data>/);
  });

  it('shows image attachments inline and links other files, through read tokens that die with the access', async () => {
    const { username, token, share } = await sharedAccount();
    const png = patternBytes(300);
    const created = await postMultipart(`/${username}/events`, token, formData({ streamIds: ['weight'], type: 'picture/attached' }, [
      { fileName: 'scale photo.png', type: 'image/png', bytes: png },
      { fileName: 'lab report.pdf', type: 'application/pdf', bytes: bytesOf('%PDF-1.4') },
      { fileName: 'huge.jpg', type: 'image/jpeg', bytes: patternBytes(PREVIEW_MAX_BYTES + 1) },
    ]));
    expect(created.status, created.text).toBe(201);
    const access = await share([{ streamId: 'health', level: 'read' }]);
    const page = await open(access.shareUrl);
    const imgs = [...page.text.matchAll(/<img src="([^"]+)" alt="([^"]+)"/g)].map((m) => [m[1].replace(/&amp;/g, '&'), m[2]]);
    expect(imgs.map(([, alt]) => alt)).toEqual(['scale photo.png']);
    const links = [...page.text.matchAll(/<a href="([^"]+)"[^>]*download="([^"]+)"/g)].map((m) => [m[1].replace(/&amp;/g, '&'), m[2]]);
    expect(links.map(([, name]) => name)).toEqual(['lab report.pdf', 'huge.jpg']);
    const [imgUrl] = imgs[0];
    expect(imgUrl).toMatch(new RegExp(`^/${username}/events/[a-z0-9]+/[a-z0-9]+/scale%20photo\\.png\\?readToken=${access.id}-`));
    const image = await download(imgUrl);
    expect(image.status).toBe(200);
    expect(new Uint8Array(await image.arrayBuffer())).toEqual(png);
    expect(await (await download(links[0][0])).text()).toBe('%PDF-1.4');
    expect(page.headers.get('content-security-policy')).toContain("img-src data: 'self'");
    expect((await call('DELETE', `/${username}/accesses/${access.id}`, { token })).status).toBe(200);
    expect((await download(imgUrl)).status).toBe(403);
    expect((await download(links[0][0])).status).toBe(403);
  });

  it('sends the strict headers on the page itself', async () => {
    const { share } = await sharedAccount();
    const res = await open((await share([{ streamId: 'health', level: 'read' }])).shareUrl);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('x-robots-tag')).toMatch(/noindex/);
    expect(res.headers.get('content-security-policy')).toMatch(/^default-src 'none'; style-src 'sha256-/);
  });

  it('dies on the next request after accesses.delete, and after expiry', async () => {
    const { username, token, share } = await sharedAccount();
    const access = await share([{ streamId: 'health', level: 'read' }]);
    expect((await open(access.shareUrl)).status).toBe(200);
    expect((await call('DELETE', `/${username}/accesses/${access.id}`, { token })).status).toBe(200);
    const gone = await open(access.shareUrl);
    expect(gone.status).toBe(404);
    expect(gone.text).toContain('Link not available');
    const expiring = await share([{ streamId: 'health', level: 'read' }], { expireAfter: 0 });
    expect((await open(expiring.shareUrl)).status).toBe(404);
  });

  it('never serves a stale KV entry: a deletion or a narrowing seen only by D1 applies at once', async () => {
    const { share } = await sharedAccount();
    const deleted = await share([{ streamId: 'health', level: 'read' }]);
    const narrowed = await share([{ streamId: 'health', level: 'read' }]);
    for (const a of [deleted, narrowed]) {
      expect((await open(a.shareUrl)).status).toBe(200);
      const key = shareCacheKey(await shareCodeHash(a.shareUrl.split('/s/')[1]));
      await vi.waitFor(async () => expect(await env.ACCESSES.get(key)).not.toBeNull()); // written after the response
    }
    // Changed behind the API's back: KV still holds the old rows.
    await updateAccessRow(deleted.id, { deleted: Date.now() / 1000 });
    await updateAccessRow(narrowed.id, {
      permissions: JSON.stringify([{ streamId: 'health', level: 'read', tags: ['doctor'] }]),
      modified: Date.now() / 1000,
    });
    expect((await open(deleted.shareUrl)).status).toBe(404);
    const res = await open(narrowed.shareUrl);
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/>72.4<\/data>/);
    expect(res.text).not.toMatch(/>74.5<\/data>/);
  });

  it('pages the events newest first, 20 per page, with links to its own pages only', async () => {
    const { username, token } = await newUser('sharepg');
    const now = Math.floor(Date.now() / 1000);
    await batch(username, token, [
      { method: 'streams.create', params: { id: 'count', name: 'Count' } },
      ...Array.from({ length: 25 }, (_, i) => ({ method: 'events.create', params: { streamIds: ['count'], type: 'count/generic', content: i, time: now - 1000 + i } })),
    ]);
    const { shareUrl } = (await call('POST', `/${username}/accesses`, { token, body: { name: 'counts', permissions: [{ streamId: 'count', level: 'read' }] } })).body.access;
    const first = await open(shareUrl);
    const values = (html: string) => [...html.matchAll(/<data class="value" value="(\d+)"/g)].map((m) => Number(m[1]));
    expect(values(first.text)).toEqual(Array.from({ length: 20 }, (_, i) => 24 - i));
    expect(first.text).toContain('href="?page=1"');
    const second = await open(shareUrl, '?page=1');
    expect(values(second.text)).toEqual([4, 3, 2, 1, 0]);
    expect(second.text).toContain('href="?page=0"');
    expect(second.text).not.toContain('href="?page=2"');
  });

  it('serves the same page for the classic {username}/?auth={token} opened by a browser', async () => {
    const { username, token, share } = await sharedAccount();
    const access = await share([{ streamId: 'health', level: 'read' }]);
    const res = await call('GET', `/${username}/?auth=${access.token}`, { headers: { Accept: 'text/html,application/xhtml+xml' } });
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/>72.4<\/data>/);
    expect(res.text).not.toContain('secret diary entry');
    // A personal token is not a share: no page.
    const personal = await call('GET', `/${username}/?auth=${token}`, { headers: { Accept: 'text/html' } });
    expect(personal.status).toBe(404);
  });
});
