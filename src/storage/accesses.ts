import { and, eq, isNull } from 'drizzle-orm';
import type { Db } from './db';
import { accesses, type AccessRow } from './schema';

/** The personal access of an app (at most one per account and appId, §5.2). */
export async function findPersonalAccess(db: Db, userId: string, appId: string): Promise<AccessRow | null> {
  const rows = await db
    .select()
    .from(accesses)
    .where(and(eq(accesses.userId, userId), eq(accesses.type, 'personal'), eq(accesses.name, appId), isNull(accesses.deleted)))
    .limit(1);
  return rows[0] ?? null;
}

export function insertAccess(db: Db, row: AccessRow) {
  return db.insert(accesses).values(row);
}

/** Starts or extends a personal session: new token hash and sealed copy, or just a later expiry. */
export function updateSession(
  db: Db,
  accessId: string,
  values: { tokenHash?: string | null; tokenSealed?: string | null; sessionExpires: number | null; modified?: number; lastUsed?: number },
) {
  return db.update(accesses).set(values).where(eq(accesses.id, accessId));
}

/** Coalesced bookkeeping (`lastUsed`, session slide) written after the response. */
export function touchAccess(db: Db, accessId: string, values: { lastUsed: number; sessionExpires?: number }) {
  return db.update(accesses).set(values).where(and(eq(accesses.id, accessId), isNull(accesses.deleted)));
}
