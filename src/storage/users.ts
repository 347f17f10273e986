import { and, eq, isNotNull, isNull, sql } from 'drizzle-orm';
import type { Db } from './db';
import { abortSql } from './d1-errors';
import { accesses, users, type AccessRow, type UserRow } from './schema';

export interface UserWithAccess {
  user: UserRow;
  /** The live access whose token hash matched, if a hash was given. */
  access: AccessRow | null;
}

/** The user and, in the same round trip, the access matching a token hash (§ one round trip per call). */
export async function findUserWithAccess(db: Db, username: string, hash: string | null): Promise<UserWithAccess | null> {
  const rows = await db
    .select({ user: users, access: accesses })
    .from(users)
    .leftJoin(
      accesses,
      and(eq(accesses.userId, users.id), eq(accesses.tokenHash, hash ?? ''), isNull(accesses.deleted)),
    )
    .where(eq(users.username, username))
    .limit(1);
  const row = rows[0];
  if (!row) return null;
  return { user: row.user, access: hash ? row.access : null };
}

/** The user and, in the same round trip, a live access with a token, by access id (attachment read tokens). */
export async function findUserWithAccessById(db: Db, username: string, accessId: string): Promise<UserWithAccess | null> {
  const rows = await db
    .select({ user: users, access: accesses })
    .from(users)
    .leftJoin(
      accesses,
      and(eq(accesses.userId, users.id), eq(accesses.id, accessId), isNull(accesses.deleted), isNotNull(accesses.tokenHash)),
    )
    .where(eq(users.username, username))
    .limit(1);
  const row = rows[0];
  return row ? { user: row.user, access: row.access } : null;
}

export async function findUserByUsername(db: Db, username: string): Promise<UserRow | null> {
  const rows = await db.select().from(users).where(eq(users.username, username)).limit(1);
  return rows[0] ?? null;
}

/** The account row, read in a method's guarded round trip (cached user rows carry no password hash). */
export function selectUser(db: Db, userId: string) {
  return db.select().from(users).where(eq(users.id, userId)).limit(1);
}

/** Changes e-mail and/or language (the directory took the e-mail first: src/storage/directory.ts). */
export function updateAccountRow(db: Db, userId: string, values: { email?: string; language?: string }) {
  return db.update(users).set(values).where(eq(users.id, userId)).returning();
}

/**
 * First statement of a password change planned on the hash it verified: aborts the batch ('row-changed')
 * when another change landed meanwhile, so the old password is checked against the hash actually replaced.
 */
export function passwordGuard(db: Db, userId: string, passwordHash: string) {
  return db.all(sql`SELECT CASE WHEN EXISTS (SELECT 1 FROM users WHERE id = ${userId} AND password_hash = ${passwordHash})
    THEN 1 ELSE ${abortSql('row-changed')} END AS ok`);
}

export function setPasswordHash(db: Db, userId: string, passwordHash: string) {
  return db.update(users).set({ passwordHash }).where(eq(users.id, userId));
}
