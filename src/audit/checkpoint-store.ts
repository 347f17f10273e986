/**
 * Signed checkpoints kept apart from the chain: one R2 object per checkpoint (the `ATTACHMENTS` bucket, under
 * `audit/checkpoints/`), its fields in the object's metadata so one listing reads them all. Someone who can
 * write D1 can rewrite a chain, its head and the D1 copy of the checkpoints consistently; the R2 copy, which
 * verification reads, needs a second credential. See docs/decisions/018-audit-storage.md.
 */
import type { AuditCheckpointRow } from '../storage/schema';

const PREFIX = 'audit/checkpoints/';
/** Keys one R2 `delete` takes. */
const R2_DELETE_MAX = 1000;
/** Zero-padded seqs list in seq order. */
const SEQ_DIGITS = 15;

const prefixOf = (userId: string) => `${PREFIX}${userId}/`;
const keyOf = (userId: string, seq: number) => `${prefixOf(userId)}${String(seq).padStart(SEQ_DIGITS, '0')}`;

export async function putCheckpoint(bucket: R2Bucket, c: AuditCheckpointRow): Promise<void> {
  const metadata = { seq: String(c.seq), hash: c.hash, signed: String(c.signed), keyId: c.keyId, signature: c.signature };
  await bucket.put(keyOf(c.userId, c.seq), JSON.stringify(c), { customMetadata: metadata, httpMetadata: { contentType: 'application/json' } });
}

/** The account's checkpoints in seq order, from the listing's metadata (one request per 1,000). */
export async function listCheckpoints(bucket: R2Bucket, userId: string): Promise<AuditCheckpointRow[]> {
  const out: AuditCheckpointRow[] = [];
  let cursor: string | undefined;
  do {
    const page = await bucket.list({ prefix: prefixOf(userId), cursor, include: ['customMetadata'] });
    for (const object of page.objects) {
      const m = object.customMetadata ?? {};
      out.push({ userId, seq: Number(m.seq), hash: m.hash ?? '', signed: Number(m.signed), keyId: m.keyId ?? '', signature: m.signature ?? '' });
    }
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return out;
}

/** Deletes the checkpoints before the anchor (retention keeps the anchor's own). */
export async function deleteCheckpointsBefore(bucket: R2Bucket, userId: string, anchorSeq: number): Promise<void> {
  const stale = (await listCheckpoints(bucket, userId)).filter((c) => c.seq < anchorSeq).map((c) => keyOf(userId, c.seq));
  for (let i = 0; i < stale.length; i += R2_DELETE_MAX) await bucket.delete(stale.slice(i, i + R2_DELETE_MAX));
}
