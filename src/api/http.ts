import { Hono, type Context as HonoContext } from 'hono';
import { readConfig, withSlash, type Config } from '../config';
import type { Env } from '../env';
import { Permissions, type Permission } from '../auth/permissions';
import { requireLiveAccess, requireNotExpired, resolveRequest, type Resolved } from '../auth/resolve-access';
import { forgetAccess, writeCachedAccess } from '../auth/access-cache';
import { runGuarded, StaleAccessError } from '../auth/request-guard';
import { TOUCH_INTERVAL_SECONDS, SESSION_SECONDS } from '../auth/session';
import { isValidUsername } from '../lib/username';
import { METHODS } from '../methods';
import type { AccessContext, PublicContext, RequestInfo, UserContext } from '../methods/context';
import { getDb, parseJson } from '../storage/db';
import { touchAccess } from '../storage/accesses';
import { runBatch } from './batch';
import { corsHeaders } from './cors';
import { err, MESSAGES } from './errors';
import { serveDirectoryLicense, serveFlatDirectory } from './event-types';
import { invoke } from './invoke';
import { coerceQuery } from './query-coercion';
import { readJsonBody } from './request-body';
import { errorResponse, resultResponse } from './respond';
import { matchUserRoute, PUBLIC_ROUTES, type ParamSource } from './routes';
import { extractToken } from './token';
import { serveShareByCode, serveShareByToken, wantsHtml } from '../web/share-route';
import { serveOpenApi } from '../openapi/route';

type AppEnv = { Bindings: Env };
type C = HonoContext<AppEnv>;

function requestInfo(c: C, config: Config): RequestInfo {
  const url = new URL(c.req.url);
  const origin = c.req.header('origin') ?? c.req.header('referer') ?? '';
  let waitUntil: (p: Promise<unknown>) => void;
  try {
    const exec = c.executionCtx;
    waitUntil = (p) => exec.waitUntil(p);
  } catch {
    waitUntil = (p) => void p.catch(() => undefined);
  }
  return { baseUrl: config.publicUrl ?? withSlash(url.origin), host: url.host, origin, waitUntil };
}

function publicContext(c: C): PublicContext {
  const config = readConfig(c.env);
  return { env: c.env, config, db: getDb(c.env.DB), request: requestInfo(c, config), now: Date.now() / 1000 };
}

/** Assembles raw params from the request as the route says (§2.8). */
async function routeParams(c: C, source: ParamSource, schema: unknown, pathParams: Record<string, string>): Promise<unknown> {
  switch (source) {
    case 'query':
      return { ...coerceQuery(new URL(c.req.url).searchParams, schema as never), ...pathParams };
    case 'body': {
      const body = await readJsonBody(c.req.raw);
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        if (Object.keys(pathParams).length === 0) return body; // the schema rejects a non-object clearly
        throw err.paramsFormat('The request body must be a JSON object.');
      }
      return { ...body, ...pathParams };
    }
    case 'update':
      return { ...pathParams, update: await readJsonBody(c.req.raw) };
    case 'none':
      return pathParams;
  }
}

/** A method called directly over HTTP with no account in the path (service info, register endpoints). */
function publicRoute(methodId: string, source: ParamSource) {
  return async (c: C) => {
    const ctx = publicContext(c);
    try {
      const def = METHODS.get(methodId);
      if (!def) throw err.unavailable(methodId);
      const params = await routeParams(c, source, def.params, c.req.param() as Record<string, string>);
      return resultResponse(await invoke(def, params, ctx), ctx.config);
    } catch (e) {
      return errorResponse(e, ctx.config);
    }
  };
}

/**
 * Coalesced bookkeeping after an accepted request: `lastUsed` and the personal session's slide (§5.2), plus
 * the KV copy, so a cached row does not make every request look due for a touch. Never changes `modified`
 * (the request guard compares it).
 */
function scheduleTouch(ctx: AccessContext): void {
  const { access, now } = ctx;
  if (access.lastUsed !== null && now - access.lastUsed < TOUCH_INTERVAL_SECONDS) return;
  const values = { lastUsed: now, sessionExpires: access.type === 'personal' ? now + SESSION_SECONDS : undefined };
  ctx.request.waitUntil(
    Promise.all([
      touchAccess(ctx.db, access.id, values),
      writeCachedAccess(ctx.env, ctx.user.username, ctx.token, ctx.user, { ...access, ...values, sessionExpires: values.sessionExpires ?? access.sessionExpires }),
    ]).catch(() => undefined),
  );
}

/**
 * The access context of a resolved token (§2.3 outcomes first). `ctx.run` marks a StaleAccessError as
 * retryable while no guarded round trip of this request has succeeded, i.e. while nothing has been written.
 */
function accessContext(userCtx: UserContext, resolved: Resolved, token: string, headers: Record<string, string>) {
  const { now, db } = userCtx;
  const access = requireLiveAccess(resolved.access, now);
  headers['Pryv-Access-Id'] = access.id;
  requireNotExpired(access, now);
  const state = { guarded: false, streamsVersion: 0 };
  const ctx: AccessContext = {
    ...userCtx,
    user: resolved.user,
    access,
    token,
    permissions: new Permissions(access.type, parseJson<Permission[]>(access.permissions, [])),
    run: async (statements) => {
      // A bare confirmation (`run([])`) adds nothing once this request's access was confirmed: in a batch of
      // 1,000 calls it would cost 1,000 round trips.
      if (statements.length === 0 && state.guarded) return { streamsVersion: state.streamsVersion, results: [] as never };
      try {
        const out = await runGuarded(db, access, now, statements);
        state.guarded = true;
        state.streamsVersion = out.streamsVersion;
        return out;
      } catch (e) {
        if (e instanceof StaleAccessError) e.retryable = !state.guarded;
        throw e;
      }
    },
  };
  return { ctx, state };
}

/** Everything under U: user check first (404), then route, then token, then the method (§2.1, §2.14). */
async function userDispatch(c: C, username: string, rest: string[]): Promise<Response> {
  const base = publicContext(c);
  const headers: Record<string, string> = {};
  try {
    if (!isValidUsername(username)) throw err.unknownResource(MESSAGES.unknownUser(username));
    const match = matchUserRoute(c.req.method, rest);
    const def = match?.route.method ? METHODS.get(match.route.method) : undefined;
    const needsToken = match?.route.method === 'callBatch' || def?.auth === 'access';
    const token = needsToken ? extractToken(c.req.raw, new URL(c.req.url)) : undefined;
    const lookup = (skipCache: boolean) => resolveRequest(c.env, base.db, username, token, base.now, base.request.waitUntil, { skipCache });
    const { resolved, fromCache } = await lookup(false);
    if (!resolved) throw err.unknownResource(MESSAGES.unknownUser(username));
    if (!match) throw err.unknownResource(MESSAGES.unknownRoute);
    const { route, pathParams } = match;
    if (route.removed) throw err.removed(`${route.verb} /${rest.join('/')}`);
    if (route.unavailable) throw err.unavailable(route.unavailable);
    const userCtx: UserContext = { ...base, user: resolved.user };
    if (route.method !== 'callBatch' && !def) throw err.unavailable(route.method ?? 'This method');
    if (route.method !== 'callBatch' && def && def.auth !== 'access') {
      const params = await routeParams(c, route.source ?? 'none', def.params, pathParams);
      return resultResponse(await invoke(def, params, userCtx), base.config, headers);
    }
    if (token === undefined) throw err.missingToken();
    // The body is read once, after the token checks, and reused if the call is re-run.
    let input: Promise<unknown> | undefined;
    const readInput = () =>
      (input ??= route.method === 'callBatch' ? readJsonBody(c.req.raw) : routeParams(c, route.source ?? 'none', def!.params, pathParams));
    const attempt = async (r: Resolved, fromCache: boolean): Promise<Response> => {
      const { ctx, state } = accessContext(userCtx, r, token, headers);
      let result;
      try {
        result =
          route.method === 'callBatch'
            ? { payload: { results: await runBatch(await readInput(), ctx, METHODS) } }
            : await invoke(def!, await readInput(), ctx);
      } catch (e) {
        if (e instanceof StaleAccessError) throw e;
        // An error decided on a cached access alone (bad params, wrong access type) could tell a revoked
        // token's holder more than "unknown token": confirm the access first. The token was accepted: touch.
        if (fromCache && !state.guarded) await ctx.run([]);
        scheduleTouch(ctx);
        throw e;
      }
      // A cached access whose call never reached D1 (empty batch, say) is confirmed before answering; a D1
      // lookup is as fresh as the guard.
      if (fromCache && !state.guarded) await ctx.run([]);
      scheduleTouch(ctx);
      return resultResponse(result, base.config, headers);
    };
    try {
      return await attempt(resolved, fromCache);
    } catch (e) {
      if (!(e instanceof StaleAccessError) || !e.retryable) throw e;
      // The access changed since it was read (a stale KV entry, or a race): drop the entry, re-read D1, re-run once.
      await forgetAccess(c.env, username, token).catch(() => undefined);
      delete headers['Pryv-Access-Id'];
      const fresh = (await lookup(true)).resolved;
      if (!fresh) throw err.unknownToken();
      return await attempt(fresh, false);
    }
  } catch (e) {
    return errorResponse(e, base.config, headers);
  }
}

const removedRoute = (what: string) => (c: C) => errorResponse(err.removed(what), readConfig(c.env));

export function createApp(): Hono<AppEnv> {
  const app = new Hono<AppEnv>({ strict: false });

  app.use('*', async (c, next) => {
    if (c.req.method === 'OPTIONS') return new Response(null, { status: 200, headers: { ...corsHeaders(c.req.raw), 'API-Version': readConfig(c.env).apiVersion } });
    await next();
    for (const [k, v] of Object.entries(corsHeaders(c.req.raw))) c.res.headers.set(k, v);
    c.res.headers.set('API-Version', readConfig(c.env).apiVersion);
  });

  for (const route of PUBLIC_ROUTES) app.on(route.verb, route.path, publicRoute(route.method, route.source));
  app.get('/reg/:email/uid', removedRoute('GET /reg/{email}/uid'));
  app.get('/reg/:email/check_email', removedRoute('GET /reg/{email}/check_email'));
  app.all('/reg/access', (c) => errorResponse(err.unavailable('The app authorization request flow'), readConfig(c.env)));
  app.all('/reg/access/*', (c) => errorResponse(err.unavailable('The app authorization request flow'), readConfig(c.env)));
  app.get('/event-types/flat.json', (c) => serveFlatDirectory(c.req.raw));
  app.get('/reg/event-types/flat.json', (c) => serveFlatDirectory(c.req.raw));
  app.get('/event-types/LICENSE', () => serveDirectoryLicense());
  app.get('/openapi.json', (c) => serveOpenApi(readConfig(c.env).publicUrl ?? withSlash(new URL(c.req.url).origin)));
  // Share links (`s` can never be a username: fewer than 5 characters).
  app.get('/s/:code', (c) => serveShareByCode(publicContext(c), c.req.param('code'), new URL(c.req.url)));

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
