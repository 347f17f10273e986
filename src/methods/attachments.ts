/**
 * events.addAttachment, events.getAttachment and events.deleteAttachment (§5.5). Files reach addAttachment
 * already staged in R2 (src/methods/attachment-uploads.ts); the D1 write that references or drops them carries
 * the journal and byte-count statements in its own batch (decision 017).
 */
import * as v from 'valibot';
import { wireAccessId } from '../lib/access-refs';
import type { MethodResult } from '../core/context';
import { err } from '../core/errors';
import { uploadedFilesSchema, type FileBody } from '../core/uploads';
import { releaseBlob } from '../storage/blob-journal';
import { openBlob } from '../storage/blobs';
import { deleteReleasedBlobs } from '../storage/blob-sweep';
import { replaceEvent, type StoredEvent } from '../storage/events';
import { attachUpload } from './attachment-uploads';
import { checkEventSize } from './event-input';
import { presentEvent } from './event-output';
import { loadEvent, readVisibleEvent, requireWritable } from './event-reads';
import { accessMethod, ok } from './table';
import { runWrite, withTree } from './tree-calls';

const ALL_TYPES = ['personal', 'app', 'shared'] as const;

const unknownFile = (eventId: string, fileId: string) => err.unknownResource(`Unknown attachment "${fileId}" of event "${eventId}".`);

/** The base64 digest inside an SRI `sha256-…` value. */
const sha256Of = (integrity: string) => integrity.slice('sha256-'.length);

export const attachmentMethods = [
  accessMethod({
    id: 'events.addAttachment',
    changes: ['events'],
    params: v.strictObject({ id: v.string(), attachments: uploadedFilesSchema }),
    who: ALL_TYPES,
    batch: false,
    files: true,
    handler: async (ctx, params) => {
      const upload = attachUpload(ctx, params.attachments);
      const next = await withTree(ctx, async (tree) => {
        const old = await loadEvent(ctx, tree, params.id);
        requireWritable(ctx, tree, old);
        const e: StoredEvent = {
          ...old,
          attachments: [...(old.attachments ?? []), ...upload.attachments],
          modified: ctx.now,
          modifiedBy: wireAccessId(ctx.access),
        };
        checkEventSize(e);
        await runWrite(ctx, tree, [
          upload.guard,
          ...replaceEvent(ctx.db, ctx.user.id, e, false),
          upload.release,
        ]);
        return e;
      });
      return ok({ event: await presentEvent(ctx, next) });
    },
  }),

  accessMethod({
    id: 'events.getAttachment',
    // `fileName` is the optional last path segment, ignored (§5.5).
    params: v.strictObject({ id: v.string(), fileId: v.string(), fileName: v.optional(v.string()) }),
    who: ALL_TYPES,
    batch: false,
    readTokenParam: 'fileId',
    handler: async (ctx, params): Promise<MethodResult<Record<string, never>>> => {
      const e = await readVisibleEvent(ctx, params.id);
      const a = e.attachments?.find((f) => f.id === params.fileId);
      if (!a) throw unknownFile(e.id, params.fileId);
      const bucket = ctx.env.ATTACHMENTS;
      // Opened by the transport once this guarded read has confirmed the access (decision 003).
      const file: FileBody = {
        type: a.type,
        size: a.size,
        sha256: sha256Of(a.integrity),
        fileName: a.fileName,
        open: (range) => openBlob(bucket, a.key, range),
      };
      return { payload: {}, file };
    },
  }),

  accessMethod({
    id: 'events.deleteAttachment',
    changes: ['events'],
    params: v.strictObject({ id: v.string(), fileId: v.string() }),
    who: ALL_TYPES,
    batch: true,
    handler: async (ctx, params) => {
      const { event, key } = await withTree(ctx, async (tree) => {
        const old = await loadEvent(ctx, tree, params.id);
        requireWritable(ctx, tree, old);
        const file = old.attachments?.find((f) => f.id === params.fileId);
        if (!file) throw unknownFile(old.id, params.fileId);
        const e: StoredEvent = { ...old, modified: ctx.now, modifiedBy: wireAccessId(ctx.access) };
        const rest = (old.attachments ?? []).filter((f) => f.id !== file.id);
        if (rest.length > 0) e.attachments = rest;
        else delete e.attachments;
        // Guarded on the event's revision; the account's file bytes follow the row (migrations/0005's triggers).
        await runWrite(ctx, tree, [
          ...replaceEvent(ctx.db, ctx.user.id, e, false),
          releaseBlob(ctx.db, ctx.user.id, file.key, ctx.now),
        ]);
        return { event: e, key: file.key };
      });
      await deleteReleasedBlobs(ctx.env.ATTACHMENTS, ctx.db, [key]);
      return ok({ event: await presentEvent(ctx, event) });
    },
  }),
];
