import { lt, lte } from 'drizzle-orm';
import { runBatch } from './batch';
import type { Db } from './db';
import { attemptCounters, mfaSessions, passwordResets } from './schema';

/**
 * Deletes what can no longer matter (the hourly cron): attempt counters whose window ended at least
 * `longestWindowSeconds` ago, and expired two-factor steps and password-reset tokens. Nothing reads them once
 * expired, so this only keeps the tables small.
 */
export async function purgeExpiredRows(db: Db, now: number, longestWindowSeconds: number): Promise<void> {
  await runBatch(db, [
    db.delete(attemptCounters).where(lt(attemptCounters.windowStart, now - longestWindowSeconds)),
    db.delete(mfaSessions).where(lte(mfaSessions.expires, now)),
    db.delete(passwordResets).where(lte(passwordResets.expires, now)),
  ]);
}
