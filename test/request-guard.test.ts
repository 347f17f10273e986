import { env } from 'cloudflare:test';
import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { runGuarded } from '../src/auth/request-guard';
import { StaleAccessError } from '../src/core/errors';
import { getDb } from '../src/storage/db';
import { accesses, streams, users } from '../src/storage/schema';
import { call, newUser } from './helpers';
import { accountDb } from './db-fixtures';

async function personalAccess(username: string) {
  const db = await accountDb(username);
  const user = (await db.select().from(users).where(eq(users.username, username)))[0];
  const access = (await db.select().from(accesses).where(eq(accesses.userId, user.id)))[0];
  return { db, user, access };
}

const streamRow = (userId: string, id: string) => ({
  userId, id, name: id, parentId: null, clientData: null, trashed: false,
  created: 1, createdBy: 'system', modified: 1, modifiedBy: 'system',
});

describe('request guard (access re-checked inside the method round trip)', () => {
  it('runs the statements and returns the stream-tree version when the access is live', async () => {
    const { username } = await newUser('guard');
    const { db, user, access } = await personalAccess(username);
    const { streamsVersion, results } = await runGuarded(db, access, Date.now() / 1000, [
      db.insert(streams).values(streamRow(user.id, 'a')),
      db.select().from(streams).where(eq(streams.userId, user.id)),
    ] as const);
    expect(streamsVersion).toBe(0);
    expect(results[1]).toHaveLength(1);
  });

  it('refuses a deleted access and rolls back the writes of the same batch', async () => {
    const { username } = await newUser('guard');
    const { db, user, access } = await personalAccess(username);
    await db.update(accesses).set({ deleted: 1 }).where(eq(accesses.id, access.id));
    await expect(
      runGuarded(db, access, Date.now() / 1000, [db.insert(streams).values(streamRow(user.id, 'b'))] as const),
    ).rejects.toBeInstanceOf(StaleAccessError);
    const rows = await db.select().from(streams).where(eq(streams.userId, user.id));
    expect(rows).toHaveLength(0);
  });

  it('refuses an access whose row changed since it was read (e.g. narrowed permissions)', async () => {
    const { username } = await newUser('guard');
    const { db, access } = await personalAccess(username);
    await db.update(accesses).set({ modified: access.modified + 1 }).where(eq(accesses.id, access.id));
    await expect(runGuarded(db, access, Date.now() / 1000, [db.all(sql`SELECT 1`)] as const)).rejects.toBeInstanceOf(StaleAccessError);
  });

  it('answers a stale access over HTTP as an unknown token', async () => {
    const { username, token } = await newUser('guard');
    const { db, access } = await personalAccess(username);
    await db.update(accesses).set({ deleted: 1 }).where(eq(accesses.id, access.id));
    const res = await call('GET', `/${username}/access-info`, { token });
    expect(res.status).toBe(403);
    expect(res.body.error.id).toBe('invalid-access-token');
  });
});
