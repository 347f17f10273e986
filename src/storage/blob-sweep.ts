/**
 * Deleting blobs once D1 no longer references them: right after the batch that dropped the references (by the
 * request that made it), and by the sweeper for whatever a request could not finish (a crash, an R2 failure,
 * an abandoned upload). A journal row goes only after its blobs are gone, so a failure at any step leaves a row
 * to retry from, never an orphan (docs/decisions/017-attachments-on-r2.md).
 */
import { duePrefixes, forgetPrefixes } from './blob-journal';
import { deleteBlobs, deletePrefix } from './blobs';
import type { Db } from './db';

/** Journal entries handled per sweeper run (a cron invocation has bounded time). */
const SWEEP_BATCH = 100;

/**
 * Deletes the blobs of exact keys journaled by a batch that just committed, then their rows. Never throws: the
 * write already succeeded, and what fails here stays journaled for the sweeper.
 */
export async function deleteReleasedBlobs(bucket: R2Bucket, db: Db, keys: readonly string[]): Promise<void> {
  if (keys.length === 0) return;
  try {
    await deleteBlobs(bucket, keys);
    await forgetPrefixes(db, keys);
  } catch (e) {
    console.error('blob deletion left to the sweeper:', e instanceof Error ? e.message : String(e));
  }
}

/** Deletes everything under a journaled prefix (an abandoned upload, an account), then its row. */
export async function deleteJournaledPrefix(bucket: R2Bucket, db: Db, prefix: string): Promise<void> {
  await deletePrefix(bucket, prefix);
  await forgetPrefixes(db, [prefix]);
}

/** One sweeper run: every journal entry due at `now`, up to a batch. Returns how many were cleared. */
export async function sweepBlobs(bucket: R2Bucket, db: Db, now: number): Promise<number> {
  const due = await duePrefixes(db, now, SWEEP_BATCH);
  let cleared = 0;
  for (const { prefix } of due) {
    try {
      await deleteJournaledPrefix(bucket, db, prefix);
      cleared += 1;
    } catch (e) {
      console.error('sweeper: prefix kept for the next run:', e instanceof Error ? e.message : String(e));
    }
  }
  return cleared;
}
