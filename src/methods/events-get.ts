/**
 * events.get (§5.4, §6): every validation and permission error is raised before the answer starts; the events
 * come back as a lazy list read in keyset pages, so HTTP streams them and batch collects them.
 */
import * as v from 'valibot';
import { err } from '../core/errors';
import { compiledVisibility, type CompiledVisibility } from '../auth/event-visibility';
import type { EventDbRow } from '../storage/events';
import { presentRows } from './event-output';
import {
  selectEventDeletions, selectEventsPage, type CompiledStreamQuery, type EventsFilter,
} from '../storage/events-query';
import type { StreamTree } from '../storage/stream-tree';
import { MODIFIED_RANKS, rememberStreamCounts, selectStreamCounts, streamCounts, type StreamCounts } from '../storage/stream-counts';
import { runRead, withTree } from './tree-calls';
import type { AccessContext } from '../core/context';
import { maxValueOf } from '../core/limits';
import { jsonObject, timestamp } from '../core/params';
import { compileStreamsQuery, parseStreamsParam, type StreamsQuery } from './streams-query';
import { compileAuditQueries, readAuditEvents, readsAudit } from './audit-events';
import { accessMethod, ok } from './table';

/** Rows read per D1 round trip once a result is larger than one page. */
export const PAGE_SIZE = 1000;
export const DEFAULT_LIMIT = 20;
const DAY = 86_400;

/** A whole number from 0 to the operator's limit (which keeps it within SQLite's integers). */
const count = (key: 'skip' | 'limit') => v.pipe(v.number(), v.integer(), v.minValue(0), maxValueOf(key));

const getParams = v.strictObject({
  fromTime: v.optional(timestamp()),
  toTime: v.optional(timestamp()),
  streams: v.optional(v.union([v.string(), v.array(v.unknown()), jsonObject])),
  tags: v.optional(v.array(v.string())),
  types: v.optional(
    v.array(v.pipe(v.string(), v.regex(/^(series:)?[a-z0-9-]+\/([a-z0-9-]+|\*)$/, 'A type is "class/format" or "class/*".'))),
  ),
  running: v.optional(v.boolean()),
  state: v.optional(v.picklist(['default', 'trashed', 'all'])),
  modifiedSince: v.optional(timestamp()),
  includeDeletions: v.optional(v.boolean()),
  sortAscending: v.optional(v.boolean()),
  skip: v.optional(count('skip')),
  limit: v.optional(count('limit')),
  content: v.optional(v.unknown()),
  clientData: v.optional(v.unknown()),
});
type GetParams = v.InferOutput<typeof getParams>;

/** §6.1: the window and the default limit of 20 (only when fromTime, toTime and limit are all absent). */
export function timeWindow(p: Pick<GetParams, 'fromTime' | 'toTime' | 'limit'>, now: number) {
  const { fromTime: from, toTime: to, limit } = p;
  if (from === undefined && to === undefined) return { limit: limit ?? DEFAULT_LIMIT };
  if (to === undefined) return { from, to: now, limit };
  return { from: from ?? to - DAY, to, limit };
}

/** `types`: exact types and `class/*` classes; `series:` items match nothing while HF is not available. */
function typeFilter(types: string[] | undefined): EventsFilter['types'] {
  if (types === undefined) return undefined;
  const plain = types.filter((t) => !t.startsWith('series:'));
  return {
    exact: plain.filter((t) => !t.endsWith('/*')),
    classes: plain.filter((t) => t.endsWith('/*')).map((t) => t.slice(0, -2)),
  };
}

/** The query covers every event when one of its queries is a bare `*` and no stream is hidden by trash. */
function coversEverything(queries: StreamsQuery[], tree: StreamTree, state: EventsFilter['state']): boolean {
  const bareStar = queries.some((q) => q.any.includes('*') && !q.all?.length && !q.not?.length);
  if (!bareStar) return false;
  return state !== 'default' || ![...tree.byId.values()].some((s) => s.trashed);
}

/** Without measured counts: start from `event_streams` only when the queried streams are at most 1/8 of the tree. */
const LINKED_STREAMS_SHARE = 8;
/**
 * Reading one event through its links (link row, event row, then a sort) costs about this many rows of a walk
 * down the time index (event row and JSON checks only).
 */
const LINK_ROW_COST = 2;

/**
 * Whether to start from `event_streams` (decision 023). Walking the time index reads about `wanted / s` rows
 * to find `wanted` matches when a share `s` of the links is in the queried streams; starting from the links
 * reads every matching link, then sorts. With measured counts the cheaper one is chosen; without them, the
 * old rule of a small part of the tree. For a shared access the sets hold only its readable streams, so its
 * visibility drives the choice as a streams query does (decision 029).
 */
export function linkedStreams(compiled: CompiledStreamQuery[], tree: StreamTree, counts: StreamCounts | undefined, wanted: number): string[] | undefined {
  const union = [...new Set(compiled.flatMap((q) => q.any))];
  if (counts === undefined || counts.total === 0) return union.length * LINKED_STREAMS_SHARE <= tree.size ? union : undefined;
  let matched = 0;
  for (const id of union) matched += counts.byStream.get(id) ?? 0;
  const walk = matched === 0 ? counts.total : Math.min(counts.total, (wanted * counts.total) / matched);
  return LINK_ROW_COST * matched < walk ? union : undefined;
}

/**
 * The index to start from when not the time walk or the links (decision 029), by the same cost model as
 * `linkedStreams`: reading `m` matches through another index and sorting them costs about `LINK_ROW_COST · m`
 * rows, the walk about `wanted · events / m`.
 * - One exact type: `events_type` holds its events in (time, id) order, so it never reads more than the walk.
 * - Several exact types: their ranges, merged by a sort, when the measured counts say they are few.
 * - `modifiedSince`: `events_modified` unless the measured ranks show enough recent changes for the walk to
 *   find `wanted` of them sooner (a sync right after an import, say); without counts, the index.
 */
export function startIndex(f: Pick<EventsFilter, 'types' | 'modifiedSince' | 'linkedTo'>, counts: StreamCounts | undefined, wanted: number): EventsFilter['index'] {
  if (f.linkedTo !== undefined) return undefined;
  const cheaper = (matched: number) => counts !== undefined && LINK_ROW_COST * matched < (wanted * counts.events) / Math.max(matched, 1);
  if (f.types !== undefined && f.types.classes.length === 0 && f.types.exact.length > 0) {
    if (f.types.exact.length === 1) return 'type';
    let matched = 0;
    for (const t of f.types.exact) matched += counts?.byType.get(t) ?? 0;
    if (cheaper(matched)) return 'type';
  }
  if (f.modifiedSince === undefined) return undefined;
  if (counts === undefined) return 'modified';
  // At least MODIFIED_RANKS[i] events match when the event at that rank was modified after `modifiedSince`.
  let atLeast = 0;
  counts.modifiedAtRank.forEach((t, i) => {
    if (t !== null && t > (f.modifiedSince as number)) atLeast = MODIFIED_RANKS[i];
  });
  return atLeast === 0 || wanted === Infinity || cheaper(atLeast) ? 'modified' : undefined;
}

function buildFilter(ctx: AccessContext, tree: StreamTree, p: GetParams, queries: StreamsQuery[], window: ReturnType<typeof timeWindow>, counts: StreamCounts | undefined, visibility: CompiledVisibility | null): EventsFilter {
  const state = p.state ?? 'default';
  const compiled = compileStreamsQuery(queries, tree, ctx.permissions, state);
  const everything = coversEverything(queries, tree, state);
  // Whole readable streams: the expanded streams query says it all, no visibility clause (decision 029).
  const streamsOnly = visibility?.streamsOnly === true;
  const wanted = (window.limit ?? Infinity) + (p.skip ?? 0);
  const f: EventsFilter = {
    userId: ctx.user.id,
    now: ctx.now,
    from: window.from,
    to: window.to,
    streams: everything && !streamsOnly ? null : compiled,
    linkedTo: everything && visibility === null ? undefined : linkedStreams(compiled, tree, counts, wanted),
    types: typeFilter(p.types),
    tags: p.tags?.map((t) => t.trim()),
    running: p.running === true,
    state,
    modifiedSince: p.modifiedSince,
    visibility: visibility === null || streamsOnly ? null : visibility.plan,
    ascending: p.sortAscending === true,
  };
  return { ...f, index: startIndex(f, counts, wanted) };
}

/** The first page's rows, then further keyset pages read on demand. */
async function* eventPages(ctx: AccessContext, filter: EventsFilter, first: EventDbRow[], firstSize: number, limit: number) {
  let rows = first;
  let requested = firstSize;
  let remaining = limit - rows.length;
  for (;;) {
    for (const event of await presentRows(ctx, rows)) yield event;
    if (rows.length < requested || remaining <= 0) return;
    const last = rows[rows.length - 1];
    requested = Math.min(PAGE_SIZE, remaining);
    const { results } = await ctx.run([selectEventsPage(ctx.db, filter, requested, 0, { time: last.time, id: last.id })]);
    rows = results[0];
    remaining -= rows.length;
  }
}

export const eventsGetMethod = accessMethod({
  id: 'events.get',
  params: getParams,
  who: ['personal', 'app', 'shared'],
  batch: true,
  handler: async (ctx, p) => {
    if (p.content !== undefined || p.clientData !== undefined) throw err.unavailable('Content queries');
    const queries = parseStreamsParam(p.streams, ctx.config.limits.jsonDepth);
    const window = timeWindow(p, ctx.now);
    const limit = window.limit ?? Infinity;
    if (readsAudit(queries)) {
      const events = await readAuditEvents(ctx, compileAuditQueries(ctx, queries), {
        from: window.from, to: window.to, limit, skip: p.skip ?? 0, types: typeFilter(p.types), modifiedSince: p.modifiedSince,
        ascending: p.sortAscending === true, empty: p.tags !== undefined || p.running === true || p.state === 'trashed',
      });
      return ok(p.includeDeletions ? { events, eventDeletions: [] } : { events });
    }
    const firstSize = Math.min(PAGE_SIZE, limit);
    const { counts, refresh } = streamCounts(ctx.user.id, ctx.now);
    const { filter, rows, deletions } = await withTree(ctx, async (tree) => {
      const visibility = compiledVisibility(ctx.access, ctx.permissions, tree);
      const f = buildFilter(ctx, tree, p, queries, window, counts, visibility);
      const statements: Parameters<typeof runRead>[2] = [selectEventsPage(ctx.db, f, firstSize, p.skip ?? 0)];
      // Deletions have no streams query: they always take the access's visibility.
      if (p.includeDeletions) statements.push(selectEventDeletions(ctx.db, ctx.user.id, p.modifiedSince, ctx.now, visibility?.plan ?? null));
      // Counts for the plans of later requests ride along, at most once a minute (decision 023).
      const measure = refresh ? selectStreamCounts(ctx.db, ctx.user.id) : [];
      statements.push(...measure);
      const results = await runRead(ctx, tree, statements);
      if (refresh) rememberStreamCounts(ctx.user.id, results.slice(results.length - measure.length), ctx.now);
      return { filter: f, rows: results[0] as EventDbRow[], deletions: p.includeDeletions ? (results[1] as { id: string; deleted: number }[]) : undefined };
    });
    // A result that fits in the first page is already in memory: serialized at once (same bytes, no stream).
    const complete = rows.length < firstSize || rows.length >= limit;
    const events = complete ? await presentRows(ctx, rows) : eventPages(ctx, filter, rows, firstSize, limit);
    const payload: Record<string, unknown> = { events };
    if (p.includeDeletions) payload.eventDeletions = deletions ?? [];
    return ok(payload);
  },
});
