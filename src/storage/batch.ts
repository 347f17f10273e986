/**
 * One atomic D1 round trip of Drizzle queries. Drizzle's own `batch()` cannot bind raw SQL with parameters,
 * so the statements are prepared with Drizzle's steps and sent to D1 here, optionally behind a leading raw
 * statement (the request guard).
 */
import type { BatchItem } from 'drizzle-orm/batch';
import type { Db } from './db';
import { fixedQuery } from './fixed-statements';

/** Drizzle's internal prepared-query shape, as its own `batch()` uses it. */
interface PreparedLike {
  stmt?: D1PreparedStatement;
  getQuery(): { sql: string; params: unknown[] };
  mapResult(result: unknown, isFromBatch: boolean): unknown;
}

export type BatchResults<T extends readonly BatchItem<'sqlite'>[]> = { [K in keyof T]: T[K]['_']['result'] };

/** Runs `statements` in one D1 batch after `lead` (if any); returns `lead`'s raw result and the mapped results. */
export async function runBatch<T extends readonly BatchItem<'sqlite'>[]>(
  db: Db,
  statements: T,
  lead?: D1PreparedStatement,
): Promise<{ lead: D1Result | undefined; results: BatchResults<T> }> {
  const d1 = db.$client;
  const prepared = statements.map((q) => (q as unknown as { _prepare(): PreparedLike })._prepare());
  const bound = prepared.map((p, i) => {
    // A fixed statement knows its text and parameters: no query building (src/storage/fixed-statements.ts).
    const { sql, params } = fixedQuery(statements[i]) ?? p.getQuery();
    return (p.stmt ?? d1.prepare(sql)).bind(...params);
  });
  const out = await d1.batch(lead ? [lead, ...bound] : bound);
  const offset = lead ? 1 : 0;
  const results = prepared.map((p, i) => p.mapResult(out[i + offset], true));
  return { lead: lead ? out[0] : undefined, results: results as never };
}
