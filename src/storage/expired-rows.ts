import { lt, lte } from 'drizzle-orm';
import { runBatch } from './batch';
import type { Db } from './db';
import { attemptCounters, mfaSessions, passwordResets } from './schema';

/*
 * Deleting what can no longer matter (the hourly cron). Nothing reads these rows once expired, so this only keeps
 * the tables small.
 */

/** Attempt counters (in the directory) whose window ended at least `longestWindowSeconds` ago. */
export async function purgeEndedCounters(directory: Db, now: number, longestWindowSeconds: number): Promise<void> {
  await directory.delete(attemptCounters).where(lt(attemptCounters.windowStart, now - longestWindowSeconds));
}

/** Expired two-factor steps and password-reset tokens of one shard. */
export async function purgeExpiredRows(shard: Db, now: number): Promise<void> {
  await runBatch(shard, [shard.delete(mfaSessions).where(lte(mfaSessions.expires, now)), shard.delete(passwordResets).where(lte(passwordResets.expires, now))]);
}
