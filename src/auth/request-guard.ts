import type { BatchItem } from 'drizzle-orm/batch';
import type { Db } from '../storage/db';
import type { AccessRow } from '../storage/schema';
import { ApiError, MESSAGES } from '../api/errors';

/**
 * Raised when the guard finds the access deleted, its session ended, or its row changed since it was read.
 * Answered as an unknown token unless the transport re-resolves the access from D1 and retries.
 */
export class StaleAccessError extends ApiError {
  /** Set by the transport when no guarded round trip of the request had succeeded yet: nothing was written,
   * so the whole request may be re-run once with the access re-read from D1. */
  retryable = false;
  constructor() {
    super('invalid-access-token', MESSAGES.unknownToken);
  }
}

const GUARD_MARK = 'pryv-access-guard';

/**
 * The first statement of every method's D1 batch. It re-checks the access against D1 — same token hash,
 * not deleted, same `modified` (permissions, expiry), personal session not ended — and yields the user's
 * stream-tree version. When the check fails it evaluates `json()` on invalid text, which raises an SQL error:
 * D1 then rolls the whole batch back, so no write of a revoked access ever lands, and a cached (KV) access
 * costs no extra round trip. See docs/decisions/003-edge-authorization.md.
 */
function guardStatement(d1: D1Database, access: AccessRow, now: number): D1PreparedStatement {
  return d1
    .prepare(
      `SELECT CASE WHEN EXISTS (
        SELECT 1 FROM accesses WHERE id = ?1 AND token_hash = ?2 AND deleted IS NULL
          AND modified = ?3 AND (type <> 'personal' OR session_expires >= ?4))
      THEN (SELECT streams_version FROM users WHERE id = ?5)
      ELSE json('${GUARD_MARK}') END AS v`,
    )
    .bind(access.id, access.tokenHash ?? '', access.modified, now, access.userId);
}

const isGuardFailure = (e: unknown): boolean => {
  const text = e instanceof Error ? `${e.message} ${String((e as { cause?: unknown }).cause ?? '')}` : String(e);
  return /malformed JSON/i.test(text);
};

export interface GuardedResult<T extends readonly unknown[]> {
  /** The user's stream-tree version as of this round trip. */
  streamsVersion: number;
  results: T;
}

/** Drizzle's internal prepared-query shape, as its own `batch()` uses it. */
interface PreparedLike {
  stmt?: D1PreparedStatement;
  getQuery(): { sql: string; params: unknown[] };
  mapResult(result: unknown, isFromBatch: boolean): unknown;
}

/**
 * Runs `statements` (Drizzle queries) in one atomic D1 round trip behind the access guard. Drizzle's own
 * `batch()` cannot bind raw SQL with parameters, so the batch is sent to D1 here with Drizzle's prepare and
 * result-mapping steps.
 */
export async function runGuarded<T extends readonly BatchItem<'sqlite'>[]>(
  db: Db,
  access: AccessRow,
  now: number,
  statements: T,
): Promise<GuardedResult<{ [K in keyof T]: T[K]['_']['result'] }>> {
  const d1 = db.$client;
  const prepared = statements.map((q) => (q as unknown as { _prepare(): PreparedLike })._prepare());
  const bound = prepared.map((p) => {
    const { sql, params } = p.getQuery();
    return (p.stmt ?? d1.prepare(sql)).bind(...params);
  });
  let out: D1Result[];
  try {
    out = await d1.batch([guardStatement(d1, access, now), ...bound]);
  } catch (e) {
    if (isGuardFailure(e)) throw new StaleAccessError();
    throw e;
  }
  const guard = out[0].results[0] as { v: number } | undefined;
  const results = prepared.map((p, i) => p.mapResult(out[i + 1], true));
  return { streamsVersion: Number(guard?.v ?? 0), results: results as never };
}
