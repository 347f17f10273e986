// Accounts spread over the shards DB_0 … DB_2 behind the directory (decision 028): placement, registration races
// decided by the directory's unique indexes, lapsed reservations, and what a lookup costs.
import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import worker from '../src/index';
import { instrumentEnv } from '../src/bench/instrument';
import { forgetPlacement, RESERVATION_LAPSE_SECONDS, shardsOf } from '../src/storage/directory';
import { newId } from '../src/lib/ids';
import { shardOf } from './db-fixtures';
import { BASE, call, newUser } from './helpers';

const register = (username: string, email: string) =>
  call('POST', '/reg/users', { body: { appId: 'shard-tests', username, password: 'secret-password', email } });

const unique = (prefix: string) => `${prefix}${Date.now().toString(36)}${newId().slice(0, 6)}`.toLowerCase();

/** Accounts per shard, as the directory counts them for placement. */
async function loads(): Promise<Record<string, number>> {
  const { results } = await env.DIRECTORY.prepare('SELECT shard, accounts FROM shard_loads').all<{ shard: string; accounts: number }>();
  const out = Object.fromEntries(shardsOf(env).map((s) => [s.name, 0]));
  for (const r of results) out[r.shard] = r.accounts;
  return out;
}

/** How many shards hold a `users` row with this username (a cross-shard check only tests may make). */
async function holders(username: string): Promise<number> {
  const counts = await Promise.all(shardsOf(env).map((s) => s.d1.prepare('SELECT count(*) AS n FROM users WHERE username = ?').bind(username).first<number>('n')));
  return counts.reduce<number>((a, b) => a + (b ?? 0), 0);
}

const spread = (l: Record<string, number>) => Math.max(...Object.values(l)) - Math.min(...Object.values(l));

describe('shards and the directory (decision 028)', () => {
  it('tests run with three shards, and new accounts go to the shard with the fewest, even when registered all at once', async () => {
    expect(shardsOf(env).map((s) => s.name)).toEqual(['DB_0', 'DB_1', 'DB_2']);
    const before = await loads();
    const names = Array.from({ length: 9 }, (_, i) => unique(`place${i}`));
    const replies = await Promise.all(names.map((n) => register(n, `${n}@example.org`)));
    expect(replies.map((r) => r.status)).toEqual(Array(9).fill(201));
    const after = await loads();
    expect(spread(after)).toBeLessThanOrEqual(Math.max(spread(before), 1));
    const used = new Set(await Promise.all(names.map(shardOf)));
    expect(used.size).toBe(3);
  });

  it('10 registrations of one username racing (each would be placed on its own shard): exactly one wins, one shard holds it', async () => {
    const username = unique('race');
    const replies = await Promise.all(Array.from({ length: 10 }, (_, i) => register(username, `${username}-${i}@example.org`)));
    const statuses = replies.map((r) => r.status).sort();
    expect(statuses).toEqual([201, ...Array(9).fill(409)]);
    for (const r of replies.filter((x) => x.status === 409)) expect(r.body.error).toMatchObject({ id: 'item-already-exists', data: { username } });
    expect(await holders(username)).toBe(1);
    const winner = replies.find((r) => r.status === 201)!;
    expect((await call('GET', `/${username}/access-info`, { token: new URL(winner.body.apiEndpoint).username })).status).toBe(200);
  });

  it('10 registrations of one e-mail under different usernames racing: exactly one wins', async () => {
    const email = `${unique('mail')}@example.org`;
    const names = Array.from({ length: 10 }, (_, i) => unique(`mail${i}`));
    const replies = await Promise.all(names.map((n) => register(n, email)));
    expect(replies.map((r) => r.status).sort()).toEqual([201, ...Array(9).fill(409)]);
    for (const r of replies.filter((x) => x.status === 409)) expect(r.body.error).toMatchObject({ id: 'item-already-exists', data: { email } });
    const holdersOfAll = await Promise.all(names.map(holders));
    expect(holdersOfAll.reduce((a, b) => a + b, 0)).toBe(1);
  });

  it('a reservation left pending by a registration that died before its shard write blocks the name, then lapses and is taken over', async () => {
    const username = unique('lapse');
    const now = Date.now() / 1000;
    const plant = (created: number) =>
      env.DIRECTORY.prepare(`INSERT INTO accounts (username, user_id, email, shard, state, created) VALUES (?, ?, ?, 'DB_1', 'pending', ?)`)
        .bind(username, newId(), `${username}@old.example.org`, created)
        .run();
    await plant(now);
    expect((await register(username, `${username}@example.org`)).status).toBe(409);
    expect((await call('GET', `/${username}/access-info`)).status).toBe(404);
    await env.DIRECTORY.prepare('UPDATE accounts SET created = ? WHERE username = ?').bind(now - RESERVATION_LAPSE_SECONDS - 1, username).run();
    const res = await register(username, `${username}@example.org`);
    expect(res.status).toBe(201);
    expect(await holders(username)).toBe(1);
  });

  it('account.update moves the e-mail in the directory: an address another shard\'s account has is 409, and a freed one can be taken', async () => {
    const a = await newUser('maila');
    const b = await newUser('mailb');
    const taken = await call('PUT', `/${b.username}/account`, { token: b.token, body: { email: `${a.username}@example.org` } });
    expect(taken.status).toBe(409);
    const moved = await call('PUT', `/${a.username}/account`, { token: a.token, body: { email: `${a.username}-new@example.org` } });
    expect(moved.status).toBe(200);
    expect((await call('PUT', `/${b.username}/account`, { token: b.token, body: { email: `${a.username}@example.org` } })).status).toBe(200);
    expect((await call('GET', `/reg/${encodeURIComponent(`${a.username}@example.org`)}/uid`)).body).toMatchObject({ uid: b.username });
  });

  it('finding an account costs one directory read on a cold isolate and none on a warm one (D1 round trips counted on every database)', async () => {
    const { username, token } = await newUser('cost');
    const bench = instrumentEnv(env);
    const get = async () => {
      const ctx = createExecutionContext();
      const before = bench.counts.d1;
      const res = await worker.fetch(new Request(`${BASE}/${username}/access-info`, { headers: { Authorization: token } }), bench.env, ctx);
      expect(res.status).toBe(200);
      await waitOnExecutionContext(ctx);
      return bench.counts.d1 - before;
    };
    await get(); // the token is now in KV and isolate memory
    await forgetPlacement(env, username);
    const cold = await get();
    const warm = await get();
    expect(cold - warm).toBe(1);
    expect(warm).toBe(1);
  });

  it('an unknown user is 404: the directory names no shard for it', async () => {
    const res = await call('GET', `/${unique('nobody')}/events`, { token: 'x' });
    expect(res.status).toBe(404);
    expect(res.body.error.id).toBe('unknown-resource');
  });
});
