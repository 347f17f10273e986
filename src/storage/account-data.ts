/**
 * Account-wide storage facts and operations that are not API methods yet: `storageUsed` (for `account.get`, a
 * later issue) and deleting an account with its files (account deletion through the API is LATER, §1.2; moving
 * accounts between databases will use it too).
 */
import { eq, sql } from 'drizzle-orm';
import { accountPrefix } from './blobs';
import { deleteJournaledPrefix } from './blob-sweep';
import type { Db } from './db';
import { users } from './schema';

export interface StorageUsed {
  /** Bytes of the live events' attachments (§4.10). */
  attachedFiles: number;
}

/** `storageUsed` of an account: one indexed read of the counter the event triggers keep exact (migrations/0005). */
export async function storageUsed(db: Db, userId: string): Promise<StorageUsed> {
  const rows = await db.select({ bytes: users.storageFilesBytes }).from(users).where(eq(users.id, userId));
  return { attachedFiles: rows[0]?.bytes ?? 0 };
}

/** The same total recomputed from the events themselves (a check of the counter; reads every event row). */
export async function attachedBytesFromEvents(db: Db, userId: string): Promise<number> {
  const rows = await db.all<{ bytes: number }>(sql`SELECT coalesce(sum(json_extract(a.value, '$.size')), 0) AS bytes
    FROM events e, json_each(e.attachments) a WHERE e.user_id = ${userId} AND e.deleted IS NULL AND e.attachments IS NOT NULL`);
  return Number(rows[0]?.bytes ?? 0);
}

/**
 * Deletes an account: every row in one D1 batch, which also journals the account's R2 prefix; once that batch
 * committed, the files go, then the journal row. What fails after the commit is left to the sweeper: no file
 * outlives the account for longer than a sweep.
 */
export async function deleteAccount(db: Db, bucket: R2Bucket, userId: string, now: number): Promise<void> {
  const d1 = db.$client;
  const prefix = accountPrefix(userId);
  const tables = [
    'event_streams', 'events', 'stream_deletions', 'streams', 'share_links', 'followed_slices', 'access_history', 'accesses',
    'profiles', 'webhooks', 'audit_records', 'audit_heads', 'audit_checkpoints',
  ];
  await d1.batch([
    d1.prepare('INSERT INTO blob_cleanup (prefix, user_id, due) VALUES (?1, ?2, ?3) ON CONFLICT (prefix) DO UPDATE SET due = excluded.due')
      .bind(prefix, userId, now),
    ...tables.map((table) => d1.prepare(`DELETE FROM ${table} WHERE user_id = ?1`).bind(userId)),
    d1.prepare('DELETE FROM users WHERE id = ?1').bind(userId),
  ]);
  try {
    await deleteJournaledPrefix(bucket, db, prefix);
  } catch (e) {
    console.error('account files left to the sweeper:', e instanceof Error ? e.message : String(e));
  }
}
