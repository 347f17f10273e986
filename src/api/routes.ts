/**
 * HTTP routes under a user root U (§5.0), mapped onto method ids. How params are assembled:
 * - query:  query string (coerced) + path ids;
 * - body:   JSON body + path ids;
 * - update: `{id, update: body}` (PUT);
 * - none:   path ids only, body ignored;
 * - files:  a multipart body of files only, + path ids (events.addAttachment).
 * A `body` route of a method declared with `files` also takes a multipart body: one JSON part and files.
 */
export type ParamSource = 'query' | 'body' | 'update' | 'none' | 'files';

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
  later('POST', 'accesses/check-app', 'accesses.checkApp'),
  later('GET', 'accesses/:id', 'accesses.getOne'),
  r('PUT', 'accesses/:id', 'accesses.update', 'update'),
  r('DELETE', 'accesses/:id', 'accesses.delete', 'query'),
  r('GET', 'followed-slices', 'followedSlices.get', 'query'),
  r('POST', 'followed-slices', 'followedSlices.create', 'body'),
  r('PUT', 'followed-slices/:id', 'followedSlices.update', 'update'),
  r('DELETE', 'followed-slices/:id', 'followedSlices.delete', 'query'),
];

/** Whole route families of later tiers (any verb, any depth). */
const LATER_PREFIXES: [string, string][] = [
  ['profile', 'Profile sets'],
  ['account', 'Account methods'],
  ['webhooks', 'Webhooks'],
  ['notifications', 'The notification channel'],
  ['mfa', 'MFA'],
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
