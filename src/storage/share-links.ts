import { and, eq, inArray, isNotNull, isNull } from 'drizzle-orm';
import type { Db } from './db';
import { accesses, shareLinks, users, type AccessRow, type ShareLinkRow, type UserRow } from './schema';

export function insertShareLink(db: Db, row: ShareLinkRow) {
  return db.insert(shareLinks).values(row);
}

/**
 * The user and live (not deleted) access of a share code's hash, in one query; null when the code is unknown or
 * its access is gone. Expiry is left to the caller, which reads it from the row.
 */
export async function findShareLink(db: Db, codeHash: string): Promise<{ user: UserRow; access: AccessRow } | null> {
  const rows = await db
    .select({ user: users, access: accesses })
    .from(shareLinks)
    .innerJoin(accesses, and(eq(accesses.id, shareLinks.accessId), eq(accesses.userId, shareLinks.userId), isNull(accesses.deleted)))
    .innerJoin(users, eq(users.id, shareLinks.userId))
    .where(eq(shareLinks.codeHash, codeHash))
    .limit(1);
  return rows[0] ?? null;
}

/**
 * Removes the links of the user's deleted accesses, returning their hashes (to drop their KV entries). Placed
 * after the deletion in `accesses.delete`'s own batch, so it also catches cascaded deletions.
 */
export function deleteDeadShareLinks(db: Db, userId: string) {
  const dead = db.select({ id: accesses.id }).from(accesses).where(and(eq(accesses.userId, userId), isNotNull(accesses.deleted)));
  return db
    .delete(shareLinks)
    .where(and(eq(shareLinks.userId, userId), inArray(shareLinks.accessId, dead)))
    .returning({ codeHash: shareLinks.codeHash });
}
