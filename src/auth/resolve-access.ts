import { err } from '../api/errors';
import type { Db } from '../storage/db';
import type { AccessRow, UserRow } from '../storage/schema';
import { findUserWithAccess } from '../storage/users';
import { tokenHash } from './crypto';

export interface Resolved {
  user: UserRow;
  access: AccessRow | null;
}

/**
 * The user of the URL and, when a token is given, its live access — one D1 round trip. Returns null for an
 * unknown user (404 comes before any token error, §2.1).
 */
export async function resolveUserAndAccess(db: Db, username: string, token: string | undefined): Promise<Resolved | null> {
  const hash = token ? await tokenHash(username, token) : null;
  return findUserWithAccess(db, username, hash);
}

/** Token outcomes of §2.3 that do not depend on the method: unknown, ended session. Expiry is checked after. */
export function requireLiveAccess(access: AccessRow | null, now: number): AccessRow {
  if (!access) throw err.unknownToken();
  if (access.type === 'personal' && (access.sessionExpires === null || access.sessionExpires < now)) throw err.unknownToken();
  return access;
}

export function requireNotExpired(access: AccessRow, now: number): void {
  if (access.expires !== null && access.expires < now) throw err.expired();
}
