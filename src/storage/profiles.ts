import { and, eq, sql } from 'drizzle-orm';
import type { Db } from './db';
import { profiles, type ProfileRow } from './schema';

/** One profile set of the account (`public`, `private`, `app:{name}`). */
export function selectProfile(db: Db, userId: string, name: string) {
  return db.select().from(profiles).where(and(eq(profiles.userId, userId), eq(profiles.name, name))).limit(1);
}

/** A set's first write; a concurrent first write makes it fail on the primary key. */
export function insertProfile(db: Db, row: ProfileRow) {
  return db.insert(profiles).values(row);
}

/** Replaces a set's data only if it is still at revision `rev`; returns nothing when a concurrent write won. */
export function updateProfile(db: Db, userId: string, name: string, rev: number, data: string) {
  return db
    .update(profiles)
    .set({ data, rev: sql`${profiles.rev} + 1` })
    .where(and(eq(profiles.userId, userId), eq(profiles.name, name), eq(profiles.rev, rev)))
    .returning({ rev: profiles.rev });
}
