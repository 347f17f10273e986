import { env } from 'cloudflare:test';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { accessCacheKey, readCacheEntry } from '../src/auth/access-cache';
import { getDb } from '../src/storage/db';
import { accesses } from '../src/storage/schema';
import { call, newUser } from './helpers';
import { accountDb } from './db-fixtures';

const now = () => Date.now() / 1000;

/** Serves a request so the token's cache entry exists, then removes it from KV: only isolate memory holds it. */
async function onlyInIsolateMemory(username: string, token: string): Promise<string> {
  const key = await accessCacheKey(username, token);
  for (let i = 0; i < 200 && !(await env.ACCESSES.get(key)); i++) {
    expect((await call('GET', `/${username}/access-info`, { token })).status).toBe(200);
  }
  await env.ACCESSES.delete(key);
  expect(await env.ACCESSES.get(key)).toBeNull();
  expect(await readCacheEntry(env, key, now())).not.toBeNull();
  return key;
}

describe('isolate memory in front of KV (a hint, never the authority)', () => {
  it('spares the KV read: an entry gone from KV is still served from the isolate', async () => {
    const { username, token } = await newUser('isocache');
    await onlyInIsolateMemory(username, token);
    const res = await call('GET', `/${username}/access-info`, { token });
    expect(res.status).toBe(200);
  });

  it('refuses at once an access deleted in D1 while the isolate still holds it', async () => {
    const { username, token } = await newUser('isocache');
    await onlyInIsolateMemory(username, token);
    // Deleted behind the API's back: nothing invalidates the cached copy.
    const info = await call('GET', `/${username}/access-info`, { token });
    await (await accountDb(username)).update(accesses).set({ deleted: now() }).where(eq(accesses.id, info.body.id));
    const res = await call('GET', `/${username}/access-info`, { token });
    expect(res.status).toBe(403);
    expect(res.body.error.id).toBe('invalid-access-token');
  });

  it('answers with the changed access when D1 changed it while the isolate held the old row', async () => {
    const { username, token } = await newUser('isocache');
    await onlyInIsolateMemory(username, token);
    const info = await call('GET', `/${username}/access-info`, { token });
    await (await accountDb(username))
      .update(accesses)
      .set({ clientData: JSON.stringify({ changed: true }), modified: now() })
      .where(eq(accesses.id, info.body.id));
    const res = await call('GET', `/${username}/access-info`, { token });
    expect(res.status).toBe(200);
    expect(res.body.clientData).toEqual({ changed: true });
  });
});
