import { env } from 'cloudflare:test';
import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeCachedAccess } from '../src/auth/access-cache';
import { accesses, eventStreams, events, followedSlices, streamDeletions, streams } from '../src/storage/schema';
import { batch, call, newUser, type Reply } from './helpers';
import { accessRow, accountDb, createAccess, deleteAccess, userRow } from './access-fixtures';

/**
 * BOLA matrix: every method × every kind of token that must not reach the victim's data.
 * Each cell checks the answer, and that no data the token may not see appears in it; afterwards the victim's
 * accesses, followed slices, streams and events must be exactly as before.
 */
type Attacker = 'other user personal' | 'shared without rights' | 'narrowed app' | 'expired' | 'deleted' | 'deleted, stale KV entry';
/** The tokens that still work: each call is judged by the op's own rule (default: 403 forbidden). */
type Limited = 'shared without rights' | 'narrowed app';
type Expect = 'invalid-token' | 'expired' | 'limited';

interface Op {
  method: string;
  verb: string;
  path: string;
  body?: unknown;
  /** The answer a working but limited token must get; absent: 403 `forbidden`. */
  limited?: (res: Reply, attacker: Limited, where: string) => void;
}

/**
 * The victim's data and who among the limited tokens may see it. `shared without rights` reads stream `b`;
 * `narrowed app` reads `a` (and `a1`) but only events tagged `work` within [1000, 2000].
 */
const DATA = {
  streamA: { id: 'a', name: 'alpha-secret-name', seenBy: ['narrowed app'] },
  streamA1: { id: 'a1', name: 'alpha-child-secret-name', seenBy: ['narrowed app'] },
  streamB: { id: 'b', name: 'bravo-secret-name', seenBy: ['shared without rights'] },
  work: { streamIds: ['a'], tags: ['work'], time: 1500, content: 'content-work-in-frame', seenBy: ['narrowed app'] },
  late: { streamIds: ['a1'], tags: ['work'], time: 5000, content: 'content-work-out-of-frame', seenBy: [] },
  home: { streamIds: ['a'], tags: ['home'], time: 1500, content: 'content-home-tag', seenBy: [] },
  bravo: { streamIds: ['b'], tags: [], time: 1500, content: 'content-bravo', seenBy: ['shared without rights'] },
  /** Deleted for good: its deletion record must stay invisible to both. */
  gone: { streamIds: ['a'], tags: ['home'], time: 1500, content: 'content-gone', seenBy: [] },
} as const satisfies Record<string, { readonly seenBy: readonly Limited[]; readonly [k: string]: unknown }>;
type EventKey = 'work' | 'late' | 'home' | 'bravo' | 'gone';
const EVENT_KEYS: EventKey[] = ['work', 'late', 'home', 'bravo', 'gone'];

const victim = {} as {
  username: string;
  token: string;
  target: { id: string; token: string };
  slice: { id: string; accessToken: string };
  tokens: Record<Attacker, string>;
  ids: Record<Attacker, string>;
  eventIds: Record<EventKey, string>;
  plantDeleted: () => Promise<void>;
};

const eventIdsSeenBy = (attacker: Limited) => EVENT_KEYS.filter((k) => (DATA[k].seenBy as readonly string[]).includes(attacker)).map((k) => victim.eventIds[k]);

/** What `attacker` must never get back: the victim's secrets, and the data its permissions do not reach. */
function hiddenFrom(attacker: Attacker): string[] {
  const hidden: string[] = [victim.token, victim.target.token, victim.slice.accessToken];
  for (const [key, item] of Object.entries(DATA)) {
    if ((item.seenBy as readonly string[]).includes(attacker)) continue;
    if ('name' in item) hidden.push(item.name);
    else hidden.push(item.content, victim.eventIds[key as EventKey]);
  }
  return hidden;
}

async function snapshot() {
  const user = await userRow(victim.username);
  const db = await accountDb(victim.username);
  const acc = await db.select().from(accesses).where(eq(accesses.userId, user.id));
  const fs = await db.select().from(followedSlices).where(eq(followedSlices.userId, user.id));
  const byId = <T extends { id: string }>(rows: T[]) => rows.sort((a, b) => a.id.localeCompare(b.id));
  const data = {
    streams: byId(await db.select().from(streams).where(eq(streams.userId, user.id))),
    streamDeletions: byId(await db.select().from(streamDeletions).where(eq(streamDeletions.userId, user.id))),
    events: byId(await db.select().from(events).where(eq(events.userId, user.id))),
    eventStreams: (await db.select().from(eventStreams).where(eq(eventStreams.userId, user.id))).map((r) => `${r.eventId}@${r.streamId}`).sort(),
  };
  // lastUsed / session slides are bookkeeping of the caller's own access, not data changes.
  return { accesses: byId(acc.map(({ lastUsed: _l, sessionExpires: _s, ...rest }) => rest)), fs, ...data, streamsVersion: user.streamsVersion };
}

beforeAll(async () => {
  const v = await newUser('bola');
  const { streamA, streamA1, streamB } = DATA;
  const planted = await batch(v.username, v.token, [
    ...[streamA, streamA1, streamB].map(({ id, name }) => ({ method: 'streams.create', params: { id, name, ...(id === 'a1' ? { parentId: 'a' } : {}) } })),
    ...EVENT_KEYS.map((k) => {
      const { streamIds, tags, time, content } = DATA[k];
      return { method: 'events.create', params: { streamIds, tags, time, content, type: 'note/txt' } };
    }),
  ]);
  if (planted.some((r) => r.error)) throw new Error(JSON.stringify(planted));
  const eventIds = Object.fromEntries(EVENT_KEYS.map((k, i) => [k, planted[3 + i].event.id])) as Record<EventKey, string>;
  await batch(v.username, v.token, [1, 2].map(() => ({ method: 'events.delete', params: { id: eventIds.gone } })));
  const mk = async (body: Record<string, unknown>) => {
    const res = await createAccess(v.username, v.token, body);
    if (res.status !== 201) throw new Error(res.text);
    return res.body.access as { id: string; token: string };
  };
  const target = await mk({ name: 'target', permissions: [{ streamId: 'a', level: 'manage' }] });
  const sharedNoRights = await mk({ name: 'no-rights', permissions: [{ streamId: 'b', level: 'read' }] });
  const narrowed = await mk({ name: 'narrowed', type: 'app', permissions: [{ streamId: 'a', level: 'read', tags: ['work'], fromTime: 1000, toTime: 2000 }] });
  const expired = await mk({ name: 'expired', type: 'app', expireAfter: 0, permissions: [{ streamId: 'a', level: 'manage' }] });
  const deleted = await mk({ name: 'deleted', type: 'app', permissions: [{ streamId: 'a', level: 'manage' }] });
  const deletedRow = await accessRow(deleted.id);
  const user = await userRow(v.username);
  await deleteAccess(v.username, v.token, deleted.id);
  const slice = (await call('POST', `/${v.username}/followed-slices`, { token: v.token, body: { name: 's', url: 'https://x.example/', accessToken: 'slice-secret-token' } })).body.followedSlice;
  const other = await newUser('bola');
  Object.assign(victim, {
    username: v.username,
    token: v.token,
    target,
    slice,
    tokens: {
      'other user personal': other.token,
      'shared without rights': sharedNoRights.token,
      'narrowed app': narrowed.token,
      expired: expired.token,
      deleted: deleted.token,
      'deleted, stale KV entry': deleted.token,
    },
    ids: { 'shared without rights': sharedNoRights.id, 'narrowed app': narrowed.id, expired: expired.id },
    eventIds,
    plantDeleted: () => writeCachedAccess(env, v.username, deleted.token, user, deletedRow),
  });
});

/** 200, and the listed events are exactly those `attacker` may see (deletion records too, when asked for). */
const seesOnlyItsEvents = (keys: (attacker: Limited) => string[]) => (res: Reply, attacker: Limited, where: string) => {
  expect(res.status, where).toBe(200);
  expect(res.body.events.map((e: { id: string }) => e.id).sort(), where).toEqual(keys(attacker).sort());
  if (res.body.eventDeletions) expect(res.body.eventDeletions, where).toEqual([]);
};
const allVisible = seesOnlyItsEvents(eventIdsSeenBy);
const nothing = seesOnlyItsEvents(() => []);

const flatIds = (forest: { id: string; children?: unknown[] }[]): string[] =>
  forest.flatMap((s) => [s.id, ...flatIds((s.children ?? []) as { id: string }[])]);
const seesStreams = (expected: Record<Limited, string[]>) => (res: Reply, attacker: Limited, where: string) => {
  expect(res.status, where).toBe(200);
  expect(flatIds(res.body.streams).sort(), where).toEqual(expected[attacker]);
};
/** `narrowed app` may read stream `a`; `shared without rights` may not name it (403). */
const onlyNarrowed = (check: (res: Reply, attacker: Limited, where: string) => void) => (res: Reply, attacker: Limited, where: string) => {
  if (attacker === 'narrowed app') return check(res, attacker, where);
  expectForbidden(res, where);
};

function expectForbidden(res: Reply, where: string) {
  expect(res.status, where).toBe(403);
  expect(res.body.error.id, where).toBe('forbidden');
}

const accessOps = (): Op[] => [
  {
    method: 'getAccessInfo',
    verb: 'GET',
    path: 'access-info',
    limited: (res, attacker, where) => {
      expect(res.status, where).toBe(200);
      expect(res.body.id, where).toBe(victim.ids[attacker]);
    },
  },
  {
    method: 'accesses.get',
    verb: 'GET',
    path: 'accesses?includeDeletions=true&includeExpired=true',
    // An app lists the accesses it created: none.
    limited: onlyNarrowed((res, _a, where) => {
      expect(res.status, where).toBe(200);
      expect(res.body.accesses, where).toEqual([]);
      expect(res.body.accessDeletions, where).toEqual([]);
    }),
  },
  { method: 'accesses.create', verb: 'POST', path: 'accesses', body: { name: 'evil', permissions: [{ streamId: 'a', level: 'manage' }] } },
  { method: 'accesses.create (narrower)', verb: 'POST', path: 'accesses', body: { name: 'evil2', type: 'app', permissions: [{ streamId: 'a1', level: 'read', tags: ['work'], fromTime: 1, toTime: 2 }] } },
  { method: 'accesses.update', verb: 'PUT', path: `accesses/${victim.target.id}`, body: { permissions: [{ streamId: '*', level: 'manage' }] } },
  { method: 'accesses.delete', verb: 'DELETE', path: `accesses/${victim.target.id}` },
  { method: 'followedSlices.get', verb: 'GET', path: 'followed-slices' },
  { method: 'followedSlices.create', verb: 'POST', path: 'followed-slices', body: { name: 'evil', url: 'https://evil/', accessToken: 'x' } },
  { method: 'followedSlices.update', verb: 'PUT', path: `followed-slices/${victim.slice.id}`, body: { name: 'pwned' } },
  { method: 'followedSlices.delete', verb: 'DELETE', path: `followed-slices/${victim.slice.id}` },
  {
    method: 'callBatch',
    verb: 'POST',
    path: '',
    body: [
      { method: 'accesses.get', params: { includeDeletions: true } },
      { method: 'accesses.update', params: { id: victim.target.id, update: { name: 'pwned' } } },
      { method: 'accesses.delete', params: { id: victim.target.id } },
      { method: 'followedSlices.get', params: {} },
      { method: 'followedSlices.delete', params: { id: victim.slice.id } },
    ],
    limited: (res, attacker, where) => {
      expect(res.status, where).toBe(200);
      const [get, ...writes] = res.body.results;
      if (attacker === 'narrowed app') expect(get.accesses, where).toEqual([]); // it created none
      else expect(get.error.id, where).toBe('forbidden');
      for (const r of writes) expect(r.error?.id, where).toBe('forbidden');
    },
  },
];

const dataOps = (): Op[] => {
  const { home, work, late } = victim.eventIds;
  const everything = 'fromTime=0&toTime=1e10&state=all&includeDeletions=true&modifiedSince=0';
  const newEvent = { streamIds: ['a'], type: 'note/txt', content: 'evil', tags: ['work'], time: 1500 };
  return [
    { method: 'streams.get', verb: 'GET', path: 'streams?state=all', limited: seesStreams({ 'shared without rights': ['b'], 'narrowed app': ['a', 'a1'] }) },
    { method: 'streams.get (parentId)', verb: 'GET', path: 'streams?parentId=a', limited: onlyNarrowed(seesStreams({ 'shared without rights': [], 'narrowed app': ['a1'] })) },
    { method: 'streams.create (root)', verb: 'POST', path: 'streams', body: { id: 'evil', name: 'evil' } },
    { method: 'streams.create (child)', verb: 'POST', path: 'streams', body: { id: 'evil-child', name: 'evil', parentId: 'a' } },
    { method: 'streams.update (rename)', verb: 'PUT', path: 'streams/a', body: { name: 'pwned' } },
    { method: 'streams.update (move)', verb: 'PUT', path: 'streams/a1', body: { parentId: 'b' } },
    { method: 'streams.update (trash)', verb: 'PUT', path: 'streams/a', body: { trashed: true } },
    { method: 'streams.delete', verb: 'DELETE', path: 'streams/a' },
    { method: 'events.get (all)', verb: 'GET', path: `events?${everything}`, limited: allVisible },
    { method: 'events.get (streams=a)', verb: 'GET', path: `events?streams[]=a&${everything}`, limited: onlyNarrowed(allVisible) },
    { method: 'events.get (streams=a1)', verb: 'GET', path: `events?streams[]=a1&${everything}`, limited: onlyNarrowed(nothing) },
    { method: 'events.get (tags=home)', verb: 'GET', path: `events?tags[]=home&${everything}`, limited: nothing },
    { method: 'events.getOne (hidden by tag)', verb: 'GET', path: `events/${home}` },
    { method: 'events.getOne (hidden by time)', verb: 'GET', path: `events/${late}` },
    { method: 'events.create', verb: 'POST', path: 'events', body: newEvent },
    { method: 'events.update (hidden)', verb: 'PUT', path: `events/${home}`, body: { content: 'pwned', tags: ['work'] } },
    { method: 'events.update (readable)', verb: 'PUT', path: `events/${work}`, body: { content: 'pwned' } },
    { method: 'events.delete (hidden)', verb: 'DELETE', path: `events/${home}` },
    { method: 'events.delete (readable)', verb: 'DELETE', path: `events/${work}` },
    {
      method: 'callBatch (streams, events)',
      verb: 'POST',
      path: '',
      body: [
        { method: 'events.get', params: { streams: ['a'], fromTime: 0, toTime: 1e10, includeDeletions: true } },
        { method: 'events.getOne', params: { id: home } },
        { method: 'events.create', params: newEvent },
        { method: 'events.update', params: { id: work, update: { content: 'pwned' } } },
        { method: 'events.delete', params: { id: home } },
        { method: 'streams.update', params: { id: 'a', update: { name: 'pwned' } } },
        { method: 'streams.delete', params: { id: 'a' } },
      ],
      limited: (res, attacker, where) => {
        expect(res.status, where).toBe(200);
        const [get, ...writes] = res.body.results;
        if (attacker === 'narrowed app') allVisible({ status: 200, body: get } as Reply, attacker, where);
        else expect(get.error?.id, where).toBe('forbidden');
        for (const r of writes) expect(r.error?.id, where).toBe('forbidden');
      },
    },
  ];
};

const EXPECT: Record<Attacker, Expect> = {
  'other user personal': 'invalid-token',
  'shared without rights': 'limited',
  'narrowed app': 'limited',
  expired: 'expired',
  deleted: 'invalid-token',
  'deleted, stale KV entry': 'invalid-token',
};

/** Runs every op as `attacker`, judging each answer, then checks that the victim's data did not move. */
async function runMatrix(attacker: Attacker, ops: Op[]) {
  const before = await snapshot();
  const hidden = hiddenFrom(attacker);
  for (const op of ops) {
    if (attacker === 'deleted, stale KV entry') await victim.plantDeleted();
    const res = await call(op.verb, `/${victim.username}/${op.path}`, { token: victim.tokens[attacker], body: op.body });
    const where = `${attacker} × ${op.method}: ${res.text.slice(0, 300)}`;
    // Nothing hidden from this token appears in an answer (an id the caller sent itself may be echoed back).
    const sent = `${op.path} ${JSON.stringify(op.body ?? null)}`;
    for (const secret of hidden) if (!sent.includes(secret)) expect(res.text, where).not.toContain(secret);
    const mode = EXPECT[attacker];
    if (mode === 'invalid-token') {
      expect(res.status, where).toBe(403);
      expect(res.body.error.id, where).toBe('invalid-access-token');
    } else if (mode === 'expired') {
      expect(res.status, where).toBe(403);
      expect(res.body.error, where).toMatchObject({ id: 'forbidden', message: 'Access has expired.' });
      expect(res.headers.get('Pryv-Access-Id'), where).toBe(victim.ids.expired);
    } else if (op.limited) {
      op.limited(res, attacker as Limited, where);
    } else {
      expectForbidden(res, where);
    }
  }
  expect(await snapshot()).toEqual(before);
}

describe('BOLA matrix', () => {
  for (const attacker of Object.keys(EXPECT) as Attacker[]) {
    it(`${attacker}: accesses.*, followedSlices.*, getAccessInfo, callBatch never read or change the victim's data`, () => runMatrix(attacker, accessOps()));
    it(`${attacker}: streams.* and events.* never read or change data outside its permissions`, () => runMatrix(attacker, dataOps()));
  }

  it('control: the same calls with the victim\'s personal token succeed (the matrix is not vacuous)', async () => {
    const ok = await call('GET', `/${victim.username}/accesses`, { token: victim.token });
    expect(ok.body.accesses.map((a: any) => a.id)).toContain(victim.target.id);
    const slices = await call('GET', `/${victim.username}/followed-slices`, { token: victim.token });
    expect(slices.body.followedSlices[0].accessToken).toBe(victim.slice.accessToken);
    const all = await call('GET', `/${victim.username}/events?fromTime=0&toTime=1e10&includeDeletions=true&modifiedSince=0`, { token: victim.token });
    expect(all.body.events.map((e: { id: string }) => e.id).sort()).toEqual(['work', 'late', 'home', 'bravo'].map((k) => victim.eventIds[k as EventKey]).sort());
    expect(all.body.eventDeletions.map((d: { id: string }) => d.id)).toEqual([victim.eventIds.gone]);
    const forest = await call('GET', `/${victim.username}/streams`, { token: victim.token });
    expect(flatIds(forest.body.streams).sort()).toEqual(['a', 'a1', 'b']);
  });
});
