import { and, asc, eq, inArray, isNotNull, isNull, or, sql } from 'drizzle-orm';
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

/**
 * Starts or extends a personal session (new token hash and sealed copy, or just a later expiry), only if the
 * access is still at the revision it was read at. Resolves to whether it was written.
 */
export async function updateSession(
  db: Db,
  read: Pick<AccessRow, 'id' | 'rev'>,
  values: { tokenHash?: string | null; tokenSealed?: string | null; sessionExpires: number | null; modified?: number; lastUsed?: number },
): Promise<boolean> {
  const rows = await db
    .update(accesses)
    .set({ ...values, rev: sql`${accesses.rev} + 1` })
    .where(and(eq(accesses.id, read.id), eq(accesses.rev, read.rev), isNull(accesses.deleted)))
    .returning({ id: accesses.id });
  return rows.length > 0;
}

/** Ends a personal session (logout): the token stops resolving at once. */
export function endSession(db: Db, accessId: string, now: number) {
  return db
    .update(accesses)
    .set({ tokenHash: null, tokenSealed: null, sessionExpires: null, modified: now, rev: sql`${accesses.rev} + 1` })
    .where(eq(accesses.id, accessId));
}

/** Coalesced bookkeeping (`lastUsed`, session slide) written after the response. */
export function touchAccess(db: Db, accessId: string, values: { lastUsed: number; sessionExpires?: number }) {
  return db.update(accesses).set(values).where(and(eq(accesses.id, accessId), isNull(accesses.deleted)));
}

/*
 * Query builders for the accesses methods. They return un-awaited Drizzle queries so a method can send
 * several of them in its single guarded round trip (`ctx.run`).
 */

/** One live access of the account by id. */
export function selectLiveAccess(db: Db, userId: string, id: string) {
  return db
    .select()
    .from(accesses)
    .where(and(eq(accesses.userId, userId), eq(accesses.id, id), isNull(accesses.deleted)))
    .limit(1);
}

/** The account's accesses (live, or deleted ones), optionally only those created by `parentId`, by name. */
export function selectAccesses(db: Db, userId: string, opts: { deleted: boolean; parentId?: string }) {
  return db
    .select()
    .from(accesses)
    .where(
      and(
        eq(accesses.userId, userId),
        opts.deleted ? isNotNull(accesses.deleted) : isNull(accesses.deleted),
        opts.parentId === undefined ? undefined : eq(accesses.parentId, opts.parentId),
      ),
    )
    .orderBy(asc(accesses.name), asc(accesses.created));
}

/**
 * Applies an accesses.update in place, only if the row is still at revision `rev` (the one the update was
 * planned on); returns the updated id, or nothing when a concurrent change won. `modified` always changes so
 * the request guard sees it (§2.4).
 */
export function updateAccessRow(
  db: Db,
  userId: string,
  id: string,
  rev: number,
  values: Partial<Pick<AccessRow, 'name' | 'deviceName' | 'permissions' | 'expires' | 'clientData'>> & { modified: number; modifiedBy: string },
) {
  return db
    .update(accesses)
    .set({ ...values, rev: sql`${accesses.rev} + 1` })
    .where(and(eq(accesses.userId, userId), eq(accesses.id, id), eq(accesses.rev, rev), isNull(accesses.deleted)))
    .returning({ id: accesses.id });
}

/**
 * Deletes an access and, when it is an app, the shared accesses it created (§5.7.5 cascade), in one
 * statement. Returns the deleted rows' ids and sealed tokens (to drop their KV entries).
 */
export function deleteAccessCascade(db: Db, userId: string, id: string, now: number, by: string, cascade: boolean) {
  return db
    .update(accesses)
    .set({ deleted: now, modified: now, modifiedBy: by })
    .where(
      and(
        eq(accesses.userId, userId),
        isNull(accesses.deleted),
        cascade ? or(eq(accesses.id, id), and(eq(accesses.parentId, id), eq(accesses.type, 'shared'))) : eq(accesses.id, id),
      ),
    )
    .returning({ id: accesses.id, tokenSealed: accesses.tokenSealed });
}

/** What an open real-time socket needs to know about its access now: revoked, changed, expiring (§5.14). */
export type AccessState = Pick<AccessRow, 'id' | 'tokenHash' | 'modified' | 'expires' | 'sessionExpires' | 'deleted'>;

/** D1 binds at most 100 parameters per statement: the account id plus this many access ids. */
const STATE_IDS_PER_QUERY = 90;

/** The current state of the given accesses of one account (rows missing from the answer no longer exist). */
export async function selectAccessStates(db: Db, userId: string, ids: readonly string[]): Promise<AccessState[]> {
  const chunks: string[][] = [];
  for (let i = 0; i < ids.length; i += STATE_IDS_PER_QUERY) chunks.push(ids.slice(i, i + STATE_IDS_PER_QUERY));
  const rows = await Promise.all(
    chunks.map((chunk) =>
      db
        .select({
          id: accesses.id,
          tokenHash: accesses.tokenHash,
          modified: accesses.modified,
          expires: accesses.expires,
          sessionExpires: accesses.sessionExpires,
          deleted: accesses.deleted,
        })
        .from(accesses)
        .where(and(eq(accesses.userId, userId), inArray(accesses.id, chunk))),
    ),
  );
  return rows.flat();
}
