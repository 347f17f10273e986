/**
 * The account (§4.10, §5.11), personal accesses only: read it, change e-mail and language, change the password.
 * `storageUsed` comes from counters the database keeps as events come and go (migrations/0005), not from a scan.
 */
import * as v from 'valibot';
import { forgetSealed } from '../auth/access-cache';
import { hashPassword, verifyPassword } from '../auth/password';
import { err } from '../core/errors';
import { emailSchema, jsonObject, languageSchema, parseUpdate, passwordSchema } from '../core/params';
import { endOtherSessions, selectOtherSessions } from '../storage/accesses';
import { abortReason, violatedUnique } from '../storage/d1-errors';
import { AccountTaken, changeEmail } from '../storage/directory';
import type { UserRow } from '../storage/schema';
import { passwordGuard, selectUser, setPasswordHash, updateAccountRow } from '../storage/users';
import { accessMethod, ok } from './table';
import { retryOnRowChange, RowChangedError } from './tree-calls';

const accountOutput = (user: UserRow) => ({
  username: user.username,
  email: user.email,
  language: user.language,
  storageUsed: { dbDocuments: user.storageDbBytes, attachedFiles: user.storageFilesBytes },
});

const updateFields = v.strictObject({ email: v.optional(emailSchema), language: v.optional(languageSchema) });

export const accountMethods = [
  accessMethod({
    id: 'account.get',
    params: v.strictObject({}),
    who: ['personal'],
    batch: true,
    handler: async (ctx) => {
      const { results: [[user]] } = await ctx.run([selectUser(ctx.db, ctx.user.id)] as const);
      return ok({ account: accountOutput(user) });
    },
  }),

  accessMethod({
    id: 'account.update',
    params: v.strictObject({ update: jsonObject }),
    who: ['personal'],
    batch: true,
    handler: async (ctx, params) => {
      const update = parseUpdate(params.update, ['username'], updateFields, ctx.config.limits);
      const values = { ...(update.email !== undefined && { email: update.email }), ...(update.language !== undefined && { language: update.language }) };
      const statement = Object.keys(values).length === 0 ? selectUser(ctx.db, ctx.user.id) : updateAccountRow(ctx.db, ctx.user.id, values);
      const emailTaken = () => err.alreadyExists('The e-mail address is already in use.', { email: update.email });
      // E-mail uniqueness is global: the directory's unique index takes the address first (decision 028), so two
      // accounts of different shards racing for one address cannot both get it.
      let previous: string | null = null;
      if (values.email !== undefined) {
        try {
          previous = await changeEmail(ctx.env, ctx.user.username, values.email);
        } catch (e) {
          if (e instanceof AccountTaken) throw emailTaken();
          throw e;
        }
      }
      try {
        const { results: [[user]] } = await ctx.run([statement] as const);
        return ok({ account: accountOutput(user) });
      } catch (e) {
        if (previous !== null && previous !== values.email) await changeEmail(ctx.env, ctx.user.username, previous).catch(() => undefined);
        if (violatedUnique(e)?.includes('users.email')) throw emailTaken();
        throw e;
      }
    },
  }),

  accessMethod({
    id: 'account.changePassword',
    params: v.strictObject({
      oldPassword: v.string(),
      newPassword: passwordSchema,
      // Extension: also end every other personal session of the account (existing sessions are kept otherwise).
      logoutOtherSessions: v.optional(v.boolean()),
    }),
    who: ['personal'],
    batch: true,
    // `logoutOtherSessions` ends sessions (decision 026).
    revokes: true,
    handler: async (ctx, params) => {
      const { db, user, access, now } = ctx;
      const newHash = await hashPassword(params.newPassword);
      // Planned on the hash it verified: if another change lands first, the old password is checked again.
      const ended = await retryOnRowChange(async () => {
        const { results: [[row]] } = await ctx.run([selectUser(db, user.id)] as const);
        if (!(await verifyPassword(params.oldPassword, row.passwordHash))) throw err.invalidOperation('The given old password is invalid.');
        try {
          const { results } = await ctx.run([
            passwordGuard(db, user.id, row.passwordHash),
            setPasswordHash(db, user.id, newHash),
            ...(params.logoutOtherSessions ? ([selectOtherSessions(db, user.id, access.id), endOtherSessions(db, user.id, access.id, now)] as const) : []),
          ]);
          return params.logoutOtherSessions ? (results[2] as { tokenSealed: string | null }[]) : [];
        } catch (e) {
          if (abortReason(e) === 'row-changed') throw new RowChangedError();
          throw e;
        }
      });
      // D1 already refuses the ended sessions (new `modified`); dropping their KV entries only saves a retry.
      await forgetSealed(ctx.env, user.username, ended.map((s) => s.tokenSealed));
      // Ending sessions changes accesses, for the change feed (decision 013).
      return ended.length > 0 ? { ...ok({}), alsoChanged: ['accesses'] as const } : ok({});
    },
  }),
];
