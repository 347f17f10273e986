import { describe, expect, it } from 'vitest';
import type { AccessRow, UserRow } from '../src/storage/schema';
import { SharePage } from '../src/web/share-page';
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
    const hrefs = html.match(/href="[^"]*"/g) ?? [];
    expect(hrefs.every((h) => h.startsWith('href="?auth='))).toBe(true);
  });
});
