/**
 * The events.get SQL builder (spec §6). ONE statement per page: every filter, the streams query and the
 * access's visibility (§7.4) are WHERE clauses, so paging happens after them (a page never has holes). Large
 * sets (stream expansions, types, tags, grants) travel as one JSON array parameter each (`json_each(?)`), which
 * keeps statements far below D1's 100-bound-parameter limit. Rows come in (time, id) order from the partial
 * index `events_time (user_id, time, id, …) WHERE deleted IS NULL`, so the latest N cost the same whatever the
 * account's size; the index also holds every column the filters read, so a walk reads a row only when it matches
 * (decision 035). See docs/decisions/007-events-storage-and-query.md.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Db } from './db';
import type { EventDbRow } from './events';
import { DELETION_RETENTION_SECONDS } from './retention';

/** A readable grant as SQL sees it: the streams it governs and its narrowing (`t` tags, `f`/`u` time frame). */
export interface GrantSet {
  s: string[];
  t?: string[];
  f?: number;
  u?: number;
}

/** What events.get filters on to apply an access's read rule (§7.4), as planned by src/auth/event-visibility.ts. */
export interface VisibilityPlan {
  /** Streams whose events are hidden (effective `none` or `create-only`). */
  hidden: string[];
  /** An event is visible through a grant when one of its streams is in `s` and the narrowing admits it. */
  grants: GrantSet[];
}

/** One streams query after expansion (§6.2): stream id sets, ready for SQL. */
export interface CompiledStreamQuery {
  any: string[];
  all: string[][];
  not: string[];
}

export interface EventsFilter {
  userId: string;
  now: number;
  from?: number;
  to?: number;
  /** `null`: no stream condition (the query covers every stream). An empty list matches nothing. */
  streams: CompiledStreamQuery[] | null;
  /**
   * Union of the `any` sets when it is a small part of the tree: lets SQLite start from `event_streams`. One
   * stream: the page is read off its links in (time, event) order (decision 036).
   */
  linkedTo?: string[];
  types?: { exact: string[]; classes: string[] };
  tags?: string[];
  running: boolean;
  state: 'default' | 'trashed' | 'all';
  modifiedSince?: number;
  visibility: VisibilityPlan | null;
  ascending: boolean;
  /**
   * The index that starts the search when not `events_time` (or the links): `type`, `events_type` for one exact
   * type; `modified`, `events_modified` for a `modifiedSince` that matches few events (decision 029). SQLite has
   * no per-value statistics, so the caller decides from measured counts and the SQL holds it to that choice.
   */
  index?: 'type' | 'modified';
}

const json = (values: unknown) => JSON.stringify(values);

/** The event's span end (§6.1): a running event extends to now. */
const spanEnd = (now: number) => sql`COALESCE(e.end_time, max(e.time, ${now}))`;

/** Some stream of the event is in `set` (an SQL list expression). */
const streamIn = (set: SQL) => sql`EXISTS (SELECT 1 FROM json_each(e.stream_ids) j WHERE j.value IN (${set}))`;
const jsonList = (values: string[]) => sql`SELECT value FROM json_each(${json(values)})`;

function streamQuerySql(q: CompiledStreamQuery): SQL {
  const parts = [streamIn(jsonList(q.any))];
  for (const all of q.all) parts.push(streamIn(jsonList(all)));
  if (q.not.length > 0) parts.push(sql`NOT ${streamIn(jsonList(q.not))}`);
  return sql.join(parts, sql` AND `);
}

/** The OR of the queries; many queries go as one JSON parameter so the statement's parameter count stays fixed. */
function streamsSql(queries: CompiledStreamQuery[]): SQL {
  if (queries.length === 0) return sql`0`;
  if (queries.length <= 4) return sql`(${sql.join(queries.map(streamQuerySql), sql` OR `)})`;
  return sql`EXISTS (SELECT 1 FROM json_each(${json(queries)}) q WHERE
    ${streamIn(sql`SELECT value FROM json_each(q.value, '$.any')`)}
    AND NOT EXISTS (SELECT 1 FROM json_each(q.value, '$.all') b
      WHERE NOT ${streamIn(sql`SELECT value FROM json_each(b.value)`)})
    AND NOT ${streamIn(sql`SELECT value FROM json_each(q.value, '$.not')`)})`;
}

/**
 * Up to this many grants are written as one uncorrelated clause each (4 parameters at most per grant), whose
 * lists SQLite reads once per statement; more go as one JSON parameter, re-read per candidate row.
 */
const INLINE_GRANTS = 8;

/** One readable grant: a stream of the event among its streams, and its narrowing (§7.6). */
function grantSql(g: GrantSet, now: number): SQL {
  const parts = [streamIn(jsonList(g.s))];
  if (g.t !== undefined) parts.push(sql`EXISTS (SELECT 1 FROM json_each(e.tags) et WHERE et.value IN (${jsonList(g.t)}))`);
  if (g.f !== undefined) parts.push(sql`${spanEnd(now)} >= ${g.f}`);
  if (g.u !== undefined) parts.push(sql`e.time <= ${g.u}`);
  return sql`(${sql.join(parts, sql` AND `)})`;
}

/** §7.4 in SQL: (a) no hiding stream, (b) a readable grant that admits the event (narrowing, §7.6). */
export function visibilitySql(plan: VisibilityPlan, now: number): SQL {
  const parts: SQL[] = [];
  if (plan.hidden.length > 0) parts.push(sql`NOT ${streamIn(jsonList(plan.hidden))}`);
  if (plan.grants.length === 0) return sql`0`;
  if (plan.grants.length <= INLINE_GRANTS) {
    parts.push(sql`(${sql.join(plan.grants.map((g) => grantSql(g, now)), sql` OR `)})`);
    return sql.join(parts, sql` AND `);
  }
  parts.push(sql`EXISTS (SELECT 1 FROM json_each(${json(plan.grants)}) g WHERE
    ${streamIn(sql`SELECT value FROM json_each(g.value, '$.s')`)}
    AND (json_extract(g.value, '$.t') IS NULL OR EXISTS (SELECT 1 FROM json_each(e.tags) et
      WHERE et.value IN (SELECT value FROM json_each(g.value, '$.t'))))
    AND (json_extract(g.value, '$.f') IS NULL OR ${spanEnd(now)} >= json_extract(g.value, '$.f'))
    AND (json_extract(g.value, '$.u') IS NULL OR e.time <= json_extract(g.value, '$.u')))`);
  return sql.join(parts, sql` AND `);
}

/** The one stream whose links, joined to their events, give the page in order (decision 036); else null. */
function linksInOrder(f: EventsFilter): string | null {
  return f.linkedTo?.length === 1 && f.index === undefined ? f.linkedTo[0] : null;
}

function whereSql(f: EventsFilter): SQL {
  const parts: SQL[] = [sql`e.user_id = ${f.userId}`, sql`e.deleted IS NULL`];
  const stream = linksInOrder(f);
  // The join names the stream's links; each links one event once, so no event comes twice.
  if (stream !== null) parts.unshift(sql`es.user_id = ${f.userId}`, sql`es.stream_id = ${stream}`);
  if (f.to !== undefined) parts.push(sql`e.time <= ${f.to}`);
  if (f.from !== undefined) parts.push(sql`${spanEnd(f.now)} >= ${f.from}`);
  if (f.state === 'default') parts.push(sql`e.trashed = 0`);
  else if (f.state === 'trashed') parts.push(sql`e.trashed = 1`);
  if (f.streams !== null) parts.push(streamsSql(f.streams));
  if (f.linkedTo !== undefined && stream === null) {
    parts.push(sql`e.id IN (SELECT es.event_id FROM event_streams es
      WHERE es.user_id = ${f.userId} AND es.stream_id IN (${jsonList(f.linkedTo)}))`);
  }
  if (f.types !== undefined) {
    const { exact, classes } = f.types;
    const alts: SQL[] = [];
    // `+e.type` keeps SQLite off `events_type` unless the plan chose it (a sort of every match of common types).
    // One type is an equality: its range of `events_type` is already in (time, id) order.
    if (exact.length === 1) alts.push(f.index === 'type' ? sql`e.type = ${exact[0]}` : sql`+e.type = ${exact[0]}`);
    else if (exact.length > 0) alts.push(f.index === 'type' ? sql`e.type IN (${jsonList(exact)})` : sql`+e.type IN (${jsonList(exact)})`);
    // `class/*`: every type between "class/" and "class0" ('0' follows '/' in code-point order).
    if (classes.length > 0) {
      alts.push(sql`EXISTS (SELECT 1 FROM json_each(${json(classes)}) c WHERE e.type > c.value || '/' AND e.type < c.value || '0')`);
    }
    parts.push(alts.length === 0 ? sql`0` : sql`(${sql.join(alts, sql` OR `)})`);
  }
  if (f.tags !== undefined) {
    parts.push(sql`EXISTS (SELECT 1 FROM json_each(e.tags) t WHERE t.value IN (${jsonList(f.tags)}))`);
  }
  if (f.running) parts.push(sql`e.running = 1`);
  if (f.modifiedSince !== undefined) parts.push(f.index === 'modified' ? sql`e.modified > ${f.modifiedSince}` : sql`+e.modified > ${f.modifiedSince}`);
  if (f.visibility !== null) parts.push(visibilitySql(f.visibility, f.now));
  return sql.join(parts, sql` AND `);
}

export interface PageCursor {
  time: number;
  id: string;
}

/**
 * One page in (time, id) order: the first with OFFSET `skip`, the next ones after a keyset cursor. One linked
 * stream: its links in `event_streams_time` order, each joined to its event by key, so the page costs the links
 * it passes over instead of a walk of the whole account's time index (a link's `time` is its event's, rewritten
 * with it).
 */
export function eventsPageSql(f: EventsFilter, limit: number, offset: number, after?: PageCursor): SQL {
  const dir = f.ascending ? sql`ASC` : sql`DESC`;
  const joined = linksInOrder(f) !== null;
  const [time, id] = joined ? [sql`es.time`, sql`es.event_id`] : [sql`e.time`, sql`e.id`];
  const keyset = after === undefined
    ? sql``
    : f.ascending
      ? sql` AND (${time} > ${after.time} OR (${time} = ${after.time} AND ${id} > ${after.id}))`
      : sql` AND (${time} < ${after.time} OR (${time} = ${after.time} AND ${id} < ${after.id}))`;
  const from = joined
    ? sql`event_streams es INDEXED BY event_streams_time JOIN events e ON e.user_id = es.user_id AND e.id = es.event_id`
    : f.index === 'type' ? sql`events e INDEXED BY events_type` : sql`events e`;
  return sql`SELECT e.* FROM ${from} WHERE ${whereSql(f)}${keyset}
    ORDER BY ${time} ${dir}, ${id} ${dir} LIMIT ${limit} OFFSET ${offset}`;
}

export function selectEventsPage(db: Db, f: EventsFilter, limit: number, offset: number, after?: PageCursor) {
  return db.all<EventDbRow>(eventsPageSql(f, limit, offset, after));
}


/** `{id, deleted}` of tombstones newer than `since`, newest first, that the access could see (§6.5). */
export function eventDeletionsSql(userId: string, since: number | undefined, now: number, visibility: VisibilityPlan | null): SQL {
  const after = Math.max(since ?? -Infinity, now - DELETION_RETENTION_SECONDS);
  const vis = visibility === null ? sql`` : sql` AND ${visibilitySql(visibility, now)}`;
  return sql`SELECT e.id, e.deleted FROM events e
    WHERE e.user_id = ${userId} AND e.deleted IS NOT NULL AND e.deleted > ${after}${vis}
    ORDER BY e.deleted DESC`;
}

export function selectEventDeletions(db: Db, userId: string, since: number | undefined, now: number, visibility: VisibilityPlan | null) {
  return db.all<{ id: string; deleted: number }>(eventDeletionsSql(userId, since, now, visibility));
}
