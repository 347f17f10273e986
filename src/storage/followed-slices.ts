import { and, asc, eq } from 'drizzle-orm';
import type { Db } from './db';
import { followedSlices } from './schema';

export type FollowedSliceRow = typeof followedSlices.$inferSelect;

export function selectFollowedSlices(db: Db, userId: string) {
  return db.select().from(followedSlices).where(eq(followedSlices.userId, userId)).orderBy(asc(followedSlices.name));
}

export function insertFollowedSlice(db: Db, row: FollowedSliceRow) {
  return db.insert(followedSlices).values(row);
}

/** Renames a slice; returns the updated row (none when the id is unknown). */
export function renameFollowedSlice(db: Db, userId: string, id: string, name: string) {
  return db
    .update(followedSlices)
    .set({ name })
    .where(and(eq(followedSlices.userId, userId), eq(followedSlices.id, id)))
    .returning();
}

export function deleteFollowedSlice(db: Db, userId: string, id: string) {
  return db
    .delete(followedSlices)
    .where(and(eq(followedSlices.userId, userId), eq(followedSlices.id, id)))
    .returning({ id: followedSlices.id });
}
