/**
 * Verifying an account's audit chain: from the anchor (genesis, or the signed checkpoint retention cut at),
 * each row must carry the next seq and the hash of the row before it, the last one must hash to the head, and
 * every checkpoint must be validly signed and agree with the chain. The first problem found is reported with
 * the seq and record id it concerns (docs/decisions/018-audit-storage.md says what an operator does next).
 */
import type { AuditCheckpointRow, AuditHeadRow, AuditRecordRow } from '../storage/schema';
import { rowHash } from './chain';
import { checkpointSignedBy, type SigningKey } from './signing';

export type ProblemKind =
  | 'gap' // rows are missing (deleted outside retention)
  | 'hash-mismatch' // a row's content no longer matches the hash its successor (or the head) recorded
  | 'head-mismatch' // rows exist without a head, or the head does not match an empty chain's anchor
  | 'anchor-unsigned' // the anchor is not a validly signed checkpoint of this chain
  | 'checkpoint-signature' // a checkpoint's signature is not the operator key's
  | 'checkpoint-mismatch'; // a signed checkpoint's hash is not the chain's at that seq (the chain was rewritten)

export interface Problem {
  kind: ProblemKind;
  /** The seq the problem is at (for a gap: the first missing one). */
  seq: number;
  /** The id of the record concerned, when it is still stored. */
  recordId?: string;
  /** For a gap: the missing seqs, inclusive. */
  missing?: { from: number; to: number };
  message: string;
}

export interface VerifyReport {
  ok: boolean;
  /** Rows checked after the anchor. */
  records: number;
  anchor: { seq: number; hash: string };
  head: { seq: number; hash: string } | null;
  checkpoints: number;
  /** False when no signing key is configured: the chain was checked, the signatures could not be. */
  signaturesChecked: boolean;
  problem?: Problem;
}

export interface ChainSource {
  head: AuditHeadRow | undefined;
  checkpoints: AuditCheckpointRow[];
  /** Rows with seq > `afterSeq` and at most the head's seq, in seq order, at most `limit`. */
  page(afterSeq: number, limit: number): Promise<AuditRecordRow[]>;
}

/** Rows read per round trip. */
export const VERIFY_PAGE = 1000;

export async function verifyChain(source: ChainSource, key: SigningKey | null): Promise<VerifyReport> {
  const { head, checkpoints } = source;
  const anchor = { seq: head?.anchorSeq ?? 0, hash: head?.anchorHash ?? '' };
  const report: VerifyReport = {
    ok: true, records: 0, anchor, head: head ? { seq: head.seq, hash: head.hash } : null,
    checkpoints: checkpoints.length, signaturesChecked: key !== null,
  };
  const fail = (problem: Problem): VerifyReport => ({ ...report, ok: false, problem });

  if (!head) {
    const rows = await source.page(0, 1);
    if (rows.length === 0) return report;
    return fail({ kind: 'head-mismatch', seq: rows[0].seq, recordId: rows[0].id, message: 'Audit records exist but the chain head is missing.' });
  }
  if (key) {
    for (const c of checkpoints) {
      if (!(await checkpointSignedBy(key, c))) {
        return fail({ kind: 'checkpoint-signature', seq: c.seq, message: `The checkpoint at seq ${c.seq} is not signed by the operator key.` });
      }
    }
  }
  if (anchor.seq > 0 && !checkpoints.some((c) => c.seq === anchor.seq && c.hash === anchor.hash)) {
    return fail({ kind: 'anchor-unsigned', seq: anchor.seq, message: `The chain starts at seq ${anchor.seq}, which no signed checkpoint vouches for.` });
  }
  const beyond = checkpoints.find((c) => c.seq > head.seq);
  if (beyond) {
    return fail({ kind: 'checkpoint-mismatch', seq: beyond.seq, message: `A checkpoint was signed at seq ${beyond.seq}, past the head (${head.seq}): the chain was cut back.` });
  }
  const checkpointAt = new Map(checkpoints.map((c) => [c.seq, c]));

  let expected = anchor.seq + 1;
  let prevHash = anchor.hash;
  let prev: AuditRecordRow | null = null;
  for (;;) {
    const rows = await source.page(expected - 1, VERIFY_PAGE);
    for (const row of rows) {
      if (row.seq !== expected) {
        return fail({
          kind: 'gap', seq: expected, missing: { from: expected, to: row.seq - 1 },
          message: `Records ${expected}–${row.seq - 1} are missing before record ${row.seq} (${row.id}).`,
        });
      }
      if (row.prevHash !== prevHash) {
        return fail(prev
          ? { kind: 'hash-mismatch', seq: prev.seq, recordId: prev.id, message: `Record ${prev.seq} (${prev.id}) does not match the hash record ${row.seq} holds for it: it was changed.` }
          : { kind: 'hash-mismatch', seq: row.seq, recordId: row.id, message: `Record ${row.seq} (${row.id}) does not follow the chain's anchor.` });
      }
      prevHash = await rowHash(row);
      const checkpoint = checkpointAt.get(row.seq);
      if (checkpoint && checkpoint.hash !== prevHash) {
        return fail({ kind: 'checkpoint-mismatch', seq: row.seq, recordId: row.id, message: `Record ${row.seq} (${row.id}) differs from the signed checkpoint at that seq.` });
      }
      prev = row;
      expected += 1;
      report.records += 1;
    }
    if (rows.length < VERIFY_PAGE) break;
  }
  const last = expected - 1;
  if (last < head.seq) {
    return fail({
      kind: 'gap', seq: expected, missing: { from: expected, to: head.seq },
      message: `Records ${expected}–${head.seq} are missing at the end of the chain.`,
    });
  }
  if (prevHash !== head.hash) {
    return fail(prev
      ? { kind: 'hash-mismatch', seq: prev.seq, recordId: prev.id, message: `Record ${prev.seq} (${prev.id}) does not match the hash the head holds for it: it was changed.` }
      : { kind: 'head-mismatch', seq: head.seq, message: 'The head does not match the anchor of an empty chain.' });
  }
  return report;
}
