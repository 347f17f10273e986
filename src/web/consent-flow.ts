/**
 * What the consent page does, step by step, through the one call path (decision 013) exactly as an API client
 * would: `auth.login` (whose failed sign-ins the server's own limits count), `mfa.verify` when the account has a
 * second factor, `accesses.checkApp`, then `accesses.create` or `accesses.update` (with `streams.create` for
 * streams an update needs), and `authRequest.update` to answer the app. Every call is audited like the API's.
 */
import { callPublicMethod, callUserMethod, tokenLookup, withPageAccess } from '../calls/call-path';
import type { AccessContext, PublicContext } from '../core/context';
import { ApiError } from '../core/errors';
import { isValidUsername } from '../lib/username';
import { METHODS } from '../methods';
import type { AuthRequestRecord } from '../storage/auth-requests';
import { dbFor } from '../storage/directory';

/** The app id of the page's own personal sessions: opened at sign-in, ended once the request is answered. */
export const CONSENT_APP_ID = 'pryv-edge-consent';
/** The method that completes a sign-in with a second factor (shipped with two-step sign-in). */
export const SECOND_FACTOR_METHOD = 'mfa.verify';

export type SignInRefusal = 'credentials' | 'too-many' | 'use-username' | 'wrong-code' | 'second-factor-unavailable' | 'session-ended';

export type SignInOutcome =
  | { kind: 'signed-in'; username: string; token: string }
  | { kind: 'second-factor'; username: string; mfaToken: string }
  | { kind: 'refused'; reason: SignInRefusal; retryAfter?: number };

/** The page's calls come from the service's own page: its origin is the service's (trusted-app check, §2.5). */
export function pageContext(base: PublicContext): PublicContext {
  return { ...base, request: { ...base.request, origin: base.request.baseUrl } };
}

function retryAfterOf(e: ApiError): number | undefined {
  const value = Number(e.headers?.['Retry-After']);
  return Number.isFinite(value) && value > 0 ? value : undefined;
}

/** Sign-in refusals the page words for the person; anything else is a failure of the page. */
function refusalOf(e: unknown, credentials: SignInRefusal): SignInOutcome {
  if (!(e instanceof ApiError)) throw e;
  if (e.id === 'too-many-attempts') return { kind: 'refused', reason: 'too-many', retryAfter: retryAfterOf(e) };
  if (e.id === 'invalid-credentials' || e.id === 'unknown-resource' || e.id === 'invalid-parameters-format' || e.id === 'forbidden') {
    return { kind: 'refused', reason: credentials };
  }
  if (e.id === 'invalid-access-token') return { kind: 'refused', reason: 'session-ended' };
  throw e;
}

/** A login typed as an e-mail address is looked up (rate-limited like the register's own lookup). */
async function usernameOf(ctx: PublicContext, login: string): Promise<string | SignInOutcome> {
  if (!login.includes('@')) return login.toLowerCase();
  try {
    const { payload } = await callPublicMethod(ctx, 'auth.emailUid', { email: login });
    return String(payload.uid);
  } catch (e) {
    if (e instanceof ApiError && (e.id === 'removed-method' || e.id === 'unavailable-method')) return { kind: 'refused', reason: 'use-username' };
    return refusalOf(e, 'credentials');
  }
}

export async function signIn(ctx: PublicContext, login: string, password: string): Promise<SignInOutcome> {
  const username = await usernameOf(ctx, login.trim());
  if (typeof username !== 'string') return username;
  // An impossible username cannot sign in: the same answer as a wrong password, without a lookup.
  if (!isValidUsername(username)) return { kind: 'refused', reason: 'credentials' };
  try {
    const { payload } = await callUserMethod(
      ctx,
      { username, methodId: 'auth.login', params: async () => ({ username, password, appId: CONSENT_APP_ID }), query: {}, source: 'http' },
      {},
    );
    if (typeof payload.mfaToken === 'string') return { kind: 'second-factor', username, mfaToken: payload.mfaToken };
    return { kind: 'signed-in', username, token: String(payload.token) };
  } catch (e) {
    return refusalOf(e, 'credentials');
  }
}

/** The second step of a sign-in with a second factor: the code of the account's authenticator. */
export async function verifySecondFactor(ctx: PublicContext, username: string, mfaToken: string, code: string): Promise<SignInOutcome> {
  if (!METHODS.has(SECOND_FACTOR_METHOD)) return { kind: 'refused', reason: 'second-factor-unavailable' };
  try {
    const { payload } = await callUserMethod(
      ctx,
      // As `POST U/mfa/verify` calls it: the pending step's token (sent there as Authorization) and the code.
      { username, methodId: SECOND_FACTOR_METHOD, params: async () => ({ mfaToken, code }), query: {}, source: 'http' },
      {},
    );
    return { kind: 'signed-in', username, token: String(payload.token) };
  } catch (e) {
    return refusalOf(e, 'wrong-code');
  }
}

/** `accesses.checkApp`'s answer (§5.7.7). */
export interface GrantCheck {
  matchingAccess?: { id: string; token: string };
  mismatchingAccess?: { id: string; token: string };
  checkedPermissions?: Record<string, unknown>[];
}

/** Runs `work` under the page's personal session; null when the session is no longer usable. */
function asSignedIn<R>(ctx: PublicContext, username: string, token: string, work: (access: AccessContext) => Promise<R>): Promise<R | null> {
  const lookup = tokenLookup(ctx, () => dbFor(ctx.env, username), username, token);
  return withPageAccess(ctx, { token, lookup, accept: (row) => row?.type === 'personal' }, work);
}

const checkParams = (record: AuthRequestRecord) => ({
  requestingAppId: record.asked.requestingAppId,
  requestedPermissions: record.asked.requestedPermissions,
  ...(record.asked.deviceName !== undefined ? { deviceName: record.asked.deviceName } : {}),
});

async function checkApp(access: AccessContext, record: AuthRequestRecord): Promise<GrantCheck> {
  return (await access.callMethod('accesses.checkApp', checkParams(record))).payload as GrantCheck;
}

/** What the app would get: the request checked against the account (existing names, free new names). */
export function checkGrant(ctx: PublicContext, username: string, token: string, record: AuthRequestRecord): Promise<GrantCheck | null> {
  return asSignedIn(ctx, username, token, (access) => checkApp(access, record));
}

/**
 * Grants the request: the app's matching access as it is, its other access updated to exactly this request, or
 * a new app access. Checked again here, so the grant is what the account holds now. Returns the app's token.
 */
export function grant(ctx: PublicContext, username: string, token: string, record: AuthRequestRecord): Promise<string | null> {
  const { asked } = record;
  return asSignedIn(ctx, username, token, async (access) => {
    const check = await checkApp(access, record);
    if (check.matchingAccess) return check.matchingAccess.token;
    const permissions = check.checkedPermissions ?? [];
    const expiry = asked.expireAfter !== undefined ? { expireAfter: asked.expireAfter } : {};
    const clientData = asked.clientData !== null ? { clientData: asked.clientData } : {};
    if (check.mismatchingAccess) {
      // An update cannot create streams (§5.7.4): the ones still missing are created first, as checked.
      for (const p of permissions) {
        if (typeof p.defaultName === 'string') await access.callMethod('streams.create', { id: p.streamId, name: p.defaultName });
      }
      const update = { permissions, ...clientData, ...(asked.expireAfter !== undefined ? expiry : { expires: null }) };
      const { payload } = await access.callMethod('accesses.update', { id: check.mismatchingAccess.id, update });
      return String((payload.access as { token: string }).token);
    }
    const device = asked.deviceName !== undefined ? { deviceName: asked.deviceName } : {};
    const { payload } = await access.callMethod('accesses.create', { name: asked.requestingAppId, type: 'app', permissions, ...device, ...expiry, ...clientData });
    return String((payload.access as { token: string }).token);
  });
}

/** Answers the app (`authRequest.update`), with the same checks as any consent page's answer. */
export function answer(ctx: PublicContext, key: string, body: Record<string, unknown>) {
  return callPublicMethod(ctx, 'authRequest.update', { key, ...body });
}

/** Ends the page's personal session once the request is answered: no credential outlives the flow. */
export function endSession(ctx: PublicContext, username: string, token: string): void {
  ctx.request.waitUntil(
    callUserMethod(ctx, { username, methodId: 'auth.logout', token, params: async () => ({}), query: {}, source: 'http' }, {}).catch(() => undefined),
  );
}
