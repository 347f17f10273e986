import type { Env } from '../env';
import type { AccessRow, UserRow } from '../storage/schema';
import { BoundedCache, JSON_HEAP_FACTOR, jsonHeapBytes } from '../lib/bounded-cache';
import { isExpired } from './access-rules';
import { sha256Hex, unsealToken } from './crypto';
import type { UserWithAccess as Resolved } from '../storage/users';

/**
 * KV is only a lookup accelerator: a hit spares the D1 lookup, never the D1 guard that every method's own
 * round trip starts with (docs/decisions/003-edge-authorization.md). So entries may be stale for as long
 * as they live; the TTL only bounds how long a stale one keeps causing a retry.
 */
export const CACHE_TTL_SECONDS = 600;

/** KV key of a token: a SHA-256 of user and token, so KV never holds a raw token either. */
export async function accessCacheKey(username: string, token: string): Promise<string> {
  return `tok:${await sha256Hex(`${username}\u0000${token}`)}`;
}

/** What a KV entry holds: the user and access rows minus the password hash and the sealed token. */
export interface CachedAccess {
  v: 1;
  user: Omit<UserRow, 'passwordHash'>;
  access: Omit<AccessRow, 'tokenSealed'>;
}

/**
 * A per-isolate layer in front of KV. It holds the same kind of hint as KV and is trusted no more: the guard
 * of the method's own D1 round trip decides, and a stale hit is dropped and re-read (decision 003). It spares
 * the KV read on a warm isolate, which locally costs as much as the D1 round trip itself (docs/performance.md).
 */
const MEMORY_TTL_MS = 60_000;
/** Bounds of that layer (docs/decisions/011-bounded-caches.md): a personal token's entry is ~1.4 KB. */
export const MEMORY_MAX_ENTRIES = 1_000;
export const MEMORY_MAX_BYTES = 4 * 1024 * 1024;
/** An access whose permissions or clientData make it larger is served from KV, not kept in memory. */
export const MEMORY_MAX_ENTRY_BYTES = 256 * 1024;
const memory = new BoundedCache<string, { entry: CachedAccess; until: number }>({
  maxEntries: MEMORY_MAX_ENTRIES,
  maxBytes: MEMORY_MAX_BYTES,
  maxEntryBytes: MEMORY_MAX_ENTRY_BYTES,
  sizeOf: (value, key) => jsonHeapBytes(value.entry) + JSON_HEAP_FACTOR * key.length,
});

function memoryGet(key: string): CachedAccess | null {
  const hit = memory.get(key);
  if (!hit) return null;
  if (hit.until < Date.now()) {
    memory.delete(key);
    return null;
  }
  return hit.entry;
}

function memoryPut(key: string, entry: CachedAccess): void {
  memory.set(key, { entry, until: Date.now() + MEMORY_TTL_MS });
}

/** Drops an entry from both layers (the caller knows it is stale or revoked). */
export async function dropCacheEntry(env: Env, key: string): Promise<void> {
  memory.delete(key);
  await env.ACCESSES.delete(key);
}

/**
 * A cached user and access under any KV key (a token's, a share code's), or null on a miss. An entry that
 * looks ended or expired is also a miss: the session may have slid or the expiry been lifted since, and only
 * D1 can say (a refusal is never decided on KV data alone).
 */
export async function readCacheEntry(env: Env, key: string, now: number): Promise<Resolved | null> {
  let entry = memoryGet(key);
  if (!entry) {
    try {
      entry = await env.ACCESSES.get<CachedAccess>(key, 'json');
    } catch {
      return null; // an unreadable entry or a KV outage falls back to D1
    }
    if (entry) memoryPut(key, entry);
  }
  if (!entry || entry.v !== 1 || !entry.user || !entry.access) return null;
  const access: AccessRow = { ...entry.access, tokenSealed: null };
  if (access.type === 'personal' && (access.sessionExpires === null || access.sessionExpires < now)) return null;
  if (isExpired(access, now)) return null;
  return { user: { ...entry.user, passwordHash: '' }, access };
}

export async function writeCacheEntry(env: Env, key: string, user: UserRow, access: AccessRow): Promise<void> {
  const { passwordHash: _p, ...userPart } = user;
  const { tokenSealed: _s, ...accessPart } = access;
  const entry: CachedAccess = { v: 1, user: userPart, access: accessPart };
  memoryPut(key, entry);
  await env.ACCESSES.put(key, JSON.stringify(entry), { expirationTtl: CACHE_TTL_SECONDS });
}

/** The cached user and access of a token (see readCacheEntry). */
export async function readCachedAccess(env: Env, username: string, token: string, now: number): Promise<Resolved | null> {
  const found = await readCacheEntry(env, await accessCacheKey(username, token), now);
  return found && found.user.username === username ? found : null;
}

export async function writeCachedAccess(env: Env, username: string, token: string, user: UserRow, access: AccessRow): Promise<void> {
  await writeCacheEntry(env, await accessCacheKey(username, token), user, access);
}

/** Drops a token's cached entry (logout, deletion); D1 stays the authority whatever KV still holds. */
export async function forgetAccess(env: Env, username: string, token: string): Promise<void> {
  await dropCacheEntry(env, await accessCacheKey(username, token));
}

/** Drops the cached entries of accesses known by their sealed tokens (update, delete, cascade, new session). */
export async function forgetSealed(env: Env, username: string, sealed: readonly (string | null)[]): Promise<void> {
  if (!env.TOKEN_KEY) return;
  const key = env.TOKEN_KEY;
  await Promise.all(
    sealed.map(async (s) => {
      const token = s ? await unsealToken(key, s) : null;
      if (token) await forgetAccess(env, username, token);
    }),
  );
}
