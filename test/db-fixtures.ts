import { env } from 'cloudflare:test';
import { and, eq } from 'drizzle-orm';
import { sealToken, tokenHash } from '../src/auth/crypto';
import { newId, newToken } from '../src/lib/ids';
import { getDb } from '../src/storage/db';
import { accesses, users, type AccessRow } from '../src/storage/schema';

/** Direct D1 access (through the real schema) for states no API call of this tier can produce. */
export const db = () => getDb(env.DB);

export async function userRow(username: string) {
  return (await db().select().from(users).where(eq(users.username, username)))[0];
}

export async function personalAccessOf(username: string, appId = 'test-app'): Promise<AccessRow> {
  const user = await userRow(username);
  const rows = await db().select().from(accesses).where(and(eq(accesses.userId, user.id), eq(accesses.name, appId)));
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
  await db().insert(accesses).values(row);
  return { id: row.id, token };
}

export async function updateAccessRow(id: string, values: Partial<AccessRow>) {
  await db().update(accesses).set(values).where(eq(accesses.id, id));
}
