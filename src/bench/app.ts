import { Hono } from 'hono';
import type { Env } from '../env';

/**
 * Bench-only routes, mounted by src/index.ts only when the BENCH var is set (404 otherwise, like any unknown
 * route). `GET /bench/d1` is the benchmark's floor B: one trivial D1 round trip and nothing else.
 */
export const BENCH_PREFIX = '/bench/';

export const benchApp = new Hono<{ Bindings: Env }>().get('/bench/d1', async (c) => {
  const row = await c.env.DB.prepare('SELECT 1 AS one').first<{ one: number }>();
  return c.json({ one: row?.one ?? null });
});
