/**
 * Attachment bytes in R2 (the `ATTACHMENTS` binding). Files are streamed in: hashed on the way through
 * (`crypto.DigestStream`) and written as one object when small, as an R2 multipart upload when larger, so at
 * most one part is held in memory. Which blobs exist is decided in D1 (events' `attachments` and the
 * `blob_cleanup` journal); this module only moves bytes.
 *
 * Key layout: `{userId}/{uploadId}/{fileId}`. One prefix per account (account deletion) and one per upload
 * (the journal of a request's uploads: src/storage/blob-journal.ts).
 */
import { toBase64 } from '../lib/base64';

export const accountPrefix = (userId: string): string => `${userId}/`;
export const uploadPrefix = (userId: string, uploadId: string): string => `${userId}/${uploadId}/`;
export const blobKey = (userId: string, uploadId: string, fileId: string): string => `${uploadPrefix(userId, uploadId)}${fileId}`;

/**
 * Size of an R2 multipart part: R2 wants every part but the last to be at least 5 MiB and all of one size.
 * Also the most of a file held in memory at once, and the size up to which a file is one plain `put`.
 */
export const PART_BYTES = 5 * 1024 * 1024;
/** R2 deletes at most this many keys per call. */
const DELETE_BATCH = 1000;

export interface StoredBlob {
  size: number;
  /** Base64 SHA-256 of the bytes. */
  sha256: string;
}

/**
 * Streams `body` to `key`. `tooLarge` is thrown (and nothing is left in R2) as soon as more than `maxBytes`
 * arrive; any failure of the body or of R2 aborts the multipart upload, so a failed call leaves no object.
 */
export async function putStream(
  bucket: R2Bucket,
  key: string,
  body: ReadableStream<Uint8Array>,
  opts: { contentType: string; maxBytes: number; tooLarge: () => Error },
): Promise<StoredBlob> {
  const digest = new crypto.DigestStream('SHA-256');
  const hash = digest.getWriter();
  // Both reject when the upload is abandoned; the failure is reported once, by the rethrow below.
  digest.digest.catch(() => undefined);
  hash.closed.catch(() => undefined);
  const reader = body.getReader();
  const httpMetadata = { contentType: opts.contentType };
  const part = new Uint8Array(PART_BYTES);
  let fill = 0;
  let size = 0;
  let upload: R2MultipartUpload | null = null;
  const parts: R2UploadedPart[] = [];
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > opts.maxBytes) throw opts.tooLarge();
      for (let offset = 0; offset < value.byteLength; ) {
        const n = Math.min(PART_BYTES - fill, value.byteLength - offset);
        part.set(value.subarray(offset, offset + n), fill);
        fill += n;
        offset += n;
        if (fill === PART_BYTES) {
          // Hashed a part at a time: request chunks are small (a few kB), and each write to the digest costs a turn.
          await hash.write(part);
          upload ??= await bucket.createMultipartUpload(key, { httpMetadata });
          // The part has been sent once this resolves: the buffer is reused for the next one.
          parts.push(await upload.uploadPart(parts.length + 1, part));
          fill = 0;
        }
      }
    }
    if (fill > 0) await hash.write(part.subarray(0, fill));
    await hash.close();
    const sha256 = await digest.digest;
    if (upload) {
      if (fill > 0) parts.push(await upload.uploadPart(parts.length + 1, part.subarray(0, fill)));
      await upload.complete(parts);
    } else {
      // R2 checks the bytes against the digest computed on the way in.
      await bucket.put(key, part.subarray(0, fill), { httpMetadata, sha256 });
    }
    return { size, sha256: toBase64(new Uint8Array(sha256)) };
  } catch (e) {
    await reader.cancel().catch(() => undefined);
    await hash.abort().catch(() => undefined);
    if (upload) await upload.abort().catch(() => undefined);
    throw e;
  }
}

/** The bytes of `key` (all, or a range); null when there is no such object. */
export async function openBlob(bucket: R2Bucket, key: string, range?: { offset: number; length: number }): Promise<ReadableStream<Uint8Array> | null> {
  const object = await bucket.get(key, range ? { range } : undefined);
  return object ? object.body : null;
}

/** Deletes these keys (missing ones are ignored by R2). */
export async function deleteBlobs(bucket: R2Bucket, keys: readonly string[]): Promise<void> {
  for (let i = 0; i < keys.length; i += DELETE_BATCH) await bucket.delete(keys.slice(i, i + DELETE_BATCH) as string[]);
}

/** Deletes every object under `prefix` (an upload's, an account's). */
export async function deletePrefix(bucket: R2Bucket, prefix: string): Promise<void> {
  let cursor: string | undefined;
  for (;;) {
    const page = await bucket.list({ prefix, cursor, limit: DELETE_BATCH });
    if (page.objects.length > 0) await bucket.delete(page.objects.map((o) => o.key));
    if (!page.truncated) return;
    cursor = page.cursor;
  }
}
