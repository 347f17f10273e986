import * as v from 'valibot';
import { ApiError, MESSAGES } from '../core/errors';
import { jsonObject } from '../core/params';
import { verifyPassword } from '../auth/password';
import { beginSignIn } from '../auth/sign-in-limits';
import { isTrustedApp, trustedAppPatterns } from '../auth/trusted-apps';
import { apiEndpoint, userRoot } from '../lib/urls';
import { endSession } from '../storage/accesses';
import { forgetAccess } from '../auth/access-cache';
import { mfaSignInStep } from './mfa';
import { openSession } from './personal-sessions';
import { accessMethod, ok, userMethod } from './table';
import { retryOnRowChange } from './tree-calls';

const credentialsError = (message: string) => new ApiError('invalid-credentials', message);

/** A session, or (account enrolled in two-factor sign-in) the pending step `mfa.verify` completes. */
type LoginResult = { token: string; apiEndpoint: string; preferredLanguage: string } | { mfaToken: string };

const loginParams = v.strictObject({
  username: v.string(),
  password: v.string(),
  appId: v.pipe(v.string(), v.minLength(1), v.maxLength(99)),
});

export const authMethods = [
  userMethod<typeof loginParams, LoginResult>({
    id: 'auth.login',
    changes: ['accesses'],
    params: loginParams,
    batch: false,
    handler: async (ctx, params) => {
      const { user } = ctx;
      if (!isTrustedApp(trustedAppPatterns(ctx.config, ctx.request.baseUrl), params.appId, ctx.request.origin)) {
        throw credentialsError(MESSAGES.untrustedApp);
      }
      // Counted before the password is checked, so racing guesses cannot overshoot the limit.
      const attempt = await beginSignIn({ ...ctx, ip: ctx.request.ip }, user.id);
      if (params.username !== user.username || !(await verifyPassword(params.password, user.passwordHash))) {
        throw credentialsError(MESSAGES.wrongPassword);
      }
      // An enrolled account gets a pending step, not a session; its attempt stays counted until `mfa.verify` succeeds.
      const mfaToken = await mfaSignInStep(ctx, params.appId);
      if (mfaToken !== null) return ok({ mfaToken });
      const token = await retryOnRowChange(() => openSession(ctx, params.appId));
      await attempt.succeeded();
      const endpoint = apiEndpoint(userRoot(ctx.config, ctx.request.baseUrl, user.username), token);
      return ok({ token, apiEndpoint: endpoint, preferredLanguage: user.language });
    },
  }),
  accessMethod({
    id: 'auth.logout',
    changes: ['accesses'],
    params: jsonObject,
    who: ['personal'],
    batch: false,
    handler: async (ctx) => {
      // Guarded: a token already logged out elsewhere (stale KV entry) gets 403, not a second 200.
      await ctx.run([endSession(ctx.db, ctx.access.id, ctx.now)]);
      await forgetAccess(ctx.env, ctx.user.username, ctx.token);
      return ok({});
    },
  }),
];
