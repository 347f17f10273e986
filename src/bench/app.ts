import { Hono } from 'hono';
import type { Env } from '../env';
import { accountObject } from '../realtime/account-notifier';
import { locate, shardsOf } from '../storage/directory';

/**
 * Bench-only routes, mounted by src/index.ts only when the BENCH var is set (404 otherwise, like any unknown
 * route). `GET /bench/d1` is the benchmark's floor B: one trivial D1 round trip (on the first shard) and nothing else.
 * `GET /bench/realtime/{username}` reads the account objects' activity counters (docs/performance.md).
 */
export const BENCH_PREFIX = '/bench/';

export const benchApp = new Hono<{ Bindings: Env }>()
  .get('/bench/d1', async (c) => {
    const row = await shardsOf(c.env)[0].d1.prepare('SELECT 1 AS one').first<{ one: number }>();
    return c.json({ one: row?.one ?? null });
  })
  // What the account objects did (wakes, frames, alarms) and how many sockets one account holds.
  .get('/bench/realtime/:username', async (c) => {
    const username = c.req.param('username');
    const shard = await locate(c.env, username);
    const user = shard ? await shard.d1.prepare('SELECT id FROM users WHERE username = ?').bind(username).first<{ id: string }>() : null;
    if (!user) return c.json({ error: 'unknown user' }, 404);
    return c.json(await accountObject(c.env, user.id).activity());
  });
