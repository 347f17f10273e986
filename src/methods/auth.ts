import * as v from 'valibot';
import { ApiError, MESSAGES } from '../core/errors';
import { jsonObject } from '../core/params';
import { unsealToken } from '../auth/crypto';
import { verifyPassword } from '../auth/password';
import { newSession, personalAccessRow } from '../auth/personal-session';
import { SESSION_SECONDS, tokenKey } from '../auth/session';
import { isTrustedApp, trustedAppPatterns } from '../auth/trusted-apps';
import { apiEndpoint, userRoot } from '../lib/urls';
import { findPersonalAccess, insertAccess, updateSession } from '../storage/accesses';
import { forgetAccess, forgetSealed } from '../auth/access-cache';
import { accessMethod, ok, userMethod } from './table';

const credentialsError = (message: string) => new ApiError('invalid-credentials', message);

const loginParams = v.strictObject({
  username: v.string(),
  password: v.string(),
  appId: v.pipe(v.string(), v.minLength(1), v.maxLength(99)),
});

export const authMethods = [
  userMethod({
    id: 'auth.login',
    params: loginParams,
    batch: false,
    handler: async (ctx, params) => {
      const { user, db, now } = ctx;
      if (!isTrustedApp(trustedAppPatterns(ctx.config, ctx.request.baseUrl), params.appId, ctx.request.origin)) {
        throw credentialsError(MESSAGES.untrustedApp);
      }
      if (params.username !== user.username || !(await verifyPassword(params.password, user.passwordHash))) {
        throw credentialsError(MESSAGES.wrongPassword);
      }
      const key = tokenKey(ctx.env);
      const existing = await findPersonalAccess(db, user.id, params.appId);
      let token: string | null = null;
      if (existing && existing.tokenHash && existing.tokenSealed && (existing.sessionExpires ?? 0) > now) {
        // A live session keeps its token and slides (§5.2).
        token = await unsealToken(key, existing.tokenSealed);
        if (token) await updateSession(db, existing.id, { sessionExpires: now + SESSION_SECONDS, lastUsed: now });
      }
      if (!token) {
        const session = await newSession(key, user.username, now);
        token = session.token;
        if (existing) {
          // The ended session's token may still sit in KV; D1's new hash and `modified` refuse it anyway.
          if (existing.tokenSealed) ctx.request.waitUntil(forgetSealed(ctx.env, user.username, [existing.tokenSealed]).catch(() => undefined));
          await updateSession(db, existing.id, {
            tokenHash: session.tokenHash,
            tokenSealed: session.tokenSealed,
            sessionExpires: session.sessionExpires,
            modified: now,
          });
        } else {
          await insertAccess(db, personalAccessRow(user.id, params.appId, session, now));
        }
      }
      const endpoint = apiEndpoint(userRoot(ctx.config, ctx.request.baseUrl, user.username), token);
      return ok({ token, apiEndpoint: endpoint, preferredLanguage: user.language });
    },
  }),
  accessMethod({
    id: 'auth.logout',
    params: jsonObject,
    who: ['personal'],
    batch: false,
    handler: async (ctx) => {
      // Guarded: a token already logged out elsewhere (stale KV entry) gets 403, not a second 200.
      await ctx.run([updateSession(ctx.db, ctx.access.id, { tokenHash: null, tokenSealed: null, sessionExpires: null, modified: ctx.now })]);
      await forgetAccess(ctx.env, ctx.user.username, ctx.token);
      return ok({});
    },
  }),
];
