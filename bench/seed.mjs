// Seeds the benchmark's data through the public API only: registration, then batch calls.
import { randomBytes } from 'node:crypto';
import { batchCalls, inlineErrors, multipartUpload, request } from './client.mjs';
import { seededRandom as rng } from '../scripts/seeded-random.mjs';

const ROOTS = 8;
const CHILDREN = 4;
const GRANDCHILDREN = 5;
export const TAGS = Array.from({ length: 10 }, (_, i) => `t${i}`);
const DAY = 86_400;


/** The 200-stream tree: 8 roots × 4 children × 5 grandchildren (8 + 32 + 160), ids r0, r0-c1, r0-c1-g2. */
export function streamTree() {
  const streams = [];
  for (let r = 0; r < ROOTS; r++) {
    const root = `r${r}`;
    streams.push({ id: root, name: `Root ${r}`, parentId: null });
    for (let c = 0; c < CHILDREN; c++) {
      const child = `${root}-c${c}`;
      streams.push({ id: child, name: `Child ${c}`, parentId: root });
      for (let g = 0; g < GRANDCHILDREN; g++) streams.push({ id: `${child}-g${g}`, name: `Leaf ${g}`, parentId: child });
    }
  }
  return streams;
}

const leaves = () => streamTree().filter((s) => s.id.includes('-g'));

/** One events.create params object: one or two leaf streams, 0–3 tags, one of six types (one rare), some durations. */
function eventParams(random, leafIds, now) {
  const pick = (list) => list[Math.floor(random() * list.length)];
  const streamIds = [pick(leafIds)];
  if (random() < 0.1) {
    const other = pick(leafIds);
    if (other !== streamIds[0]) streamIds.push(other);
  }
  const tags = [...new Set(Array.from({ length: Math.floor(random() * 4) }, () => pick(TAGS)))];
  // Spread over the past year, ending an hour ago, so "latest 20" reads the newest seeded events.
  const time = Math.round(now - 3600 - random() * 365 * DAY);
  const kind = random();
  if (kind < 0.35) return { streamIds, type: 'mass/kg', time, tags, content: Math.round((50 + random() * 50) * 10) / 10 };
  if (kind < 0.6) return { streamIds, type: 'note/txt', time, tags, content: `Note ${Math.floor(random() * 1e6)}` };
  if (kind < 0.8) return { streamIds, type: 'activity/plain', time, tags, duration: Math.round(60 + random() * 7200), content: null };
  if (kind < 0.92) return { streamIds, type: 'count/steps', time, tags, duration: 3600, content: Math.floor(random() * 5000) };
  if (kind < 0.995) return { streamIds, type: 'mood/rating', time, tags, content: Math.round(random() * 100) / 100 };
  // A rare type (0.5 %): the `types` shape whose matches are far apart in time.
  return { streamIds, type: 'temperature/c', time, tags, content: Math.round(random() * 400) / 10 };
}

/** Registers the bench user; returns {username, token}. */
export async function registerUser(base) {
  const username = `bench-${randomBytes(4).toString('hex')}`;
  const res = await request(base, 'POST', '/reg/users', {
    body: { appId: 'pryv-edge-bench', username, password: randomBytes(12).toString('hex'), email: `${username}@bench.invalid` },
  });
  if (res.status !== 201) throw new Error(`registration failed: HTTP ${res.status} ${res.text.slice(0, 300)}`);
  return { username, token: new URL(res.body.apiEndpoint).username };
}

/** Creates the stream tree (one batch). Returns whether streams.create is available. */
export async function seedStreams(base, user) {
  const { results } = await batchCalls(base, user.username, user.token, streamTree().map((s) => ({ method: 'streams.create', params: s })), { label: 'streams' });
  return checkSeed('streams.create', results);
}

/** Grows the event count from `from` to `to` with events.create batch calls. */
export async function seedEvents(base, user, from, to, concurrency) {
  if (to <= from) return { available: true, created: 0, seconds: 0 };
  const random = rng(from + 1);
  const leafIds = leaves().map((s) => s.id);
  const now = Math.floor(Date.now() / 1000);
  const calls = Array.from({ length: to - from }, () => ({ method: 'events.create', params: eventParams(random, leafIds, now) }));
  const { results, seconds, d1PerBatch } = await batchCalls(base, user.username, user.token, calls, { concurrency, label: `events ${from}→${to}` });
  const created = results.filter((r) => r && !r.error).length;
  return {
    ...checkSeed('events.create', results),
    created,
    seconds,
    rate: seconds > 0 ? created / seconds : null,
    // D1 round trips of a batch of 1,000 events.create (the largest seen), when bench mode reported them.
    d1PerThousand: d1PerBatch.length > 0 ? Math.max(...d1PerBatch) : null,
  };
}

/**
 * Two shared accesses on part of the tree: a plain one (read on r0 and r1), and one narrowed by tag and time
 * (§7.6) on r2. Each is null when the server cannot create it (method or narrowing not available).
 */
export async function seedAccesses(base, user) {
  const now = Math.floor(Date.now() / 1000);
  const { results } = await batchCalls(base, user.username, user.token, [
    { method: 'accesses.create', params: { name: 'bench shared', type: 'shared', permissions: [{ streamId: 'r0', level: 'read' }, { streamId: 'r1', level: 'read' }] } },
    { method: 'accesses.create', params: { name: 'bench narrowed', type: 'shared', permissions: [{ streamId: 'r2', level: 'read', tags: ['t1', 't2'], fromTime: now - 180 * DAY }] } },
  ], { label: 'accesses' });
  const token = (r) => (r && !r.error && r.access?.token) || null;
  for (const r of results) if (r?.error && !['unavailable-method', 'invalid-method'].includes(r.error.id)) console.error(`  accesses.create: ${r.error.id}: ${r.error.message}`);
  return { shared: token(results[0]), narrowed: token(results[1]) };
}

function checkSeed(method, results) {
  const errors = inlineErrors(results);
  if (errors.allUnavailable) {
    console.error(`  ${method}: not available in this build (${errors.sample.id}); dependent scenarios report n/a`);
    return { available: false };
  }
  if (errors.count > 0) console.error(`  ${method}: ${errors.count} inline errors, first: ${errors.sample.id}: ${errors.sample.message}`);
  return { available: true, errors: errors.count };
}

/** The upload scenario's request (1 MB file on an event in a leaf stream) and the download scenario's file. */
export const ATTACHMENT_BYTES = 1024 * 1024;

export async function seedAttachment(base, user) {
  const upload = multipartUpload({ streamIds: ['r7-c3-g4'], type: 'file/attached' }, ATTACHMENT_BYTES);
  const res = await request(base, 'POST', `/${user.username}/events`, { token: user.token, raw: upload });
  if (res.status !== 201) {
    console.error(`  attachment upload: HTTP ${res.status} ${res.text.slice(0, 200)}; attachment scenarios report n/a`);
    return { upload, attachment: null };
  }
  const e = res.body.event;
  return { upload, attachment: { path: `/${user.username}/events/${e.id}/${e.attachments[0].id}` } };
}

/** Events the update scenario rewrites in turn: spread over the seeded history, away from the newest ones. */
export const UPDATE_TARGETS = 100;

/**
 * Ids of existing events for `events.update`, or null when the server cannot list them. Ten connections each
 * update another event most of the time, as real clients do, instead of all racing on one row.
 */
export async function seedUpdateTargets(base, user) {
  const res = await request(base, 'GET', `/${user.username}/events?limit=${UPDATE_TARGETS}&skip=${UPDATE_TARGETS}`, { token: user.token });
  const ids = res.status === 200 ? (res.body.events ?? []).map((e) => e.id) : [];
  return ids.length > 0 ? { updateTargets: ids } : { updateTargets: null };
}
