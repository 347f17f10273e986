import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { accessCacheKey, writeCachedAccess, type CachedAccess } from '../src/auth/access-cache';
import { createApp } from '../src/api/http';
import { call, batch, BASE, newUser } from './helpers';
import { accessRow, createAccess, deleteAccess, plantStreams, updateAccess, userRow } from './access-fixtures';
import { accountD1, shardOf } from './db-fixtures';

/** Plants what a KV location may still hold: the user and access rows as they were read earlier. */
async function plant(username: string, token: string, user: Awaited<ReturnType<typeof userRow>>, access: Awaited<ReturnType<typeof accessRow>>) {
  await writeCachedAccess(env, username, token, user, access);
}

async function cached(username: string, token: string): Promise<CachedAccess | null> {
  return env.ACCESSES.get<CachedAccess>(await accessCacheKey(username, token), 'json');
}

/** The write-back happens after the response (waitUntil): poll KV for it instead of timing it. */
async function waitForCache(username: string, token: string): Promise<CachedAccess> {
  for (let i = 0; i < 200; i++) {
    const entry = await cached(username, token);
    if (entry) return entry;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error('no KV entry was written');
}

/** A D1 binding that counts what reaches D1: statements run on their own vs. batches. */
function countingD1(d1: D1Database) {
  const counts = { direct: [] as string[], batches: 0 };
  const targets = new WeakMap<object, D1PreparedStatement>();
  const wrap = (stmt: D1PreparedStatement, sql: string): D1PreparedStatement => {
    const proxy = new Proxy(stmt, {
      get(t, p) {
        const v = Reflect.get(t, p) as unknown;
        if (typeof v !== 'function') return v;
        if (p === 'bind') return (...args: unknown[]) => wrap((v as Function).apply(t, args), sql);
        if (p === 'all' || p === 'first' || p === 'run' || p === 'raw') {
          return (...args: unknown[]) => {
            counts.direct.push(sql);
            return (v as Function).apply(t, args);
          };
        }
        return (v as Function).bind(t);
      },
    });
    targets.set(proxy, stmt);
    return proxy;
  };
  // The binding and each request's session (D1 Sessions API) count alike.
  const counting = <T extends Pick<D1Database, 'prepare' | 'batch'>>(d: T): T => new Proxy(d, {
    get(t, p) {
      const v = Reflect.get(t, p) as unknown;
      if (p === 'withSession') return (start?: string) => counting((v as D1Database['withSession']).call(t, start));
      if (p === 'prepare') return (sql: string) => wrap(t.prepare(sql), sql);
      if (p === 'batch') {
        return (stmts: D1PreparedStatement[]) => {
          counts.batches += 1;
          return t.batch(stmts.map((s) => targets.get(s) ?? s));
        };
      }
      return typeof v === 'function' ? (v as Function).bind(t) : v;
    },
  });
  return { binding: counting(d1), counts };
}

async function fetchWithCountingD1(path: string, token: string) {
  const username = path.split('/')[1];
  const shard = await shardOf(username);
  const { binding, counts } = countingD1(await accountD1(username));
  const ctx = createExecutionContext();
  const res = await createApp().fetch(new Request(`${BASE}${path}`, { headers: { Authorization: token } }), { ...env, [shard]: binding }, ctx);
  const body = (await res.json()) as any;
  await waitOnExecutionContext(ctx);
  return { status: res.status, body, counts };
}

async function sharedAccess(level = 'read') {
  const u = await newUser('edge');
  await plantStreams(u.username, [['a', null], ['a1', 'a']]);
  const created = await createAccess(u.username, u.token, { name: 'app', type: 'app', permissions: [{ streamId: 'a', level }] });
  return { ...u, access: created.body.access as { id: string; token: string } };
}

describe('edge authorization: KV lookup', () => {
  it('a D1 lookup is written back to KV under a hash key, without raw token, password hash or sealed token', async () => {
    const { username, access } = await sharedAccess();
    expect(await cached(username, access.token)).toBeNull();
    expect((await call('GET', `/${username}/access-info`, { token: access.token })).status).toBe(200);
    const entry = await waitForCache(username, access.token);
    expect(entry.access.id).toBe(access.id);
    const text = JSON.stringify(entry);
    expect(text).not.toContain(access.token);
    expect(text).not.toContain('passwordHash');
    expect(text).not.toContain('tokenSealed');
    expect(await accessCacheKey(username, access.token)).not.toContain(access.token);
  });

  it('a KV hit costs no D1 lookup: the only D1 traffic is the method\'s guarded batch, and the access comes from KV', async () => {
    const { username, access } = await sharedAccess();
    const miss = await fetchWithCountingD1(`/${username}/access-info`, access.token);
    expect(miss.status).toBe(200);
    // Besides the guard batch, a miss runs the user + access lookup; the lastUsed touch runs via waitUntil.
    const lookups = (sqls: string[]) => sqls.filter((q) => !/^update "accesses" set "last_used"/i.test(q));
    expect(lookups(miss.counts.direct)).toHaveLength(1);
    expect(lookups(miss.counts.direct)[0]).toMatch(/^select/i);
    expect(miss.counts.batches).toBe(1);
    // Plant an entry whose access name differs from D1's (guard-relevant fields unchanged): the answer shows
    // the request was authorized from KV, and no statement ran outside the guarded batch.
    const user = await userRow(username);
    const row = await accessRow(access.id);
    await plant(username, access.token, user, { ...row, name: 'name-from-kv' });
    const hit = await fetchWithCountingD1(`/${username}/access-info`, access.token);
    expect(hit.status).toBe(200);
    expect(hit.body.name).toBe('name-from-kv');
    expect(hit.counts.direct).toEqual([]); // not even a touch: lastUsed is recent
    expect(hit.counts.batches).toBe(1);
  });

  it('update and delete bump modified and drop the KV entries of the accesses they change (cascade included)', async () => {
    const { username, token, access } = await sharedAccess('manage');
    const child = (await createAccess(username, access.token, { name: 'child', permissions: [{ streamId: 'a', level: 'read' }] })).body.access;
    for (const t of [access.token, child.token]) {
      await call('GET', `/${username}/access-info`, { token: t });
      await waitForCache(username, t);
    }
    const before = await accessRow(access.id);
    const renamed = await updateAccess(username, token, access.id, { name: 'renamed' });
    expect(renamed.status).toBe(200);
    expect((await accessRow(access.id)).modified).toBeGreaterThan(before.modified);
    expect(await cached(username, access.token)).toBeNull();
    await call('GET', `/${username}/access-info`, { token: access.token });
    await waitForCache(username, access.token);
    const del = await deleteAccess(username, token, renamed.body.access.id);
    expect(del.body.relatedDeletions).toEqual([{ id: child.id, deleted: expect.any(Number) }]);
    expect(await cached(username, access.token)).toBeNull();
    expect(await cached(username, child.token)).toBeNull();
  });

  it('an unknown user is 404 before any token check, whatever the token', async () => {
    const res = await call('GET', '/nobody-here-123/access-info', { token: 'whatever' });
    expect(res.status).toBe(404);
    expect(res.body.error.message).toContain('Unknown user');
  });
});

describe('edge authorization: a stale KV entry never authorizes (§2.4)', () => {
  it('a deleted access planted in KV is refused on the very next call, and the entry is dropped', async () => {
    const { username, token, access } = await sharedAccess();
    const user = await userRow(username);
    const before = await accessRow(access.id);
    expect((await deleteAccess(username, token, access.id)).status).toBe(200);
    await plant(username, access.token, user, before);
    for (const [verb, path] of [['GET', 'access-info'], ['GET', 'accesses'], ['DELETE', `accesses/${access.id}`]]) {
      await plant(username, access.token, user, before);
      const res = await call(verb, `/${username}/${path}`, { token: access.token });
      expect(res.status, path).toBe(403);
      expect(res.body.error).toMatchObject({ id: 'invalid-access-token', message: 'Cannot find access from token.' });
    }
    expect(await cached(username, access.token)).toBeNull();
  });

  it('a deleted access planted in KV cannot write: its accesses.create is refused and nothing is inserted', async () => {
    const { username, token, access } = await sharedAccess('manage');
    const user = await userRow(username);
    const before = await accessRow(access.id);
    await deleteAccess(username, token, access.id);
    await plant(username, access.token, user, before);
    const res = await createAccess(username, access.token, { name: 'ghost', permissions: [{ streamId: 'a', level: 'read' }] });
    expect(res.status).toBe(403);
    const list = await call('GET', `/${username}/accesses`, { token });
    expect(list.body.accesses.map((a: any) => a.name)).not.toContain('ghost');
  });

  it('an access narrowed since it was cached runs with its new permissions (re-read from D1, retried once)', async () => {
    const { username, token, access } = await sharedAccess('manage');
    const user = await userRow(username);
    const wide = await accessRow(access.id);
    expect((await updateAccess(username, token, access.id, { permissions: [{ streamId: 'a', level: 'read', tags: ['work'] }] })).status).toBe(200);
    await plant(username, access.token, user, wide);
    const info = await call('GET', `/${username}/access-info`, { token: access.token });
    expect(info.status).toBe(200);
    expect(info.body.permissions).toEqual([{ streamId: 'a', level: 'read', tags: ['work'] }]);
    await plant(username, access.token, user, wide);
    const tooWide = await createAccess(username, access.token, { name: 'c1', permissions: [{ streamId: 'a', level: 'contribute' }] });
    expect(tooWide.status).toBe(403);
    await plant(username, access.token, user, wide);
    const narrow = await createAccess(username, access.token, { name: 'c2', permissions: [{ streamId: 'a1', level: 'read', tags: ['work'] }] });
    expect(narrow.status).toBe(201);
    // The retry re-cached the current row.
    expect((await waitForCache(username, access.token)).access.permissions).toContain('work');
  });

  it('a batch with a stale entry is re-run with the current access; an empty batch is still checked', async () => {
    const { username, token, access } = await sharedAccess('manage');
    const user = await userRow(username);
    const wide = await accessRow(access.id);
    const narrowed = await updateAccess(username, token, access.id, { permissions: [{ streamId: 'a', level: 'read' }] });
    await plant(username, access.token, user, wide);
    const results = await batch(username, access.token, [
      { method: 'getAccessInfo', params: {} },
      { method: 'accesses.create', params: { name: 'c', permissions: [{ streamId: 'a', level: 'manage' }] } },
    ]);
    expect(results[0].permissions).toEqual([{ streamId: 'a', level: 'read' }]);
    expect(results[1].error.id).toBe('forbidden');
    await deleteAccess(username, token, narrowed.body.access.id);
    await plant(username, access.token, user, wide);
    const empty = await call('POST', `/${username}/`, { token: access.token, body: [] });
    expect(empty.status).toBe(403);
    expect(empty.body.error.id).toBe('invalid-access-token');
  });

  it('a logged-out personal token planted in KV is refused; logout twice gives 200 then 403', async () => {
    const { username, token } = await newUser('edge');
    const info = await call('GET', `/${username}/access-info`, { token });
    const user = await userRow(username);
    const live = await accessRow(info.body.id);
    expect((await call('POST', `/${username}/auth/logout`, { token })).status).toBe(200);
    await plant(username, token, user, live);
    const again = await call('POST', `/${username}/auth/logout`, { token });
    expect(again.status).toBe(403);
    expect(again.body.error.id).toBe('invalid-access-token');
    await plant(username, token, user, live);
    expect((await call('GET', `/${username}/access-info`, { token })).status).toBe(403);
  });

  it('a cached row that looks expired is not trusted to refuse either: D1 decides (expiry lifted → 200)', async () => {
    const { username, token } = await newUser('edge');
    await plantStreams(username, [['a', null]]);
    const a = (await createAccess(username, token, { name: 's', expireAfter: 0, permissions: [{ streamId: 'a', level: 'read' }] })).body.access;
    const user = await userRow(username);
    const expired = await accessRow(a.id);
    expect((await call('GET', `/${username}/access-info`, { token: a.token })).body.error.message).toBe('Access has expired.');
    expect((await updateAccess(username, token, a.id, { expires: null })).status).toBe(200);
    await plant(username, a.token, user, expired);
    expect((await call('GET', `/${username}/access-info`, { token: a.token })).status).toBe(200);
  });

  it('touches (lastUsed, session slide) never change modified, so they never invalidate cached entries', async () => {
    const { username, token } = await newUser('edge');
    const id = (await call('GET', `/${username}/access-info`, { token })).body.id;
    const before = await accessRow(id);
    for (let i = 0; i < 50 && (await accessRow(id)).lastUsed === null; i++) await new Promise((r) => setTimeout(r, 5));
    const after = await accessRow(id);
    expect(after.lastUsed).not.toBeNull();
    expect(after.modified).toBe(before.modified);
    expect((await call('GET', `/${username}/access-info`, { token })).status).toBe(200);
  });
});
