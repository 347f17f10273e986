/**
 * Where each account lives, and what is global across accounts (docs/decisions/028-shards-and-directory.md).
 * Accounts are spread over the D1 bindings `DB_0 … DB_n` (shards); the `DIRECTORY` D1 database is the authority
 * on which shard holds a username, and holds what is cross-account: username and e-mail uniqueness (its unique
 * indexes), share codes, the abuse counters and the local mail outbox. Methods reach an account's data only
 * through `locate` / `dbFor`, once per request at the start of the call path; nothing on a request's path spans
 * shards.
 *
 * A username's shard is read from isolate memory, then KV, then the directory database: a warm isolate pays no
 * round trip. Both caches may be stale after a move: a shard that does not hold the account (any more) says so
 * (unknown user, or `users.moving = 'moved'`), and the caller asks the directory again (`relocate`).
 */
import type { Env } from '../env';
import { BoundedCache, JSON_HEAP_FACTOR } from '../lib/bounded-cache';
import { getDb, type Db } from './db';
import { isUniqueViolation, violatedUnique } from './d1-errors';
import type { AccessRow, UserRow } from './schema';
import { openSession, type AccountSession, type SessionStart } from './sessions';
import { findShareLink } from './share-links';
import { findUserByUsername } from './users';

/** One database holding accounts: its binding name (`DB_3`), the binding and its Drizzle handle. */
export interface Shard {
  name: string;
  d1: D1Database;
  db: Db;
}

/** Shard bindings are named `DB_<n>` (wrangler.toml); the order of `n` breaks placement ties. */
const SHARD_BINDING = /^DB_(\d+)$/;

/** Every shard binding of this deployment, by number. */
export function shardsOf(env: Env): Shard[] {
  return Object.keys(env)
    .map((name) => ({ name, n: SHARD_BINDING.exec(name)?.[1] }))
    .filter((s): s is { name: string; n: string } => s.n !== undefined)
    .sort((a, b) => Number(a.n) - Number(b.n))
    .map(({ name }) => shardNamed(env, name))
    .filter((s): s is Shard => s !== null);
}

/** The shard bound as `name`, or null when this deployment has no such binding. */
export function shardNamed(env: Env, name: string): Shard | null {
  const d1 = SHARD_BINDING.test(name) ? (env as unknown as Record<string, D1Database | undefined>)[name] : undefined;
  return d1 ? { name, d1, db: getDb(d1) } : null;
}

/** The database of cross-account state: abuse counters (per IP, per account) and the local mail outbox. */
export const globalDb = (env: Env): Db => getDb(env.DIRECTORY);

/**
 * Isolate memory in front of KV (docs/decisions/011-bounded-caches.md): username → shard name. An entry is only
 * a hint, checked by the shard itself on every use.
 */
const MEMORY_TTL_MS = 10 * 60_000;
export const PLACEMENT_MEMORY_MAX_ENTRIES = 50_000;
const PLACEMENT_MEMORY_MAX_BYTES = 4 * 1024 * 1024;
const placements = new BoundedCache<string, { shard: string; until: number }>({
  maxEntries: PLACEMENT_MEMORY_MAX_ENTRIES,
  maxBytes: PLACEMENT_MEMORY_MAX_BYTES,
  sizeOf: (value, key) => JSON_HEAP_FACTOR * (key.length + value.shard.length + 16),
});
/** KV copy of a placement: long, since a stale entry costs one directory read, never a wrong answer. */
export const PLACEMENT_KV_TTL_SECONDS = 24 * 3600;
const placementKey = (username: string) => `dir:${username}`;

function remember(username: string, shard: string): void {
  placements.set(username, { shard, until: Date.now() + MEMORY_TTL_MS });
}

/** The shard the directory database names for a username (the authority), or null when it has none. */
async function placementOf(env: Env, username: string): Promise<string | null> {
  const row = await env.DIRECTORY.prepare(`SELECT shard FROM accounts WHERE username = ? AND state <> 'pending'`).bind(username).first<{ shard: string }>();
  return row?.shard ?? null;
}

/**
 * The shard of an account: isolate memory, else KV, else the directory database (then remembered in both).
 * Null when no account has this username. `waitUntil` carries the KV write after a directory read.
 */
export async function locate(env: Env, username: string, waitUntil?: (p: Promise<unknown>) => void): Promise<Shard | null> {
  const hit = placements.get(username);
  if (hit && hit.until >= Date.now()) {
    const shard = shardNamed(env, hit.shard);
    if (shard) return shard;
  }
  let name: string | null = null;
  try {
    name = await env.ACCESSES.get(placementKey(username));
  } catch {
    // a KV outage falls back to the directory
  }
  const cached = name === null ? null : shardNamed(env, name);
  if (cached) {
    remember(username, cached.name);
    return cached;
  }
  return locateFresh(env, username, waitUntil);
}

/** The directory's own answer, skipping both caches (then refreshed). */
export async function locateFresh(env: Env, username: string, waitUntil?: (p: Promise<unknown>) => void): Promise<Shard | null> {
  const name = await placementOf(env, username);
  const shard = name === null ? null : shardNamed(env, name);
  if (!shard) {
    placements.delete(username);
    return null;
  }
  remember(username, shard.name);
  const put = env.ACCESSES.put(placementKey(username), shard.name, { expirationTtl: PLACEMENT_KV_TTL_SECONDS }).catch(() => undefined);
  if (waitUntil) waitUntil(put);
  else await put;
  return shard;
}

/**
 * After `stale` said it does not hold the account: the directory's shard when it is another one, else null
 * (the account does not exist, or its move is not switched yet).
 */
export async function relocate(env: Env, username: string, stale: string, waitUntil?: (p: Promise<unknown>) => void): Promise<Shard | null> {
  const fresh = await locateFresh(env, username, waitUntil);
  return fresh && fresh.name !== stale ? fresh : null;
}

/** Drops the cached placement of a username (a move switched it). */
export async function forgetPlacement(env: Env, username: string): Promise<void> {
  placements.delete(username);
  await env.ACCESSES.delete(placementKey(username));
}

/** The database holding this account, or null when there is no such account. */
export async function dbFor(env: Env, username: string): Promise<Db | null> {
  return (await locate(env, username))?.db ?? null;
}

/** A D1 session on the database holding this account (read replication: src/storage/sessions.ts), or null. */
export async function sessionFor(env: Env, username: string, start: SessionStart): Promise<AccountSession | null> {
  const shard = await locate(env, username);
  return shard ? openSession(shard.d1, start) : null;
}

/** Every shard's database, for work over all accounts (the audit cron, the blob sweeper, the hourly purge). */
export const databases = (env: Env): Db[] => shardsOf(env).map((s) => s.db);

/** Which of username and e-mail are taken in the directory (by an account or a registration not lapsed yet). */
export async function conflicts(env: Env, username: string, email: string, now: number): Promise<{ username: boolean; email: boolean }> {
  const { results } = await env.DIRECTORY.prepare(`SELECT username, email FROM accounts WHERE (username = ? OR email = ?) AND (state <> 'pending' OR created >= ?)`)
    .bind(username, email, now - RESERVATION_LAPSE_SECONDS)
    .all<{ username: string; email: string }>();
  return { username: results.some((r) => r.username === username), email: results.some((r) => r.email === email) };
}

/** The account of a username, or null. */
export async function findUser(env: Env, username: string): Promise<UserRow | null> {
  const shard = await locate(env, username);
  if (!shard) return null;
  const user = await findUserByUsername(shard.db, username);
  if (user && user.moving === null) return user;
  const moved = await relocate(env, username, shard.name);
  return moved ? findUserByUsername(moved.db, username) : user;
}

/** The username of an e-mail address, or null (the register's e-mail lookups). */
export async function findUsernameByEmail(env: Env, email: string): Promise<string | null> {
  const row = await env.DIRECTORY.prepare(`SELECT username FROM accounts WHERE email = ? AND state <> 'pending'`).bind(email).first<{ username: string }>();
  return row?.username ?? null;
}

/** Records a share code's account before its link is written in the shard (so a live link is always found). */
export async function addShareCode(env: Env, codeHash: string, username: string): Promise<void> {
  await env.DIRECTORY.prepare('INSERT INTO share_codes (code_hash, username) VALUES (?, ?)').bind(codeHash, username).run();
}

/** Forgets share codes whose links were deleted in their shard (a leftover entry only costs a shard read). */
export async function dropShareCodes(env: Env, codeHashes: readonly string[]): Promise<void> {
  if (codeHashes.length === 0) return;
  await env.DIRECTORY.batch(codeHashes.map((h) => env.DIRECTORY.prepare('DELETE FROM share_codes WHERE code_hash = ?').bind(h)));
}

/** The account and live access of a share code's hash, or null. */
export async function findShareCode(env: Env, codeHash: string): Promise<{ user: UserRow; access: AccessRow } | null> {
  const row = await env.DIRECTORY.prepare('SELECT username FROM share_codes WHERE code_hash = ?').bind(codeHash).first<{ username: string }>();
  if (!row) return null;
  const shard = await locate(env, row.username);
  if (!shard) return null;
  const found = await findShareLink(shard.db, codeHash);
  if (found && found.user.moving === null) return found;
  const moved = await relocate(env, row.username, shard.name);
  return moved ? findShareLink(moved.db, codeHash) : null;
}

/** Why a reservation was refused: the directory's unique indexes decided. */
export class AccountTaken extends Error {
  constructor(readonly what: 'username' | 'email') {
    super(`${what} taken`);
  }
}

/**
 * A registration's reservation left `pending` longer than this by a Worker that died before writing the shard
 * may be taken over by a new registration of the same username or e-mail.
 */
export const RESERVATION_LAPSE_SECONDS = 60;

/**
 * The placement policy: the shard with the fewest accounts (`shard_loads`, kept in the same batch as every
 * placement), ties to the lowest number. A shard added to wrangler.toml starts at 0 and takes every new account
 * until it catches up. As SQL, so that choosing and reserving are one atomic batch.
 */
function placementSql(shards: readonly Shard[]): { sql: string; params: string[] } {
  const values = shards.map((_, i) => `(?, ${i})`).join(', ');
  return {
    sql: `WITH candidates(name, n) AS (VALUES ${values})
      SELECT c.name FROM candidates c LEFT JOIN shard_loads l ON l.shard = c.name ORDER BY coalesce(l.accounts, 0), c.n LIMIT 1`,
    params: shards.map((s) => s.name),
  };
}

/**
 * Reserves a username and e-mail for a new account and places it, in one atomic directory batch: the
 * `accounts` row (`pending`; its primary key and e-mail index make one of racing registrations win, whatever
 * shard each would have used) and its shard's load. Throws `AccountTaken` when either is taken.
 */
export async function reserveAccount(env: Env, account: { username: string; userId: string; email: string; now: number }): Promise<Shard> {
  const shards = shardsOf(env);
  if (shards.length === 0) throw new Error('no shard binding (DB_0 … DB_n) is configured');
  const place = placementSql(shards);
  const d = env.DIRECTORY;
  const reserve = () =>
    d.batch([
      d.prepare(`INSERT INTO accounts (username, user_id, email, shard, state, created) SELECT ?, ?, ?, (${place.sql}), 'pending', ?`)
        .bind(account.username, account.userId, account.email, ...place.params, account.now),
      d.prepare(`INSERT INTO shard_loads (shard, accounts) SELECT shard, 1 FROM accounts WHERE username = ? AND true
        ON CONFLICT (shard) DO UPDATE SET accounts = accounts + 1`).bind(account.username),
      d.prepare('SELECT shard FROM accounts WHERE username = ?').bind(account.username),
    ]);
  let out: D1Result[];
  try {
    out = await reserve();
  } catch (e) {
    if (!isUniqueViolation(e) || !(await reclaimLapsed(env, account, account.now))) throw taken(e);
    try {
      out = await reserve();
    } catch (again) {
      throw taken(again);
    }
  }
  const name = (out[2].results[0] as { shard: string }).shard;
  return shardNamed(env, name)!;
}

const taken = (e: unknown) => (isUniqueViolation(e) ? new AccountTaken(violatedUnique(e)!.includes('email') ? 'email' : 'username') : e);

/**
 * Removes reservations of this username or e-mail left pending past the lapse whose shard never got the
 * account; true when one was removed. Guarded on the row read (`user_id`, state), so two reclaimers remove it once.
 */
async function reclaimLapsed(env: Env, account: { username: string; email: string }, now: number): Promise<boolean> {
  const { results } = await env.DIRECTORY.prepare(`SELECT username, user_id AS userId, shard FROM accounts WHERE (username = ? OR email = ?) AND state = 'pending' AND created < ?`)
    .bind(account.username, account.email, now - RESERVATION_LAPSE_SECONDS)
    .all<{ username: string; userId: string; shard: string }>();
  let reclaimed = false;
  for (const row of results) {
    const shard = shardNamed(env, row.shard);
    const there = shard ? await shard.d1.prepare('SELECT 1 FROM users WHERE id = ?').bind(row.userId).first() : null;
    if (there) {
      // The shard write did land: the registration succeeded, only its confirmation was lost.
      await confirmAccount(env, row.username, row.userId);
      continue;
    }
    await releaseAccount(env, row.username, row.userId);
    reclaimed = true;
  }
  return reclaimed;
}

/** The shard now holds the account: it becomes visible to lookups. */
export async function confirmAccount(env: Env, username: string, userId: string): Promise<void> {
  await env.DIRECTORY.prepare(`UPDATE accounts SET state = 'active' WHERE username = ? AND user_id = ? AND state = 'pending'`).bind(username, userId).run();
}

/** Undoes a reservation whose shard write failed (or lapsed): the row and its shard's load, atomically. */
export async function releaseAccount(env: Env, username: string, userId: string): Promise<void> {
  const d = env.DIRECTORY;
  await d.batch([
    d.prepare(`UPDATE shard_loads SET accounts = accounts - 1 WHERE shard = (SELECT shard FROM accounts WHERE username = ? AND user_id = ? AND state = 'pending')`).bind(username, userId),
    d.prepare(`DELETE FROM accounts WHERE username = ? AND user_id = ? AND state = 'pending'`).bind(username, userId),
  ]);
}

/**
 * Moves an account's e-mail in the directory, whose unique index decides clashes across shards; returns the
 * previous address (to put back if the shard's write then fails). Throws `AccountTaken('email')`.
 */
export async function changeEmail(env: Env, username: string, email: string): Promise<string | null> {
  const d = env.DIRECTORY;
  try {
    const [before] = await d.batch([
      d.prepare('SELECT email FROM accounts WHERE username = ?').bind(username),
      d.prepare('UPDATE accounts SET email = ? WHERE username = ?').bind(email, username),
    ]);
    return (before.results[0] as { email: string } | undefined)?.email ?? null;
  } catch (e) {
    throw taken(e);
  }
}
