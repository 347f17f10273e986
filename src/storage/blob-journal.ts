/**
 * SQL of the `blob_cleanup` journal (see its schema): what keeps "no orphan blob, no event pointing at a missing
 * blob" true whatever fails between a D1 write and an R2 write (docs/decisions/017-attachments-on-r2.md).
 */
import { sql } from 'drizzle-orm';
import { abortSql } from './d1-errors';
import type { Db } from './db';
import { uploadPrefix } from './blobs';
import { blobCleanup } from './schema';

/** How long an upload may run before the sweeper treats its unclaimed files as abandoned. */
export const UPLOAD_GRACE_SECONDS = 24 * 3600;

/** Journals an upload's prefix: written before its first byte goes to R2. */
export function journalUpload(db: Db, userId: string, uploadId: string, now: number) {
  return db.insert(blobCleanup).values({ prefix: uploadPrefix(userId, uploadId), userId, due: now + UPLOAD_GRACE_SECONDS });
}

/**
 * The two statements that attach an upload's files, around the write that references them: a guard first (the
 * batch aborts with 'upload-gone' if the sweeper may already have taken the upload), then the journal row's
 * removal. Both in the write's own batch, so the files are referenced exactly when the row is gone.
 */
export function claimUpload(db: Db, userId: string, uploadId: string, now: number) {
  const prefix = uploadPrefix(userId, uploadId);
  return {
    guard: db.all(sql`SELECT CASE WHEN EXISTS (
        SELECT 1 FROM blob_cleanup WHERE prefix = ${prefix} AND due > ${now})
      THEN 1 ELSE ${abortSql('upload-gone')} END AS ok`),
    release: db.run(sql`DELETE FROM blob_cleanup WHERE prefix = ${prefix}`),
  };
}

/**
 * An upload that will not be attached (the request failed): made due now, and reported only when it was still
 * unclaimed, so a failure after the attaching batch committed never deletes referenced files.
 */
export async function abandonUpload(db: Db, userId: string, uploadId: string, now: number): Promise<boolean> {
  const rows = await db.all<{ prefix: string }>(
    sql`UPDATE blob_cleanup SET due = ${now} WHERE prefix = ${uploadPrefix(userId, uploadId)} RETURNING prefix`,
  );
  return rows.length > 0;
}

/**
 * Journals the blobs of these events' attachments (to delete), placed before the statement that drops the
 * references, in the same batch; returns the journaled keys, for the deletion once the batch commits. The
 * account's `storageUsed.attachedFiles` follows the rows by itself (the triggers of migrations/0005).
 */
export function releaseEventBlobs(db: Db, userId: string, eventIds: readonly string[], now: number) {
  const ids = JSON.stringify(eventIds);
  return db.all<{ prefix: string }>(sql`
    INSERT INTO blob_cleanup (prefix, user_id, due) SELECT json_extract(a.value, '$.key'), ${userId}, ${now}
    FROM events e, json_each(e.attachments) a
    WHERE e.user_id = ${userId} AND e.id IN (SELECT value FROM json_each(${ids})) AND e.deleted IS NULL AND e.attachments IS NOT NULL
    ON CONFLICT (prefix) DO UPDATE SET due = excluded.due
    RETURNING prefix`);
}

/** Journals one dropped blob (to delete once the batch commits). */
export function releaseBlob(db: Db, userId: string, key: string, now: number) {
  return db.insert(blobCleanup).values({ prefix: key, userId, due: now }).onConflictDoUpdate({ target: blobCleanup.prefix, set: { due: now } });
}

/** Rows whose blobs are deleted: the journal entry is done. */
export function forgetPrefixes(db: Db, prefixes: readonly string[]) {
  return db.run(sql`DELETE FROM blob_cleanup WHERE prefix IN (SELECT value FROM json_each(${JSON.stringify(prefixes)}))`);
}

/** Entries the sweeper may act on now, oldest first. */
export function duePrefixes(db: Db, now: number, limit: number) {
  return db.all<{ prefix: string }>(sql`SELECT prefix FROM blob_cleanup WHERE due <= ${now} ORDER BY due LIMIT ${limit}`);
}
