import type { BatchItem } from 'drizzle-orm/batch';
import { runBatch } from '../storage/batch';
import type { Db } from '../storage/db';
import type { AccessRow } from '../storage/schema';
import type { GuardedResult } from '../core/context';
import { err, StaleAccessError } from '../core/errors';
import { abortExpression, abortReason } from '../storage/d1-errors';

/**
 * The first statement of every method's D1 batch. It re-checks the access against D1 — same token hash,
 * not deleted, same `modified` (permissions, expiry), personal session not ended — and yields the user's
 * stream-tree version, whether the account has an active webhook (so a change of an account without
 * webhooks costs no scheduling statement after the response) and whether its Durable Object may hold an open
 * real-time socket (so a change of an account without sockets is not forwarded to the object; decision 032). When the check fails it aborts (`abortExpression`), which raises an SQL error: D1 then rolls the whole batch back, so no write of a revoked access ever lands, and a cached (KV) access
 * costs no extra round trip. See docs/decisions/003-edge-authorization.md.
 *
 * It also reads the account's move state (docs/decisions/028-shards-and-directory.md): while it is `moving` to
 * another shard, a request that may write is refused (503 `account-moving`); once `moved`, any request is sent
 * back to the directory (`account-moved`). A read-only request (`readOnly`) may still read while it is `moving`.
 */
function guardStatement(d1: D1Database, access: AccessRow, now: number, readOnly: boolean): D1PreparedStatement {
  return d1
    .prepare(
      `SELECT CASE
      WHEN (SELECT moving FROM users WHERE id = ?5) = 'moved' THEN ${abortExpression('account-moved')}
      WHEN ?6 = 0 AND (SELECT moving FROM users WHERE id = ?5) = 'moving' THEN ${abortExpression('account-moving')}
      WHEN EXISTS (
        SELECT 1 FROM accesses WHERE id = ?1 AND token_hash = ?2 AND deleted IS NULL
          AND modified = ?3 AND (type <> 'personal' OR session_expires >= ?4))
      THEN (SELECT streams_version FROM users WHERE id = ?5)
      ELSE ${abortExpression('access-changed')} END AS v,
      EXISTS (SELECT 1 FROM webhooks WHERE user_id = ?5 AND state = 'active') AS w,
      (SELECT realtime_sockets FROM users WHERE id = ?5) AS s`,
    )
    .bind(access.id, access.tokenHash ?? '', access.modified, now, access.userId, readOnly ? 1 : 0);
}

/**
 * Runs `statements` (Drizzle queries) in one atomic D1 round trip behind the access guard.
 */
export async function runGuarded<T extends readonly BatchItem<'sqlite'>[]>(
  db: Db,
  access: AccessRow,
  now: number,
  statements: T,
  readOnly = false,
): Promise<GuardedResult<{ [K in keyof T]: T[K]['_']['result'] }> & { activeWebhooks: boolean; realtimeSockets: boolean }> {
  let out: Awaited<ReturnType<typeof runBatch<T>>>;
  try {
    out = await runBatch(db, statements, guardStatement(db.$client, access, now, readOnly));
  } catch (e) {
    const reason = abortReason(e);
    if (reason === 'access-changed') throw new StaleAccessError();
    if (reason === 'account-moving') throw err.accountMoving();
    if (reason === 'account-moved') {
      const moved = new StaleAccessError();
      moved.accountMoved = true;
      throw moved;
    }
    throw e;
  }
  const guard = out.lead?.results[0] as { v: number; w: number; s: number } | undefined;
  return {
    streamsVersion: Number(guard?.v ?? 0),
    results: out.results as never,
    // Unknown (no guard row) counts as "yes": scheduling or forwarding for nothing is only wasted work.
    activeWebhooks: Boolean(guard?.w ?? 1),
    realtimeSockets: Boolean(guard?.s ?? 1),
  };
}
