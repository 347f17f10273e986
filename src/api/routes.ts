/**
 * HTTP routes onto method ids: under a user root U (§5.0), and the public ones. How params are assembled:
 * - query:  query string (coerced) + path ids;
 * - body:   JSON body + path ids;
 * - update: `{id, update: body}` (PUT);
 * - none:   path ids only, body ignored;
 * - files:  a multipart body of files only, + path ids (events.addAttachment);
 * - mfa:    JSON body + `mfaToken` from the `Authorization` header (the reference's `U/mfa/*` routes).
 * A `body` route of a method declared with `files` also takes a multipart body: one JSON part and files.
 */
export type ParamSource = 'query' | 'body' | 'update' | 'none' | 'files' | 'mfa';

export interface UserRoute {
  verb: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Segments; `:name` captures one segment. */
  path: string[];
  method?: string;
  source?: ParamSource;
  /** 410 `removed-method` (§2.14). */
  removed?: boolean;
  /** 451 `unavailable-method`: a tier not shipped yet. */
  unavailable?: string;
}

const r = (verb: UserRoute['verb'], path: string, method: string, source: ParamSource): UserRoute => ({
  verb,
  path: path === '' ? [] : path.split('/'),
  method,
  source,
});
const removed = (verb: UserRoute['verb'], path: string): UserRoute => ({ verb, path: path.split('/'), removed: true });
const later = (verb: UserRoute['verb'], path: string, what: string): UserRoute => ({ verb, path: path.split('/'), unavailable: what });

export const USER_ROUTES: UserRoute[] = [
  r('POST', '', 'callBatch', 'body'),
  r('GET', 'access-info', 'getAccessInfo', 'query'),
  r('GET', 'service/info', 'service.userInfo', 'none'),
  r('POST', 'auth/login', 'auth.login', 'body'),
  r('POST', 'auth/logout', 'auth.logout', 'none'),
  removed('POST', 'events/start'),
  removed('POST', 'events/stop'),
  removed('GET', 'audit/logs'),
  r('GET', 'audit/verify', 'audit.verify', 'query'),
  r('GET', 'events', 'events.get', 'query'),
  r('POST', 'events', 'events.create', 'body'),
  later('POST', 'events/:id/series', 'High-frequency series'),
  later('POST', 'series/batch', 'High-frequency series'),
  r('GET', 'events/:id', 'events.getOne', 'query'),
  r('PUT', 'events/:id', 'events.update', 'update'),
  r('DELETE', 'events/:id', 'events.delete', 'query'),
  r('POST', 'events/:id', 'events.addAttachment', 'files'),
  r('GET', 'events/:id/:fileId', 'events.getAttachment', 'query'),
  r('GET', 'events/:id/:fileId/:fileName', 'events.getAttachment', 'query'),
  r('DELETE', 'events/:id/:fileId', 'events.deleteAttachment', 'query'),
  r('GET', 'streams', 'streams.get', 'query'),
  r('POST', 'streams', 'streams.create', 'body'),
  r('PUT', 'streams/:id', 'streams.update', 'update'),
  r('DELETE', 'streams/:id', 'streams.delete', 'query'),
  r('GET', 'accesses', 'accesses.get', 'query'),
  r('POST', 'accesses', 'accesses.create', 'body'),
  r('POST', 'accesses/check-app', 'accesses.checkApp', 'body'),
  r('GET', 'accesses/:id', 'accesses.getOne', 'query'),
  r('PUT', 'accesses/:id', 'accesses.update', 'update'),
  r('DELETE', 'accesses/:id', 'accesses.delete', 'query'),
  r('GET', 'profile/public', 'profile.getPublic', 'query'),
  r('PUT', 'profile/public', 'profile.updatePublic', 'update'),
  r('GET', 'profile/private', 'profile.getPrivate', 'query'),
  r('PUT', 'profile/private', 'profile.updatePrivate', 'update'),
  r('GET', 'profile/app', 'profile.getApp', 'query'),
  r('PUT', 'profile/app', 'profile.updateApp', 'update'),
  r('GET', 'account', 'account.get', 'query'),
  r('PUT', 'account', 'account.update', 'update'),
  r('POST', 'account/change-password', 'account.changePassword', 'body'),
  r('POST', 'account/request-password-reset', 'account.requestPasswordReset', 'body'),
  r('POST', 'account/reset-password', 'account.resetPassword', 'body'),
  r('POST', 'mfa/activate', 'mfa.activate', 'body'),
  r('POST', 'mfa/confirm', 'mfa.confirm', 'mfa'),
  r('POST', 'mfa/challenge', 'mfa.challenge', 'mfa'),
  r('POST', 'mfa/verify', 'mfa.verify', 'mfa'),
  r('POST', 'mfa/deactivate', 'mfa.deactivate', 'body'),
  r('POST', 'mfa/recover', 'mfa.recover', 'body'),
  r('GET', 'webhooks', 'webhooks.get', 'query'),
  r('POST', 'webhooks', 'webhooks.create', 'body'),
  r('GET', 'webhooks/:id', 'webhooks.getOne', 'query'),
  r('PUT', 'webhooks/:id', 'webhooks.update', 'update'),
  r('DELETE', 'webhooks/:id', 'webhooks.delete', 'query'),
  r('POST', 'webhooks/:id/test', 'webhooks.test', 'none'),
  r('GET', 'followed-slices', 'followedSlices.get', 'query'),
  r('POST', 'followed-slices', 'followedSlices.create', 'body'),
  r('PUT', 'followed-slices/:id', 'followedSlices.update', 'update'),
  r('DELETE', 'followed-slices/:id', 'followedSlices.delete', 'query'),
];

/** A method reached with no account in the path (service info, registration, register endpoints). */
export interface PublicRoute {
  verb: 'GET' | 'POST';
  /** Hono path; `:name` captures one segment. */
  path: string;
  method: string;
  source: ParamSource;
}

const pub = (verb: PublicRoute['verb'], path: string, method: string, source: ParamSource): PublicRoute => ({ verb, path, method, source });

export const PUBLIC_ROUTES: PublicRoute[] = [
  pub('GET', '/reg/service/info', 'service.info', 'none'),
  pub('GET', '/service/info', 'service.info', 'none'),
  pub('GET', '/reg/hostings', 'auth.hostings', 'none'),
  // App authorization requests (§5.8), before `/reg/:username/server` so that no key is read as a username.
  pub('POST', '/reg/access', 'authRequest.create', 'body'),
  pub('GET', '/reg/access/:key', 'authRequest.poll', 'none'),
  pub('POST', '/reg/access/:key', 'authRequest.update', 'body'),
  pub('POST', '/reg/users', 'auth.register', 'body'),
  pub('POST', '/users', 'auth.register', 'body'),
  pub('GET', '/reg/:username/check_username', 'auth.usernameCheck', 'none'),
  pub('POST', '/reg/:username/server', 'auth.userServer', 'none'),
  pub('GET', '/reg/:email/uid', 'auth.emailUid', 'none'),
  pub('GET', '/reg/:email/check_email', 'auth.emailCheck', 'none'),
];

/** Whole route families of later tiers (any verb, any depth). */
const LATER_PREFIXES: [string, string][] = [
  ['shared-secrets', 'Shared secrets'],
];

export interface RouteMatch {
  route: UserRoute;
  pathParams: Record<string, string>;
}

export function matchUserRoute(verb: string, segments: string[]): RouteMatch | null {
  for (const route of USER_ROUTES) {
    if (route.verb !== verb || route.path.length !== segments.length) continue;
    const pathParams: Record<string, string> = {};
    let matched = true;
    for (let i = 0; i < segments.length; i++) {
      const part = route.path[i];
      if (part.startsWith(':')) pathParams[part.slice(1)] = segments[i];
      else if (part !== segments[i]) {
        matched = false;
        break;
      }
    }
    if (matched) return { route, pathParams };
  }
  const family = LATER_PREFIXES.find(([prefix]) => segments[0] === prefix);
  if (family) return { route: { verb: verb as UserRoute['verb'], path: segments, unavailable: family[1] }, pathParams: {} };
  return null;
}
