import { forgetSealed } from '../auth/access-cache';
import { unsealToken } from '../auth/crypto';
import { newSession, personalAccessRow } from '../auth/personal-session';
import { SESSION_SECONDS, tokenKey } from '../auth/session';
import type { UserContext } from '../core/context';
import { findPersonalAccess, insertAccess, updateSession } from '../storage/accesses';
import { violatedUnique } from '../storage/d1-errors';
import { RowChangedError } from './tree-calls';

/**
 * The token of the app's personal access: the live session's (which slides), else a new session on the
 * existing access, else a new access. Every write is guarded by the database, so racing logins of one app
 * end with one personal access and one live token: a lost race (`RowChangedError`) re-reads and joins the
 * winner's session.
 */
export async function openSession(ctx: UserContext, appId: string): Promise<string> {
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

