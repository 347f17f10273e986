import { Hono, type Context as HonoContext } from 'hono';
import { baseContext } from '../calls/base-context';
import { BOOKMARK_HEADER, callPublicMethod, callUserMethod, type CallHeaders } from '../calls/call-path';
import { readConfig, withSlash } from '../config';
import type { PublicContext } from '../core/context';
import { ApiError, err, MESSAGES } from '../core/errors';
import type { Env } from '../env';
import { METHODS } from '../methods';
import { accountAuthority } from '../realtime/authority-client';
import { accountNotifier } from '../realtime/account-notifier';
import { openPlainChannel, openSocketIo } from '../realtime/upgrade';
import { answerConsentForm, serveConsentPage } from '../web/consent-route';
import { serveShareByCode, serveShareByToken, wantsHtml } from '../web/share-route';
import { ASSETS_PREFIX, serveAsset } from './assets';
import { corsHeaders } from './cors';
import { serveDirectoryLicense, serveFlatDirectory } from './event-types';
import { coerceQuery } from './query-coercion';
import { fileResponse } from './download';
import { readMultipartParams } from './multipart-params';
import { mediaType, readJsonBody } from './request-body';
import { errorResponse, resultResponse } from './respond';
import { matchUserRoute, PUBLIC_ROUTES, type ParamSource, type RouteMatch } from './routes';
import { extractToken } from './token';
import { serveOpenApi } from '../openapi/route';

type AppEnv = { Bindings: Env };
type C = HonoContext<AppEnv>;

function publicContext(c: C): PublicContext {
  const url = new URL(c.req.url);
  const config = readConfig(c.env);
  const origin = c.req.header('origin') ?? c.req.header('referer') ?? '';
  let waitUntil: (p: Promise<unknown>) => void;
  try {
    const exec = c.executionCtx;
    waitUntil = (p) => exec.waitUntil(p);
  } catch {
    waitUntil = (p) => void p.catch(() => undefined);
  }
  const ip = c.req.header('cf-connecting-ip') ?? '';
  const base = baseContext(c.env, { baseUrl: config.publicUrl ?? withSlash(url.origin), host: url.host, origin, ip, waitUntil });
  // Every notice also goes to the account's object, for its real-time sockets; the same object is the account's
  // authorization authority, which lets reads start on a D1 replica (decision 026).
  return { ...base, notifier: accountNotifier(c.env, base.notifier), authority: accountAuthority(c.env) };
}

/** Query parameters that carry credentials: never params, never audited. */
const CREDENTIAL_PARAMS = ['auth', 'readToken'];

/** Assembles raw params from the request as the route says (§2.8). */
async function routeParams(c: C, source: ParamSource, schema: unknown, pathParams: Record<string, string>, download = false): Promise<unknown> {
  const maxDepth = readConfig(c.env).limits.jsonDepth;
  switch (source) {
    case 'query': {
      const query = new URL(c.req.url).searchParams;
      // `readToken` is a credential of downloads only; elsewhere it stays an (unknown, refused) param.
      if (download) query.delete('readToken');
      return { ...coerceQuery(query, schema as never, maxDepth), ...pathParams };
    }
    case 'files':
      throw new ApiError('unsupported-content-type', 'Attachments are sent as multipart/form-data.');
    case 'body': {
      const body = await readJsonBody(c.req.raw, maxDepth);
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        if (Object.keys(pathParams).length === 0) return body; // the schema rejects a non-object clearly
        throw err.paramsFormat('The request body must be a JSON object.');
      }
      return { ...body, ...pathParams };
    }
    case 'update':
      return { ...pathParams, update: await readJsonBody(c.req.raw, maxDepth, 'update') };
    case 'none':
      return pathParams;
    case 'mfa': {
      const body = await readJsonBody(c.req.raw, maxDepth);
      if (typeof body !== 'object' || body === null || Array.isArray(body)) throw err.paramsFormat('The request body must be a JSON object.');
      const mfaToken = extractToken(c.req.raw, new URL(c.req.url));
      return { ...body, ...(mfaToken !== undefined && { mfaToken }) };
    }
  }
}

/** Query-string and path params, as audit records them: never the token (`auth`) nor a body. */
function auditQuery(url: URL, pathParams: Record<string, string>): Record<string, unknown> {
  const query: Record<string, unknown> = {};
  for (const key of new Set(url.searchParams.keys())) {
    if (CREDENTIAL_PARAMS.includes(key)) continue;
    const values = url.searchParams.getAll(key);
    query[key] = values.length === 1 ? values[0] : values;
  }
  return { ...query, ...pathParams };
}

/** A method called directly over HTTP with no account in the path (service info, register endpoints). */
function publicRoute(methodId: string, source: ParamSource) {
  return async (c: C) => {
    const ctx = publicContext(c);
    try {
      const def = METHODS.get(methodId);
      const params = await routeParams(c, source, def?.params, c.req.param() as Record<string, string>);
      return resultResponse(await callPublicMethod(ctx, methodId, params), ctx.config);
    } catch (e) {
      return errorResponse(e, ctx.config);
    }
  };
}

/** The route's own refusal, if any: unknown route, removed method, tier not shipped (§2.14). */
function routeRefusal(verb: string, rest: string[], match: RouteMatch | null) {
  if (!match) return err.unknownResource(MESSAGES.unknownRoute);
  if (match.route.removed) return err.removed(`${verb} /${rest.join('/')}`);
  if (match.route.unavailable) return err.unavailable(match.route.unavailable);
  return undefined;
}

/** Everything under U goes through the call path; this only maps the HTTP request onto a call. */
async function userDispatch(c: C, username: string, rest: string[]): Promise<Response> {
  const base = publicContext(c);
  const headers: CallHeaders = {};
  const url = new URL(c.req.url);
  const match = matchUserRoute(c.req.method, rest);
  const methodId = match?.route.method;
  const def = methodId === undefined ? undefined : METHODS.get(methodId);
  const pathParams = match?.pathParams ?? {};
  // Downloads (§2.2, §5.5): the Authorization header or a `readToken`; `?auth=` is refused outright.
  const download = def?.auth === 'access' && def.readTokenParam !== undefined ? def.readTokenParam : undefined;
  const readToken = download === undefined ? null : url.searchParams.get('readToken');
  const multipart = def?.auth === 'access' && def.files === true && mediaType(c.req.raw) === 'multipart/form-data';
  try {
    const result = await callUserMethod(
      base,
      {
        username,
        methodId,
        routeError: routeRefusal(c.req.method, rest, match) ?? (download !== undefined && url.searchParams.has('auth') ? err.authQueryOnDownload() : undefined),
        token: def?.auth === 'access' ? extractToken(c.req.raw, url, { query: download === undefined }) : undefined,
        readToken: download !== undefined && readToken !== null ? { value: readToken, fileId: pathParams[download] ?? '' } : undefined,
        params: () => routeParams(c, match?.route.source ?? 'none', def?.params, pathParams, download !== undefined),
        files: multipart
          ? (stager) => readMultipartParams(c.req.raw, base.config.attachments, stager, { eventPart: match?.route.source === 'body', pathParams })
          : undefined,
        query: auditQuery(url, pathParams),
        source: 'http',
        // HTTP semantics: a GET only reads, so its D1 session may start on the nearest replica.
        readOnly: c.req.method === 'GET' || c.req.method === 'HEAD',
        bookmark: c.req.header(BOOKMARK_HEADER),
      },
      headers,
    );
    if (result.file) return await fileResponse(result.file, c.req.raw, headers);
    return resultResponse(result, base.config, headers);
  } catch (e) {
    return errorResponse(e, base.config, headers);
  }
}

/** `GET U/notifications` (§5.14): JSON answers until the token is accepted, then the WebSocket. */
async function notifications(c: C, username: string): Promise<Response> {
  const base = publicContext(c);
  try {
    return await openPlainChannel(base, username, extractToken(c.req.raw, new URL(c.req.url)), c.req.raw);
  } catch (e) {
    return errorResponse(e, base.config);
  }
}

/** Socket.IO's Engine.IO endpoint; `username` when the URL names the user (subdomain mode). */
function socketIo(c: C, username: string | null): Promise<Response> {
  const url = new URL(c.req.url);
  return openSocketIo(publicContext(c), c.req.raw, url, extractToken(c.req.raw, url), username);
}

export function createApp(): Hono<AppEnv> {
  const app = new Hono<AppEnv>({ strict: false });

  app.use('*', async (c, next) => {
    if (c.req.method === 'OPTIONS') {
      const headers = { ...corsHeaders(c.req.raw), 'API-Version': readConfig(c.env).apiVersion, 'X-Content-Type-Options': 'nosniff' };
      return new Response(null, { status: 200, headers });
    }
    await next();
    for (const [k, v] of Object.entries(corsHeaders(c.req.raw))) c.res.headers.set(k, v);
    c.res.headers.set('API-Version', readConfig(c.env).apiVersion);
    // No answer of this origin is content-sniffed (a user's file, an error, a page).
    c.res.headers.set('X-Content-Type-Options', 'nosniff');
  });

  for (const route of PUBLIC_ROUTES) app.on(route.verb, route.path, publicRoute(route.method, route.source));
  // The consent page of app authorization requests (§5.8), the default `authUrl`.
  app.get('/reg/auth', (c) => serveConsentPage(publicContext(c), new URL(c.req.url)));
  app.post('/reg/auth', (c) => answerConsentForm(publicContext(c), c.req.raw));
  app.get('/event-types/flat.json', (c) => serveFlatDirectory(c.req.raw));
  app.get('/reg/event-types/flat.json', (c) => serveFlatDirectory(c.req.raw));
  app.get('/event-types/LICENSE', () => serveDirectoryLicense());
  app.get(`${ASSETS_PREFIX}*`, (c) => serveAsset(c.req.raw, c.env));
  app.get('/openapi.json', (c) => serveOpenApi(readConfig(c.env).publicUrl ?? withSlash(new URL(c.req.url).origin)));
  // Share links (`s` can never be a username: fewer than 5 characters).
  app.get('/s/:code', (c) => serveShareByCode(publicContext(c), c.req.param('code'), new URL(c.req.url)));
  // Socket.IO at the host root (§5.14): in path mode the namespace, sent after the handshake, names the user.
  app.get('/socket.io', (c) => socketIo(c, null));

  app.all('*', async (c) => {
    const segments = new URL(c.req.url).pathname.split('/').filter((s) => s.length > 0).map(decodeSegment);
    const [first, ...rest] = segments;
    if (first === undefined || first === 'reg' || first === 'users' || first === 'service' || first === 'event-types') {
      return errorResponse(err.unknownResource(MESSAGES.unknownRoute), readConfig(c.env));
    }
    if (c.req.method === 'GET' && rest.length === 0 && wantsHtml(c.req.raw)) {
      // A browser opening `{username}/?auth={token}`: the same read-only page as a share link.
      const url = new URL(c.req.url);
      return serveShareByToken(publicContext(c), first, extractToken(c.req.raw, url), url);
    }
    if (c.req.method === 'GET' && rest.length === 1 && rest[0] === 'notifications') return notifications(c, first);
    if (c.req.method === 'GET' && rest.length === 1 && rest[0] === 'socket.io') return socketIo(c, first);
    return userDispatch(c, first, rest);
  });

  app.onError((e, c) => errorResponse(e, readConfig(c.env)));
  return app;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
