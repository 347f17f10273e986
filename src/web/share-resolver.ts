/**
 * Share code → (user, access), at the edge: KV first (key = hash of the code), else D1. A KV hit is only a
 * candidate: the page's data is read through the method table, whose D1 round trips start with the access
 * guard (`runGuarded`), so a deleted or changed access is refused in the same round trip (§2.4). Every code
 * costs the same work up to that point — one hash and one lookup — whether it is unknown, revoked or expired.
 */
import type { Env } from '../env';
import { dropCacheEntry, readCacheEntry, writeCacheEntry } from '../auth/access-cache';
import { isExpired } from '../auth/access-rules';
import type { Resolved } from '../auth/resolve-access';
import type { AccessRow } from '../storage/schema';
import { findShareCode } from '../storage/directory';
import { shareCacheKey, shareCodeHash } from '../auth/share-codes';

/** A share page may be served for this access now: a live shared access, not past its `expires`. */
export function usableForShare(access: AccessRow | null, now: number): access is AccessRow {
  return access !== null && access.type === 'shared' && access.deleted === null && !isExpired(access, now);
}

export interface ShareResolution {
  resolved: Resolved | null;
  fromCache: boolean;
}

/**
 * Resolves a code. `skipCache` re-reads D1 (after the guard refused a cached access) and drops the KV entry.
 * Usable D1 answers are written back to KV after the response; negative answers are never cached.
 */
export async function resolveShareCode(
  env: Env,
  code: string,
  now: number,
  waitUntil: (p: Promise<unknown>) => void,
  opts: { skipCache?: boolean } = {},
): Promise<ShareResolution> {
  const hash = await shareCodeHash(code);
  const key = shareCacheKey(hash);
  if (opts.skipCache) {
    await dropCacheEntry(env, key).catch(() => undefined);
  } else {
    const cached = await readCacheEntry(env, key, now);
    if (cached && usableForShare(cached.access, now)) return { resolved: cached, fromCache: true };
  }
  const found = await findShareCode(env, hash);
  if (found && usableForShare(found.access, now)) {
    waitUntil(writeCacheEntry(env, key, found.user, found.access).catch(() => undefined));
  }
  return { resolved: found, fromCache: false };
}
