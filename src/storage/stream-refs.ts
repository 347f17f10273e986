import { eq } from 'drizzle-orm';
import type { Db } from './db';
import { streams, type StreamRow } from './schema';

/**
 * The stream tree as accesses need it: ids, parents and names only (permission checks and the stream
 * auto-creation of accesses.create, §5.7.3). The streams methods own everything else about streams.
 */
export function selectStreamRefs(db: Db, userId: string) {
  return db.select({ id: streams.id, parentId: streams.parentId, name: streams.name }).from(streams).where(eq(streams.userId, userId));
}

export function insertStreams(db: Db, rows: StreamRow[]) {
  return db.insert(streams).values(rows);
}
