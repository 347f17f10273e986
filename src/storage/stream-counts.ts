/**
 * Measured selectivity for events.get planning (decision 023): how many live events each stream links, per
 * user, kept in the isolate. The counts are read in the same round trip as an events.get (one extra statement,
 * an index-only scan of `event_streams`) when absent or older than `COUNTS_MAX_AGE_SECONDS`; they only choose
 * between two correct query shapes, so a count that is a little stale costs time, never a wrong answer.
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
  /** When they were read (seconds). */
  at: number;
}

const cache = new BoundedCache<string, StreamCounts>({
  maxEntries: COUNTS_CACHE_MAX_ENTRIES,
  maxBytes: COUNTS_CACHE_MAX_BYTES,
  sizeOf: (c, key) => jsonHeapBytes([key, ...c.byStream]),
});

export function streamCountsSql(userId: string): SQL {
  return sql`SELECT stream_id AS s, count(*) AS n FROM event_streams WHERE user_id = ${userId} GROUP BY stream_id`;
}

export function selectStreamCounts(db: Db, userId: string) {
  return db.all<{ s: string; n: number }>(streamCountsSql(userId));
}

export function rememberStreamCounts(userId: string, rows: { s: string; n: number }[], now: number): void {
  const byStream = new Map(rows.map((r) => [r.s, Number(r.n)]));
  let total = 0;
  for (const n of byStream.values()) total += n;
  cache.set(userId, { byStream, total, at: now });
}

/** The cached counts (possibly stale) and whether this request should refresh them. */
export function streamCounts(userId: string, now: number): { counts: StreamCounts | undefined; refresh: boolean } {
  const counts = cache.get(userId);
  return { counts, refresh: counts === undefined || now - counts.at > COUNTS_MAX_AGE_SECONDS };
}
