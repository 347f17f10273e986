import { eq, sql } from 'drizzle-orm';
import type { Db } from './db';
import { attemptCounters } from './schema';

export interface CounterState {
  count: number;
  windowStart: number;
}

/**
 * Counts one attempt under `key` in a fixed window of `windowSeconds`, atomically (one upsert): a window that has
 * run out starts again at 1. Racing attempts each get their own count, so no limit is overshot by a race.
 */
export async function countAttempt(db: Db, key: string, now: number, windowSeconds: number): Promise<CounterState> {
  const expired = sql`attempt_counters.window_start <= ${now - windowSeconds}`;
  const rows = await db.all<{ count: number; window_start: number }>(sql`
    INSERT INTO attempt_counters (key, window_start, count) VALUES (${key}, ${now}, 1)
    ON CONFLICT (key) DO UPDATE SET
      count = CASE WHEN ${expired} THEN 1 ELSE attempt_counters.count + 1 END,
      window_start = CASE WHEN ${expired} THEN ${now} ELSE attempt_counters.window_start END
    RETURNING count, window_start`);
  return { count: rows[0].count, windowStart: rows[0].window_start };
}

/** Forgets the attempts of an account (after a successful sign-in). */
export function clearAttempts(db: Db, key: string) {
  return db.delete(attemptCounters).where(eq(attemptCounters.key, key));
}

/** Gives one attempt back (a sign-in from that address succeeded: only failures count against it). */
export function refundAttempt(db: Db, key: string) {
  return db.update(attemptCounters).set({ count: sql`MAX(${attemptCounters.count} - 1, 0)` }).where(eq(attemptCounters.key, key));
}
