import * as v from 'valibot';
import { err } from '../core/errors';
import { idSchema, nameSchema, parseUpdate, updateParams } from '../core/params';
import { newId } from '../lib/ids';
import {
  deleteFollowedSlice,
  insertFollowedSlice,
  renameFollowedSlice,
  selectFollowedSlices,
  type FollowedSliceRow,
} from '../storage/followed-slices';
import { accessMethod, ok } from './table';

/** Sharing bookmarks (§4.7, §5.9): slices of other accounts this account follows. Personal accesses only. */
const createParams = v.strictObject({
  name: nameSchema,
  url: v.pipe(v.string(), v.minLength(1), v.maxLength(2000)),
  accessToken: nameSchema,
});
const updateFields = v.strictObject({ name: v.optional(nameSchema) });
const READ_ONLY = ['id', 'url', 'accessToken'];

const output = (row: FollowedSliceRow) => ({ id: row.id, name: row.name, url: row.url, accessToken: row.accessToken });
const isUniqueViolation = (e: unknown) => e instanceof Error && /UNIQUE constraint failed/i.test(`${e.message} ${String(e.cause ?? '')}`);
const nameTaken = (name: string) => err.alreadyExists(`A followed slice named "${name}" already exists.`, { name });
const unknownSlice = (id: string) => err.unknownResource(`Unknown followed slice "${id}".`);

export const followedSlicesMethods = [
  accessMethod({
    id: 'followedSlices.get',
    params: v.strictObject({}),
    who: ['personal'],
    batch: true,
    handler: async (ctx) => {
      const { results: [rows] } = await ctx.run([selectFollowedSlices(ctx.db, ctx.user.id)] as const);
      return ok({ followedSlices: rows.map(output) });
    },
  }),
  accessMethod({
    id: 'followedSlices.create',
    params: createParams,
    who: ['personal'],
    batch: true,
    handler: async (ctx, params) => {
      const row: FollowedSliceRow = { userId: ctx.user.id, id: newId(), ...params };
      try {
        await ctx.run([insertFollowedSlice(ctx.db, row)]);
      } catch (e) {
        if (isUniqueViolation(e)) throw nameTaken(params.name);
        throw e;
      }
      return ok({ followedSlice: output(row) }, 201);
    },
  }),
  accessMethod({
    id: 'followedSlices.update',
    params: updateParams,
    who: ['personal'],
    batch: true,
    handler: async (ctx, params) => {
      const update = parseUpdate(params.update, READ_ONLY, updateFields, ctx.config.limits);
      let rows: FollowedSliceRow[];
      try {
        const statement =
          update.name === undefined
            ? selectFollowedSlices(ctx.db, ctx.user.id)
            : renameFollowedSlice(ctx.db, ctx.user.id, params.id, update.name);
        rows = (await ctx.run([statement] as const)).results[0];
      } catch (e) {
        if (isUniqueViolation(e)) throw nameTaken(update.name!);
        throw e;
      }
      const row = rows.find((r) => r.id === params.id);
      if (!row) throw unknownSlice(params.id);
      return ok({ followedSlice: output(row) });
    },
  }),
  accessMethod({
    id: 'followedSlices.delete',
    params: v.strictObject({ id: idSchema }),
    who: ['personal'],
    batch: true,
    handler: async (ctx, params) => {
      const { results: [deleted] } = await ctx.run([deleteFollowedSlice(ctx.db, ctx.user.id, params.id)] as const);
      if (deleted.length === 0) throw unknownSlice(params.id);
      return ok({ followedSliceDeletion: { id: params.id, deleted: ctx.now } });
    },
  }),
];
