import { env } from 'cloudflare:test';
import { and, eq } from 'drizzle-orm';
import { sealToken, tokenHash } from '../src/auth/crypto';
import { newId, newToken } from '../src/lib/ids';
import { getDb, type Db } from '../src/storage/db';
import { shardsOf } from '../src/storage/directory';
import { accesses, users, type AccessRow } from '../src/storage/schema';

/**
 * Direct D1 access (through the real schema) for states no API call of this tier can produce: `accountDb(username)`
 * on the account's own shard, or `inShards` for a lookup by a key that names no account (an access id).
 */
export async function inShards<T>(query: (db: Db) => Promise<T[]>): Promise<T[]> {
  return (await Promise.all(shardsOf(env).map((s) => query(s.db)))).flat();
}

export async function userRow(username: string) {
  return (await (await accountDb(username)).select().from(users).where(eq(users.username, username)))[0];
}

export async function personalAccessOf(username: string, appId = 'test-app'): Promise<AccessRow> {
  const user = await userRow(username);
  const rows = await (await accountDb(username)).select().from(accesses).where(and(eq(accesses.userId, user.id), eq(accesses.name, appId)));
  return rows[0];
}

/** Inserts an access of any type with a fresh token, stored as the Worker stores it (hash + sealed copy). */
export async function insertAccessRow(username: string, values: Partial<AccessRow> = {}): Promise<{ id: string; token: string }> {
  const user = await userRow(username);
  const token = newToken();
  const now = Date.now() / 1000;
  const row: AccessRow = {
    id: newId(),
    userId: user.id,
    tokenHash: await tokenHash(username, token),
    tokenSealed: await sealToken(env.TOKEN_KEY!, token),
    type: 'app',
    name: `app-${newId()}`,
    deviceName: null,
    permissions: JSON.stringify([{ streamId: '*', level: 'read' }]),
    expires: null,
    sessionExpires: null,
    lastUsed: null,
    clientData: null,
    parentId: null,
    rev: 0,
    serial: 0,
    created: now,
    createdBy: 'system',
    modified: now,
    modifiedBy: 'system',
    deleted: null,
    ...values,
  };
  await (await accountDb(username)).insert(accesses).values(row);
  return { id: row.id, token };
}

export async function updateAccessRow(id: string, values: Partial<AccessRow>) {
  await inShards((db) => db.update(accesses).set(values).where(eq(accesses.id, id)).returning({ id: accesses.id }));
}

/** The shard binding name holding a username, as the directory says (decision 028). */
export async function shardOf(username: string): Promise<string> {
  const row = await env.DIRECTORY.prepare('SELECT shard FROM accounts WHERE username = ?').bind(username).first<{ shard: string }>();
  if (!row) throw new Error(`no account "${username}" in the directory`);
  return row.shard;
}

const shardD1 = (name: string): D1Database => (env as unknown as Record<string, D1Database>)[name];

/** The D1 database holding a username's account, for direct reads and writes of tests. */
export const accountD1 = async (username: string): Promise<D1Database> => shardD1(await shardOf(username));

/** The same by user id; a user id no account has (rows a test writes for a made-up id) lives on `anyShard()`. */
export async function accountD1ById(userId: string): Promise<D1Database> {
  const row = await env.DIRECTORY.prepare('SELECT shard FROM accounts WHERE user_id = ?').bind(userId).first<{ shard: string }>();
  return row ? shardD1(row.shard) : anyShard();
}

/** The Drizzle handle of a username's shard. */
export const accountDb = async (username: string) => getDb(await accountD1(username));

/** A shard for tests that write rows of no registered account (any shard holds the same schema). */
export const anyShard = (): D1Database => env.DB_0!;
