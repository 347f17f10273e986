/** SQL of the streams methods. Every batch that changes streams also bumps `users.streams_version`. */
import { and, desc, eq, gt, sql } from 'drizzle-orm';
import type { Db } from './db';
import { streamDeletions, streams, type StreamRow } from './schema';
import { DELETION_RETENTION_SECONDS } from './retention';

/** Stream deletion records since `since`, within the retention period. */
export function selectStreamDeletions(db: Db, userId: string, since: number, now: number) {
  const after = Math.max(since, now - DELETION_RETENTION_SECONDS);
  return db
    .select({ id: streamDeletions.id, deleted: streamDeletions.deleted })
    .from(streamDeletions)
    .where(and(eq(streamDeletions.userId, userId), gt(streamDeletions.deleted, after)))
    .orderBy(desc(streamDeletions.deleted));
}

export function insertStream(db: Db, row: StreamRow) {
  return db.insert(streams).values(row);
}

export function updateStream(db: Db, userId: string, id: string, values: Partial<StreamRow>) {
  return db.update(streams).set(values).where(and(eq(streams.userId, userId), eq(streams.id, id)));
}

/** Live events linked to any of `streamIds` (the subtree of a stream being deleted). */
export function selectLinkedEvents(db: Db, userId: string, streamIds: string[]) {
  return db.all<{ id: string; stream_ids: string }>(sql`
    SELECT e.id, e.stream_ids FROM events e
    WHERE e.user_id = ${userId} AND e.deleted IS NULL AND e.id IN (
      SELECT es.event_id FROM event_streams es
      WHERE es.user_id = ${userId} AND es.stream_id IN (SELECT value FROM json_each(${JSON.stringify(streamIds)})))`);
}

/** Re-links the events of `streamIds` to `parentId` (merge), before the old links go. */
export function relinkToParent(db: Db, userId: string, streamIds: string[], parentId: string) {
  return db.run(sql`
    INSERT OR IGNORE INTO event_streams (user_id, stream_id, event_id, time)
    SELECT user_id, ${parentId}, event_id, time FROM event_streams
    WHERE user_id = ${userId} AND stream_id IN (SELECT value FROM json_each(${JSON.stringify(streamIds)}))`);
}

export function deleteLinksOfStreams(db: Db, userId: string, streamIds: string[]) {
  return db.run(sql`
    DELETE FROM event_streams
    WHERE user_id = ${userId} AND stream_id IN (SELECT value FROM json_each(${JSON.stringify(streamIds)}))`);
}

/** Deletes the streams and leaves one deletion record each (their ids become reusable). */
export function deleteStreams(db: Db, userId: string, streamIds: string[], now: number) {
  const ids = JSON.stringify(streamIds);
  return [
    db.run(sql`DELETE FROM streams WHERE user_id = ${userId} AND id IN (SELECT value FROM json_each(${ids}))`),
    db.run(sql`INSERT INTO stream_deletions (user_id, id, deleted) SELECT ${userId}, value, ${now} FROM json_each(${ids})`),
  ] as const;
}

