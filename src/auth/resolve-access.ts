import { err } from '../core/errors';
import type { Env } from '../env';
import type { Db } from '../storage/db';
import type { AccessRow, UserRow } from '../storage/schema';
import { findUserWithAccess, findUserWithAccessById, type UserWithAccess } from '../storage/users';
import { isExpired } from './access-rules';
import { readCachedAccess, writeCachedAccess } from './access-cache';
import { tokenHash, unsealToken } from './crypto';
import { accessIdOfReadToken } from './read-tokens';
import { tokenKey } from './session';

/** A user and the live access of the presented token (null when none matched or none was given). */
export type Resolved = UserWithAccess;

/**
 * The user of the URL and, when a token is given, its live access — one D1 round trip. Returns null for an
 * unknown user (404 comes before any token error, §2.1).
 */
export async function resolveUserAndAccess(db: Db, username: string, token: string | undefined): Promise<Resolved | null> {
  const hash = token ? await tokenHash(username, token) : null;
  return findUserWithAccess(db, username, hash);
}

/** True when the access may be used now as far as its own row says (live session, not expired). */
const usable = (access: AccessRow, now: number) =>
  !isExpired(access, now) && (access.type !== 'personal' || (access.sessionExpires !== null && access.sessionExpires >= now));

export interface Resolution {
  resolved: Resolved | null;
  /** Whether the access came from KV (then only the method's guarded round trip confirms it). */
  fromCache: boolean;
}

/**
 * Edge authorization lookup: KV first (no D1 round trip on a hit), else D1, whose usable answers are written
 * back to KV after the response. Negative answers are never cached.
 */
export async function resolveRequest(
  env: Env,
  db: Db,
  username: string,
  token: string | undefined,
  now: number,
  waitUntil: (p: Promise<unknown>) => void,
  opts: { skipCache?: boolean } = {},
): Promise<Resolution> {
  if (token && !opts.skipCache) {
    const cached = await readCachedAccess(env, username, token, now);
    if (cached) return { resolved: cached, fromCache: true };
  }
  const resolved = await resolveUserAndAccess(db, username, token);
  if (token && resolved?.access && usable(resolved.access, now)) {
    waitUntil(writeCachedAccess(env, username, token, resolved.user, resolved.access).catch(() => undefined));
  }
  return { resolved, fromCache: false };
}

/** Token outcomes of §2.3 that do not depend on the method: unknown, ended session. Expiry is checked after. */
export function requireLiveAccess(access: AccessRow | null, now: number): AccessRow {
  if (!access) throw err.unknownToken();
  if (access.type === 'personal' && (access.sessionExpires === null || access.sessionExpires < now)) throw err.unknownToken();
  return access;
}

export function requireNotExpired(access: AccessRow, now: number): void {
  if (isExpired(access, now)) throw err.expired();
}

/** A read token's resolution: the access it names (read from D1, never from a cache) and that access's token. */
export interface ReadTokenResolution extends Resolution {
  token: string;
}

/**
 * Resolves an attachment `readToken` bound to `fileId` (§5.5): the user (null: unknown user, 404 first), then
 * 401 for a token the server did not issue for this file, then the live access it names, whose sealed token is
 * opened so the call runs exactly as if that token had been sent. Always read from D1, so a deleted access is
 * refused at once whatever a cache holds; visibility of the event is the method's own guarded read.
 */
export async function resolveReadToken(env: Env, db: Db, username: string, fileId: string, readToken: string): Promise<ReadTokenResolution | null> {
  const secret = tokenKey(env);
  const dash = readToken.indexOf('-');
  const found = await findUserWithAccessById(db, username, dash > 0 ? readToken.slice(0, dash) : '');
  if (!found) return null;
  if ((await accessIdOfReadToken(secret, username, fileId, readToken)) === null) throw err.badReadToken();
  const token = found.access?.tokenSealed ? await unsealToken(secret, found.access.tokenSealed) : null;
  if (!found.access || token === null) return { resolved: { user: found.user, access: null }, fromCache: false, token: '' };
  return { resolved: found, fromCache: false, token };
}
