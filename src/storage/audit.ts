/**
 * The audit store's SQL (§5.13, docs/decisions/018-audit-storage.md): chained appends guarded on the
 * account's head, chain pages for verification, signed checkpoints, retention cuts, and the events.get query
 * over audit records. Lists travel as one JSON parameter (`json_each(?)`), far below D1's 100-bound-parameter
 * limit whatever their length.
 */
import { sql, type SQL } from 'drizzle-orm';
import { abortSql } from './d1-errors';
import type { Db } from './db';
import type { PageCursor } from './events-query';
import type { AuditCheckpointRow, AuditHeadRow, AuditRecordRow } from './schema';

/** The hash the first record of a chain points back to. */
export const GENESIS_HASH = '0'.repeat(64);

const json = (values: unknown) => JSON.stringify(values);

/** Rows per INSERT statement: keeps each bound JSON parameter well under D1's 2 MB value limit. */
const INSERT_CHUNK = 200;

export function selectAuditHead(db: Db, userId: string) {
  return db.all<AuditHeadRow>(sql`SELECT user_id AS userId, seq, hash, anchor_seq AS anchorSeq, anchor_hash AS anchorHash
    FROM audit_heads WHERE user_id = ${userId}`);
}

/**
 * Which of `records` the account's chain already holds (a re-delivered message), each looked up by its time and
 * id in `audit_records_time` (decision 037). The time travels as JSON like the appended row's, so it converts to
 * the same double.
 */
export function storedAuditIdsSql(userId: string, records: readonly { time: number; id: string }[]): SQL {
  // Per record, an EXISTS by key: as a join, SQLite may read the account's whole chain to match the list against.
  return sql`SELECT j.value ->> 1 AS id FROM json_each(${json(records.map((e) => [e.time, e.id]))}) j
    WHERE EXISTS (SELECT 1 FROM audit_records r WHERE r.user_id = ${userId} AND r.time = j.value ->> 0 AND r.id = j.value ->> 1)`;
}

export function selectStoredAuditIds(db: Db, userId: string, records: readonly { time: number; id: string }[]) {
  return db.all<{ id: string }>(storedAuditIdsSql(userId, records));
}

/** Aborts the append's batch when the head is no longer at `seq` (0: no head yet): another append won. */
export function auditHeadGuard(db: Db, userId: string, seq: number) {
  return db.all(sql`SELECT CASE WHEN coalesce((SELECT seq FROM audit_heads WHERE user_id = ${userId}), 0) = ${seq}
    THEN 1 ELSE ${abortSql('head-moved')} END AS ok`);
}

export function writeAuditHead(db: Db, userId: string, seq: number, hash: string) {
  return db.run(sql`INSERT INTO audit_heads (user_id, seq, hash, anchor_seq, anchor_hash)
    VALUES (${userId}, ${seq}, ${hash}, 0, ${GENESIS_HASH})
    ON CONFLICT (user_id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash`);
}

/**
 * The INSERTs of chained rows, a few hundred rows per statement. Each row travels as a JSON array of its values
 * in column order (`value ->> i`): about half the bytes of keyed objects, a parameter that D1's client encodes
 * once more into its request body.
 */
export function insertAuditRows(db: Db, rows: AuditRecordRow[]) {
  const statements = [];
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
    const chunk = rows.slice(i, i + INSERT_CHUNK).map((r) => [
      r.userId, r.seq, r.id, r.time, r.accessId, r.methodId, r.sourceName, r.sourceIp, r.query, r.errorId, r.errorMessage, r.prevHash,
    ]);
    statements.push(db.run(sql`INSERT INTO audit_records
      (user_id, seq, id, time, access_id, method_id, source_name, source_ip, query, error_id, error_message, prev_hash)
      SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5,
        value ->> 6, value ->> 7, value ->> 8, value ->> 9, value ->> 10, value ->> 11
      FROM json_each(${json(chunk)})`));
  }
  return statements;
}

const RECORD_COLUMNS = sql.raw(`user_id AS userId, seq, id, time, access_id AS accessId, method_id AS methodId,
  source_name AS sourceName, source_ip AS sourceIp, query, error_id AS errorId, error_message AS errorMessage,
  prev_hash AS prevHash`);

/** The chain in seq order after `afterSeq` up to `upToSeq` (the head read first: later appends wait), one page. */
export function selectAuditChainPage(db: Db, userId: string, afterSeq: number, upToSeq: number, limit: number) {
  return db.all<AuditRecordRow>(sql`SELECT ${RECORD_COLUMNS} FROM audit_records
    WHERE user_id = ${userId} AND seq > ${afterSeq} AND seq <= ${upToSeq} ORDER BY seq LIMIT ${limit}`);
}

/** Heads that moved since their latest checkpoint (or never had one): the next ones to sign. */
export function selectHeadsToCheckpoint(db: Db, limit: number) {
  return db.all<{ userId: string; seq: number; hash: string }>(sql`SELECT h.user_id AS userId, h.seq, h.hash
    FROM audit_heads h
    WHERE h.seq > coalesce((SELECT max(c.seq) FROM audit_checkpoints c WHERE c.user_id = h.user_id), 0)
    LIMIT ${limit}`);
}

/** A checkpoint is written once: a second cron run signing the same head changes nothing. */
export function insertAuditCheckpoint(db: Db, row: AuditCheckpointRow) {
  return db.run(sql`INSERT INTO audit_checkpoints (user_id, seq, hash, signed, key_id, signature)
    VALUES (${row.userId}, ${row.seq}, ${row.hash}, ${row.signed}, ${row.keyId}, ${row.signature})
    ON CONFLICT (user_id, seq) DO NOTHING`);
}

/**
 * Where each account may cut its chain for retention: the newest checkpoint past the anchor that lies before
 * the first record still within retention (`time >= cutoff`), so every record up to it is older than the cut.
 */
export function selectRetentionCuts(db: Db, cutoff: number, limit: number) {
  return db.all<AuditCheckpointRow>(retentionCutsSql(cutoff, limit));
}

export function retentionCutsSql(cutoff: number, limit: number): SQL {
  return sql`WITH bounds AS (
      SELECT h.user_id, h.anchor_seq,
        coalesce((SELECT min(r.seq) FROM audit_records r WHERE r.user_id = h.user_id AND r.time >= ${cutoff}), h.seq + 1) AS first_kept
      FROM audit_heads h),
    cuts AS (
      SELECT b.user_id, b.anchor_seq,
        (SELECT max(c.seq) FROM audit_checkpoints c WHERE c.user_id = b.user_id AND c.seq < b.first_kept) AS seq
      FROM bounds b)
    SELECT c.user_id AS userId, c.seq, c.hash, c.signed, c.key_id AS keyId, c.signature
    FROM cuts JOIN audit_checkpoints c ON c.user_id = cuts.user_id AND c.seq = cuts.seq
    WHERE cuts.seq > cuts.anchor_seq
    LIMIT ${limit}`;
}

/** Moves the anchor forward to a signed checkpoint; never backward. */
export function moveAuditAnchor(db: Db, userId: string, seq: number, hash: string) {
  return db.run(sql`UPDATE audit_heads SET anchor_seq = ${seq}, anchor_hash = ${hash}
    WHERE user_id = ${userId} AND anchor_seq < ${seq}`);
}

/** Deletes up to `limit` records at or before the anchor (and checkpoints before it): one retention step. */
export function deleteBeforeAnchor(db: Db, userId: string, limit: number) {
  return [
    db.run(sql`DELETE FROM audit_records WHERE user_id = ${userId} AND seq IN (
      SELECT seq FROM audit_records WHERE user_id = ${userId}
        AND seq <= (SELECT anchor_seq FROM audit_heads WHERE user_id = ${userId})
      ORDER BY seq LIMIT ${limit})`),
    db.run(sql`DELETE FROM audit_checkpoints WHERE user_id = ${userId}
      AND seq < (SELECT anchor_seq FROM audit_heads WHERE user_id = ${userId})`),
  ] as const;
}

/** Accounts whose records at or before the anchor are not all deleted yet (a cut spread over several runs). */
export function selectPendingCuts(db: Db, limit: number) {
  return db.all<{ userId: string }>(sql`SELECT h.user_id AS userId FROM audit_heads h
    WHERE EXISTS (SELECT 1 FROM audit_records r WHERE r.user_id = h.user_id AND r.seq <= h.anchor_seq)
    LIMIT ${limit}`);
}

/** One condition on a record's two streams: the whole store, none of it, one access, or one action. */
export type AuditStreamCondition = { all: true } | { none: true } | { accessId: string } | { methodId: string };

/** One streams query over audit streams (§6.2), as conditions. */
export interface AuditStreamQuery {
  any: AuditStreamCondition[];
  all: AuditStreamCondition[];
  not: AuditStreamCondition[];
}

export interface AuditFilter {
  userId: string;
  from?: number;
  to?: number;
  queries: AuditStreamQuery[];
  /** Exact types and classes, as for events (`audit-log/*`). */
  types?: { exact: string[]; classes: string[] };
  modifiedSince?: number;
  ascending: boolean;
}

function conditionSql(c: AuditStreamCondition): SQL {
  if ('all' in c) return sql`1`;
  if ('none' in c) return sql`0`;
  if ('accessId' in c) return sql`r.access_id = ${c.accessId}`;
  return sql`r.method_id = ${c.methodId}`;
}

function auditQuerySql(q: AuditStreamQuery): SQL {
  const parts = [sql`(${sql.join(q.any.map(conditionSql), sql` OR `)})`];
  for (const c of q.all) parts.push(conditionSql(c));
  for (const c of q.not) parts.push(sql`NOT ${conditionSql(c)}`);
  return sql.join(parts, sql` AND `);
}

/** The type an audit event has: `audit-log/pryv-api`, or `…-error` for a failed call. */
const TYPE_SQL = sql`CASE WHEN r.error_id IS NULL THEN 'audit-log/pryv-api' ELSE 'audit-log/pryv-api-error' END`;

function auditWhereSql(f: AuditFilter): SQL {
  const parts: SQL[] = [sql`r.user_id = ${f.userId}`];
  if (f.to !== undefined) parts.push(sql`r.time <= ${f.to}`);
  if (f.from !== undefined) parts.push(sql`r.time >= ${f.from}`);
  parts.push(f.queries.length === 0 ? sql`0` : sql`(${sql.join(f.queries.map(auditQuerySql), sql` OR `)})`);
  if (f.types !== undefined) {
    const { exact, classes } = f.types;
    const alts: SQL[] = [];
    if (exact.length > 0) alts.push(sql`${TYPE_SQL} IN (SELECT value FROM json_each(${json(exact)}))`);
    if (classes.length > 0) alts.push(sql`'audit-log' IN (SELECT value FROM json_each(${json(classes)}))`);
    parts.push(alts.length === 0 ? sql`0` : sql`(${sql.join(alts, sql` OR `)})`);
  }
  if (f.modifiedSince !== undefined) parts.push(sql`r.time > ${f.modifiedSince}`);
  return sql.join(parts, sql` AND `);
}

/** One page of audit records in (time, id) order: OFFSET `skip` first, then after a keyset cursor. */
export function selectAuditEventsPage(db: Db, f: AuditFilter, limit: number, offset: number, after?: PageCursor) {
  return db.all<AuditRecordRow>(auditEventsPageSql(f, limit, offset, after));
}

export function auditEventsPageSql(f: AuditFilter, limit: number, offset: number, after?: PageCursor): SQL {
  const dir = f.ascending ? sql`ASC` : sql`DESC`;
  const keyset = after === undefined
    ? sql``
    : f.ascending
      ? sql` AND (r.time > ${after.time} OR (r.time = ${after.time} AND r.id > ${after.id}))`
      : sql` AND (r.time < ${after.time} OR (r.time = ${after.time} AND r.id < ${after.id}))`;
  return sql`SELECT ${RECORD_COLUMNS} FROM audit_records r WHERE ${auditWhereSql(f)}${keyset}
    ORDER BY r.time ${dir}, r.id ${dir} LIMIT ${limit} OFFSET ${offset}`;
}
