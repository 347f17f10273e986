/**
 * Password reset by e-mail (`U/account/request-password-reset`, `U/account/reset-password`), as the `pryv`
 * client's `Service.requestPasswordReset` / `resetPassword` call them. The token is random (≈ 120 bits), sent
 * only in the mail, stored hashed, valid one hour and spent by the reset that uses it; the reset ends every
 * session of the account.
 */
import * as v from 'valibot';
import { forgetSealed } from '../auth/access-cache';
import { sha256Hex } from '../auth/crypto';
import { hashPassword } from '../auth/password';
import { countResetRequest } from '../auth/sign-in-limits';
import { isTrustedApp, trustedAppPatterns } from '../auth/trusted-apps';
import type { PublicContext } from '../core/context';
import { ApiError, err, MESSAGES } from '../core/errors';
import { passwordSchema } from '../core/params';
import { newToken } from '../lib/ids';
import { mailSender } from '../mail/sender';
import { endOtherSessions, selectOtherSessions } from '../storage/accesses';
import { runBatch } from '../storage/batch';
import { abortReason } from '../storage/d1-errors';
import { deletePasswordResets, insertPasswordReset, resetTokenGuard } from '../storage/password-resets';
import { setPasswordHash } from '../storage/users';
import { ok, userMethod } from './table';

/** A reset token is valid for one hour. */
export const RESET_TOKEN_SECONDS = 3600;
/** `endOtherSessions` keeps the session of this id: none, a reset ends them all. */
const NO_SESSION_KEPT = '';

const resetTokenHash = (token: string) => sha256Hex(`reset\u0000${token}`);

function checkCaller(ctx: PublicContext & { user: { username: string } }, appId: string, username: string | undefined): void {
  if (!isTrustedApp(trustedAppPatterns(ctx.config, ctx.request.baseUrl), appId, ctx.request.origin)) {
    throw new ApiError('invalid-credentials', MESSAGES.untrustedApp);
  }
  if (username !== undefined && username !== ctx.user.username) throw err.paramsFormat('"username" must be the username of the path.');
}

const appId = v.pipe(v.string(), v.minLength(1), v.maxLength(99));

export const passwordResetMethods = [
  userMethod({
    id: 'account.requestPasswordReset',
    params: v.strictObject({ appId, username: v.optional(v.string()) }),
    batch: false,
    handler: async (ctx, params) => {
      checkCaller(ctx, params.appId, params.username);
      const sender = mailSender(ctx.env, ctx.config, ctx.now);
      if (!sender) throw err.unavailable('Password reset (no mail sender configured: MAILER binding or MAIL_OUTBOX=on)');
      await countResetRequest({ ...ctx, ip: ctx.request.ip }, ctx.user.id);
      const token = newToken();
      await insertPasswordReset(ctx.db, { tokenHash: await resetTokenHash(token), userId: ctx.user.id, expires: ctx.now + RESET_TOKEN_SECONDS });
      await sender.send({
        to: ctx.user.email,
        subject: `${ctx.config.serviceName}: password reset`,
        text: [
          `Someone (hopefully you) asked to reset the password of the account "${ctx.user.username}".`,
          `Your reset token, valid for one hour: ${token}`,
          'If you did not ask for it, ignore this message: your password stays as it is.',
        ].join('\n\n'),
      });
      return ok({});
    },
  }),
  userMethod({
    id: 'account.resetPassword',
    changes: ['accesses'],
    params: v.strictObject({
      resetToken: v.pipe(v.string(), v.minLength(1), v.maxLength(256)),
      newPassword: passwordSchema,
      appId,
      username: v.optional(v.string()),
    }),
    batch: false,
    handler: async (ctx, params) => {
      checkCaller(ctx, params.appId, params.username);
      const { db, user, now } = ctx;
      const newHash = await hashPassword(params.newPassword);
      let ended: { tokenSealed: string | null }[];
      try {
        // One atomic batch: the token is spent, the password changes and every session ends, or nothing happens.
        const { results } = await runBatch(db, [
          resetTokenGuard(db, user.id, await resetTokenHash(params.resetToken), now),
          deletePasswordResets(db, user.id),
          setPasswordHash(db, user.id, newHash),
          selectOtherSessions(db, user.id, NO_SESSION_KEPT),
          endOtherSessions(db, user.id, NO_SESSION_KEPT, now),
        ] as const);
        ended = results[3];
      } catch (e) {
        if (abortReason(e) === 'row-changed') {
          throw err.invalidOperation('The reset token is unknown, expired or already used.', { id: 'unknown-or-expired-reset-token' });
        }
        throw e;
      }
      // D1 already refuses the ended sessions; dropping their KV entries only saves a retry.
      await forgetSealed(ctx.env, user.username, ended.map((s) => s.tokenSealed));
      return ok({});
    },
  }),
];
