/** streams.get / create / update / delete (§5.6), with the permission rules of §7.5 for streams. */
import * as v from 'valibot';
import { err } from '../core/errors';
import { canWriteEvents, isListable, isNarrowed } from '../auth/event-visibility';
import type { Permissions, StreamPermission } from '../core/permissions';
import { mergeClientData } from '../lib/client-data';
import { newId } from '../lib/ids';
import { slugify } from '../lib/slugify';
import { setEventStreamIds, tombstoneEvents } from '../storage/events';
import { deleteReleasedBlobs } from '../storage/blob-sweep';
import type { StreamRow } from '../storage/schema';
import { bumpStreamsVersion, compareCodePoints, forgetTree, rememberTree, selectStreams, StreamTree } from '../storage/stream-tree';
import { runRead, runWrite, withTree } from './tree-calls';
import {
  deleteLinksOfStreams, deleteStreams, insertStream, relinkToParent, selectLinkedEvents, selectStreamDeletions, updateStream,
} from '../storage/streams';
import type { AccessContext } from '../core/context';
import { clientDataSchema, idSchema, nameSchema, parseUpdate, timestamp, updateParams } from '../core/params';
import { streamOutput } from './stream-output';
import { accessMethod, ok } from './table';
import { wireAccessId } from '../lib/access-refs';

const ALL_TYPES = ['personal', 'app', 'shared'] as const;
const parentIdSchema = v.nullable(v.pipe(idSchema, v.minLength(1, 'parentId cannot be empty; use null for a root stream.')));

const isManage = (p: StreamPermission | null): boolean => p?.level === 'manage';
const isFullManage = (p: StreamPermission | null): boolean => isManage(p) && !isNarrowed(p!);

/** `manage` on `parentId`, or on `*` for the root (§7.5). */
function canManageUnder(perms: Permissions, tree: StreamTree, parentId: string | null): boolean {
  if (perms.isPersonal) return true;
  if (parentId === null) return isManage(perms.streamEntries.get('*') ?? null);
  return isManage(perms.effective(parentId, tree.parentOf));
}

/** The forest of §5.6: trashed subtrees hidden by default; non-personal accesses see their listable streams. */
function buildForest(ctx: AccessContext, tree: StreamTree, parentId: string | null, includeTrashed: boolean): unknown[] {
  const perms = ctx.permissions;
  const listable = (id: string) => perms.isPersonal || isListable(perms.effective(id, tree.parentOf)?.level);
  // Walks every stream below `parentId`; a listable one is attached to its nearest listed ancestor, or is a root.
  const roots: unknown[] = [];
  const walk = (rows: readonly StreamRow[], into: unknown[]) => {
    for (const row of rows) {
      if (row.trashed && !includeTrashed) continue;
      if (listable(row.id)) {
        const children: unknown[] = [];
        walk(tree.childrenOf(row.id), children);
        into.push(streamOutput(row, children));
      } else {
        walk(tree.childrenOf(row.id), roots);
      }
    }
  };
  walk(tree.childrenOf(parentId), roots);
  // Grants below hidden streams surface as extra roots: keep the forest's roots in name order too.
  return roots.sort((a, b) => compareCodePoints((a as { name: string }).name, (b as { name: string }).name));
}

const getParams = v.strictObject({
  parentId: v.optional(v.nullable(idSchema)),
  state: v.optional(v.picklist(['default', 'all'])),
  includeDeletionsSince: v.optional(timestamp()),
});

const createParams = v.strictObject({
  id: v.optional(v.nullable(idSchema)),
  name: nameSchema,
  parentId: v.optional(parentIdSchema),
  clientData: v.optional(clientDataSchema),
  trashed: v.optional(v.nullable(v.boolean())),
});

const updateSchema = v.strictObject({
  name: v.optional(nameSchema),
  parentId: v.optional(parentIdSchema),
  clientData: v.optional(clientDataSchema),
  trashed: v.optional(v.boolean()),
});
const STREAM_READ_ONLY = ['id', 'children', 'created', 'createdBy', 'modified', 'modifiedBy'] as const;

const deleteParams = v.strictObject({ id: idSchema, mergeEventsWithParent: v.optional(v.boolean()) });

function requireStream(tree: StreamTree, id: string): StreamRow {
  const row = tree.get(id);
  if (!row) throw err.unknownResource(`Unknown stream "${id}".`);
  return row;
}

function requireParent(tree: StreamTree, parentId: string | null): void {
  if (parentId === null) return;
  if (!tree.has(parentId)) throw err.unknownReferenced(`Unknown parent stream "${parentId}".`, { parentId });
  if (tree.inTrash(parentId)) throw err.invalidOperation(`The parent stream "${parentId}" is in the trash.`);
}

function requireUniqueName(tree: StreamTree, parentId: string | null, streamName: string, selfId: string): void {
  if (tree.childrenOf(parentId).some((s) => s.name === streamName && s.id !== selfId)) {
    throw err.alreadyExists(`A sibling stream is already named "${streamName}".`, { name: streamName });
  }
}

export const streamMethods = [
  accessMethod({
    id: 'streams.get',
    params: getParams,
    who: ALL_TYPES,
    batch: true,
    handler: async (ctx, params) => {
      const since = params.includeDeletionsSince;
      const statements = [selectStreams(ctx.db, ctx.user.id)];
      const { streamsVersion, results } = await ctx.run(
        since === undefined ? statements : [...statements, selectStreamDeletions(ctx.db, ctx.user.id, since, ctx.now)],
      );
      const tree = new StreamTree(streamsVersion, results[0] as StreamRow[]);
      rememberTree(ctx.user.id, tree);
      const parentId = params.parentId ?? null;
      if (parentId !== null) {
        if (!tree.has(parentId)) throw err.unknownReferenced(`Unknown stream "${parentId}".`, { parentId });
        if (!ctx.permissions.isPersonal && !isListable(ctx.permissions.effective(parentId, tree.parentOf)?.level)) throw err.forbidden();
      }
      const payload: Record<string, unknown> = { streams: buildForest(ctx, tree, parentId, params.state === 'all') };
      if (since !== undefined) payload.streamDeletions = results[1];
      return ok(payload);
    },
  }),

  accessMethod({
    id: 'streams.create',
    changes: ['streams'],
    params: createParams,
    who: ALL_TYPES,
    batch: true,
    handler: async (ctx, params) => {
      if (params.id === null) throw err.invalidItemId();
      const id = params.id === undefined ? newId() : slugify(params.id);
      const parentId = params.parentId ?? null;
      const row: StreamRow = {
        userId: ctx.user.id, id, name: params.name, parentId,
        clientData: params.clientData ? JSON.stringify(params.clientData) : null,
        trashed: params.trashed === true,
        created: ctx.now, createdBy: wireAccessId(ctx.access), modified: ctx.now, modifiedBy: wireAccessId(ctx.access),
      };
      await withTree(ctx, async (tree) => {
        if (parentId !== null && !tree.has(parentId)) throw err.unknownReferenced(`Unknown parent stream "${parentId}".`, { parentId });
        if (!canManageUnder(ctx.permissions, tree, parentId)) throw err.forbidden();
        requireParent(tree, parentId);
        if (tree.has(id)) throw err.alreadyExists(`A stream with id "${id}" already exists.`, { id });
        requireUniqueName(tree, parentId, params.name, id);
        await runWrite(ctx, tree, [insertStream(ctx.db, row), bumpStreamsVersion(ctx.db, ctx.user.id)]);
      });
      forgetTree(ctx.user.id);
      return ok({ stream: streamOutput(row) }, 201);
    },
  }),

  accessMethod({
    id: 'streams.update',
    changes: ['streams'],
    params: updateParams,
    who: ALL_TYPES,
    batch: true,
    handler: async (ctx, params) => {
      const update = parseUpdate(params.update, STREAM_READ_ONLY, updateSchema, ctx.config.limits);
      const out = await withTree(ctx, async (tree) => {
        const current = requireStream(tree, params.id);
        const perms = ctx.permissions;
        const own = perms.effective(current.id, tree.parentOf);
        if (!isManage(own)) throw err.forbidden();
        const moving = update.parentId !== undefined && update.parentId !== current.parentId;
        if ((moving || update.trashed === true) && !isFullManage(own)) throw err.forbidden();
        const parentId = update.parentId === undefined ? current.parentId : update.parentId;
        if (moving) {
          if (parentId !== null && !tree.has(parentId)) throw err.unknownReferenced(`Unknown parent stream "${parentId}".`, { parentId });
          if (parentId !== null && tree.isInSubtree(parentId, current.id)) {
            throw err.invalidOperation('A stream cannot be moved under itself or one of its descendants.');
          }
          if (!canManageUnder(perms, tree, parentId)) throw err.forbidden();
          requireParent(tree, parentId);
        }
        const newName = update.name ?? current.name;
        if (moving || newName !== current.name) requireUniqueName(tree, parentId, newName, current.id);
        const clientData = mergeClientData(
          current.clientData ? JSON.parse(current.clientData) : null, update.clientData, ctx.config.limits.clientDataBytes,
        );
        const next: StreamRow = {
          ...current, name: newName, parentId,
          clientData: clientData ? JSON.stringify(clientData) : null,
          trashed: update.trashed ?? current.trashed,
          modified: ctx.now, modifiedBy: wireAccessId(ctx.access),
        };
        await runWrite(ctx, tree, [
          updateStream(ctx.db, ctx.user.id, current.id, next),
          bumpStreamsVersion(ctx.db, ctx.user.id),
        ]);
        return next;
      });
      forgetTree(ctx.user.id);
      return ok({ stream: streamOutput(out) });
    },
  }),

  accessMethod({
    id: 'streams.delete',
    changes: ['events', 'streams'],
    params: deleteParams,
    who: ALL_TYPES,
    batch: true,
    handler: async (ctx, params) => {
      const result = await withTree(ctx, (tree) => deleteStream(ctx, tree, params.id, params.mergeEventsWithParent));
      forgetTree(ctx.user.id);
      return ok(result);
    },
  }),
];

type UpdatedEvent = { id: string; action: 'mergedToParent' | 'updatedStreamIds' | 'deleted' };

/** Two-phase deletion (§5.6): trash first; then delete the subtree, re-homing, stripping or deleting events. */
async function deleteStream(ctx: AccessContext, tree: StreamTree, id: string, merge: boolean | undefined) {
  const current = requireStream(tree, id);
  const perms = ctx.permissions;
  if (!isFullManage(perms.effective(id, tree.parentOf))) throw err.forbidden();
  const by = wireAccessId(ctx.access);
  if (!current.trashed) {
    const next: StreamRow = { ...current, trashed: true, modified: ctx.now, modifiedBy: by };
    await runWrite(ctx, tree, [updateStream(ctx.db, ctx.user.id, id, next), bumpStreamsVersion(ctx.db, ctx.user.id)]);
    return { stream: streamOutput(next) };
  }
  const parentId = tree.parentOf(id) ?? null;
  if (merge === true && parentId === null) throw err.invalidOperation('The events of a root stream cannot be merged with a parent.');
  const subtree = tree.subtree(id);
  const [linked] = (await runRead(ctx, tree, [selectLinkedEvents(ctx.db, ctx.user.id, subtree)])) as [{ id: string; stream_ids: string }[]];
  if (linked.length > 0 && merge === undefined) {
    throw err.paramsFormat('Events are linked to this stream or its descendants: "mergeEventsWithParent" is required.', [
      { code: 'required', message: 'mergeEventsWithParent is required', path: 'mergeEventsWithParent' },
    ]);
  }
  if (merge === true && linked.length > 0 && !perms.isPersonal && !canWriteEvents(perms.effective(parentId!, tree.parentOf)?.level)) {
    throw err.forbidden();
  }
  const removed = new Set(subtree);
  const updatedEvents: UpdatedEvent[] = [];
  const changes: { id: string; streamIds: string[] }[] = [];
  const gone: string[] = [];
  for (const e of linked) {
    const ids = JSON.parse(e.stream_ids) as string[];
    const kept = [...new Set(ids.flatMap((s) => (removed.has(s) ? (merge ? [parentId!] : []) : [s])))];
    if (kept.length === 0) {
      gone.push(e.id);
      updatedEvents.push({ id: e.id, action: 'deleted' });
    } else {
      changes.push({ id: e.id, streamIds: kept });
      updatedEvents.push({ id: e.id, action: merge ? 'mergedToParent' : 'updatedStreamIds' });
    }
  }
  const statements = [];
  if (changes.length > 0) statements.push(setEventStreamIds(ctx.db, ctx.user.id, changes, ctx.now, by));
  if (merge && linked.length > 0) statements.push(relinkToParent(ctx.db, ctx.user.id, subtree, parentId!));
  // The first statement of a tombstone returns the attachment keys it journaled for deletion.
  const releasedAt = gone.length > 0 ? statements.length : -1;
  if (gone.length > 0) statements.push(...tombstoneEvents(ctx.db, ctx.user.id, gone, ctx.now, by));
  statements.push(deleteLinksOfStreams(ctx.db, ctx.user.id, subtree));
  statements.push(...deleteStreams(ctx.db, ctx.user.id, subtree, ctx.now));
  statements.push(bumpStreamsVersion(ctx.db, ctx.user.id));
  const results = await runWrite(ctx, tree, statements);
  if (releasedAt >= 0) {
    const released = results[releasedAt] as { prefix: string }[];
    await deleteReleasedBlobs(ctx.env.ATTACHMENTS, ctx.db, released.map((r) => r.prefix));
  }
  return { updatedEvents, streamDeletion: { id, deleted: ctx.now } };
}
