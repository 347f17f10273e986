import { and, eq, inArray, isNull } from 'drizzle-orm';
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

/** Code hashes of the links of some accesses: their KV entries are dropped when the accesses are deleted. */
export async function shareLinkHashes(db: Db, userId: string, accessIds: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  // D1 binds at most 100 parameters per statement.
  for (let i = 0; i < accessIds.length; i += 90) {
    const rows = await db
      .select({ codeHash: shareLinks.codeHash })
      .from(shareLinks)
      .where(and(eq(shareLinks.userId, userId), inArray(shareLinks.accessId, accessIds.slice(i, i + 90))));
    out.push(...rows.map((r) => r.codeHash));
  }
  return out;
}
