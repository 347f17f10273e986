/**
 * D1 Sessions API (read replication): each request opens one session on its account's database. A session
 * is sequentially consistent (its reads see its own writes, even from a replica), and its bookmark names the
 * database state it has seen, so a later session started from it sees at least that state.
 * See docs/scaling.md and docs/decisions/025-d1-sessions.md.
 */
import { drizzle } from 'drizzle-orm/d1';
import type { Db } from './db';

/** Where a session's first query goes: the primary, the nearest replica, or any copy at least as fresh as a bookmark. */
export type SessionStart = 'first-primary' | 'first-unconstrained' | { bookmark: string };

export const FIRST_PRIMARY = 'first-primary' as const;
export const FIRST_UNCONSTRAINED = 'first-unconstrained' as const;

/**
 * D1 bookmarks are four dash-separated hexadecimal fields (`00000001-0000000a-00004f2b-<32 hex>`); anything
 * else in a client's `Pryv-Bookmark` is refused before it reaches D1, which would answer an invalid one with
 * an error (a 5xx).
 */
const BOOKMARK = /^[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{32}$/;

export const isBookmark = (value: string): boolean => BOOKMARK.test(value);

/**
 * The later of two bookmarks. Bookmarks of one database order as strings: the D1 binding keeps a session's
 * latest bookmark by this same comparison.
 */
export function laterBookmark(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return a.localeCompare(b) < 0 ? b : a;
}

/** True when a session that has seen `seen` has seen everything up to `needed`. */
export const covers = (seen: string | null, needed: string | null): boolean =>
  needed === null || (seen !== null && seen.localeCompare(needed) >= 0);

/** One request's session on one database: a Drizzle handle over it, and the latest bookmark it has seen. */
export interface AccountSession {
  db: Db;
  start: SessionStart;
  bookmark(): string | null;
}

export function openSession(d1: D1Database, start: SessionStart): AccountSession {
  const session = d1.withSession(typeof start === 'string' ? start : start.bookmark);
  // Drizzle only calls `prepare` and `batch`, which a session has like the binding itself. No `schema`: it
  // only serves relational queries (`db.query.*`, unused here), and Drizzle would rebuild their configuration
  // from it for every session, i.e. every request (about 0.5 ms of CPU, docs/performance.md).
  const db = drizzle(session as unknown as D1Database) as unknown as Db;
  return { db, start, bookmark: () => session.getBookmark() };
}

/**
 * No session: D1 runs every query outside the Sessions API on the primary, and there is no bookmark. For shards
 * without read replication (decision 039), where a session would only add its cost: locally, a write commit to
 * the database per query. `db` is the binding's own handle (the shard's).
 */
export function primaryHandle(db: Db): AccountSession {
  return { db, start: FIRST_PRIMARY, bookmark: () => null };
}
