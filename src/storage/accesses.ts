import { and, asc, eq, inArray, isNotNull, isNull, ne, or, sql } from 'drizzle-orm';
import type { Db } from './db';
import { abortSql } from './d1-errors';
import { accessHistory, accesses, type AccessRow } from './schema';

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

/** The live personal sessions of the account other than `keepId`, with their sealed tokens (to drop KV entries). */
export function selectOtherSessions(db: Db, userId: string, keepId: string) {
  return db
    .select({ id: accesses.id, tokenSealed: accesses.tokenSealed })
    .from(accesses)
    .where(otherSessions(userId, keepId));
}

/** Ends every live personal session of the account but `keepId` (account.changePassword's `logoutOtherSessions`). */
export function endOtherSessions(db: Db, userId: string, keepId: string, now: number) {
  return db
    .update(accesses)
    .set({ tokenHash: null, tokenSealed: null, sessionExpires: null, modified: now, rev: sql`${accesses.rev} + 1` })
    .where(otherSessions(userId, keepId));
}

const otherSessions = (userId: string, keepId: string) =>
  and(eq(accesses.userId, userId), eq(accesses.type, 'personal'), ne(accesses.id, keepId), isNull(accesses.deleted), isNotNull(accesses.tokenHash));

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

/** The live app access of an app id and device name (a missing device name is one value, as in `accesses_live_name`). */
export function selectAppAccess(db: Db, userId: string, name: string, deviceName: string | null) {
  return db
    .select()
    .from(accesses)
    .where(
      and(
        eq(accesses.userId, userId),
        eq(accesses.type, 'app'),
        eq(accesses.name, name),
        sql`coalesce(${accesses.deviceName}, '') = ${deviceName ?? ''}`,
        isNull(accesses.deleted),
      ),
    )
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
 * Copies the access, as it is at revision `rev`, into its history (§5.7.6): the statement before
 * `updateAccessRow` in the same batch, so the snapshot exists exactly when the update lands.
 */
export function snapshotAccess(db: Db, userId: string, id: string, rev: number) {
  return db.insert(accessHistory).select(
    db
      .select({
        userId: accesses.userId,
        accessId: accesses.id,
        serial: accesses.serial,
        name: accesses.name,
        deviceName: accesses.deviceName,
        permissions: accesses.permissions,
        expires: accesses.expires,
        clientData: accesses.clientData,
        modified: accesses.modified,
        modifiedBy: accesses.modifiedBy,
      })
      .from(accesses)
      .where(and(eq(accesses.userId, userId), eq(accesses.id, id), eq(accesses.rev, rev), isNull(accesses.deleted))),
  );
}

/** The earlier versions of an access, oldest first. */
export function selectAccessHistory(db: Db, userId: string, id: string) {
  return db
    .select()
    .from(accessHistory)
    .where(and(eq(accessHistory.userId, userId), eq(accessHistory.accessId, id)))
    .orderBy(asc(accessHistory.serial));
}

/**
 * First statement of a write planned on an access read at revision `rev`: aborts the batch ('row-changed')
 * when the access changed or was deleted since.
 */
export function accessRevisionGuard(db: Db, userId: string, id: string, rev: number) {
  return db.all(sql`SELECT CASE WHEN EXISTS (
      SELECT 1 FROM accesses WHERE user_id = ${userId} AND id = ${id} AND rev = ${rev} AND deleted IS NULL)
    THEN 1 ELSE ${abortSql('row-changed')} END AS ok`);
}

/**
 * Applies an accesses.update in place, only if the row is still at revision `rev` (the one the update was
 * planned on); returns the updated id, or nothing when a concurrent change won. `modified` always changes so
 * the request guard sees it (§2.4), and `serial` moves to the next version (§5.7.6).
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
    .set({ ...values, rev: sql`${accesses.rev} + 1`, serial: sql`${accesses.serial} + 1` })
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
    .returning({ id: accesses.id, serial: accesses.serial, tokenSealed: accesses.tokenSealed });
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
