import * as v from 'valibot';
import { ApiError, MESSAGES } from '../core/errors';
import { jsonObject } from '../core/params';
import { unsealToken } from '../auth/crypto';
import { verifyPassword } from '../auth/password';
import { newSession, personalAccessRow } from '../auth/personal-session';
import { SESSION_SECONDS, tokenKey } from '../auth/session';
import { isTrustedApp, trustedAppPatterns } from '../auth/trusted-apps';
import { apiEndpoint, userRoot } from '../lib/urls';
import { endSession, findPersonalAccess, insertAccess, updateSession } from '../storage/accesses';
import { forgetAccess, forgetSealed } from '../auth/access-cache';
import type { UserContext } from '../core/context';
import { violatedUnique } from '../storage/d1-errors';
import { accessMethod, ok, userMethod } from './table';
import { retryOnRowChange, RowChangedError } from './tree-calls';

const credentialsError = (message: string) => new ApiError('invalid-credentials', message);

const loginParams = v.strictObject({
  username: v.string(),
  password: v.string(),
  appId: v.pipe(v.string(), v.minLength(1), v.maxLength(99)),
});

/**
 * The token of the app's personal access: the live session's (which slides), else a new session on the
 * existing access, else a new access. Every write is guarded by the database, so racing logins of one app
 * end with one personal access and one live token: a lost race (`RowChangedError`) re-reads and joins the
 * winner's session.
 */
async function openSession(ctx: UserContext, appId: string): Promise<string> {
  const { user, db, now } = ctx;
  const key = tokenKey(ctx.env);
  const existing = await findPersonalAccess(db, user.id, appId);
  if (existing && existing.tokenHash && existing.tokenSealed && (existing.sessionExpires ?? 0) > now) {
    // A live session keeps its token and slides (§5.2).
    const token = await unsealToken(key, existing.tokenSealed);
    if (token) {
      await updateSession(db, existing, { sessionExpires: now + SESSION_SECONDS, lastUsed: now });
      return token;
    }
  }
  const session = await newSession(key, user.username, now);
  if (!existing) {
    try {
      await insertAccess(db, personalAccessRow(user.id, appId, session, now));
    } catch (e) {
      if (violatedUnique(e)?.includes('accesses_live_name')) throw new RowChangedError();
      throw e;
    }
    return session.token;
  }
  // The ended session's token may still sit in KV; D1's new hash and `modified` refuse it anyway.
  if (existing.tokenSealed) ctx.request.waitUntil(forgetSealed(ctx.env, user.username, [existing.tokenSealed]).catch(() => undefined));
  const changed = await updateSession(db, existing, {
    tokenHash: session.tokenHash,
    tokenSealed: session.tokenSealed,
    sessionExpires: session.sessionExpires,
    modified: now,
  });
  if (!changed) throw new RowChangedError();
  return session.token;
}

export const authMethods = [
  userMethod({
    id: 'auth.login',
    changes: ['accesses'],
    params: loginParams,
    batch: false,
    handler: async (ctx, params) => {
      const { user } = ctx;
      if (!isTrustedApp(trustedAppPatterns(ctx.config, ctx.request.baseUrl), params.appId, ctx.request.origin)) {
        throw credentialsError(MESSAGES.untrustedApp);
      }
      if (params.username !== user.username || !(await verifyPassword(params.password, user.passwordHash))) {
        throw credentialsError(MESSAGES.wrongPassword);
      }
      const token = await retryOnRowChange(() => openSession(ctx, params.appId));
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
