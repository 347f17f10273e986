/**
 * The read-only page of a shared access, rendered on the server with Hono JSX (no client script). Hono JSX
 * escapes every text and attribute value, so user data (names, contents, tags) always renders as text.
 */
import type { Child } from 'hono/jsx';
import { formatBytes, formatNumber, formatTime, isoTime } from './format';
import { SHARE_CSS } from './share-style';
import type { AttachmentItem, EventItem, ShareView, StreamNode } from './share-view';
import { SvgChart, type ChartPoint } from './svg-chart';
import { typeLabel } from './type-labels';

function Layout(props: { title: string; children: Child }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex, nofollow" />
        <meta name="referrer" content="no-referrer" />
        {/* No favicon request: the browser would otherwise ask the API for /favicon.ico. */}
        <link rel="icon" href="data:," />
        <title>{props.title}</title>
        <style dangerouslySetInnerHTML={{ __html: SHARE_CSS }} />
      </head>
      <body>{props.children}</body>
    </html>
  );
}

function StreamTree(props: { nodes: StreamNode[]; root?: boolean }) {
  return (
    <ul class={props.root ? 'tree' : undefined}>
      {props.nodes.map((s) => (
        <li>
          {s.name}
          {s.children?.length ? <StreamTree nodes={s.children} /> : null}
        </li>
      ))}
    </ul>
  );
}

function isPosition(content: unknown): content is { latitude: number; longitude: number } {
  const c = content as { latitude?: unknown; longitude?: unknown } | null;
  return typeof c === 'object' && c !== null && typeof c.latitude === 'number' && typeof c.longitude === 'number';
}

function osmUrl(lat: number, lon: number): string {
  return `https://www.openstreetmap.org/?mlat=${lat}&mlon=${lon}#map=15/${lat}/${lon}`;
}

/** Content rendered by type: text for notes, value + unit for numbers, a map link for positions. */
function Content(props: { event: EventItem }) {
  const { type, content } = props.event;
  if (typeof content === 'number') {
    const symbol = typeLabel(type).symbol;
    return (
      <p class="content">
        <data class="value" value={String(content)}>
          {formatNumber(content)}
        </data>
        {symbol ? <span class="unit">{symbol}</span> : null}
      </p>
    );
  }
  if (typeof content === 'string') return <p class={`content${type.startsWith('note/') ? ' note' : ''}`}>{content}</p>;
  if (type.startsWith('position/') && isPosition(content)) {
    return (
      <p class="content">
        <a href={osmUrl(content.latitude, content.longitude)} rel="noopener noreferrer nofollow">
          {`${formatNumber(content.latitude)}, ${formatNumber(content.longitude)}`} (map)
        </a>
      </p>
    );
  }
  if (typeof content === 'boolean') return <p class="content">{content ? 'Yes' : 'No'}</p>;
  if (content === null || content === undefined) return null;
  const json = JSON.stringify(content, null, 2);
  return (
    <pre>
      <code>{json.length > 4000 ? `${json.slice(0, 4000)}…` : json}</code>
    </pre>
  );
}

/** Image types every browser shows in an `<img>` and that cannot run script (SVG is left out). */
const PREVIEW_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/avif']);
/** Larger images are linked, not loaded with the page. */
export const PREVIEW_MAX_BYTES = 5 * 1000 * 1000;

const isPreviewable = (a: AttachmentItem) => PREVIEW_TYPES.has(a.type.split(';')[0].trim().toLowerCase()) && a.size <= PREVIEW_MAX_BYTES;

/** Images inline, other files as download links; every URL carries the read token of the page's access. */
function Files(props: { files: AttachmentItem[]; fileUrl: (file: AttachmentItem) => string }) {
  return (
    <ul class="files" aria-label="Attached files">
      {props.files.map((a) => (
        <li>
          {isPreviewable(a) ? (
            <figure>
              <img src={props.fileUrl(a)} alt={a.fileName} loading="lazy" />
              <figcaption>
                <a href={props.fileUrl(a)} rel="noopener noreferrer nofollow">
                  {a.fileName}
                </a>{' '}
                ({formatBytes(a.size)})
              </figcaption>
            </figure>
          ) : (
            <>
              <a href={props.fileUrl(a)} rel="noopener noreferrer nofollow" download={a.fileName}>
                {a.fileName}
              </a>{' '}
              <span class="size">({formatBytes(a.size)})</span>
            </>
          )}
        </li>
      ))}
    </ul>
  );
}

function EventEntry(props: { event: EventItem; streamNames: Map<string, string>; fileUrl: (event: EventItem, file: AttachmentItem) => string }) {
  const e = props.event;
  const label = typeLabel(e.type);
  const names = e.streamIds.map((id) => props.streamNames.get(id)).filter((n): n is string => n !== undefined);
  return (
    <li>
      <article aria-label={`${label.name ?? e.type}, ${formatTime(e.time)}`}>
        <div class="when">
          <time datetime={isoTime(e.time)}>{formatTime(e.time)}</time>
          <span class="type" title={label.name}>
            {e.type}
          </span>
          {names.length ? <span class="streams">in {names.join(', ')}</span> : null}
        </div>
        <Content event={e} />
        {e.description ? <p>{e.description}</p> : null}
        {e.attachments?.length ? <Files files={e.attachments} fileUrl={(a) => props.fileUrl(e, a)} /> : null}
        {e.tags?.length ? (
          <ul class="tags" aria-label="Tags">
            {e.tags.map((t) => (
              <li>{t}</li>
            ))}
          </ul>
        ) : null}
      </article>
    </li>
  );
}

function flatten(nodes: StreamNode[], out = new Map<string, string>()): Map<string, string> {
  for (const n of nodes) {
    out.set(n.id, n.name);
    if (n.children) flatten(n.children, out);
  }
  return out;
}

/** The numeric series of the page, one per type. */
function numericSeries(events: EventItem[]): [string, ChartPoint[]][] {
  const series = new Map<string, ChartPoint[]>();
  for (const e of events) {
    if (typeof e.content !== 'number' || !Number.isFinite(e.content)) continue;
    let points = series.get(e.type);
    if (!points) series.set(e.type, (points = []));
    points.push({ time: e.time, value: e.content });
  }
  return [...series];
}

export interface PageLinks {
  /** href of page `n` of this same share (relative: its own path and credentials). */
  page: (n: number) => string;
}

/** The download URL of a file, under the account's root, authorized by the page access's read token (§5.5). */
function fileUrl(username: string, e: EventItem, a: AttachmentItem): string {
  const path = [username, 'events', e.id, a.id, a.fileName].map(encodeURIComponent).join('/');
  return `/${path}?readToken=${encodeURIComponent(a.readToken)}`;
}

export function SharePage(props: { view: ShareView; links: PageLinks }) {
  const { view, links } = props;
  const { access, user } = view;
  const streamNames = flatten(view.streams);
  const series = numericSeries(view.events);
  return (
    <Layout title={`${access.name} — shared by ${user.username}`}>
      <header class="page">
        <div class="wrap">
          <p class="eyebrow">Shared data · read only</p>
          <h1>{access.name}</h1>
          <dl class="facts">
            <dt>Shared by</dt>
            <dd>{user.username}</dd>
            <dt>Expires</dt>
            <dd>{access.expires !== null ? <time datetime={isoTime(access.expires)}>{formatTime(access.expires)}</time> : 'Never'}</dd>
          </dl>
        </div>
      </header>
      <main class="wrap">
        <section aria-labelledby="streams-h">
          <h2 id="streams-h">Shared streams</h2>
          {view.streams.length ? <StreamTree nodes={view.streams} root /> : <p class="empty">No streams.</p>}
        </section>
        {series.length ? (
          <section aria-labelledby="charts-h">
            <h2 id="charts-h">Charts</h2>
            {series.map(([type, points], i) => {
              const label = typeLabel(type);
              const title = label.name ? `${label.className ? `${label.className}, ` : ''}${label.name.toLowerCase()}${label.symbol ? ` (${label.symbol})` : ''}` : type;
              return <SvgChart id={`chart-${i}`} title={title} unit={label.symbol} points={points} />;
            })}
          </section>
        ) : null}
        <section aria-labelledby="events-h">
          <h2 id="events-h">{view.page === 0 ? 'Latest events' : `Events, page ${view.page + 1}`}</h2>
          {view.events.length ? (
            <ol class="events">
              {view.events.map((e) => (
                <EventEntry event={e} streamNames={streamNames} fileUrl={(ev, a) => fileUrl(user.username, ev, a)} />
              ))}
            </ol>
          ) : (
            <p class="empty">No events.</p>
          )}
          {view.page > 0 || view.hasMore ? (
            <nav class="pages" aria-label="Pages">
              {view.page > 0 ? <a href={links.page(view.page - 1)} rel="prev">← Newer</a> : <span />}
              {view.hasMore ? <a href={links.page(view.page + 1)} rel="next">Older →</a> : null}
            </nav>
          ) : null}
        </section>
      </main>
      <footer>Times are in UTC. This page is a read-only view of data shared with you.</footer>
    </Layout>
  );
}

function MessagePage(props: { title: string; text: string }) {
  return (
    <Layout title={props.title}>
      <main class="wrap">
        <section>
          <h1>{props.title}</h1>
          <p>{props.text}</p>
        </section>
      </main>
    </Layout>
  );
}

/** One page for every failure (unknown, revoked, expired): it must not tell them apart. */
export const NotAvailablePage = () => (
  <MessagePage title="Link not available" text="This link does not lead to any shared data. Ask the person who sent it for a new one." />
);

export const ErrorPage = () => <MessagePage title="Temporarily unavailable" text="The page could not be shown. Please try again later." />;
