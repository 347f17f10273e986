/**
 * The files of one multipart request, on their way to an event: journaled in D1, streamed to R2, then either
 * attached by the method's own batch (which removes the journal row) or discarded. The call path opens one per
 * multipart call and discards it when the call fails; the method claims it (decision 017).
 */
import type { AccessContext } from '../core/context';
import { ApiError, err } from '../core/errors';
import { UploadedFiles, type IncomingFile, type StagedFile } from '../core/uploads';
import { newId } from '../lib/ids';
import { abandonUpload, claimUpload, journalUpload } from '../storage/blob-journal';
import { blobKey, putStream, uploadPrefix } from '../storage/blobs';
import { deleteJournaledPrefix } from '../storage/blob-sweep';
import type { StoredAttachment } from '../storage/events';

/** Stored when a part names no type, or one that is not a valid media type (it becomes a response header). */
const DEFAULT_TYPE = 'application/octet-stream';
const MEDIA_TYPE = /^[a-z0-9!#$&^_.+-]{1,127}\/[a-z0-9!#$&^_.+-]{1,127}(\s*;\s*[\x20-\x7e]*)?$/i;
const MAX_TYPE_LENGTH = 255;

/** The media type to store and serve for a part's `Content-Type`. */
function storedType(type: string): string {
  return type.length <= MAX_TYPE_LENGTH && MEDIA_TYPE.test(type) ? type : DEFAULT_TYPE;
}

export class Uploads {
  readonly id = newId();
  private readonly staged: StagedFile[] = [];

  constructor(private readonly ctx: AccessContext) {}

  /**
   * Journals the upload in a guarded round trip, before the body is read: a stale cached access is found here
   * (and the call re-run) while nothing was consumed, and no byte reaches R2 before the access is confirmed.
   */
  async open(): Promise<void> {
    if (!this.ctx.config.attachments) throw new ApiError('api-unavailable', 'Uploads are off: the attachment limits are misconfigured.');
    await this.ctx.run([journalUpload(this.ctx.db, this.ctx.user.id, this.id, this.ctx.now)]);
  }

  /** Streams one file to its final key, hashing it on the way. */
  readonly stage = async (file: IncomingFile): Promise<StagedFile> => {
    const id = newId();
    const key = blobKey(this.ctx.user.id, this.id, id);
    const type = storedType(file.type);
    const limit = this.ctx.config.attachments?.maxFileBytes ?? 0;
    const { size, sha256 } = await putStream(this.ctx.env.ATTACHMENTS, key, file.body, {
      contentType: type,
      maxBytes: limit,
      tooLarge: () => err.tooLarge(limit),
    });
    const staged: StagedFile = { id, key, fileName: file.fileName, type, size, integrity: `sha256-${sha256}` };
    this.staged.push(staged);
    return staged;
  };

  /** What the transport puts in the method's params. */
  result(): UploadedFiles {
    return new UploadedFiles(this.id, [...this.staged]);
  }

  /**
   * After a failed call: deletes what was uploaded, unless the method's batch had already attached it. What this
   * cannot finish stays journaled (now due) for the sweeper.
   */
  async discard(): Promise<void> {
    const { db, env, user } = this.ctx;
    try {
      if (await abandonUpload(db, user.id, this.id, Date.now() / 1000)) {
        await deleteJournaledPrefix(env.ATTACHMENTS, db, uploadPrefix(user.id, this.id));
      }
    } catch (e) {
      console.error('upload cleanup left to the sweeper:', e instanceof Error ? e.message : String(e));
    }
  }
}

/** The statements a method wraps around the write that references an upload's files, and their records. */
export function attachUpload(ctx: AccessContext, files: UploadedFiles) {
  const claim = claimUpload(ctx.db, ctx.user.id, files.uploadId, ctx.now);
  const attachments: StoredAttachment[] = files.files.map((f) => ({
    id: f.id, fileName: f.fileName, type: f.type, size: f.size, integrity: f.integrity, key: f.key,
  }));
  const bytes = attachments.reduce((sum, a) => sum + a.size, 0);
  return { guard: claim.guard, release: claim.release, attachments, bytes };
}
