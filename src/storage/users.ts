import { and, eq, isNotNull, isNull, or } from 'drizzle-orm';
import type { Db } from './db';
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

/** Which of username / e-mail are already taken (one query). */
export async function findConflicts(db: Db, username: string, email: string): Promise<{ username: boolean; email: boolean }> {
  const rows = await db
    .select({ username: users.username, email: users.email })
    .from(users)
    .where(or(eq(users.username, username), eq(users.email, email)));
  return { username: rows.some((r) => r.username === username), email: rows.some((r) => r.email === email) };
}
