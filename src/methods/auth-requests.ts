/**
 * The app authorization request flow (§5.8): an app opens a request (`authRequest.create`), sends the person
 * to the consent page, and polls (`authRequest.poll`) until the page answers (`authRequest.update`). Requests
 * live in one Durable Object each (docs/decisions/020-auth-requests-in-durable-objects.md): a poll costs no D1
 * round trip and sees an answer as soon as it is given.
 */
import * as v from 'valibot';
import { sealToken, toBase64Url, unsealToken } from '../auth/crypto';
import { resolveUserAndAccess } from '../auth/resolve-access';
import { isExpired } from '../auth/access-rules';
import { tokenKey } from '../auth/session';
import { isTrustedAuthUrl } from '../auth/trusted-auth-urls';
import type { PublicContext } from '../core/context';
import { err } from '../core/errors';
import { clientDataSchema, deviceNameSchema, jsonObject, languageSchema, nameSchema } from '../core/params';
import { apiEndpoint, registerRoot, userRoot } from '../lib/urls';
import { isValidUsername } from '../lib/username';
import { authRequestObject, type AuthRequestAnswer, type AuthRequestRecord } from '../storage/auth-requests';
import { dbFor } from '../storage/directory';
import { normalizePermissions, permissionsSchema } from './permission-params';
import { serviceInfo } from './service';
import { ok, publicMethod } from './table';

/** A request expires this long after it was opened (§5.8). */
export const AUTH_REQUEST_TTL_SECONDS = 3600;
/** How often apps are told to poll. */
export const POLL_RATE_MS = 1000;
/** Random bytes of a key: 24 bytes are 32 base64url characters. */
const KEY_BYTES = 24;
export const AUTH_REQUEST_KEY_PATTERN = /^[A-Za-z0-9_-]{32}$/;
/** The reason given when the person refuses and the page names none. */
export const REFUSED_BY_USER = 'REFUSED_BY_USER';

/** The levels an app may ask for (§5.8): `none` grants nothing and is refused. */
const REQUESTABLE_LEVELS = new Set(['read', 'contribute', 'manage', 'create-only']);

/**
 * Schemes a person may be sent back to after the consent page: the web, or an app's own scheme (a native app's
 * callback), never one that runs or embeds content.
 */
const FORBIDDEN_RETURN_SCHEMES = new Set(['javascript:', 'data:', 'vbscript:', 'blob:', 'file:', 'about:', 'filesystem:']);

function isReturnUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return !FORBIDDEN_RETURN_SCHEMES.has(parsed.protocol) && parsed.username === '' && parsed.password === '';
  } catch {
    return false;
  }
}

const returnUrlSchema = v.optional(v.union([v.string(), v.null(), v.literal(false)]));

const createParams = v.strictObject({
  requestingAppId: v.pipe(nameSchema, v.minLength(6, 'requestingAppId needs at least 6 characters.')),
  requestedPermissions: v.pipe(permissionsSchema, v.minLength(1, 'requestedPermissions cannot be empty.')),
  languageCode: v.optional(languageSchema),
  // `false` is what the client's browser flow sends when it opens a popup instead of redirecting.
  returnURL: returnUrlSchema,
  // The client's typings spell it `returnUrl`: taken as `returnURL` when that is absent.
  returnUrl: returnUrlSchema,
  clientData: v.optional(clientDataSchema),
  deviceName: v.optional(deviceNameSchema),
  expireAfter: v.optional(v.pipe(v.number(), v.minValue(0, 'expireAfter cannot be negative.'))),
  authUrl: v.optional(v.string()),
  referer: v.optional(v.nullable(v.string())),
  // Accepted and ignored: the client's browser flow may pass its service info along.
  serviceInfo: v.optional(jsonObject),
});

const keyParam = v.strictObject({ key: v.string() });

const updateParams = v.strictObject({
  key: v.string(),
  status: v.picklist(['ACCEPTED', 'REFUSED', 'ERROR']),
  username: v.optional(v.string()),
  token: v.optional(v.string()),
  apiEndpoint: v.optional(v.string()),
  reasonID: v.optional(v.pipe(v.string(), v.maxLength(200))),
  message: v.optional(v.pipe(v.string(), v.maxLength(2000))),
});

const unknownRequest = () => err.unknownResource('Unknown or expired access request.');

/** The consent page apps send people to when they name none: the operator's, else the Worker's own. */
export function defaultAuthUrl(ctx: PublicContext): string {
  return ctx.config.access.defaultAuthUrl ?? `${registerRoot(ctx.config, ctx.request.baseUrl)}auth`;
}

/** `authUrl`: the consent page with what it needs in its query (§5.8). */
function composeAuthUrl(page: string, query: Record<string, string | null>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== null) params.set(name, value);
  return `${page}${page.includes('?') ? '&' : '?'}${params}`;
}

async function readRequest(ctx: PublicContext, key: string): Promise<AuthRequestRecord> {
  // A key we could not have issued never reaches (and never creates) an object.
  if (!AUTH_REQUEST_KEY_PATTERN.test(key)) throw unknownRequest();
  const record = await authRequestObject(ctx.env, key).read(ctx.now);
  if (!record) throw unknownRequest();
  return record;
}

/** The poll's answer for a request in its current state (§5.8 table). */
async function stateResult(ctx: PublicContext, record: AuthRequestRecord) {
  const { answer, asked } = record;
  if (answer === null) {
    const body: Record<string, unknown> = {
      status: 'NEED_SIGNIN',
      key: record.key,
      requestingAppId: asked.requestingAppId,
      requestedPermissions: asked.requestedPermissions,
      poll: asked.poll,
      authUrl: asked.authUrl,
      url: asked.authUrl,
      poll_rate_ms: POLL_RATE_MS,
      lang: asked.lang,
      returnURL: asked.returnURL,
      clientData: asked.clientData,
      serviceInfo: serviceInfo(ctx),
    };
    // What consent pages written for the reference also read, when the app gave it.
    if (asked.deviceName !== undefined) body.deviceName = asked.deviceName;
    if (asked.expireAfter !== undefined) body.expireAfter = asked.expireAfter;
    if (asked.referer !== undefined) body.referer = asked.referer;
    return ok(body, 201);
  }
  if (answer.status === 'ACCEPTED') {
    const token = await unsealToken(tokenKey(ctx.env), answer.tokenSealed);
    if (token === null) throw new Error('The accepted token cannot be unsealed: TOKEN_KEY changed.');
    return ok({ status: 'ACCEPTED', apiEndpoint: apiEndpoint(answer.userRoot, token), username: answer.username, token });
  }
  return ok({ status: answer.status, reasonID: answer.reasonID, message: answer.message }, 403);
}

/** `apiEndpoint` sent with an answer names the same user root and token (trailing slash aside). */
function sameEndpoint(sent: string, root: string, token: string): boolean {
  try {
    const url = new URL(sent);
    const withoutToken = `${url.protocol}//${url.host}${url.pathname.endsWith('/') ? url.pathname : `${url.pathname}/`}`;
    return decodeURIComponent(url.username) === token && url.password === '' && withoutToken === root;
  } catch {
    return false;
  }
}

/** An ACCEPTED answer must carry a live app access of that user, named as the requesting app (§5.8 deviation). */
async function acceptedAnswer(ctx: PublicContext, record: AuthRequestRecord, params: v.InferOutput<typeof updateParams>): Promise<AuthRequestAnswer> {
  const { username, token } = params;
  const invalid = (message: string) => err.paramsFormat(message, [{ code: 'custom', message, path: 'token' }]);
  if (!username || !token) throw err.paramsFormat('An ACCEPTED answer needs "username" and "token".');
  const db = isValidUsername(username) ? await dbFor(ctx.env, username) : null;
  const resolved = db ? await resolveUserAndAccess(db, username, token) : null;
  const access = resolved?.access;
  if (!access || access.deleted !== null || isExpired(access, ctx.now) || access.type !== 'app' || access.name !== record.asked.requestingAppId) {
    throw invalid(`The token is not a live app access of "${username}" named "${record.asked.requestingAppId}".`);
  }
  const root = userRoot(ctx.config, ctx.request.baseUrl, username);
  if (params.apiEndpoint !== undefined && !sameEndpoint(params.apiEndpoint, root, token)) {
    throw invalid('"apiEndpoint" does not match "username" and "token".');
  }
  return { status: 'ACCEPTED', username, tokenSealed: await sealToken(tokenKey(ctx.env), token), userRoot: root };
}

export const authRequestMethods = [
  publicMethod({
    id: 'authRequest.create',
    params: createParams,
    batch: false,
    handler: async (ctx, params) => {
      normalizePermissions(params.requestedPermissions);
      const bad = params.requestedPermissions.filter((p) => 'level' in p && !REQUESTABLE_LEVELS.has(p.level));
      if (bad.length > 0) throw err.paramsFormat('Requested levels are read, contribute, manage or create-only.', { streamIds: bad.map((p) => ('streamId' in p ? p.streamId : '')) });
      const returnValue = params.returnURL !== undefined ? params.returnURL : params.returnUrl;
      const returnURL = typeof returnValue === 'string' && returnValue !== '' ? returnValue : null;
      if (returnURL !== null && !isReturnUrl(returnURL)) throw err.paramsFormat('"returnURL" must be an absolute URL the browser can open (no userinfo, no script).');
      const page = defaultAuthUrl(ctx);
      if (params.authUrl !== undefined && params.authUrl !== page && !isTrustedAuthUrl(params.authUrl, ctx.config.access.trustedAuthUrls)) {
        throw err.paramsFormat('"authUrl" is not one of the trusted consent pages of this service.', [{ code: 'custom', message: 'Untrusted authUrl', path: 'authUrl' }]);
      }
      const register = registerRoot(ctx.config, ctx.request.baseUrl);
      const key = toBase64Url(crypto.getRandomValues(new Uint8Array(KEY_BYTES)));
      const lang = params.languageCode ?? 'en';
      const poll = `${register}access/${key}`;
      const authUrl = composeAuthUrl(params.authUrl ?? page, {
        lang,
        key,
        requestingAppId: params.requestingAppId,
        poll,
        poll_rate_ms: String(POLL_RATE_MS),
        serviceInfo: `${register}service/info`,
        returnURL,
      });
      const now = Math.floor(ctx.now);
      const record: AuthRequestRecord = {
        key,
        created: now,
        expires: now + AUTH_REQUEST_TTL_SECONDS,
        asked: {
          requestingAppId: params.requestingAppId,
          requestedPermissions: params.requestedPermissions as Record<string, unknown>[],
          lang,
          returnURL,
          clientData: params.clientData ?? null,
          authUrl,
          poll,
          ...(params.deviceName !== undefined ? { deviceName: params.deviceName } : {}),
          ...(params.expireAfter !== undefined ? { expireAfter: params.expireAfter } : {}),
          ...(params.referer !== undefined ? { referer: params.referer } : {}),
        },
        answer: null,
      };
      await authRequestObject(ctx.env, key).open(record);
      return ok({ status: 'NEED_SIGNIN', key, authUrl, url: authUrl, poll, poll_rate_ms: POLL_RATE_MS }, 201);
    },
  }),
  publicMethod({
    id: 'authRequest.poll',
    params: keyParam,
    batch: false,
    handler: async (ctx, { key }) => stateResult(ctx, await readRequest(ctx, key)),
  }),
  publicMethod({
    id: 'authRequest.update',
    params: updateParams,
    batch: false,
    handler: async (ctx, params) => {
      const record = await readRequest(ctx, params.key);
      const answer: AuthRequestAnswer =
        params.status === 'ACCEPTED'
          ? await acceptedAnswer(ctx, record, params)
          : {
              status: params.status,
              reasonID: params.reasonID ?? (params.status === 'REFUSED' ? REFUSED_BY_USER : 'ERROR'),
              message: params.message ?? (params.status === 'REFUSED' ? 'The user refused to give access to the requested permissions.' : 'The access request failed.'),
            };
      const outcome = await authRequestObject(ctx.env, params.key).answer(answer, ctx.now);
      if (outcome.outcome === 'unknown' || !outcome.record) throw unknownRequest();
      if (outcome.outcome === 'answered') {
        throw err.invalidOperation('This access request was already answered.', { status: outcome.record.answer?.status });
      }
      return stateResult(ctx, outcome.record);
    },
  }),
];
