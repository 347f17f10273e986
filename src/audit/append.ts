/**
 * Appending an account's records to its chain. D1 has no interactive transactions, so an append reads the
 * head, chains its records onto it, and writes them in one batch that starts with a guard: when another append
 * moved the head meanwhile, the guard aborts the whole batch and this append re-reads and re-chains
 * (decision 014's mechanism). Two appenders of one account therefore never fork its chain.
 */
import type { AuditEntry } from '../core/audit';
import { abortReason, isUniqueViolation } from '../storage/d1-errors';
import { runBatch } from '../storage/batch';
import type { Db } from '../storage/db';
import {
  auditHeadGuard, GENESIS_HASH, insertAuditRows, selectAuditHead, selectStoredAuditIds, writeAuditHead,
} from '../storage/audit';
import { chainOnto } from './chain';

/**
 * Re-reads after a lost race on the head. Each lost race means another append landed, so an append only runs
 * out of attempts under this many appenders of one account at once; its message is then retried by the queue.
 */
export const APPEND_ATTEMPTS = 12;

export class AppendContentionError extends Error {}

/**
 * Appends the entries of one account that its chain does not hold yet (a re-delivered message's records are
 * skipped by id), in the given order. Returns how many were stored.
 */
export async function appendAuditEntries(db: Db, userId: string, entries: readonly AuditEntry[]): Promise<number> {
  if (entries.length === 0) return 0;
  for (let attempt = 1; attempt <= APPEND_ATTEMPTS; attempt++) {
    const { results: [heads, stored] } = await runBatch(db, [selectAuditHead(db, userId), selectStoredAuditIds(db, userId, entries)] as const);
    const known = new Set(stored.map((r) => r.id));
    const fresh = entries.filter((e) => !known.has(e.id));
    if (fresh.length === 0) return 0;
    const head = heads[0] ?? { seq: 0, hash: GENESIS_HASH };
    const chained = await chainOnto(head, fresh);
    try {
      await runBatch(db, [
        auditHeadGuard(db, userId, head.seq),
        writeAuditHead(db, userId, chained.head.seq, chained.head.hash),
        ...insertAuditRows(db, chained.rows),
      ]);
      return fresh.length;
    } catch (e) {
      // Another append moved the head, or stored one of these ids, between the read and the write: re-read.
      if (abortReason(e) === 'head-moved' || isUniqueViolation(e)) continue;
      throw e;
    }
  }
  throw new AppendContentionError(`audit append for ${userId} lost the race ${APPEND_ATTEMPTS} times`);
}
