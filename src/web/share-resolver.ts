/**
 * Share code → (user, access), at the edge: KV first (key = hash of the code), else D1. A KV hit is only a
 * candidate: the page's data is read through the method table, whose D1 round trips start with the access
 * guard (`runGuarded`), so a deleted or changed access is refused in the same round trip (§2.4). Every code
 * costs the same work up to that point — one hash and one lookup — whether it is unknown, revoked or expired.
 */
import type { Env } from '../env';
import type { Resolved } from '../auth/resolve-access';
import type { Db } from '../storage/db';
import type { AccessRow, UserRow } from '../storage/schema';
import { findShareLink } from '../storage/share-links';
import { shareCacheKey, shareCodeHash } from './share-links';

/** Bounds how long a stale entry keeps costing a retry; it can never authorize anything by itself. */
const CACHE_TTL_SECONDS = 600;

interface CachedShare {
  v: 1;
  user: Omit<UserRow, 'passwordHash'>;
  access: Omit<AccessRow, 'tokenSealed'>;
}

/** A share page may be served for this access now: a live shared access, not past its `expires`. */
export function usableForShare(access: AccessRow | null, now: number): access is AccessRow {
  return access !== null && access.type === 'shared' && access.deleted === null && (access.expires === null || access.expires >= now);
}

export interface ShareResolution {
  resolved: Resolved | null;
  fromCache: boolean;
}

async function readCache(env: Env, key: string): Promise<Resolved | null> {
  try {
    const entry = await env.ACCESSES.get<CachedShare>(key, 'json');
    if (!entry || entry.v !== 1 || !entry.user || !entry.access) return null;
    return { user: { ...entry.user, passwordHash: '' }, access: { ...entry.access, tokenSealed: null } };
  } catch {
    return null; // an unreadable entry or a KV outage falls back to D1
  }
}

async function writeCache(env: Env, key: string, resolved: { user: UserRow; access: AccessRow }): Promise<void> {
  const { passwordHash: _p, ...user } = resolved.user;
  const { tokenSealed: _s, ...access } = resolved.access;
  const entry: CachedShare = { v: 1, user, access };
  await env.ACCESSES.put(key, JSON.stringify(entry), { expirationTtl: CACHE_TTL_SECONDS });
}

/**
 * Resolves a code. `skipCache` re-reads D1 (after the guard refused a cached access) and drops the KV entry.
 * Usable D1 answers are written back to KV after the response; negative answers are never cached.
 */
export async function resolveShareCode(
  env: Env,
  db: Db,
  code: string,
  now: number,
  waitUntil: (p: Promise<unknown>) => void,
  opts: { skipCache?: boolean } = {},
): Promise<ShareResolution> {
  const hash = await shareCodeHash(code);
  const key = shareCacheKey(hash);
  if (opts.skipCache) {
    await env.ACCESSES.delete(key).catch(() => undefined);
  } else {
    const cached = await readCache(env, key);
    if (cached && usableForShare(cached.access, now)) return { resolved: cached, fromCache: true };
  }
  const found = await findShareLink(db, hash);
  if (found && usableForShare(found.access, now)) {
    waitUntil(writeCache(env, key, found).catch(() => undefined));
  }
  return { resolved: found, fromCache: false };
}
