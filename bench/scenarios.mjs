// The benchmark's scenarios: each one request shape, run under load against the seeded data.
// phase: 'base' (right after registration), 'small' (after the small seed), 'large' (after the large seed).

const q = (params) => new URLSearchParams(params).toString();

/**
 * Scenarios in run order. `ctx` = {user, shared, narrowed, small, large (counts of events seeded), attachment,
 * updateTargets (event ids)}. A scenario with `paths` sends its requests to them in turn.
 */
export function scenarios(ctx) {
  const u = `/${ctx.user.username}`;
  const personal = ctx.user.token;
  const createBody = { streamIds: ['r3-c1-g2'], type: 'mass/kg', content: 72.5, tags: ['t3'] };
  const query = q([
    ['streams', JSON.stringify({ any: ['r0', 'r1', 'r2'], not: ['r0-c0'] })],
    ['types[]', 'mass/kg'],
    ['types[]', 'note/txt'],
    ['tags[]', 't1'],
    ['tags[]', 't2'],
  ]);
  const now = Math.floor(Date.now() / 1000);
  const DAY = 86_400;
  const shapes = {
    root: q({ streams: JSON.stringify(['r0']), limit: 5 }),
    leaf: q({ streams: JSON.stringify(['r0-c0-g0']) }),
    window: q({ fromTime: now - 30 * DAY, toTime: now, limit: 1000 }),
    modified: q({ modifiedSince: now - 3600, includeDeletions: true }),
    rare: q([['types[]', 'temperature/c']]),
  };
  const batch10 = [
    ...Array.from({ length: 5 }, (_, i) => ({ method: 'events.get', params: { streams: [`r${i}`], limit: 5 } })),
    ...Array.from({ length: 5 }, (_, i) => ({ method: 'events.create', params: { streamIds: [`r${i}-c0-g0`], type: 'note/txt', content: `batch ${i}` } })),
  ];
  return [
    { id: 'floorA', title: 'floor A: GET /reg/service/info (no storage)', phase: 'base', method: 'GET', path: '/reg/service/info' },
    { id: 'floorB', title: 'floor B: GET /bench/d1 (one trivial D1 query)', phase: 'base', method: 'GET', path: '/bench/d1' },
    { id: 'accessInfo', title: 'getAccessInfo (token resolution only)', phase: 'base', method: 'GET', path: `${u}/access-info`, token: personal },
    { id: 'eventsGetSmall', title: `events.get latest 20 at ${ctx.small} events`, phase: 'small', method: 'GET', path: `${u}/events`, token: personal },
    { id: 'eventsGetLarge', title: `events.get latest 20 at ${ctx.large} events`, phase: 'large', method: 'GET', path: `${u}/events`, token: personal, rss: true },
    { id: 'eventsGetQuery', title: 'events.get {any,not} + types + tags', phase: 'large', method: 'GET', path: `${u}/events?${query}`, token: personal, rss: true },
    { id: 'eventsGetRoot', title: 'events.get one root (1/8 of the tree), limit 5', phase: 'large', method: 'GET', path: `${u}/events?${shapes.root}`, token: personal, rss: true },
    { id: 'eventsGetLeaf', title: 'events.get one leaf, latest 20', phase: 'large', method: 'GET', path: `${u}/events?${shapes.leaf}`, token: personal, rss: true },
    { id: 'eventsGetWindow', title: 'events.get 30-day window, limit 1000', phase: 'large', method: 'GET', path: `${u}/events?${shapes.window}`, token: personal, rss: true },
    { id: 'eventsGetRareType', title: 'events.get types of a rare type (0.5 %), latest 20', phase: 'large', method: 'GET', path: `${u}/events?${shapes.rare}`, token: personal, rss: true },
    { id: 'eventsGetModified', title: 'events.get modifiedSince + includeDeletions', phase: 'large', method: 'GET', path: `${u}/events?${shapes.modified}`, token: personal, rss: true },
    { id: 'eventsGetShared', title: 'events.get latest 20, shared token', phase: 'large', method: 'GET', path: `${u}/events`, token: ctx.shared, needs: 'shared token', rss: true },
    { id: 'eventsGetNarrowed', title: 'events.get latest 20, narrowed token', phase: 'large', method: 'GET', path: `${u}/events`, token: ctx.narrowed, needs: 'narrowed token', rss: true },
    { id: 'streamsGet', title: 'streams.get (200-stream tree)', phase: 'large', method: 'GET', path: `${u}/streams`, token: personal, rss: true },
    { id: 'eventsCreate', title: 'events.create', phase: 'large', method: 'POST', path: `${u}/events`, token: personal, body: createBody, rss: true },
    // Each request rewrites the next of the update targets (`paths`), with a change every event type accepts.
    { id: 'eventsUpdate', title: 'events.update', phase: 'large', method: 'PUT', path: ctx.updateTargets ? `${u}/events/${ctx.updateTargets[0]}` : null, paths: ctx.updateTargets?.map((id) => `${u}/events/${id}`), token: ctx.updateTargets ? personal : null, body: { description: 'updated by the bench' }, needs: 'events to update', rss: true },
    { id: 'batch10', title: 'callBatch of 10 (5 events.get + 5 events.create)', phase: 'large', method: 'POST', path: `${u}/`, token: personal, body: batch10, calls: 10, rss: true },
    // Floor B once more after the large scenarios: ratios use the mean of both measurements (bench/report.mjs).
    { id: 'floorBEnd', title: 'floor B again, after the large scenarios', phase: 'large', method: 'GET', path: '/bench/d1' },
    // Last: every upload adds an event (and 1 MB to R2), which the scenarios above must not see.
    { id: 'attachmentDownload', title: 'events.getAttachment, 1 MB file', phase: 'large', method: 'GET', path: ctx.attachment?.path, token: ctx.attachment ? personal : null, needs: 'uploaded attachment', rss: true },
    { id: 'attachmentUpload', title: 'events.create with a 1 MB file (multipart)', phase: 'large', method: 'POST', path: `${u}/events`, token: personal, raw: ctx.upload, rss: true },
  ];
}
