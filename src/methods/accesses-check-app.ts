/**
 * accesses.checkApp (§5.7.7): what the consent page asks before granting an app its access. One of three
 * answers: the app's access already matches the request; it exists with other permissions; or none exists.
 * Otherwise the requested permissions come back "checked": existing streams named, clashing names renamed.
 */
import * as v from 'valibot';
import { isExpired } from '../auth/access-rules';
import { err } from '../core/errors';
import { clientDataSchema, deviceNameSchema, nameSchema } from '../core/params';
import { isStreamPermission, type Permission } from '../core/permissions';
import { selectAppAccess } from '../storage/accesses';
import { parseJson } from '../storage/db';
import { selectStreamRefs } from '../storage/stream-refs';
import { withToken } from './access-output';
import { normalizePermissions, permissionsSchema, type PermissionInput } from './permission-params';
import { accessMethod, ok } from './table';

const params = v.strictObject({
  requestingAppId: nameSchema,
  requestedPermissions: permissionsSchema,
  deviceName: v.optional(deviceNameSchema),
  // Accepted, not used for matching (§8.1 #17).
  clientData: v.optional(clientDataSchema),
});

/** One permission as a comparable string: order of the list and of tags does not matter, names do not count. */
function canonical(p: Permission): string {
  if (!isStreamPermission(p)) return JSON.stringify(['feature', p.feature, p.setting]);
  return JSON.stringify([p.streamId, p.level, p.tags ? [...p.tags].sort() : null, p.fromTime ?? null, p.toTime ?? null]);
}

const samePermissions = (a: readonly Permission[], b: readonly Permission[]) => {
  const left = a.map(canonical).sort();
  const right = b.map(canonical).sort();
  return left.length === right.length && left.every((x, i) => x === right[i]);
};

/** `name`, else `name (1)`, `name (2)`…: the first that no root stream (trashed ones included) has yet. */
function proposeName(name: string, taken: ReadonlySet<string>): string {
  if (!taken.has(name)) return name;
  for (let n = 1; ; n++) if (!taken.has(`${name} (${n})`)) return `${name} (${n})`;
}

/**
 * The request as the consent page should show it: a stream that exists carries its `name` instead of
 * `defaultName`; one to be created keeps a `defaultName` that no root stream has, the clashing ones being
 * renamed (listed in `renamed`).
 */
function checkPermissions(requested: readonly PermissionInput[], streams: readonly { id: string; parentId: string | null; name: string }[]) {
  const names = new Map(streams.map((s) => [s.id, s.name]));
  const taken = new Set(streams.filter((s) => s.parentId === null).map((s) => s.name));
  const renamed: string[] = [];
  const checked = requested.map((p) => {
    if (!('streamId' in p)) return p;
    const { defaultName, name, ...permission } = p;
    if (p.streamId === '*') return permission;
    const existing = names.get(p.streamId);
    if (existing !== undefined) return { ...permission, name: existing };
    const wanted = defaultName ?? name;
    if (wanted === undefined) {
      throw err.paramsFormat(`The permission for stream "${p.streamId}" needs a "defaultName": the stream does not exist.`, [
        { code: 'missing', message: 'A "defaultName" is required for a stream that does not exist', path: 'requestedPermissions' },
      ]);
    }
    const proposal = proposeName(wanted, taken);
    if (proposal !== wanted) renamed.push(p.streamId);
    taken.add(proposal);
    return { ...permission, defaultName: proposal };
  });
  const error =
    renamed.length === 0
      ? undefined
      : {
          id: 'item-already-exists',
          message: 'Some requested streams have the names of existing root streams; their "defaultName" was replaced by a free alternative.',
          data: { streamIds: renamed },
        };
  return { checked, error };
}

export const checkAppMethod = accessMethod({
  id: 'accesses.checkApp',
  params,
  who: ['personal'],
  batch: true,
  handler: async (ctx, params) => {
    const requested = normalizePermissions(params.requestedPermissions).list;
    const { results: [[access], streams] } = await ctx.run([
      selectAppAccess(ctx.db, ctx.user.id, params.requestingAppId, params.deviceName ?? null),
      selectStreamRefs(ctx.db, ctx.user.id),
    ] as const);
    // An expired access does not match: the app needs a new grant.
    if (access && !isExpired(access, ctx.now) && samePermissions(parseJson<Permission[]>(access.permissions, []), requested)) {
      return ok({ matchingAccess: await withToken(ctx, access) });
    }
    const { checked, error } = checkPermissions(params.requestedPermissions, streams);
    const payload: Record<string, unknown> = {};
    if (access) payload.mismatchingAccess = await withToken(ctx, access);
    payload.checkedPermissions = checked;
    if (error) payload.error = error;
    return ok(payload);
  },
});
