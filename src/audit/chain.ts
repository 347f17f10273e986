/**
 * The hash chain of an account's audit records (docs/decisions/018-audit-storage.md): each row stores the
 * SHA-256 of the previous row's canonical form, so editing, removing or reordering a stored row breaks a link
 * that verification names.
 */
import type { AuditEntry } from '../core/audit';
import { sha256Hex } from '../lib/sha256';
import type { AuditRecordRow } from '../storage/schema';

/** Tags the canonical form, so a future change of its fields can be told apart. */
const FORM = 'pryv-edge-audit/1';

/** Milliseconds: a float second may come back from SQLite one ulp off, its rounded millisecond never does. */
const MS_PER_SECOND = 1000;

/**
 * The canonical form of a stored row: a JSON array of every column in a fixed order, the previous hash
 * included. The query is hashed as the stored JSON text, byte for byte.
 */
export function canonicalForm(row: AuditRecordRow): string {
  return JSON.stringify([
    FORM, row.userId, row.seq, row.id, Math.round(row.time * MS_PER_SECOND), row.accessId, row.methodId,
    row.sourceName, row.sourceIp, row.query, row.errorId, row.errorMessage, row.prevHash,
  ]);
}

export const rowHash = (row: AuditRecordRow): Promise<string> => sha256Hex(canonicalForm(row));

export interface ChainHead {
  seq: number;
  hash: string;
}

/** The stored row of an entry, before its place in the chain is known. */
export function rowOf(entry: AuditEntry, seq: number, prevHash: string): AuditRecordRow {
  return {
    userId: entry.userId,
    seq,
    id: entry.id,
    time: entry.time,
    accessId: entry.accessId,
    methodId: entry.methodId,
    sourceName: entry.source.name,
    sourceIp: entry.source.ip,
    query: JSON.stringify(entry.query),
    errorId: entry.error?.id ?? null,
    errorMessage: entry.error?.message ?? null,
    prevHash,
  };
}

/** Chains `entries`, in order, onto `head`: their rows and the new head. */
export async function chainOnto(head: ChainHead, entries: readonly AuditEntry[]): Promise<{ rows: AuditRecordRow[]; head: ChainHead }> {
  const rows: AuditRecordRow[] = [];
  let { seq, hash } = head;
  for (const entry of entries) {
    seq += 1;
    const row = rowOf(entry, seq, hash);
    hash = await rowHash(row);
    rows.push(row);
  }
  return { rows, head: { seq, hash } };
}
