/** events.create / getOne / update / delete (§5.4) with the write rules of §7.5–§7.6. */
import * as v from 'valibot';
import { err } from '../core/errors';
import { canCreateIn, canWriteEvents, admits, isVisible, writableThrough } from '../auth/event-visibility';
import { mergeClientData } from '../lib/client-data';
import { newId } from '../lib/ids';
import {
  eventOutput, eventRevisionGuard, fromRow, insertEvent, replaceEvent, selectEvent, tombstoneEvents, type EventDbRow, type StoredEvent,
} from '../storage/events';
import { isUniqueViolation } from '../storage/d1-errors';
import type { StreamTree } from '../storage/stream-tree';
import { runRead, runWrite, withTree } from './tree-calls';
import type { AccessContext, MethodResult } from '../core/context';
import {
  checkEventSize, checkTypeAndContent, eventIdSchema, typeSchema, normalizeTags, requireStreamIds, resolveStreamIds, writableEventFields,
} from './event-input';
import { idSchema, parseUpdate, updateParams } from '../core/params';
import { isAuditId } from '../audit/streams';
import { accessMethod, ok } from './table';
import { wireAccessId } from '../lib/access-refs';

const ALL_TYPES = ['personal', 'app', 'shared'] as const;

const createParams = v.strictObject({
  ...writableEventFields,
  id: v.optional(eventIdSchema),
  type: typeSchema,
  /** Not emitted (LATER) and ignored on input (§4.2). */
  integrity: v.optional(v.unknown()),
});
const updateSchema = v.strictObject(writableEventFields);
const EVENT_READ_ONLY = ['id', 'created', 'createdBy', 'modified', 'modifiedBy', 'attachments', 'integrity'] as const;

/** The target streams exist and are not in trash (§5.4). */
function requireLiveStreams(tree: StreamTree, ids: readonly string[]): void {
  const unknown = ids.filter((id) => !tree.has(id));
  if (unknown.length > 0) throw err.unknownReferenced(`Unknown stream(s): ${unknown.join(', ')}.`, { streamIds: unknown });
  const trashed = ids.filter((id) => tree.inTrash(id));
  if (trashed.length > 0) throw err.invalidOperation(`Stream(s) in the trash: ${trashed.join(', ')}.`, { streamIds: trashed });
}

/** A deletion record (§4.5). */
interface ItemDeletion {
  id: string;
  deleted: number;
}

const unknownEvent = (id: string) => err.unknownResource(`Unknown event "${id}".`);

/** Reads a live event (404 for unknown and deleted ones) within a tree-checked round trip. */
async function loadEvent(ctx: AccessContext, tree: StreamTree, id: string): Promise<StoredEvent> {
  const [rows] = (await runRead(ctx, tree, [selectEvent(ctx.db, ctx.user.id, id)])) as [EventDbRow[]];
  if (rows.length === 0 || rows[0].deleted !== null) throw unknownEvent(id);
  return fromRow(rows[0]);
}

/** Update rules 1 and 2 (§7.5): the access sees the event and can write to it through one of its streams. */
function requireWritable(ctx: AccessContext, tree: StreamTree, e: StoredEvent): void {
  if (!isVisible(ctx.permissions, tree.parentOf, e, ctx.now) || !writableThrough(ctx.permissions, tree.parentOf, e, ctx.now)) {
    throw err.forbidden();
  }
}

/** Audit events are read-only (§5.13): no event is created in, moved to, changed or deleted from the audit store. */
function refuseAuditWrite(id: string | undefined, streamIds: readonly string[]): void {
  if ((id !== undefined && isAuditId(id)) || streamIds.some(isAuditId)) throw err.forbidden('Audit events are read-only.');
}

export const eventMethods = [
  accessMethod({
    id: 'events.create',
    changes: ['events'],
    params: createParams,
    who: ALL_TYPES,
    batch: true,
    handler: async (ctx, params) => {
      const streamIds = requireStreamIds(resolveStreamIds(params.streamIds, params.streamId));
      refuseAuditWrite(params.id, streamIds);
      checkTypeAndContent(params.type, params.content);
      const e: StoredEvent = {
        id: params.id ?? newId(),
        streamIds,
        time: params.time ?? ctx.now,
        type: params.type,
        tags: normalizeTags(params.tags),
        trashed: params.trashed === true,
        created: ctx.now, createdBy: wireAccessId(ctx.access), modified: ctx.now, modifiedBy: wireAccessId(ctx.access),
      };
      if (params.duration !== undefined) e.duration = params.duration;
      if (params.content !== undefined && params.content !== null) e.content = params.content;
      if (params.description !== undefined && params.description !== null) e.description = params.description;
      if (params.clientData) e.clientData = params.clientData;
      checkEventSize(e);
      await withTree(ctx, async (tree) => {
        requireLiveStreams(tree, streamIds);
        if (!canCreateIn(ctx.permissions, tree.parentOf, e, ctx.now)) throw err.forbidden();
        try {
          await runWrite(ctx, tree, [...insertEvent(ctx.db, ctx.user.id, e)]);
        } catch (error) {
          if (isUniqueViolation(error, 'events')) throw err.alreadyExists(`The event id "${e.id}" is already in use.`, { id: e.id });
          throw error;
        }
      });
      return ok({ event: eventOutput(e) }, 201);
    },
  }),

  accessMethod({
    id: 'events.getOne',
    params: v.strictObject({ id: idSchema, includeHistory: v.optional(v.boolean()) }),
    who: ALL_TYPES,
    batch: true,
    handler: async (ctx, params) => {
      let e: StoredEvent;
      if (ctx.permissions.isPersonal) {
        // Personal accesses see every event: no stream tree needed, one round trip.
        const { results } = await ctx.run([selectEvent(ctx.db, ctx.user.id, params.id)]);
        const row = results[0][0];
        if (!row || row.deleted !== null) throw unknownEvent(params.id);
        e = fromRow(row);
      } else {
        e = await withTree(ctx, async (tree) => {
          const found = await loadEvent(ctx, tree, params.id);
          if (!isVisible(ctx.permissions, tree.parentOf, found, ctx.now)) throw err.forbidden();
          return found;
        });
      }
      return ok(params.includeHistory ? { event: eventOutput(e), history: [] } : { event: eventOutput(e) });
    },
  }),

  accessMethod({
    id: 'events.update',
    changes: ['events'],
    params: updateParams,
    who: ALL_TYPES,
    batch: true,
    handler: async (ctx, params) => {
      const update = parseUpdate(params.update, EVENT_READ_ONLY, updateSchema, ctx.config.limits);
      const newStreamIds = resolveStreamIds(update.streamIds, update.streamId);
      refuseAuditWrite(params.id, newStreamIds ?? []);
      if (newStreamIds !== undefined) requireStreamIds(newStreamIds);
      const tags = update.tags === undefined ? undefined : normalizeTags(update.tags);
      const next = await withTree(ctx, async (tree) => {
        const old = await loadEvent(ctx, tree, params.id);
        requireWritable(ctx, tree, old);
        const e: StoredEvent = { ...old, modified: ctx.now, modifiedBy: wireAccessId(ctx.access) };
        if (newStreamIds !== undefined) e.streamIds = newStreamIds;
        if (update.time !== undefined) e.time = update.time;
        if (update.duration !== undefined) e.duration = update.duration;
        if (update.type !== undefined) e.type = update.type;
        if (update.content !== undefined) {
          if (update.content === null) delete e.content;
          else e.content = update.content;
        }
        if (tags !== undefined) e.tags = tags;
        if (update.description !== undefined) {
          if (update.description === null) delete e.description;
          else e.description = update.description;
        }
        if (update.clientData !== undefined) {
          const merged = mergeClientData(old.clientData ?? null, update.clientData, ctx.config.limits.clientDataBytes);
          if (merged === null) delete e.clientData;
          else e.clientData = merged;
        }
        if (update.trashed !== undefined && update.trashed !== null) e.trashed = update.trashed;
        if (update.type !== undefined || update.content !== undefined) checkTypeAndContent(e.type, e.content);
        checkEventSize(e);
        const added = e.streamIds.filter((s) => !old.streamIds.includes(s));
        const removed = old.streamIds.filter((s) => !e.streamIds.includes(s));
        requireLiveStreams(tree, added);
        const perms = ctx.permissions;
        if (!perms.isPersonal) {
          // Rule 3: every added or removed stream is writable; added ones admit the new event. Rule 4: e′ stays writable.
          for (const s of [...added, ...removed]) {
            const p = perms.effective(s, tree.parentOf);
            if (!canWriteEvents(p?.level) || (added.includes(s) && !admits(p, e, ctx.now))) throw err.forbidden();
          }
          if (!writableThrough(perms, tree.parentOf, e, ctx.now)) throw err.forbidden();
        }
        const relink = added.length > 0 || removed.length > 0 || e.time !== old.time;
        await runWrite(ctx, tree, [...replaceEvent(ctx.db, ctx.user.id, e, relink)]);
        return e;
      });
      return ok({ event: eventOutput(next) });
    },
  }),

  accessMethod({
    id: 'events.delete',
    changes: ['events'],
    params: v.strictObject({ id: idSchema }),
    who: ALL_TYPES,
    batch: true,
    handler: async (ctx, params): Promise<MethodResult<{ event: Record<string, unknown> } | { eventDeletion: ItemDeletion }>> => {
      refuseAuditWrite(params.id, []);
      return withTree(ctx, async (tree) => {
        const old = await loadEvent(ctx, tree, params.id);
        requireWritable(ctx, tree, old);
        if (!old.trashed) {
          const e: StoredEvent = { ...old, trashed: true, modified: ctx.now, modifiedBy: wireAccessId(ctx.access) };
          await runWrite(ctx, tree, [...replaceEvent(ctx.db, ctx.user.id, e, false)]);
          return ok({ event: eventOutput(e) });
        }
        // Guarded like updates: of racing deletes, only the one that tombstones the event reports it.
        await runWrite(ctx, tree, [
          eventRevisionGuard(ctx.db, ctx.user.id, old.id, old.rev ?? 0),
          ...tombstoneEvents(ctx.db, ctx.user.id, [old.id], ctx.now, wireAccessId(ctx.access)),
        ]);
        return ok({ eventDeletion: { id: old.id, deleted: ctx.now } });
      });
    },
  }),
];
