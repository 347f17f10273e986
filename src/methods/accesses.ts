import * as v from 'valibot';
import { auditGrantsCovered, auditReadable, isAuditId, parseAuditStream } from '../audit/streams';
import { err } from '../core/errors';
import { clientDataSchema, deviceNameSchema, idSchema, nameSchema, parseUpdate, updateParams } from '../core/params';
import { forgetSealed } from '../auth/access-cache';
import { deleteDeadShareLinks } from '../storage/share-links';
import { deleteWebhooksOfDeletedAccesses } from '../storage/webhooks';
import { forgetShareLinks, mintShareLink } from '../auth/share-codes';
import {
  assertMayDelete,
  assertMayUpdate,
  childFits,
  expiryViolation,
  inheritedFeatures,
  isExpired,
  mayList,
  permissionsCovered,
} from '../auth/access-rules';
import { sealToken, tokenHash } from '../auth/crypto';
import { Permissions, isStreamPermission, type ParentOf, type Permission } from '../core/permissions';
import { tokenKey } from '../auth/session';
import { mergeClientData } from '../lib/client-data';
import { newId, newToken } from '../lib/ids';
import { slugify } from '../lib/slugify';
import { isCurrentRef, parseAccessRef, wireAccessId, type AccessRef } from '../lib/access-refs';
import {
  accessRevisionGuard,
  deleteAccessCascade,
  insertAccess,
  selectAccesses,
  selectAccessHistory,
  selectLiveAccess,
  snapshotAccess,
  updateAccessRow,
} from '../storage/accesses';
import { parseJson } from '../storage/db';
import type { AccessHistoryRow, AccessRow, StreamRow } from '../storage/schema';
import { insertStreams, selectStreamRefs } from '../storage/stream-refs';
import { abortReason, violatedUnique } from '../storage/d1-errors';
import { bumpStreamsVersion } from '../storage/stream-tree';
import { retryOnRowChange, RowChangedError } from './tree-calls';
import { accessOutput, endpointFor, withToken } from './access-output';
import type { AccessContext } from '../core/context';
import { normalizePermissions, permissionsSchema, type NormalizedPermissions } from './permission-params';
import { accessMethod, ok } from './table';

const expireAfterSchema = v.pipe(v.number(), v.minValue(0, 'expireAfter cannot be negative.'));

const createParams = v.strictObject({
  name: nameSchema,
  type: v.optional(v.picklist(['personal', 'app', 'shared'])),
  permissions: permissionsSchema,
  deviceName: v.optional(deviceNameSchema),
  token: v.optional(idSchema),
  expireAfter: v.optional(expireAfterSchema),
  clientData: v.optional(clientDataSchema),
});

const updateFields = v.strictObject({
  name: v.optional(nameSchema),
  deviceName: v.optional(deviceNameSchema),
  permissions: v.optional(permissionsSchema),
  expireAfter: v.optional(expireAfterSchema),
  expires: v.optional(v.null()),
  clientData: v.optional(clientDataSchema),
});

/** Fields an update may not touch: 403, not 400 (§4.1, §5.7.4). `expires` is read-only except for `null`. */
const READ_ONLY = new Set(['id', 'token', 'type', 'apiEndpoint', 'created', 'createdBy', 'modified', 'modifiedBy', 'lastUsed', 'deleted']);
const isReadOnly = (key: string, value: unknown) => READ_ONLY.has(key) || (key === 'expires' && value !== null);

/** The account's stream tree, as far as accesses care: which ids exist, their parents, root names. */
class StreamRefs {
  private readonly parents = new Map<string, string | null>();
  readonly rootNames = new Set<string>();
  constructor(rows: readonly { id: string; parentId: string | null; name: string }[]) {
    for (const r of rows) {
      this.parents.set(r.id, r.parentId);
      if (r.parentId === null) this.rootNames.add(r.name);
    }
  }
  readonly parentOf: ParentOf = (id) => this.parents.get(id);
  has = (id: string) => id === '*' || this.parents.has(id);
  ids = () => this.parents.keys();
}

/** The account's own stream ids a permission list names (audit streams are checked apart). */
const streamIdsOf = (list: readonly Permission[]) => list.filter(isStreamPermission).map((p) => p.streamId).filter((id) => !isAuditId(id));

/**
 * Audit stream grants (§5.13): known audit streams, at `read`, un-narrowed, and, from an app, only what the app
 * may read itself (its own `:_audit:access-{id}` included). `refuse` is the answer for the last rule (403 on
 * create, 400 on update, §7.7).
 */
function checkAuditGrants(ctx: AccessContext, list: readonly Permission[], refuse: (message: string) => Error): void {
  const grants = list.filter(isStreamPermission).filter((p) => isAuditId(p.streamId));
  const unknown = grants.filter((p) => parseAuditStream(p.streamId) === null).map((p) => p.streamId);
  if (unknown.length > 0) throw err.unknownReferenced(`Unknown stream(s) in permissions: ${unknown.join(', ')}.`, { permissions: unknown });
  for (const p of grants) {
    if (p.level !== 'read' || p.tags !== undefined || p.fromTime !== undefined || p.toTime !== undefined) {
      throw err.paramsFormat(`Audit stream "${p.streamId}" can only be granted at level "read", without narrowing.`, { streamId: p.streamId });
    }
    if (!auditReadable(ctx.permissions, ctx.access.id, p.streamId, parseAuditStream(p.streamId)!)) {
      throw refuse(`The creating access cannot read audit stream "${p.streamId}" itself.`);
    }
  }
}

function assertStreamsExist(list: readonly Permission[], refs: StreamRefs): void {
  const unknown = streamIdsOf(list).filter((id) => !refs.has(id));
  if (unknown.length > 0) throw err.unknownReferenced(`Unknown stream(s) in permissions: ${unknown.join(', ')}.`, { permissions: unknown });
}

/** Root streams a personal caller's permissions ask for (§5.7.3 auto-creation); unknown ones without a name fail. */
function streamsToCreate(ctx: AccessContext, perms: NormalizedPermissions, refs: StreamRefs): StreamRow[] {
  const missing = streamIdsOf(perms.list).filter((id) => !refs.has(id));
  const nameless = missing.filter((id) => !ctx.permissions.isPersonal || !perms.names.has(id));
  if (nameless.length > 0) throw err.unknownReferenced(`Unknown stream(s) in permissions: ${nameless.join(', ')}.`, { permissions: nameless });
  const taken = new Set(refs.rootNames);
  return missing.map((id) => {
    if (slugify(id) !== id) throw err.invalidItemId(`"${id}" cannot be used as a stream id.`);
    const name = perms.names.get(id)!;
    if (taken.has(name)) throw err.alreadyExists(`A root stream named "${name}" already exists.`, { name });
    taken.add(name);
    const by = wireAccessId(ctx.access);
    return { userId: ctx.user.id, id, name, parentId: null, clientData: null, trashed: false, created: ctx.now, createdBy: by, modified: ctx.now, modifiedBy: by };
  });
}

/** An earlier version of an access: its snapshot over the fields no update changes (type, token, creation). */
const asVersion = (current: AccessRow, version: AccessHistoryRow): AccessRow => ({
  ...current,
  serial: version.serial,
  name: version.name,
  deviceName: version.deviceName,
  permissions: version.permissions,
  expires: version.expires,
  clientData: version.clientData,
  modified: version.modified,
  modifiedBy: version.modifiedBy,
  lastUsed: null,
});

/** A composite or bare id (§5.7.6); a malformed one names no access. */
function refOf(id: string): AccessRef {
  const ref = parseAccessRef(id);
  if (!ref) throw err.unknownResource(`Unknown access "${id}".`);
  return ref;
}

/** accesses.update and .delete name the current version only: a superseded (or bare, once updated) id is 409. */
function assertCurrent(ref: AccessRef, provided: string, target: AccessRow): void {
  if (isCurrentRef(ref, target.serial)) return;
  throw err.staleResource(`"${provided}" is not the current version of this access; its current id is "${wireAccessId(target)}".`, {
    provided,
    currentSerial: target.serial === 0 ? null : target.serial,
  });
}

const nameClash = (type: string, name: string, deviceName: string | null) =>
  err.alreadyExists('An access with this type, name and device name already exists.', { type, name, deviceName });

/** `clientData` updates merge as for events and streams; stored as JSON text. */
function mergedClientData(ctx: AccessContext, stored: string | null, update: Record<string, unknown> | null): string | null {
  const merged = mergeClientData(parseJson<Record<string, unknown> | null>(stored, null), update, ctx.config.limits.clientDataBytes);
  return merged === null ? null : JSON.stringify(merged);
}

/** The new values of an access being updated, under the subset and cascade rules (§5.7.4, §7.7). */
function planUpdate(
  ctx: AccessContext,
  target: AccessRow,
  update: v.InferOutput<typeof updateFields>,
  refs: StreamRefs,
  children: readonly AccessRow[],
) {
  const { access, now } = ctx;
  assertMayUpdate(access, target);
  if (update.deviceName !== undefined && update.deviceName !== null && target.type !== 'app') {
    throw err.paramsFormat('"deviceName" is only allowed on app accesses.', [{ code: 'type', message: 'App accesses only', path: 'deviceName' }]);
  }
  let list = update.permissions === undefined ? parseJson<Permission[]>(target.permissions, []) : normalizePermissions(update.permissions).list;
  if (update.permissions !== undefined) {
    assertStreamsExist(list, refs);
    checkAuditGrants(ctx, list, (message) => err.invalidOperation(message));
  }
  const expires = update.expireAfter !== undefined ? now + update.expireAfter : update.expires === null ? null : target.expires;
  const name = update.name ?? target.name;
  const deviceName = update.deviceName === undefined ? target.deviceName : update.deviceName;
  const next = { permissions: new Permissions(target.type, list), expires };
  if (access.type === 'app') {
    if (!permissionsCovered(ctx.permissions, next.permissions, refs.ids(), refs.parentOf)) {
      throw err.invalidOperation('The updated permissions exceed those of the app that created the access.');
    }
    const violation = expiryViolation(access.expires, expires);
    if (violation) throw err.invalidOperation('The access would outlive the app that created it.', violation);
    list = inheritedFeatures(ctx.permissions, list);
  } else if (target.type === 'app') {
    const offendingChildren = children
      .filter((c) => c.type === 'shared')
      .filter((c) => {
        const permissions = new Permissions(c.type, parseJson(c.permissions, []));
        return !childFits(next, { permissions, expires: c.expires }, refs.ids(), refs.parentOf) || !auditGrantsCovered(next.permissions, target.id, permissions);
      })
      .map((c) => wireAccessId(c));
    if (offendingChildren.length > 0) {
      throw err.invalidOperation('Some accesses created by this app would no longer fit within it.', { offendingChildren });
    }
  }
  return {
    name,
    deviceName,
    permissions: JSON.stringify(list),
    expires,
    clientData: update.clientData === undefined ? target.clientData : mergedClientData(ctx, target.clientData, update.clientData),
    modified: now,
    modifiedBy: wireAccessId(access),
  };
}

export const accessesMethods = [
  accessMethod({
    id: 'accesses.get',
    params: v.strictObject({ includeExpired: v.optional(v.boolean()), includeDeletions: v.optional(v.boolean()) }),
    who: ['personal', 'app'],
    batch: true,
    handler: async (ctx, params) => {
      const { db, user, access, now } = ctx;
      const parentId = access.type === 'app' ? access.id : undefined;
      const { results } = await ctx.run([
        selectAccesses(db, user.id, { deleted: false, parentId }),
        selectAccesses(db, user.id, { deleted: true, parentId }),
      ] as const);
      const live = results[0].filter((a) => mayList(access, a) && (params.includeExpired || !isExpired(a, now)));
      const payload: Record<string, unknown> = { accesses: await Promise.all(live.map((a) => withToken(ctx, a))) };
      if (params.includeDeletions) payload.accessDeletions = await Promise.all(results[1].filter((a) => mayList(access, a)).map((a) => withToken(ctx, a)));
      return ok(payload);
    },
  }),

  accessMethod({
    id: 'accesses.getOne',
    params: v.strictObject({ id: idSchema, includeHistory: v.optional(v.boolean()) }),
    who: ['personal', 'app'],
    batch: true,
    handler: async (ctx, params) => {
      const { db, user, access } = ctx;
      const ref = refOf(params.id);
      const { results: [[target], history] } = await ctx.run([
        selectLiveAccess(db, user.id, ref.base),
        selectAccessHistory(db, user.id, ref.base),
      ] as const);
      const unknown = () => err.unknownResource(`Unknown access "${params.id}".`);
      // An app sees itself and the accesses it created; any other id is unknown to it, so that the answer
      // never tells it that an access exists (§5.7.2).
      if (!target || (access.type === 'app' && target.id !== access.id && target.parentId !== access.id)) throw unknown();
      const payload: Record<string, unknown> = {};
      if (ref.serial === null || ref.serial === target.serial) {
        payload.access = await withToken(ctx, target);
      } else {
        const version = ref.serial < target.serial ? history.find((h) => h.serial === ref.serial) : undefined;
        if (!version) throw unknown();
        payload.access = await withToken(ctx, asVersion(target, version));
        payload.current = wireAccessId(target);
      }
      if (params.includeHistory) payload.history = await Promise.all(history.map((h) => withToken(ctx, asVersion(target, h))));
      return ok(payload);
    },
  }),

  accessMethod({
    id: 'accesses.create',
    changes: ['accesses'],
    params: createParams,
    who: ['personal', 'app'],
    batch: true,
    handler: async (ctx, params) => {
      const { db, user, access, now } = ctx;
      const type = params.type ?? 'shared';
      if (type === 'personal') throw err.forbidden('Personal accesses are only created by login or registration.');
      if (access.type === 'app' && type !== 'shared') throw err.forbidden('An app access may only create shared accesses.');
      const deviceName = params.deviceName ?? null;
      if (deviceName !== null && type !== 'app') throw err.paramsFormat('"deviceName" is only allowed on app accesses.', [{ code: 'type', message: 'App accesses only', path: 'deviceName' }]);
      const perms = normalizePermissions(params.permissions);
      const token = params.token === undefined ? newToken() : slugify(params.token);
      const hash = await tokenHash(user.username, token);
      const { results: [refRows] } = await ctx.run([selectStreamRefs(db, user.id)] as const);
      const refs = new StreamRefs(refRows);
      const newStreams = streamsToCreate(ctx, perms, refs);
      checkAuditGrants(ctx, perms.list, (message) => err.forbidden(message));
      const expires = params.expireAfter === undefined ? null : now + params.expireAfter;
      let list = perms.list;
      if (access.type === 'app') {
        if (!permissionsCovered(ctx.permissions, new Permissions(type, list), refs.ids(), refs.parentOf)) {
          throw err.forbidden('The requested permissions exceed those of the creating access.');
        }
        const violation = expiryViolation(access.expires, expires);
        if (violation) throw err.invalidOperation('The new access would outlive the access creating it.', violation);
        list = inheritedFeatures(ctx.permissions, list);
      }
      const row: AccessRow = {
        id: newId(),
        userId: user.id,
        tokenHash: hash,
        tokenSealed: await sealToken(tokenKey(ctx.env), token),
        type,
        name: params.name,
        deviceName,
        permissions: JSON.stringify(list),
        expires,
        sessionExpires: null,
        lastUsed: null,
        clientData: params.clientData ? JSON.stringify(params.clientData) : null,
        parentId: access.id,
        rev: 0,
        serial: 0,
        created: now,
        createdBy: wireAccessId(access),
        modified: now,
        modifiedBy: wireAccessId(access),
        deleted: null,
      };
      // A shared access gets its short share link in the same batch: both exist, or neither.
      const share = type === 'shared' ? await mintShareLink(ctx, row.id) : null;
      try {
        await ctx.run([
          insertAccess(db, row),
          ...(share ? [share.statement] : []),
          ...(newStreams.length > 0 ? [insertStreams(db, newStreams), bumpStreamsVersion(db, user.id)] : []),
        ]);
      } catch (e) {
        // The unique indexes decide clashes, so two racing creates cannot both succeed.
        const constraint = violatedUnique(e);
        if (constraint?.includes('token_hash')) throw err.alreadyExists('An access with this token already exists.', { token });
        if (constraint?.includes('accesses_live_name')) throw nameClash(type, params.name, deviceName);
        if (constraint?.startsWith('streams.')) throw err.alreadyExists('A stream with one of these ids already exists.', { streamIds: newStreams.map((s) => s.id) });
        throw e;
      }
      const output = accessOutput(row, token, endpointFor(ctx, token));
      const result = ok({ access: share ? { ...output, shareUrl: share.url } : output }, 201);
      return newStreams.length > 0 ? { ...result, alsoChanged: ['streams'] as const } : result;
    },
  }),

  accessMethod({
    id: 'accesses.update',
    changes: ['accesses'],
    params: updateParams,
    who: ['personal', 'app'],
    batch: true,
    handler: async (ctx, params) => {
      const { db, user } = ctx;
      const update = parseUpdate(params.update, isReadOnly, updateFields, ctx.config.limits);
      const ref = refOf(params.id);
      // Guarded on the row's revision: a concurrent update makes this one re-read and re-apply (no lost update),
      // and then its id is no longer the current version: 409 stale-resource, as if it had run second.
      const updated = await retryOnRowChange(async () => {
        const { results } = await ctx.run([
          selectLiveAccess(db, user.id, ref.base),
          selectStreamRefs(db, user.id),
          selectAccesses(db, user.id, { deleted: false, parentId: ref.base }),
        ] as const);
        const [[target], refRows, children] = results;
        if (!target) throw err.unknownResource(`Unknown access "${params.id}".`);
        assertCurrent(ref, params.id, target);
        const values = planUpdate(ctx, target, update, new StreamRefs(refRows), children);
        let rows;
        try {
          ({ results: [, rows] } = await ctx.run([
            snapshotAccess(db, user.id, target.id, target.rev),
            updateAccessRow(db, user.id, target.id, target.rev, values),
          ] as const));
        } catch (e) {
          if (violatedUnique(e)?.includes('accesses_live_name')) throw nameClash(target.type, values.name, values.deviceName);
          throw e;
        }
        if (rows.length === 0) throw new RowChangedError();
        return { ...target, ...values, rev: target.rev + 1, serial: target.serial + 1 };
      });
      // Other locations may keep the old KV entry; the guard refuses it since `modified` changed.
      await forgetSealed(ctx.env, user.username, [updated.tokenSealed]);
      return ok({ access: await withToken(ctx, updated) });
    },
  }),

  accessMethod({
    id: 'accesses.delete',
    changes: ['accesses'],
    params: v.strictObject({ id: idSchema }),
    who: ['personal', 'app', 'shared'],
    batch: true,
    handler: async (ctx, params) => {
      const { db, user, access, now } = ctx;
      const ref = refOf(params.id);
      // Planned on the row it read: a concurrent update or delete makes it re-read and decide again.
      const { target, deleted, deadLinks } = await retryOnRowChange(async () => {
        const { results: [[target]] } = await ctx.run([selectLiveAccess(db, user.id, ref.base)] as const);
        if (!target) throw err.unknownResource(`Unknown access "${params.id}".`);
        assertCurrent(ref, params.id, target);
        assertMayDelete({ ...access, permissions: ctx.permissions }, target);
        try {
          const { results: [, deleted, deadLinks] } = await ctx.run([
            accessRevisionGuard(db, user.id, target.id, target.rev),
            deleteAccessCascade(db, user.id, target.id, now, wireAccessId(access), target.type === 'app'),
            deleteDeadShareLinks(db, user.id),
            // The webhooks of every deleted access go in the same batch (§7.9 cascade).
            deleteWebhooksOfDeletedAccesses(db, user.id),
          ] as const);
          return { target, deleted, deadLinks };
        } catch (e) {
          if (abortReason(e) === 'row-changed') throw new RowChangedError();
          throw e;
        }
      });
      const cascade = target.type === 'app';
      await Promise.all([
        forgetSealed(ctx.env, user.username, deleted.map((d) => d.tokenSealed)),
        forgetShareLinks(ctx.env, deadLinks.map((l) => l.codeHash)),
      ]);
      const payload: Record<string, unknown> = { accessDeletion: { id: wireAccessId(target), deleted: now } };
      if (cascade) payload.relatedDeletions = deleted.filter((d) => d.id !== target.id).map((d) => ({ id: wireAccessId(d), deleted: now }));
      return ok(payload);
    },
  }),
];
