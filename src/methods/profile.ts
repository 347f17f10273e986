/**
 * Profile sets (§4.9, §5.10): free JSON objects, `public` (readable by any access), `private` (personal), and one
 * per app, keyed by the calling access's name. Updates merge key by key and `null` removes a key; a merge is
 * written only onto the revision it was computed from, so racing updates keep every accepted key.
 */
import * as v from 'valibot';
import type { AccessContext } from '../core/context';
import { err } from '../core/errors';
import { jsonObject } from '../core/params';
import type { AccessType } from '../core/permissions';
import { isUniqueViolation } from '../storage/d1-errors';
import { parseJson } from '../storage/db';
import { insertProfile, selectProfile, updateProfile } from '../storage/profiles';
import { accessMethod, ok } from './table';
import { retryOnRowChange, RowChangedError } from './tree-calls';

type Profile = Record<string, unknown>;

/** Which set a call reads or writes. */
type SetOf = (ctx: AccessContext) => string;
const PUBLIC: SetOf = () => 'public';
const PRIVATE: SetOf = () => 'private';
const APP: SetOf = (ctx) => `app:${ctx.access.name}`;

const encoder = new TextEncoder();

/**
 * Top-level merge: keys set to `null` go, other keys are replaced whole, keys not mentioned stay. Keys are
 * defined, not assigned, so that no key can reach a prototype (the JSON reader already refuses `__proto__`).
 */
function merge(current: Profile, update: Profile): Profile {
  const out = { ...current };
  for (const [key, value] of Object.entries(update)) {
    if (value === null) delete out[key];
    else Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

async function readSet(ctx: AccessContext, name: string): Promise<Profile> {
  const { results: [[row]] } = await ctx.run([selectProfile(ctx.db, ctx.user.id, name)] as const);
  return parseJson<Profile>(row?.data, {});
}

async function updateSet(ctx: AccessContext, name: string, update: Profile): Promise<Profile> {
  const limit = ctx.config.profileMaxBytes;
  return retryOnRowChange(async () => {
    const { results: [[row]] } = await ctx.run([selectProfile(ctx.db, ctx.user.id, name)] as const);
    const profile = merge(parseJson<Profile>(row?.data, {}), update);
    const data = JSON.stringify(profile);
    if (encoder.encode(data).length > limit) throw err.tooLarge(limit);
    if (!row) {
      try {
        await ctx.run([insertProfile(ctx.db, { userId: ctx.user.id, name, data, rev: 0 })]);
      } catch (e) {
        if (isUniqueViolation(e, 'profiles')) throw new RowChangedError();
        throw e;
      }
      return profile;
    }
    const { results: [written] } = await ctx.run([updateProfile(ctx.db, ctx.user.id, name, row.rev, data)] as const);
    if (written.length === 0) throw new RowChangedError();
    return profile;
  });
}

const getParams = v.strictObject({});
const updateParams = v.strictObject({ update: jsonObject });

function getMethod(id: string, set: SetOf, who: readonly AccessType[]) {
  return accessMethod({ id, params: getParams, who, batch: true, handler: async (ctx) => ok({ profile: await readSet(ctx, set(ctx)) }) });
}

function updateMethod(id: string, set: SetOf, who: readonly AccessType[]) {
  return accessMethod({
    id,
    params: updateParams,
    who,
    batch: true,
    handler: async (ctx, params) => ok({ profile: await updateSet(ctx, set(ctx), params.update) }),
  });
}

export const profileMethods = [
  getMethod('profile.getPublic', PUBLIC, ['personal', 'app', 'shared']),
  updateMethod('profile.updatePublic', PUBLIC, ['personal']),
  getMethod('profile.getPrivate', PRIVATE, ['personal']),
  updateMethod('profile.updatePrivate', PRIVATE, ['personal']),
  getMethod('profile.getApp', APP, ['personal', 'app']),
  updateMethod('profile.updateApp', APP, ['personal', 'app']),
];
