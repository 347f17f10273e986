/**
 * Two-factor sign-in with TOTP (RFC 6238), on the reference's `U/mfa/*` routes (docs/decisions/021-sign-in-surface.md):
 * - `mfa.activate` (personal token): a new secret, its provisioning URI and QR code, and an `mfaToken` for
 * - `mfa.confirm` (`mfaToken` + a code): the enrolment becomes active; answers 10 single-use recovery codes;
 * - `auth.login` of an enrolled account answers `{mfaToken}`; `mfa.challenge` tells what to ask for, and
 * - `mfa.verify` (`mfaToken` + a code) opens the session `auth.login` would have opened;
 * - `mfa.deactivate` (personal token + password or code) and `mfa.recover` (password + recovery code) end it.
 * The `mfaToken` is sent as the `Authorization` header; the route passes it as the `mfaToken` param.
 */
import * as v from 'valibot';
import { renderSVG } from 'uqr';
import { sealToken, sha256Hex, unsealToken } from '../auth/crypto';
import { verifyPassword } from '../auth/password';
import { newRecoveryCodes, recoveryCodeHash } from '../auth/recovery-codes';
import { tokenKey } from '../auth/session';
import { beginSignIn } from '../auth/sign-in-limits';
import { matchingStep, newTotpSecret, provisioningUri } from '../auth/totp';
import { isTrustedApp, trustedAppPatterns } from '../auth/trusted-apps';
import type { PublicContext, UserContext } from '../core/context';
import { ApiError, err, MESSAGES } from '../core/errors';
import { newToken } from '../lib/ids';
import { apiEndpoint, userRoot } from '../lib/urls';
import { abortReason } from '../storage/d1-errors';
import {
  confirmEnrolment,
  consumeStep,
  deleteEnrolment,
  deleteMfaSession,
  findEnrolment,
  findMfaSession,
  insertMfaSession,
  recoverWithCode,
  takeSessionAttempt,
} from '../storage/mfa';
import type { MfaSessionRow } from '../storage/schema';
import { selectUser } from '../storage/users';
import { openSession } from './personal-sessions';
import { accessMethod, ok, userMethod } from './table';
import { retryOnRowChange } from './tree-calls';

/** How long an `mfaToken` lives: time to open the authenticator app and type a code. */
export const MFA_SESSION_SECONDS = 10 * 60;
/** Codes one `mfaToken` may try before it is spent (the account-wide sign-in limit applies as well). */
export const MFA_SESSION_ATTEMPTS = 5;

const invalidMfaToken = () => new ApiError('invalid-access-token', 'Invalid or expired MFA session token.');
const invalidCode = () => new ApiError('invalid-parameters-format', 'The provided MFA code is invalid.', { id: 'invalid-mfa-code' });

const mfaTokenHash = (token: string) => sha256Hex(`mfa\u0000${token}`);

/** Opens a pending step and returns its `mfaToken`. */
async function openMfaSession(ctx: UserContext, fields: Pick<MfaSessionRow, 'kind' | 'secretSealed' | 'appId'>): Promise<string> {
  const token = newToken();
  await insertMfaSession(ctx.db, {
    tokenHash: await mfaTokenHash(token),
    userId: ctx.user.id,
    ...fields,
    attempts: 0,
    expires: ctx.now + MFA_SESSION_SECONDS,
  });
  return token;
}

/** The live pending step of this kind the token names, for the account of the path; else 403. */
async function pendingStep(ctx: UserContext, token: string, kind: MfaSessionRow['kind']) {
  const hash = await mfaTokenHash(token);
  const session = await findMfaSession(ctx.db, hash, ctx.user.id, ctx.now);
  if (!session || session.kind !== kind) throw invalidMfaToken();
  return { session, hash };
}

/** Takes one attempt of the step's budget; the step is spent (and the token refused) once the budget is gone. */
async function takeAttempt(ctx: UserContext, hash: string): Promise<void> {
  if (!(await takeSessionAttempt(ctx.db, hash, MFA_SESSION_ATTEMPTS))) {
    await deleteMfaSession(ctx.db, hash);
    throw new ApiError('invalid-access-token', 'Too many failed MFA attempts; sign in again.');
  }
}

/** `auth.login`'s answer for an enrolled account: a pending sign-in step instead of a session. */
export async function mfaSignInStep(ctx: UserContext, appId: string): Promise<string | null> {
  const enrolment = await findEnrolment(ctx.db, ctx.user.id);
  if (!enrolment) return null;
  return openMfaSession(ctx, { kind: 'login', secretSealed: null, appId });
}

const code = v.pipe(v.string(), v.minLength(1), v.maxLength(64));
const mfaToken = v.pipe(v.string('The MFA token (the "Authorization" header) is missing.'), v.minLength(1), v.maxLength(256));
/** A step-up for weakening the second factor: the password, or a current code (exactly one). */
const stepUp = v.strictObject({ password: v.optional(v.string()), code: v.optional(code) });

/** Checks a step-up against the account's password or its enrolment (a code, consumed). */
async function checkStepUp(ctx: UserContext, params: v.InferOutput<typeof stepUp>): Promise<void> {
  if ((params.password === undefined) === (params.code === undefined)) {
    throw err.paramsFormat('Send either "password" (the account password) or "code" (a current MFA code).');
  }
  const attempt = await beginSignIn({ ...ctx, ip: ctx.request.ip }, ctx.user.id);
  if (params.password !== undefined) {
    // The access cache keeps no password hash: read the account row.
    const [row] = await selectUser(ctx.db, ctx.user.id);
    if (!row || !(await verifyPassword(params.password, row.passwordHash))) throw new ApiError('invalid-credentials', MESSAGES.wrongPassword);
  } else {
    const enrolment = await findEnrolment(ctx.db, ctx.user.id);
    const secret = enrolment && (await unsealToken(tokenKey(ctx.env), enrolment.secretSealed));
    const step = secret ? await matchingStep(secret, params.code ?? '', ctx.now, enrolment.lastUsedStep) : null;
    if (step === null || !(await consumeStep(ctx.db, ctx.user.id, enrolment!.secretSealed, step))) throw invalidCode();
  }
  await attempt.succeeded();
}

function requireTrustedApp(ctx: PublicContext, appId: string): void {
  if (!isTrustedApp(trustedAppPatterns(ctx.config, ctx.request.baseUrl), appId, ctx.request.origin)) {
    throw new ApiError('invalid-credentials', MESSAGES.untrustedApp);
  }
}

export const mfaMethods = [
  accessMethod({
    id: 'mfa.activate',
    params: v.strictObject({}),
    who: ['personal'],
    batch: false,
    handler: async (ctx) => {
      if (await findEnrolment(ctx.db, ctx.user.id)) {
        throw err.invalidOperation('Two-factor sign-in is already active: deactivate it (mfa.deactivate) before enrolling again.');
      }
      const secret = newTotpSecret();
      const token = await openMfaSession(ctx, { kind: 'enrol', secretSealed: await sealToken(tokenKey(ctx.env), secret), appId: null });
      const uri = provisioningUri(secret, ctx.config.serviceName, ctx.user.username);
      return ok({ mfaToken: token, method: 'totp', otpauthUri: uri, secret, qrCode: renderSVG(uri) });
    },
  }),
  userMethod({
    id: 'mfa.confirm',
    params: v.strictObject({ mfaToken, code }),
    batch: false,
    handler: async (ctx, params) => {
      const { session, hash } = await pendingStep(ctx, params.mfaToken, 'enrol');
      await takeAttempt(ctx, hash);
      const secret = session.secretSealed && (await unsealToken(tokenKey(ctx.env), session.secretSealed));
      if (!secret) throw invalidMfaToken();
      const step = await matchingStep(secret, params.code, ctx.now, -1);
      if (step === null) throw invalidCode();
      const codes = newRecoveryCodes();
      const hashes = await Promise.all(codes.map((c) => recoveryCodeHash(ctx.user.id, c)));
      try {
        await confirmEnrolment(ctx.db, hash, { userId: ctx.user.id, secretSealed: session.secretSealed!, lastUsedStep: step, created: ctx.now }, hashes);
      } catch (e) {
        // Another confirmation of this token landed first.
        if (abortReason(e) === 'row-changed') throw invalidMfaToken();
        throw e;
      }
      return ok({ recoveryCodes: codes });
    },
  }),
  userMethod({
    id: 'mfa.challenge',
    params: v.strictObject({ mfaToken }),
    batch: false,
    handler: async (ctx, params) => {
      await pendingStep(ctx, params.mfaToken, 'login');
      // TOTP sends nothing: the code is in the person's authenticator app.
      return ok({ message: 'Please verify the MFA challenge.', method: 'totp' });
    },
  }),
  userMethod({
    id: 'mfa.verify',
    changes: ['accesses'],
    params: v.strictObject({ mfaToken, code }),
    batch: false,
    handler: async (ctx, params) => {
      const { session, hash } = await pendingStep(ctx, params.mfaToken, 'login');
      const attempt = await beginSignIn({ ...ctx, ip: ctx.request.ip }, ctx.user.id);
      await takeAttempt(ctx, hash);
      const enrolment = await findEnrolment(ctx.db, ctx.user.id);
      // Deactivated (or recovered) since the password step: nothing left to verify against.
      if (!enrolment) throw invalidMfaToken();
      const secret = await unsealToken(tokenKey(ctx.env), enrolment.secretSealed);
      const step = secret ? await matchingStep(secret, params.code, ctx.now, enrolment.lastUsedStep) : null;
      // The guarded step write refuses a code already used, even by a racing request.
      if (step === null || !(await consumeStep(ctx.db, ctx.user.id, enrolment.secretSealed, step))) throw invalidCode();
      await deleteMfaSession(ctx.db, hash);
      const token = await retryOnRowChange(() => openSession(ctx, session.appId ?? ''));
      await attempt.succeeded();
      const endpoint = apiEndpoint(userRoot(ctx.config, ctx.request.baseUrl, ctx.user.username), token);
      return ok({ token, apiEndpoint: endpoint, preferredLanguage: ctx.user.language });
    },
  }),
  accessMethod({
    id: 'mfa.deactivate',
    params: stepUp,
    who: ['personal'],
    batch: false,
    handler: async (ctx, params) => {
      await checkStepUp(ctx, params);
      await deleteEnrolment(ctx.db, ctx.user.id);
      return ok({ message: 'MFA deactivated.' });
    },
  }),
  userMethod({
    id: 'mfa.recover',
    params: v.strictObject({
      recoveryCode: code,
      username: v.string(),
      password: v.string(),
      appId: v.pipe(v.string(), v.minLength(1), v.maxLength(99)),
    }),
    batch: false,
    handler: async (ctx, params) => {
      requireTrustedApp(ctx, params.appId);
      const attempt = await beginSignIn({ ...ctx, ip: ctx.request.ip }, ctx.user.id);
      if (params.username !== ctx.user.username || !(await verifyPassword(params.password, ctx.user.passwordHash))) {
        throw new ApiError('invalid-credentials', MESSAGES.wrongPassword);
      }
      try {
        await recoverWithCode(ctx.db, ctx.user.id, await recoveryCodeHash(ctx.user.id, params.recoveryCode));
      } catch (e) {
        if (abortReason(e) === 'row-changed') throw new ApiError('invalid-credentials', 'The recovery code is invalid or already used.');
        throw e;
      }
      await attempt.succeeded();
      return ok({ message: 'MFA deactivated.' });
    },
  }),
];
