import { drizzle, type DrizzleD1Database } from 'drizzle-orm/d1';
import * as schema from './schema';

/**
 * Without the relational schema: `db.query.*` is not used (and does not type-check), and extracting that schema
 * cost about 0.7 ms of CPU per request, as each request opens its own D1 session (docs/performance.md, "Writes").
 */
export type Db = DrizzleD1Database & { $client: D1Database };

/** Completes core's context types with this layer's (see `StorageTypes` in src/core/context.ts). */
declare module '../core/context' {
  interface StorageTypes {
    db: Db;
    user: schema.UserRow;
    access: schema.AccessRow;
  }
}

const cache = new WeakMap<D1Database, Db>();

/** One Drizzle wrapper per D1 binding, reused across requests of an isolate. */
export function getDb(d1: D1Database): Db {
  let db = cache.get(d1);
  if (!db) {
    db = drizzle(d1);
    cache.set(d1, db);
  }
  return db;
}

export const parseJson = <T>(text: string | null | undefined, fallback: T): T =>
  text === null || text === undefined ? fallback : (JSON.parse(text) as T);
