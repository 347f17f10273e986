/**
 * Measured selectivity for events.get planning (decisions 023, 029): how many live events each stream links
 * and each type has, and how recently the events were modified, per user, kept in the isolate. They are read
 * in the same round trip as an events.get (three extra statements, index-only scans of `event_streams`,
 * `events_type` and `events_modified`) when absent or older than `COUNTS_MAX_AGE_SECONDS`; they only choose
 * between correct query shapes, so a count that is a little stale costs time, never a wrong answer.
 */
import { sql, type SQL } from 'drizzle-orm';
import { BoundedCache, jsonHeapBytes } from '../lib/bounded-cache';
import type { Db } from './db';

/** Re-read a user's counts at most this often (in the round trip of an events.get). */
export const COUNTS_MAX_AGE_SECONDS = 60;
const COUNTS_CACHE_MAX_ENTRIES = 500;
const COUNTS_CACHE_MAX_BYTES = 8 * 1024 * 1024;

export interface StreamCounts {
  /** Live events linked to each stream (streams without events are absent). */
  byStream: Map<string, number>;
  /** All links of the user: the denominator of a selectivity. */
  total: number;
  /** Events of each type (tombstones included: a few more than live). */
  byType: Map<string, number>;
  /** Events of the user, tombstones included (the denominator of a type's selectivity). */
  events: number;
  /**
   * `modifiedAtRank[i]`: the `modified` time of the `MODIFIED_RANKS[i]`-th most recently modified event (null
   * when there are fewer): at least that many events were modified at or after it.
   */
  modifiedAtRank: (number | null)[];
  /** When they were read (seconds). */
  at: number;
}

const cache = new BoundedCache<string, StreamCounts>({
  maxEntries: COUNTS_CACHE_MAX_ENTRIES,
  maxBytes: COUNTS_CACHE_MAX_BYTES,
  sizeOf: (c, key) => jsonHeapBytes([key, ...c.byStream, ...c.byType]),
});

/** Ranks whose `modified` time is read: bounds on how many events a `modifiedSince` matches. */
export const MODIFIED_RANKS = [100, 1000, 10_000];

/** Per-type counts of events, tombstones included (an estimate): an index-only scan of `events_type`. */
export function typeCountsSql(userId: string): SQL {
  return sql`SELECT type AS s, count(*) AS n FROM events WHERE user_id = ${userId} GROUP BY type`;
}

/** The `modified` time at each of `MODIFIED_RANKS`, newest first: reads at most the largest rank of `events_modified`. */
export function modifiedRanksSql(userId: string): SQL {
  const at = (rank: number) => sql`(SELECT modified FROM events WHERE user_id = ${userId} ORDER BY modified DESC LIMIT 1 OFFSET ${rank - 1})`;
  return sql`SELECT json_array(${sql.join(MODIFIED_RANKS.map(at), sql`, `)}) AS r`;
}

export function streamCountsSql(userId: string): SQL {
  return sql`SELECT stream_id AS s, count(*) AS n FROM event_streams WHERE user_id = ${userId} GROUP BY stream_id`;
}

type CountRow = { s: string; n: number };
type CountResults = [CountRow[], CountRow[], { r: string }[]];

/** The statements that measure a user's selectivity, to add to a round trip; their results go to `rememberStreamCounts`. */
export function selectStreamCounts(db: Db, userId: string) {
  return [
    db.all<CountRow>(streamCountsSql(userId)),
    db.all<CountRow>(typeCountsSql(userId)),
    db.all<{ r: string }>(modifiedRanksSql(userId)),
  ] as const;
}

const sum = (m: Map<string, number>) => {
  let total = 0;
  for (const n of m.values()) total += n;
  return total;
};

export function rememberStreamCounts(userId: string, results: unknown[], now: number): void {
  const [streams, types, ranks] = results as CountResults;
  const byStream = new Map(streams.map((r) => [r.s, Number(r.n)]));
  const byType = new Map(types.map((r) => [r.s, Number(r.n)]));
  const modifiedAtRank = JSON.parse(ranks[0]?.r ?? '[]') as (number | null)[];
  cache.set(userId, { byStream, total: sum(byStream), byType, events: sum(byType), modifiedAtRank, at: now });
}

/** The cached counts (possibly stale) and whether this request should refresh them. */
export function streamCounts(userId: string, now: number): { counts: StreamCounts | undefined; refresh: boolean } {
  const counts = cache.get(userId);
  return { counts, refresh: counts === undefined || now - counts.at > COUNTS_MAX_AGE_SECONDS };
}
